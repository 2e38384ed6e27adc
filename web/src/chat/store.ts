// Chat state: the conversation list, loaded message threads, and what the
// socket tells us. Merging rules live in merge.ts; sending lives in send.ts.
import { errorMessage, type Id } from '../api';
import { createStore } from '../store';
import { chatApi, MESSAGE_PAGE_MAX, type Conversation, type Message } from './api';
import {
  applyMessage,
  applyRead,
  maxSeq,
  mergeMessages,
  minSeq,
  nextGap,
  sameId,
  settlePending,
  sortConversations,
  upsertConversation,
  mergeConversation,
  type Pending,
} from './merge';
import { sendFrame } from './socket';

export interface Thread {
  items: Message[];
  pending: Pending[];
  status: 'loading' | 'ready' | 'error';
  error: string;
  hasOlder: boolean;
  loadingOlder: boolean;
}

export interface ChatState {
  conversations: Conversation[] | null; // null until first load
  listError: string;
  threads: Record<string, Thread>;
}

const EMPTY: ChatState = { conversations: null, listError: '', threads: {} };
export const chat = createStore<ChatState>(EMPTY);

const PAGE = 50;
let meId: Id = '';
/** The conversation on screen (messages arriving there are read at once). */
let visibleId = '';
const catchingUp = new Set<string>();
const catchUpAgain = new Set<string>();
const readSent = new Map<string, number>();
/** When each conversation was last upserted locally (so a list fetched earlier doesn't drop it). */
const touched = new Map<string, number>();

const key = (id: Id) => String(id);

export function myId(): Id {
  return meId;
}

export function findConversation(id: Id): Conversation | undefined {
  return chat.get().conversations?.find((c) => sameId(c.id, id));
}

export function resetChat(me: Id = ''): void {
  if (meId === '' && me !== '') {
    // Starting after no one: keep what a page opened just before (on a
    // fresh load of /chats/{id} its layout effect runs before the app's
    // effect that starts the chat, and wiping its thread left it on
    // "Loading messages…"); it can only be this user's.
    meId = me;
    return;
  }
  for (const t of Object.values(chat.get().threads)) revokePreviews(t.pending);
  meId = me;
  visibleId = '';
  catchingUp.clear();
  catchUpAgain.clear();
  readSent.clear();
  touched.clear();
  chat.set(EMPTY);
}

function revokePreviews(list: Pending[]): void {
  for (const p of list) if (p.preview_url) URL.revokeObjectURL(p.preview_url);
}

// ---------- small state updaters ----------

export function updateThread(id: Id, fn: (t: Thread) => Thread): void {
  chat.set((s) => {
    const t = s.threads[key(id)];
    if (!t) return s;
    const next = fn(t);
    return next === t ? s : { ...s, threads: { ...s.threads, [key(id)]: next } };
  });
}

function updateConversation(id: Id, fn: (c: Conversation) => Conversation): void {
  chat.set((s) => {
    if (!s.conversations) return s;
    let changed = false;
    const list = s.conversations.map((c) => {
      if (!sameId(c.id, id)) return c;
      const n = fn(c);
      if (n !== c) changed = true;
      return n;
    });
    return changed ? { ...s, conversations: sortConversations(list) } : s;
  });
}

export function upsertLocal(c: Conversation): void {
  touched.set(key(c.id), Date.now());
  chat.set((s) => ({ ...s, conversations: upsertConversation(s.conversations ?? [], c) }));
}

export function removeLocal(id: Id): void {
  chat.set((s) => {
    const threads = { ...s.threads };
    const t = threads[key(id)];
    if (t) revokePreviews(t.pending);
    delete threads[key(id)];
    return { ...s, threads, conversations: (s.conversations ?? []).filter((c) => !sameId(c.id, id)) };
  });
}

// ---------- loading ----------

