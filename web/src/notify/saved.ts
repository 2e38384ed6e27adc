// The pure part of the offline cache: what of the chat state is kept on
// the device, within bounds, and how it goes back into the store.
import type { User } from '../api';
import type { Conversation, Message } from '../chat/api';
import type { ChatState } from '../chat/store';
import { minSeq } from '../chat/merge';

/** Bounds: conversations kept, chats whose messages are kept, messages per chat, bytes in all. */
export const LIMITS = { conversations: 100, threads: 10, messages: 40, bytes: 1_000_000 };

export interface Saved {
  v: 1;
  user: User;
  conversations: Conversation[];
  threads: Record<string, Message[]>;
}

/** The part of the chat state worth keeping, within LIMITS. */
export function snapshot(user: User, s: Pick<ChatState, 'conversations' | 'threads'>, limits = LIMITS): Saved | null {
  if (!s.conversations) return null;
  const conversations = s.conversations.slice(0, limits.conversations);
  const threads: Record<string, Message[]> = {};
  let kept = 0;
  for (const c of conversations) {
    if (kept >= limits.threads) break;
    const th = s.threads[String(c.id)];
    if (!th || th.status !== 'ready' || th.items.length === 0) continue;
    threads[String(c.id)] = th.items.slice(-limits.messages);
    kept++;
  }
  const out: Saved = { v: 1, user, conversations, threads };
  // Too big (long texts): keep fewer messages until it fits.
  while (JSON.stringify(out).length > limits.bytes) {
    const keys = Object.keys(out.threads);
    if (keys.length === 0) {
      if (out.conversations.length <= 1) return null;
      out.conversations = out.conversations.slice(0, Math.floor(out.conversations.length / 2));
      continue;
    }
    delete out.threads[keys[keys.length - 1]];
  }
  return out;
}

/** A saved snapshot parsed back, or null when it is not one. */
export function parseSaved(raw: string | null): Saved | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Saved;
    if (v?.v !== 1 || !v.user || !Array.isArray(v.conversations) || typeof v.threads !== 'object') return null;
    return v;
  } catch {
    return null;
  }
}

/** Puts saved data into the store where the network gave nothing (or an error). */
export function hydrate(s: ChatState, saved: Saved): ChatState {
  const conversations = s.conversations ?? saved.conversations;
  const threads = { ...s.threads };
  let changed = s.conversations === null;
  for (const [k, items] of Object.entries(saved.threads)) {
    const th = threads[k];
    if (th && th.status !== 'error') continue;
    const c = conversations.find((x) => String(x.id) === k);
    threads[k] = {
      items,
      pending: th?.pending ?? [],
      status: 'ready',
      error: '',
      hasOlder: minSeq(items) > (c?.first_seq ?? 1),
      loadingOlder: false,
    };
    changed = true;
  }
  return changed ? { ...s, conversations, threads } : s;
}
