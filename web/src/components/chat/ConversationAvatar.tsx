import type { Id } from '../../api';
import type { Conversation } from '../../chat/api';
import { peer } from '../../chat/format';
import { sameId } from '../../chat/merge';
import { directory, ensureContacts } from '../../people/directory';
import { useEffect } from 'preact/hooks';
import { useStore } from '../../store';
import { t } from '../../i18n';
import { Avatar, avatarColorIndex, initials } from '../Avatar';
import { GroupIcon } from '../Icons';

/**
 * A person's avatar for direct chats; for groups, WeChat's grid of up to
 * nine members' avatars (photos, or initials on their colour): 2 across
 * for 2–4 members, 3 across for 5–9.
 */
export function ConversationAvatar({ c, meId, size = 'md' }: { c: Conversation; meId: Id; size?: 'md' | 'lg' }) {
  const people = useStore(directory);
  if (c.type === 'direct') {
    const p = peer(c, meId);
    return <Avatar username={p?.username ?? String(c.id)} name={p?.display_name ?? c.title} size={size} src={p?.avatar_url} />;
  }
  // Others first (our own face in every group grid adds little), then us.
  const members = [...c.members.filter((m) => !sameId(m.id, meId)), ...c.members.filter((m) => sameId(m.id, meId))].slice(0, 9);
  if (members.length === 0) {
    return (
      <span class={'avatar avatar-' + size + ' group-avatar-empty'} aria-hidden="true">
        <GroupIcon size={size === 'lg' ? 26 : 22} />
      </span>
    );
  }
  const cols = members.length <= 4 ? 2 : 3;
  return (
    <span class={'avatar avatar-' + size + ' group-grid group-grid-' + cols} data-members={members.length} aria-hidden="true">
      {members.map((m) => {
        const url = m.avatar_url ?? people[m.username]?.avatar_url;
        return url ? (
          <img key={String(m.id)} class="group-grid-cell" src={url} alt="" loading="lazy" draggable={false} />
        ) : (
          <span key={String(m.id)} class={'group-grid-cell avatar-c' + avatarColorIndex(m.username)}>
            {initials(m.display_name || m.username, '?').slice(0, 1)}
          </span>
        );
      })}
    </span>
  );
}

/** A conversation's name in lists: for a direct chat, the remark we gave the other person, if any. */
export function ConversationName({ c, meId }: { c: Conversation; meId: Id }) {
  const people = useStore(directory);
  useEffect(ensureContacts, []);
  const p = c.type === 'direct' ? peer(c, meId) : undefined;
  const remark = p ? people[p.username]?.remark : '';
  return <>{remark || c.title || (c.type === 'group' ? t('chat.title.group') : t('chat.title.chat'))}</>;
}
