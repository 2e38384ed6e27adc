// The pure rules behind notifications: what the title and the favicon's
// badge say, and whether a message that just arrived deserves a sound or a
// system notification. No DOM here, so they are tested as plain functions.
import type { Id } from '../api';
import type { Conversation, Message } from '../chat/api';
import { sameId } from '../chat/merge';

/** A badge's text: the count, capped at "99+" (as WeChat shows it). */
export function badgeText(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '';
  return n > 99 ? '99+' : String(Math.floor(n));
}

const COUNT_PREFIX = /^\(\d+\+?\) /;

/** A page title without our "(3) " prefix. */
export function stripCount(title: string): string {
  return title.replace(COUNT_PREFIX, '');
}

/** "(3) Plaza" for 3 unread, the bare title for none. */
export function titleWithCount(title: string, unread: number): string {
  const base = stripCount(title) || 'Plaza';
  const b = badgeText(unread);
  return b ? `(${b}) ${base}` : base;
}

/** Whether a message mentions me (by id, or everyone). */
export function mentionsMe(m: Pick<Message, 'mentions'>, me: Id): boolean {
  return (m.mentions ?? []).some((x) => x === 'all' || sameId(x, me));
}

export interface AlertContext {
  me: Id;
  /** The message's conversation as the store has it (undefined: not loaded yet). */
  conversation?: Conversation;
  /** The conversation on screen (from the path), '' when none. */
  openId: string;
  /** document.visibilityState === 'visible'. */
  visible: boolean;
  /** document.hasFocus(). */
  focused: boolean;
}

const SILENT_KINDS = new Set(['system', 'recalled', 'hidden', 'erased', 'red_packet_opened']);

/**
 * Whether a new message should alert at all (sound or notification): not my
 * own, not a note, not in a muted chat unless it mentions me, and not in the
 * chat I am looking at right now.
 */
export function shouldAlert(m: Message, ctx: AlertContext): boolean {
  if (sameId(m.sender?.id, ctx.me)) return false;
  if (SILENT_KINDS.has(m.kind)) return false;
  if (ctx.conversation?.muted && !mentionsMe(m, ctx.me)) return false;
  const looking = ctx.visible && ctx.focused && ctx.openId !== '' && sameId(ctx.openId, m.conversation_id);
  return !looking;
}

/** A system notification is for a tab that is hidden or not focused. */
export function wantsSystemNotification(ctx: Pick<AlertContext, 'visible' | 'focused'>): boolean {
  return !ctx.visible || !ctx.focused;
}

/** The chat on screen for a path ("/chats/12" → "12"; "/chats/12/info" → ""). */
export function openChatId(path: string): string {
  const m = /^\/chats\/([^/]+)\/?$/.exec(path);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}

/** The tag that coalesces one chat's notifications into one. */
export const notificationTag = (convId: Id) => 'plaza-chat-' + String(convId);

/** Whether I have sent a message in any loaded chat (its last one is mine). */
export function hasChatted(conversations: Conversation[] | null, me: Id): boolean {
  return (conversations ?? []).some((c) => !!c.last_message && sameId(c.last_message.sender?.id, me));
}

/**
 * Whether to offer "Turn on desktop notifications": the browser can, the
 * person has not decided or dismissed it, and has already chatted (sent a
 * message), so the question comes with a reason, never on first load.
 */
export function wantsPrompt(opts: { permission: NotificationPermission | 'unsupported'; dismissed: boolean; chatted: boolean }): boolean {
  return opts.permission === 'default' && !opts.dismissed && opts.chatted;
}
