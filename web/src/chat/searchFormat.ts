// Search's pure parts: the hit's shape, its snippet's highlighted parts,
// and the paths search leads to.
import type { Id } from '../api';
import type { Message } from './api';

export interface SearchHit {
  conversation_id: Id;
  message: Message;
  /** Text around the hit; highlights are [start, end) offsets in code points. */
  snippet: string;
  highlights: [number, number][];
}

export interface Part {
  text: string;
  hit: boolean;
}

/** Splits a snippet into plain and highlighted parts (offsets in code points). */
export function snippetParts(snippet: string, highlights: [number, number][]): Part[] {
  const chars = Array.from(snippet);
  const marks = [...(highlights ?? [])]
    .filter(([s, e]) => s >= 0 && e > s && e <= chars.length)
    .sort((a, b) => a[0] - b[0]);
  const out: Part[] = [];
  let at = 0;
  for (const [s, e] of marks) {
    if (s < at) continue;
    if (s > at) out.push({ text: chars.slice(at, s).join(''), hit: false });
    out.push({ text: chars.slice(s, e).join(''), hit: true });
    at = e;
  }
  if (at < chars.length) out.push({ text: chars.slice(at).join(''), hit: false });
  return out;
}

const chatPath = (id: Id) => '/chats/' + encodeURIComponent(String(id));

export const searchPath = (convId?: Id) => (convId ? chatPath(convId) + '/search' : '/search');

/** Where a message hit leads: its conversation, opened at its seq. */
export const hitPath = (h: SearchHit) => chatPath(h.conversation_id) + '?m=' + h.message.seq;

