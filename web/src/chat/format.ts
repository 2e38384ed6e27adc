// Display helpers: list times, divider times, previews, titles.
import type { Id } from '../api';
import type { Conversation, Message } from './api';
import { sameId } from './merge';

const pad = (n: number) => String(n).padStart(2, '0');
const hm = (d: Date) => pad(d.getHours()) + ':' + pad(d.getMinutes());

function dayDiff(d: Date, now: Date): number {
  const a = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const b = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  return Math.round((b - a) / 86_400_000);
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Chats list: "14:05" today, "Yesterday", a weekday this week, else a date. */
export function listTime(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const days = dayDiff(d, now);
  if (days <= 0) return hm(d);
  if (days === 1) return 'Yesterday';
  if (days < 7) return WEEKDAYS[d.getDay()];
  if (d.getFullYear() === now.getFullYear()) return d.getMonth() + 1 + '/' + d.getDate();
  return d.getFullYear() + '/' + (d.getMonth() + 1) + '/' + d.getDate();
}

/** Divider between messages: "14:05", "Yesterday 14:05", "Monday 14:05", "3/14 14:05". */
export function dividerTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const days = dayDiff(d, now);
  if (days <= 0) return hm(d);
  return listTime(iso, now) + ' ' + hm(d);
}

/** Show a time divider before a message when more than 5 minutes passed. */
export const DIVIDER_GAP_MS = 5 * 60 * 1000;

export function needsDivider(prevIso: string | undefined, iso: string): boolean {
  if (!prevIso) return true;
  return Date.parse(iso) - Date.parse(prevIso) > DIVIDER_GAP_MS;
}

export function kindLabel(m: Pick<Message, 'kind' | 'text'> & Partial<Pick<Message, 'duration_ms' | 'name'>>): string {
  switch (m.kind) {
    case 'image':
      return '[Image]';
    case 'voice':
      return '[Voice] ' + Math.max(1, Math.round((m.duration_ms ?? 0) / 1000)) + '"';
    case 'file':
      return '[File] ' + (m.name ?? '');
    case 'red_packet':
      return '[Red Packet]' + (m.text ? ' ' + m.text : '');
    case 'transfer':
      return '[Transfer]' + (m.text ? ' ' + m.text : '');
    case 'erased':
      return 'Message deleted';
    case 'red_packet_opened':
      return m.text;
    case 'recalled':
      return 'Message recalled';
    case 'hidden':
      return '';
    default:
      return m.text.replace(/\s+/g, ' ');
  }
}

/** "Bob Smith: see you" in groups, just the text in direct chats and for our own. */
export function preview(c: Conversation, meId: Id): string {
  const m = c.last_message;
  if (!m) return '';
  const body = kindLabel(m);
  if (m.kind === 'system' || m.kind === 'red_packet_opened' || c.type !== 'group' || sameId(m.sender.id, meId)) return body;
  return (m.sender.display_name || m.sender.username) + ': ' + body;
}

/** Title bar text: "Book club (3)" for groups. */
export function fullTitle(c: Conversation): string {
  return c.type === 'group' ? (c.title || 'Group chat') + ' (' + c.members.length + ')' : c.title;
}

/** The other person in a direct conversation. */
export function peer(c: Conversation, meId: Id) {
  return c.members.find((m) => !sameId(m.id, meId)) ?? c.members[0];
}
