// Display helpers: list times, divider times, previews, titles, and the
// group's system notes — all in the reader's language.
import type { Id } from '../api';
import { fmtDate, fmtTime, locale, t } from '../i18n';
import type { Conversation, Message } from './api';
import { sameId } from './merge';

function dayDiff(d: Date, now: Date): number {
  const a = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const b = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  return Math.round((b - a) / 86_400_000);
}

const zh = () => locale.get() === 'zh-CN';

/** Chats list: "14:05" today, "Yesterday", a weekday this week, else a date ("3/14" / "3月14日"). */
export function listTime(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const days = dayDiff(d, now);
  if (days <= 0) return fmtTime(d);
  if (days === 1) return t('common.yesterday');
  if (days < 7) return fmtDate(d, { weekday: 'long' });
  const month = zh() ? 'long' : 'numeric';
  if (d.getFullYear() === now.getFullYear()) return fmtDate(d, { month, day: 'numeric' });
  return fmtDate(d, { year: 'numeric', month, day: 'numeric' });
}

/** Divider between messages: "14:05", "Yesterday 14:05", "Monday 14:05", "3/14 14:05" (昨天 14:05, 星期一 14:05…). */
export function dividerTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const days = dayDiff(d, now);
  if (days <= 0) return fmtTime(d);
  return t('chat.time.day_at', { day: listTime(iso, now), time: fmtTime(d) });
}

/** Show a time divider before a message when more than 5 minutes passed. */
export const DIVIDER_GAP_MS = 5 * 60 * 1000;

export function needsDivider(prevIso: string | undefined, iso: string): boolean {
  if (!prevIso) return true;
  return Date.parse(iso) - Date.parse(prevIso) > DIVIDER_GAP_MS;
}

const withText = (label: string, text: string) => (text ? t('chat.kind.with_text', { label, text }) : label);

/** A voice clip's length in whole seconds, at least 1. */
export const voiceSeconds = (ms: number | undefined) => Math.max(1, Math.round((ms ?? 0) / 1000));

export function kindLabel(m: Pick<Message, 'kind' | 'text'> & Partial<Pick<Message, 'duration_ms' | 'name' | 'sender'>>): string {
  switch (m.kind) {
    case 'image':
      return t('chat.kind.image');
    case 'voice':
      return t('chat.kind.voice_secs', { secs: String(voiceSeconds(m.duration_ms)) });
    case 'file':
      return t('chat.kind.file', { name: m.name ?? '' }).trimEnd();
    case 'red_packet':
      return withText(t('chat.kind.red_packet'), m.text);
    case 'transfer':
      return withText(t('chat.kind.transfer'), m.text);
    case 'erased':
      return t('chat.kind.deleted');
    case 'red_packet_opened':
      return m.text;
    case 'recalled':
      return t('chat.kind.recalled');
    case 'hidden':
      return '';
    case 'system':
      return m.sender ? systemText({ text: m.text, sender: m.sender }) : m.text;
    default:
      return m.text.replace(/\s+/g, ' ');
  }
}

/** "Bob Smith: see you" in groups, just the text in direct chats and for our own. */
export function preview(c: Conversation, meId: Id): string {
  const m = c.last_message;
  if (!m) return '';
  if (m.kind === 'recalled') {
    const name = m.sender.display_name || m.sender.username;
    if (sameId(m.sender.id, meId)) return t('chat.kind.recalled_by_me');
    return c.type === 'group' ? t('chat.kind.recalled_in_group', { name }) : t('chat.kind.recalled_by_peer');
  }
  if (m.kind === 'system') return systemText(m, sameId(m.sender.id, meId));
  const body = kindLabel(m);
  if (m.kind === 'red_packet_opened' || c.type !== 'group' || sameId(m.sender.id, meId)) return body;
  return t('chat.preview.sender', { name: m.sender.display_name || m.sender.username, body });
}

/** Title bar text: "Book club (3)" for groups. */
export function fullTitle(c: Conversation): string {
  return c.type === 'group' ? t('chat.title.with_count', { title: c.title || t('chat.title.group'), count: String(c.members.length) }) : c.title;
}

/** The other person in a direct conversation. */
export function peer(c: Conversation, meId: Id) {
  return c.members.find((m) => !sameId(m.id, meId)) ?? c.members[0];
}

// ---------- system notes ----------

// The server writes a group's system notes as English sentences (who did
// what, with names inside). They carry no structured event, so another
// language is rebuilt from the sentence's known shapes; in English, or for
// a shape this client does not know, the server's sentence is shown as is.
type Shape = [RegExp, Parameters<typeof t>[0], string[]];
const SHAPES: Shape[] = [
  [/^(.+?) created the group “(.*)” with (.+)$/s, 'chat.system.created_with', ['name', 'title', 'names']],
  [/^(.+?) created the group “(.*)”$/s, 'chat.system.created', ['name', 'title']],
  [/^(.+?) renamed the group to “(.*)”$/s, 'chat.system.renamed', ['name', 'title']],
  [/^(.+?) updated the group announcement$/, 'chat.system.announcement_updated', ['name']],
  [/^(.+?) removed the group announcement$/, 'chat.system.announcement_removed', ['name']],
  [/^(.+?) made (.+) an admin$/, 'chat.system.made_admin', ['name', 'target']],
  [/^(.+?) removed (.+) as admin$/, 'chat.system.removed_admin', ['name', 'target']],
  [/^(.+?) transferred group ownership to (.+)$/, 'chat.system.transferred', ['name', 'target']],
  [/^(.+?) joined via (.+)'s QR code$/, 'chat.system.joined_via_qr', ['name', 'target']],
  [/^(.+) left the group$/, 'chat.system.left', ['name']],
  [/^(.+?) added (.+)$/, 'chat.system.added', ['name', 'names']],
  [/^(.+?) removed (.+)$/, 'chat.system.removed', ['name', 'target']],
];

/**
 * A system note in the reader's language. mine: the note is about
 * something we did (we are its sender), so zh says 你.
 */
export function systemText(m: { text: string; sender: { display_name?: string; username?: string } }, mine = false): string {
  if (locale.get() === 'en') return m.text;
  const actor = m.sender.display_name || m.sender.username || '';
  for (const [re, key, names] of SHAPES) {
    const hit = re.exec(m.text);
    if (!hit) continue;
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      const v = hit[i + 1];
      if (n === 'title') params[n] = v;
      else if (n === 'names') params[n] = v.split(', ').map(quoted).join('、');
      else if (n === 'name' && mine && v === actor) params[n] = t('chat.system.you');
      else params[n] = v === 'Deleted account' ? t('chat.system.deleted_account') : quoted(v); // i18n-ignore: the server's name for an erased account
    });
    return t(key, params);
  }
  return m.text;
}

const quoted = (name: string) => t('chat.system.quoted', { name });
