// Pure merge/dedupe rules for chat state. No I/O, no globals: everything the
// store does to message lists and the conversation list goes through here.
import type { Id } from '../api';
import type { Conversation, Message, Quote } from './api';

export const sameId = (a: Id | undefined | null, b: Id | undefined | null) =>
  a !== undefined && a !== null && b !== undefined && b !== null && String(a) === String(b);

/**
 * Union of two seq-ordered message lists. A seq (gapless per conversation)
 * identifies a message, so duplicates by seq or id collapse to one entry;
 * the incoming copy wins.
 */
export function mergeMessages(have: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return have;
  const bySeq = new Map<number, Message>();
  for (const m of have) bySeq.set(m.seq, m);
  const ids = new Set(have.map((m) => String(m.id)));
  let changed = false;
  for (const m of incoming) {
    const old = bySeq.get(m.seq);
    if (old && String(old.id) === String(m.id) && old.text === m.text && old.kind === m.kind) continue;
    if (!old && ids.has(String(m.id))) continue; // same message under another seq: ignore
    bySeq.set(m.seq, m);
    changed = true;
  }
  if (!changed) return have;
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export function maxSeq(items: Message[]): number {
  return items.length ? items[items.length - 1].seq : 0;
}

export function minSeq(items: Message[]): number {
  return items.length ? items[0].seq : 0;
}

/**
 * The last seq of the unbroken run that starts at the oldest loaded message.
 * Fetching `after_seq=contiguousEnd` fills the first hole (or the tail).
 */
export function contiguousEnd(items: Message[]): number {
  if (items.length === 0) return 0;
  let end = items[0].seq;
  for (let i = 1; i < items.length; i++) {
    if (items[i].seq !== end + 1) break;
    end = items[i].seq;
  }
  return end;
}

/**
 * Where to fetch from (`after_seq`) to fill the first hole in a thread, or
 * null when it already holds every message up to `lastSeq`. `complete` means
 * the thread has no older page, so it must start at seq 1.
 */
export function nextGap(items: Message[], complete: boolean, lastSeq: number, firstSeq = 1): number | null {
  // firstSeq: where this member's history starts (a late join, a clear).
  if (items.length === 0) return complete && lastSeq >= firstSeq ? firstSeq - 1 : null;
  if (complete && items[0].seq > firstSeq) return firstSeq - 1;
  const end = contiguousEnd(items);
  return end < maxSeq(items) || end < lastSeq ? end : null;
}

/** Optimistic messages that still wait for the server. */
export interface Pending {
  client_id: string;
  conversation_id: Id;
  kind: 'text' | 'image' | 'voice' | 'file';
  text: string;
  /** Local preview (object URL) for an image being sent. */
  preview_url?: string;
  file?: File;
  media_id?: Id;
  /** Quote-reply: the message quoted (actions). */
  reply_to?: Quote;
  /** Voice and file uploads: 0…1 of the bytes sent, and what the bubble shows. */
  progress?: number;
  duration_ms?: number;
  name?: string;
  size?: number;
  status: 'sending' | 'failed';
  error?: string;
  mentions?: string[];
  created_at: string;
}

/** Drops pending messages the server already has (matched by client_id). */
export function settlePending(pending: Pending[], items: Message[]): Pending[] {
  if (pending.length === 0) return pending;
  const done = new Set(items.filter((m) => m.client_id).map((m) => m.client_id));
  const left = pending.filter((p) => !done.has(p.client_id));
  return left.length === pending.length ? pending : left;
}

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** Pinned chats first, then most recent activity first. */
export function sortConversations(list: Conversation[]): Conversation[] {
  return [...list].sort(
    (a, b) => Number(!!b.pinned) - Number(!!a.pinned) || activity(b) - activity(a) || String(b.id).localeCompare(String(a.id)),
  );
}

export function activity(c: Conversation): number {
  return Math.max(time(c.updated_at), time(c.last_message?.created_at));
}

/**
 * Combines what we know with a fresh copy from the server. Read marks and the
 * last message never move backwards (a stale snapshot can't undo a newer frame).
 */
export function mergeConversation(old: Conversation | undefined, next: Conversation): Conversation {
  if (!old) return next;
  const merged = { ...old, ...next };
  if (old.last_seq > next.last_seq) {
    merged.last_seq = old.last_seq;
    merged.last_message = old.last_message;
  }
  if (old.read_seq > next.read_seq) {
    merged.read_seq = old.read_seq;
    merged.unread = Math.min(next.unread, old.unread);
  }
  if (time(old.updated_at) > time(next.updated_at)) merged.updated_at = old.updated_at;
  return merged;
}

export function upsertConversation(list: Conversation[], next: Conversation): Conversation[] {
  const old = list.find((c) => sameId(c.id, next.id));
  const merged = mergeConversation(old, next);
  return sortConversations([...list.filter((c) => !sameId(c.id, next.id)), merged]);
}

/**
 * A message arrived for a conversation: move its preview forward and count it
 * as unread unless it is ours, already read, or already counted.
 */
export function applyMessage(c: Conversation, m: Message, meId: Id): Conversation {
  if (m.seq <= c.last_seq && c.last_message && c.last_message.seq >= m.seq) return c;
  const mine = sameId(m.sender.id, meId);
  // Same rule as the server (unread = last_seq - read_seq): everything not ours counts.
  const counts = !mine && m.seq > c.read_seq && m.seq > c.last_seq;
  return {
    ...c,
    last_seq: Math.max(c.last_seq, m.seq),
    last_message: m,
    read_seq: mine ? Math.max(c.read_seq, m.seq) : c.read_seq,
    unread: mine ? 0 : c.unread + (counts ? 1 : 0),
    mentioned: mine ? false : c.mentioned || (counts && !!m.mentions?.some((u) => u === 'all' || sameId(u, meId))),
    updated_at: time(m.created_at) > time(c.updated_at) ? m.created_at : c.updated_at,
  };
}

/** We (or another of our sessions) read up to `seq`. */
export function applyRead(c: Conversation, seq: number): Conversation {
  const read_seq = Math.max(c.read_seq, seq);
  const unread = read_seq >= c.last_seq ? 0 : Math.min(c.unread, c.last_seq - read_seq);
  if (read_seq === c.read_seq && unread === c.unread) return c;
  return { ...c, read_seq, unread, mentioned: unread === 0 ? false : c.mentioned };
}

export function unreadTotal(list: Conversation[] | null): number {
  if (!list) return 0;
  // Muted chats count only when they mention me (as WeChat does).
  return list.reduce((n, c) => n + (c.muted && !c.mentioned ? 0 : Math.max(0, c.unread || 0)), 0);
}