export async function loadConversations(): Promise<void> {
  const started = Date.now();
  try {
    const all: Conversation[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await chatApi.conversations(cursor);
      all.push(...(res.items ?? []));
      if (!res.next_cursor) break;
      cursor = res.next_cursor;
    }
    chat.set((s) => {
      const old = s.conversations ?? [];
      const list = all.map((c) => mergeConversation(old.find((o) => sameId(o.id, c.id)), c));
      // Keep ones that arrived while the list was loading.
      for (const o of old) {
        if ((touched.get(key(o.id)) ?? 0) >= started && !list.some((c) => sameId(c.id, o.id))) list.push(o);
      }
      // Drop loaded threads of conversations we are no longer in.
      const threads = { ...s.threads };
      for (const [k, t] of Object.entries(threads)) {
        if (t.status === 'ready' && !list.some((c) => key(c.id) === k)) {
          revokePreviews(t.pending);
          delete threads[k];
        }
      }
      return { ...s, conversations: sortConversations(list), threads, listError: '' };
    });
  } catch (err) {
    chat.set((s) => ({ ...s, listError: errorMessage(err) }));
  }
}

/** Makes sure a conversation's summary and newest messages are loaded. */
export async function openThread(id: Id): Promise<void> {
  const k = key(id);
  const t = chat.get().threads[k];
  if (t && t.status === 'ready' && findConversation(id)) {
    void catchUp(id);
    return;
  }
  if (t && t.status === 'loading') return;
  setThread(k, { ...(t ?? newThread()), status: 'loading', error: '' });
  try {
    if (!findConversation(id)) upsertLocal((await chatApi.conversation(id)).conversation);
    const res = await chatApi.messages(id, { limit: PAGE });
    const items = res.items ?? [];
    updateThread(id, (th) => {
      const merged = mergeMessages(th.items, items);
      const first = findConversation(id)?.first_seq ?? 1;
      return { ...th, items: merged, pending: settlePending(th.pending, merged), status: 'ready', hasOlder: minSeq(merged) > first };
    });
    void catchUp(id);
  } catch (err) {
    updateThread(id, (th) => ({ ...th, status: 'error', error: errorMessage(err) }));
  }
}

function newThread(): Thread {
  return { items: [], pending: [], status: 'loading', error: '', hasOlder: false, loadingOlder: false };
}

function setThread(k: string, t: Thread): void {
  chat.set((s) => ({ ...s, threads: { ...s.threads, [k]: t } }));
}

export async function loadOlder(id: Id): Promise<void> {
  const t = chat.get().threads[key(id)];
  if (!t || t.status !== 'ready' || !t.hasOlder || t.loadingOlder) return;
  updateThread(id, (th) => ({ ...th, loadingOlder: true }));
  try {
    const res = await chatApi.messages(id, { before_seq: minSeq(t.items), limit: PAGE });
    updateThread(id, (th) => {
      const merged = mergeMessages(th.items, res.items ?? []);
      const first = findConversation(id)?.first_seq ?? 1;
      return { ...th, items: merged, loadingOlder: false, hasOlder: (res.items ?? []).length > 0 && minSeq(merged) > first };
    });
  } catch {
    updateThread(id, (th) => ({ ...th, loadingOlder: false }));
  }
}

/**
 * Fetches `after_seq=<end of the unbroken run>` until the thread holds every
 * message up to the conversation's last_seq with no holes.
 */
export async function catchUp(id: Id): Promise<void> {
  const k = key(id);
  if (catchingUp.has(k)) {
    catchUpAgain.add(k);
    return;
  }
  catchingUp.add(k);
  try {
    for (let round = 0; round < 60; round++) {
      const t = chat.get().threads[k];
      if (!t || t.status !== 'ready') break;
      const after = gapOf(t, id);
      if (after === null) {
        if (!catchUpAgain.delete(k)) break;
        continue;
      }
      const res = await chatApi.messages(id, { after_seq: after, limit: MESSAGE_PAGE_MAX });
      const items = res.items ?? [];
      receive(id, items);
      if (items.length === 0) break;
    }
  } catch {
    // The next resync (reconnect) tries again.
  } finally {
    catchingUp.delete(k);
    catchUpAgain.delete(k);
  }
}

