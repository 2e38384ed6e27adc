import type { Id } from '../../api';
import type { ChatUser } from '../../chat/api';
import { sameId } from '../../chat/merge';
import { Avatar } from '../Avatar';
import { collator, t } from '../../i18n';

export const MENTION_ALL = 'all';

/** The member list that "@" opens in a group's composer. */
export function MentionPicker({
  members,
  me,
  query,
  allowAll,
  onPick,
  onClose,
}: {
  members: ChatUser[];
  me: Id;
  query: string;
  allowAll: boolean;
  onPick: (id: string, name: string) => void;
  onClose: () => void;
}) {
  const q = query.toLowerCase();
  const byName = collator();
  const list = members
    .filter((m) => !sameId(m.id, me) && (!q || m.display_name.toLowerCase().includes(q) || m.username.toLowerCase().includes(q)))
    .sort((a, b) => byName.compare(a.display_name || a.username, b.display_name || b.username));
  const allName = t('chat.mention.all');
  const showAll = allowAll && (!q || 'all'.startsWith(q) || allName.toLowerCase().startsWith(q));
  if (list.length === 0 && !showAll) return null;
  return (
    <div class="mention-picker" id="mention-picker" role="listbox" aria-label={t('chat.mention.label')}>
      <div class="mention-head">
        <span>{t('chat.mention.head')}</span>
        <button type="button" class="mention-close" aria-label={t('chat.mention.close')} onMouseDown={(e) => e.preventDefault()} onClick={onClose}>
          ✕
        </button>
      </div>
      {showAll && (
        <button type="button" role="option" class="mention-row" data-mention="all" onMouseDown={(e) => e.preventDefault()} onClick={() => onPick(MENTION_ALL, allName)}>
          <span class="mention-all">@</span>
          <span class="mention-name">{allName}</span>
        </button>
      )}
      {list.map((m) => (
        <button
          type="button"
          role="option"
          key={String(m.id)}
          class="mention-row"
          data-mention={m.username}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onPick(String(m.id), m.display_name)}
        >
          <Avatar username={m.username} name={m.display_name} size="sm" />
          <span class="mention-name">{m.display_name}</span>
          <span class="mention-username">@{m.username}</span>
        </button>
      ))}
    </div>
  );
}
