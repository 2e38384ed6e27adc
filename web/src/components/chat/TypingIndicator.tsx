import { useEffect, useState } from 'preact/hooks';
import type { Id } from '../../api';
import type { Conversation } from '../../chat/api';
import { sameId } from '../../chat/merge';
import { presence, presenceLabel, refreshPresence, typing, typingIn } from '../../chat/presence';
import { connection } from '../../chat/socket';
import { useStore } from '../../store';
import { t } from '../../i18n';

/**
 * The conversation header's subtitle: "typing…" ("Bob is typing…" in
 * groups) for 5 s after the last typing frame; otherwise, in a direct
 * chat, "Online" / "Last seen 5 min ago" / nothing when hidden.
 */
export function HeaderSubtitle({ c, meId }: { c: Conversation; meId: Id }) {
  const typingState = useStore(typing);
  const p = useStore(presence);
  const conn = useStore(connection);
  const [now, setNow] = useState(Date.now());
  const peer = c.type === 'direct' ? c.members.find((m) => !sameId(m.id, meId)) : undefined;
  const peerId = peer ? String(peer.id) : '';

  // Ask on opening, and again after every reconnect (frames may have been missed).
  useEffect(() => {
    if (peerId && conn === 'ready') void refreshPresence([peerId]);
  }, [peerId, conn]);

  // Re-render as typing runs out and "N min ago" ages.
  const typers = typingIn(typingState, c.id, now).filter((u) => !sameId(u, meId));
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), typers.length ? 500 : 30_000);
    return () => window.clearInterval(id);
  }, [typers.length > 0]);

  let text = '';
  let kind = '';
  if (typers.length > 0) {
    kind = 'typing';
    if (c.type === 'direct') text = t('chat.typing.direct');
    else {
      const names = typers.map((u) => {
        const m = c.members.find((x) => sameId(x.id, u));
        return m ? m.display_name || m.username : t('chat.typing.someone');
      });
      text =
        names.length === 1
          ? t('chat.typing.one', { name: names[0] })
          : names.length === 2
            ? t('chat.typing.two', { a: names[0], b: names[1] })
            : t('chat.typing.many', { count: names.length });
    }
  } else if (peer) {
    const s = p[peerId];
    text = presenceLabel(s, now);
    kind = s?.online ? 'online' : 'last-seen';
  }
  if (!text) return null;
  return (
    <span class={'title-bar-subtitle presence-' + kind} id="conversation-subtitle" data-state={kind} aria-live="polite">
      {kind === 'online' && <span class="presence-dot" aria-hidden="true" />}
      {text}
    </span>
  );
}
