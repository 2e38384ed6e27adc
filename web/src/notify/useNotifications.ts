// Notifications for one signed-in person: the unread count in the title and
// on the favicon, a sound on a new message, and a system notification when
// Plaza is in the background. Installed once by the app shell.
import { useEffect } from 'preact/hooks';
import type { Id, User } from '../api';
import type { Message } from '../chat/api';
import { chat, findConversation } from '../chat/store';
import { onIncomingMessage } from '../chat/live';
import { sameId, unreadTotal } from '../chat/merge';
import { kindLabel } from '../chat/format';
import { navigate } from '../router';
import { t } from '../i18n';
import { hasChatted, notificationTag, openChatId, shouldAlert, stripCount, titleWithCount, wantsSystemNotification } from './logic';
import { notifyPrefs, permission, refreshPermission, setPrefs } from './prefs';
import { setFaviconCount } from './favicon';
import { playChime } from './sound';
import { startOfflineCache } from './offline';

export function useNotifications(user: User): void {
  useEffect(() => startNotifications(user), [user.id]);
}

let unread = 0;

function applyTitle(): void {
  const want = titleWithCount(document.title, unread);
  if (document.title !== want) document.title = want;
}

function setUnread(n: number): void {
  if (n === unread) return;
  unread = n;
  applyTitle();
  setFaviconCount(n);
}

const open = new Map<string, Notification>();

function notify(m: Message, me: Id): void {
  const c = findConversation(m.conversation_id);
  const prefs = notifyPrefs.get();
  const sender = m.sender.display_name || m.sender.username;
  const group = c?.type === 'group';
  const title = prefs.preview ? (group ? c?.title || sender : sender) : 'Plaza';
  let body = t('notify.system.newMessage');
  if (prefs.preview) {
    const text = kindLabel(m);
    const n = c && !sameId(m.sender.id, me) ? c.unread : 0;
    body = (n > 1 ? t('notify.system.count', { count: n }) + ' ' : '') + (group ? sender + ': ' : '') + text;
  }
  const tag = notificationTag(m.conversation_id);
  let n: Notification;
  try {
    n = new Notification(title, { body, tag, icon: '/icons/icon-192.png', renotify: true } as NotificationOptions);
  } catch {
    return; // e.g. Android Chrome, which allows them only from a service worker
  }
  open.get(tag)?.close();
  open.set(tag, n);
  const id = String(m.conversation_id);
  n.onclick = () => {
    window.focus();
    navigate('/chats/' + encodeURIComponent(id));
    n.close();
  };
  n.onclose = () => {
    if (open.get(tag) === n) open.delete(tag);
  };
}

/** Starts everything for me; returns the stop (on sign-out). */
export function startNotifications(user: User): () => void {
  const me = user.id;
  const stops: (() => void)[] = [];

  // The count: the chat list's unread (muted chats count only when they mention me).
  const onChat = () => {
    const s = chat.get();
    setUnread(unreadTotal(s.conversations));
    if (!notifyPrefs.get().chatted && hasChatted(s.conversations, me)) {
      setPrefs({ chatted: true });
    }
  };
  onChat();
  stops.push(chat.subscribe(onChat));

  // Pages set document.title as they open: put the count back in front.
  const titleEl = document.querySelector('title');
  if (titleEl && typeof MutationObserver !== 'undefined') {
    const mo = new MutationObserver(applyTitle);
    mo.observe(titleEl, { childList: true, characterData: true, subtree: true });
    stops.push(() => mo.disconnect());
  }

  stops.push(
    onIncomingMessage((m) => {
      const ctx = {
        me,
        conversation: findConversation(m.conversation_id),
        openId: openChatId(window.location.pathname),
        visible: document.visibilityState === 'visible',
        focused: document.hasFocus(),
      };
      if (!shouldAlert(m, ctx)) return;
      const prefs = notifyPrefs.get();
      if (prefs.sound) playChime();
      if (prefs.system && permission.get() === 'granted' && wantsSystemNotification(ctx)) notify(m, me);
    }),
  );

  // Back to the tab: what it announced is being read now.
  const onVisible = () => {
    refreshPermission();
    if (document.visibilityState !== 'visible') return;
    const id = openChatId(window.location.pathname);
    if (id) open.get(notificationTag(id))?.close();
  };
  document.addEventListener('visibilitychange', onVisible);
  stops.push(() => document.removeEventListener('visibilitychange', onVisible));

  stops.push(startOfflineCache(user));

  return () => {
    stops.forEach((s) => s());
    for (const n of open.values()) n.close();
    open.clear();
    unread = -1;
    setUnread(0);
    document.title = stripCount(document.title);
  };
}
