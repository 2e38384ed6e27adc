import type { Id } from '../../api';
import type { Conversation } from '../../chat/api';
import { peer } from '../../chat/format';
import { sameId } from '../../chat/merge';
import { Avatar, avatarColorIndex, initials } from '../Avatar';
import { GroupIcon } from '../Icons';

/** A person's avatar for direct chats; a 2×2 grid of member initials for groups. */
export function ConversationAvatar({ c, meId, size = 'md' }: { c: Conversation; meId: Id; size?: 'md' | 'lg' }) {
  if (c.type === 'direct') {
    const p = peer(c, meId);
    return <Avatar username={p?.username ?? String(c.id)} name={p?.display_name ?? c.title} size={size} />;
  }
  // Others first (our own face in every group grid adds nothing), then us.
  const members = [...c.members.filter((m) => !sameId(m.id, meId)), ...c.members.filter((m) => sameId(m.id, meId))].slice(0, 4);
  if (members.length === 0) {
    return (
      <span class={'avatar avatar-' + size + ' group-avatar-empty'} aria-hidden="true">
        <GroupIcon size={size === 'lg' ? 26 : 22} />
      </span>
    );
  }
  return (
    <span class={'avatar avatar-' + size + ' group-avatar group-avatar-n' + members.length} aria-hidden="true">
      {members.map((m) => (
        <span key={String(m.id)} class={'group-avatar-cell avatar-c' + avatarColorIndex(m.username)}>
          {initials(m.display_name || m.username, '?').slice(0, 1)}
        </span>
      ))}
    </span>
  );
}
