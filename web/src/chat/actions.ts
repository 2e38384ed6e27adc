// Conversation-level actions used by pages and sheets.
import { errorMessage, request, type Id } from '../api';
import { navigate } from '../router';
import { createStore } from '../store';
import { showToast } from '../toast';
import { t } from '../i18n';
import { chatApi, type Conversation, type Message, type Quote } from './api';
import { sameId } from './merge';
import { chat, loadOlder, receive, removeLocal, updateThread, upsertLocal } from './store';

export const conversationPath = (id: Id) => '/chats/' + encodeURIComponent(String(id));

/** Opens (creating if needed) the direct conversation with a contact. */
export async function openDirectChat(username: string): Promise<Conversation> {
  const { conversation } = await chatApi.openDirect(username);
  upsertLocal(conversation);
  navigate(conversationPath(conversation.id));
  return conversation;
}

export async function createGroupChat(title: string, usernames: string[]): Promise<Conversation> {
  const { conversation } = await chatApi.createGroup(title, usernames);
  upsertLocal(conversation);
  navigate(conversationPath(conversation.id));
  return conversation;
}

export async function addGroupMembers(id: Id, usernames: string[]): Promise<Conversation> {
  const { conversation } = await chatApi.addMembers(id, usernames);
  upsertLocal(conversation);
  return conversation;
}

export async function leaveGroup(id: Id): Promise<void> {
  await chatApi.leave(id);
  navigate('/chats', { replace: true });
  removeLocal(id);
}

// ---------- message actions: copy, quote, forward, recall, delete, select ----------

/** How long after sending a message may be recalled (the server's rule). */
export const RECALL_MS = 2 * 60 * 1000;

/** The message whose action menu is open, and where it was asked for. */
export interface MenuState {
  m: Message;
  x: number;
  y: number;
}
export const messageMenu = createStore<MenuState | null>(null);

/** The quote waiting in each conversation's composer. */
export const replyDrafts = createStore<Record<string, Quote>>({});

/** Multi-select: the conversation and the ids ticked, in tap order. */
export const selection = createStore<{ convId: string; ids: string[] } | null>(null);

/** Messages on their way to the forward sheet. */
export const forwarding = createStore<Message[] | null>(null);

/** Text of messages this device recalled, for "Re-edit" (by message id). */
const recalledTexts = new Map<string, { text: string; until: number }>();

export const canRecall = (m: Message, now = Date.now()) =>
  (m.kind === 'text' || m.kind === 'image') && now - Date.parse(m.created_at) < RECALL_MS;

export const canForward = (m: Message) => m.kind === 'text' || m.kind === 'image' || m.kind === ('voice' as string) || m.kind === ('file' as string);

export function toQuote(m: Message): Quote {
  return { id: m.id, seq: m.seq, sender: m.sender, kind: m.kind, text: m.text };
}

/** What a quote shows in one line. */
export function quoteLine(q: Quote): string {
  if (q.kind === 'recalled') return t('chat.quote.recalled');
  if (q.kind === 'erased' || q.kind === 'hidden') return t('chat.kind.deleted');
  if (q.kind === 'image') return t('chat.kind.image');
  if (q.kind === ('voice' as string)) return t('chat.kind.voice');
  if (q.kind === ('file' as string)) return t('chat.kind.file', { name: q.text });
  return q.text;
}

export function openMenu(m: Message, x: number, y: number): void {
  messageMenu.set({ m, x, y });
}

export function closeMenu(): void {
  messageMenu.set(null);
}

export function setReply(convId: Id, m: Message | null): void {
  replyDrafts.set((d) => {
    const next = { ...d };
    if (m) next[String(convId)] = toQuote(m);
    else delete next[String(convId)];
    return next;
  });
}

/** Copies text: the async clipboard when the page may use it, else a hidden textarea. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall back below
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

const msgPath = (id: Id) => '/api/v1/messages/' + encodeURIComponent(String(id));

export async function recallMessage(m: Message): Promise<boolean> {
  try {
    const { message } = await request<{ message: Message }>('POST', msgPath(m.id) + '/recall');
    if (m.kind === 'text') recalledTexts.set(String(m.id), { text: m.text, until: Date.parse(m.created_at) + RECALL_MS + 5 * 60 * 1000 });
    receive(m.conversation_id, [message]);
    markGone('recalled', m.conversation_id, m.id, m.seq);
    return true;
  } catch (err) {
    showToast(errorMessage(err), 'error');
    return false;
  }
}

/** The text of a message this device recalled a little while ago, to edit again. */
export function reEditText(id: Id): string | undefined {
  const r = recalledTexts.get(String(id));
  if (!r) return undefined;
  if (Date.now() > r.until) {
    recalledTexts.delete(String(id));
    return undefined;
  }
  return r.text;
}

