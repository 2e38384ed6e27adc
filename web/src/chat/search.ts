// Search: message history and names (GET /api/v1/search, /search/contacts),
// and jumping to a hit: the conversation opens at /chats/{id}?m={seq},
// loads the messages from around that seq to the newest, scrolls the hit
// into view and flashes it.
import { useEffect } from 'preact/hooks';
import { request, type Id } from '../api';
import { chatApi, MESSAGE_PAGE_MAX, type ChatUser, type Conversation } from './api';
import { mergeMessages, minSeq, settlePending } from './merge';
import { chat, updateThread } from './store';
import type { SearchHit } from './searchFormat';

export { hitPath, searchPath, snippetParts, type Part } from './searchFormat';

export type { SearchHit };

export interface NameHit {
  type: 'contact' | 'conversation';
  user?: ChatUser;
  /** For a contact: the direct conversation with them, if there is one. */
  conversation_id?: Id;
  conversation?: Conversation;
}

/** The server's cap on a query's length (characters). */
export const MAX_QUERY = 100;

export const searchApi = {
  messages: (q: string, opts: { conversation_id?: Id; cursor?: string; limit?: number } = {}) => {
    const p = new URLSearchParams({ q });
    if (opts.conversation_id) p.set('conversation_id', String(opts.conversation_id));
    if (opts.cursor) p.set('cursor', opts.cursor);
    if (opts.limit) p.set('limit', String(opts.limit));
    return request<{ items: SearchHit[]; next_cursor?: string | null }>('GET', '/api/v1/search?' + p.toString());
  },
  names: (q: string) => request<{ items: NameHit[] }>('GET', '/api/v1/search/contacts?' + new URLSearchParams({ q }).toString()),
};

function waitReady(id: Id, ms: number): Promise<boolean> {
  const ready = () => chat.get().threads[String(id)]?.status === 'ready';
  if (ready()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop();
      resolve(false);
    }, ms);
    const stop = chat.subscribe(() => {
      if (!ready()) return;
      clearTimeout(timer);
      stop();
      resolve(true);
    });
  });
}

/**
 * Loads the thread from a few messages before seq up to what it holds, so
 * the thread stays one gapless run that includes seq.
 */
export async function loadAround(id: Id, seq: number): Promise<void> {
  if (!(await waitReady(id, 15000))) return;
  const from = Math.max(0, seq - 11);
  const start = minSeq(chat.get().threads[String(id)]?.items ?? []); // 0: nothing loaded
  if (start > 0 && start <= from + 1) return; // loaded already
  let after = from;
  for (let pages = 0; pages < 100; pages++) {
    const res = await chatApi.messages(id, { after_seq: after, limit: MESSAGE_PAGE_MAX });
    const items = res.items ?? [];
    updateThread(id, (th) => {
      const merged = mergeMessages(th.items, items);
      return { ...th, items: merged, pending: settlePending(th.pending, merged), hasOlder: minSeq(merged) > 1 };
    });
    if (!res.next_cursor || items.length === 0) return;
    after = items[items.length - 1].seq;
    if (start > 0 && after >= start - 1) return; // joined what was loaded
  }
}

/**
 * In a conversation opened from a search hit (?m=seq): loads around the
 * hit, scrolls it to the middle and flashes it, then drops ?m from the URL.
 */
export function useRevealMessage(id: Id): void {
  useEffect(() => {
    const seq = Number(new URLSearchParams(window.location.search).get('m'));
    if (!Number.isInteger(seq) || seq < 1) return undefined;
    let cancelled = false;
    let flash: ReturnType<typeof setTimeout> | undefined;
    void (async () => {
      await loadAround(id, seq);
      for (let tries = 0; tries < 120 && !cancelled; tries++) {
        const el = document.querySelector<HTMLElement>('#conversation [data-seq="' + seq + '"]');
        if (el) {
          el.scrollIntoView({ block: 'center' });
          el.classList.add('msg-flash');
          el.setAttribute('data-revealed', 'true');
          flash = setTimeout(() => el.classList.remove('msg-flash'), 2400);
          if (window.location.search.includes('m=')) window.history.replaceState(null, '', window.location.pathname);
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    return () => {
      cancelled = true;
      if (flash) clearTimeout(flash);
    };
  }, [id]);
}