function gapOf(th: Thread, id: Id): number | null {
  const c = findConversation(id);
  return nextGap(th.items, !th.hasOlder, c?.last_seq ?? 0, c?.first_seq ?? 1);
}

/** After (re)connecting: fresh list, then fill every loaded thread. */
export async function resync(): Promise<void> {
  await loadConversations();
  const ids = Object.entries(chat.get().threads)
    .filter(([, t]) => t.status === 'ready')
    .map(([k]) => k);
  await Promise.all(ids.map((k) => catchUp(k)));
  if (visibleId) markRead(visibleId);
}

// ---------- incoming ----------

/** Server messages for one conversation (from a frame, ack, POST or fetch). */
export function receive(convId: Id, messages: Message[]): void {
  if (messages.length === 0) return;
  const k = key(convId);
  let gap = false;
  chat.set((s) => {
    let next = s;
    const th = s.threads[k];
    if (th) {
      const items = mergeMessages(th.items, messages);
      const pending = settlePending(th.pending, items);
      if (pending !== th.pending) revokePreviews(th.pending.filter((p) => !pending.includes(p)));
      if (items !== th.items || pending !== th.pending) {
        next = { ...next, threads: { ...next.threads, [k]: { ...th, items, pending } } };
      }
      gap = th.status === 'ready';
    }
    if (next.conversations) {
      const newest = messages.reduce((a, b) => (b.seq > a.seq ? b : a));
      const list = next.conversations.map((c) => (sameId(c.id, convId) ? applyMessage(c, newest, meId) : c));
      next = { ...next, conversations: sortConversations(list) };
    }
    return next;
  });
  const th = chat.get().threads[k];
  if (gap && th && gapOf(th, convId) !== null) void catchUp(convId);
  if (chat.get().conversations && !findConversation(convId)) void fetchConversation(convId);
  if (visibleId === k) markRead(convId);
}

async function fetchConversation(id: Id): Promise<void> {
  try {
    const { conversation } = await chatApi.conversation(id);
    upsertLocal(conversation);
  } catch {
    // not ours (any more)
  }
}

/** A conversation was created or changed (members, title). */
export function conversationChanged(c: Conversation): void {
  if (meId && !c.members.some((m) => sameId(m.id, meId))) {
    removeLocal(c.id);
    return;
  }
  upsertLocal(c);
  const th = chat.get().threads[key(c.id)];
  if (th && th.status === 'ready' && gapOf(th, c.id) !== null) void catchUp(c.id);
}

export function readElsewhere(convId: Id, userId: Id, seq: number): void {
  if (sameId(userId, meId)) updateConversation(convId, (c) => applyRead(c, seq));
}

// ---------- reading ----------

export function setVisibleConversation(id: Id | null): void {
  visibleId = id === null ? '' : key(id);
}

/** Marks everything loaded in a visible conversation as read (socket, else HTTP). */
export function markRead(id: Id): void {
  if (document.visibilityState !== 'visible') return;
  const k = key(id);
  const c = findConversation(id);
  const th = chat.get().threads[k];
  if (!c || !th || th.status !== 'ready') return;
  const seq = Math.max(maxSeq(th.items), 0);
  if (seq === 0) return;
  if (seq <= c.read_seq && c.unread === 0) return;
  updateConversation(id, (cc) => applyRead(cc, seq));
  if (seq <= (readSent.get(k) ?? 0)) return;
  readSent.set(k, seq);
  if (!sendFrame({ type: 'read', conversation_id: c.id, seq })) {
    chatApi.read(c.id, seq).catch(() => readSent.delete(k));
  }
}