/** Delete for me, one call per message; returns how many went. */
export async function hideMessages(ms: Message[]): Promise<number> {
  let done = 0;
  for (const m of ms) {
    try {
      await request<void>('DELETE', msgPath(m.id));
      markGone('hidden', m.conversation_id, m.id, m.seq);
      done++;
    } catch (err) {
      showToast(errorMessage(err), 'error');
      break;
    }
  }
  return done;
}

function newKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
}

/** Forwards messages to chats (one Idempotency-Key, so a retry posts nothing twice). */
export async function forwardMessages(ms: Message[], convIds: Id[], key = newKey()): Promise<void> {
  const { items } = await request<{ items: Message[] }>('POST', '/api/v1/messages/forward', {
    body: { message_ids: ms.map((m) => m.id), conversation_ids: convIds },
    headers: { 'Idempotency-Key': key },
  });
  const byConv = new Map<string, Message[]>();
  for (const m of items ?? []) {
    const k = String(m.conversation_id);
    byConv.set(k, [...(byConv.get(k) ?? []), m]);
  }
  for (const [k, list] of byConv) receive(k, list);
}

/** A message was recalled (for everyone) or hidden (for me, on another device). */
export function onMessageGone(type: 'recalled' | 'hidden', convId: Id, msgId: Id, seq: number): void {
  markGone(type, convId, msgId, seq);
}

function markGone(kind: 'recalled' | 'hidden', convId: Id, msgId: Id, seq: number): void {
  const strip = (m: Message): Message =>
    ({ ...m, kind, text: '', media_id: undefined, media_url: undefined, reply_to: undefined }) as Message;
  updateThread(convId, (t) => {
    let changed = false;
    const items = t.items.map((m) => {
      if (m.seq === seq && sameId(m.id, msgId) && m.kind !== kind) {
        changed = true;
        return strip(m);
      }
      // A reply quoting a recalled message shows the recall.
      if (kind === 'recalled' && m.reply_to && sameId(m.reply_to.id, msgId) && m.reply_to.kind !== 'recalled') {
        changed = true;
        return { ...m, reply_to: { ...m.reply_to, kind: 'recalled' as const, text: '' } };
      }
      return m;
    });
    return changed ? { ...t, items } : t;
  });
  chat.set((s) => {
    if (!s.conversations) return s;
    let changed = false;
    const list = s.conversations.map((c) => {
      if (!sameId(c.id, convId) || !c.last_message || !sameId(c.last_message.id, msgId) || c.last_message.kind === kind) return c;
      changed = true;
      return { ...c, last_message: strip(c.last_message) };
    });
    return changed ? { ...s, conversations: list } : s;
  });
  const sel = selection.get();
  if (sel && sel.ids.includes(String(msgId))) selection.set({ ...sel, ids: sel.ids.filter((i) => i !== String(msgId)) });
}

export function startSelecting(m: Message): void {
  selection.set({ convId: String(m.conversation_id), ids: [String(m.id)] });
}

export function toggleSelected(id: Id): void {
  const sel = selection.get();
  if (!sel) return;
  const k = String(id);
  selection.set({ ...sel, ids: sel.ids.includes(k) ? sel.ids.filter((i) => i !== k) : [...sel.ids, k] });
}

export function stopSelecting(): void {
  selection.set(null);
}

/** Scrolls to a message (loading older pages until it is there) and flashes it. */
export async function jumpTo(convId: Id, seq: number): Promise<boolean> {
  const find = () => document.querySelector<HTMLElement>('#conversation [data-seq="' + seq + '"]');
  for (let i = 0; i < 40 && !find(); i++) {
    const t = chat.get().threads[String(convId)];
    if (!t || !t.hasOlder || t.items.length === 0 || t.items[0].seq <= seq) break;
    await loadOlder(convId);
    await new Promise((r) => requestAnimationFrame(() => r(null)));
  }
  const el = find();
  if (!el) {
    showToast(t('chat.conv.not_found'));
    return false;
  }
  document.querySelectorAll('#conversation [data-jumped]').forEach((x) => x.removeAttribute('data-jumped'));
  el.setAttribute('data-jumped', 'true');
  el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  el.classList.remove('msg-flash');
  void el.offsetWidth; // restart the animation
  el.classList.add('msg-flash');
  window.setTimeout(() => el.classList.remove('msg-flash'), 1800);
  return true;
}

/** Puts a recalled message's text back in the composer ("Re-edit"). */
export function reEdit(text: string): void {
  const el = document.getElementById('composer-input') as HTMLTextAreaElement | null;
  if (!el) return;
  el.value = text;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.focus();
  el.setSelectionRange(text.length, text.length);
}
