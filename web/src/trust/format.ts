import type { Region } from '../api';
import type { Notice } from './api';
import { collator, locale as currentLocale, t } from '../i18n';
import { regionName } from '../regions';

// Pure helpers of the trust screens (tested in format.test.ts).

/** "15 September" (with the year when it is not this year's), in the given locale and time zone. */
export function noticeDate(iso: string, now: Date, locale: string = currentLocale.get(), timeZone?: string): string {
  const d = new Date(iso);
  const opts: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', timeZone };
  const year = (x: Date) => new Intl.DateTimeFormat('en', { year: 'numeric', timeZone }).format(x);
  if (year(d) !== year(now)) opts.year = 'numeric';
  return new Intl.DateTimeFormat(locale, opts).format(d);
}

/**
 * Whether a notice's policy has taken effect as of now: a notice fetched
 * while scheduled is active once its effective_at has passed, before the
 * next fetch says so.
 */
export function noticeActive(n: Notice, now: Date): boolean {
  if (n.state && n.state !== 'scheduled') return n.state === 'active';
  const t = now.getTime();
  return new Date(n.effective_at).getTime() <= t && (!n.expires_at || new Date(n.expires_at).getTime() > t);
}

/** The reason part of the server's message ("…: <reason>"). */
export function noticeReason(n: Notice): string {
  const i = n.message.indexOf(': ');
  return i >= 0 ? n.message.slice(i + 2) : '';
}

/** The sentence a banner shows for a notice. */
export function noticeText(n: Notice, now: Date, locale?: string, timeZone?: string): string {
  const name = n.target_name || n.target_id;
  const reason = noticeReason(n);
  if (noticeActive(n, now)) return reason ? t('discover.notice.gone_reason', { name, reason }) : t('discover.notice.gone', { name });
  const date = noticeDate(n.effective_at, now, locale, timeZone);
  return reason ? t('discover.notice.soon_reason', { name, date, reason }) : t('discover.notice.soon', { name, date });
}

/** The notices that concern one mini program (itself, or all of its developer's apps). */
export function noticesFor(items: Notice[], appid: string, developerId?: string): Notice[] {
  return items.filter(
    (n) => (n.target_type === 'app' && n.target_id === appid) || (n.target_type === 'developer' && !!developerId && n.target_id === developerId),
  );
}

/**
 * Regions whose code, name or label (the name in the reader's language)
 * contains q (case- and accent-insensitive), sorted by label.
 */
export function filterRegions(regions: Region[], q: string, label: (r: Region) => string = (r) => r.name, compare: (a: string, b: string) => number = (a, b) => a.localeCompare(b)): Region[] {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const want = fold(q.trim());
  const out = want
    ? regions.filter((r) => fold(r.code) === want || fold(r.name).includes(want) || fold(label(r)).includes(want) || fold(r.code).startsWith(want))
    : [...regions];
  return out.sort((a, b) => compare(label(a), label(b)));
}

const displayNames = new Map<string, Intl.DisplayNames | null>();

/**
 * A region's name in the given locale (Intl.DisplayNames: "NZ" → "新西兰"
 * in zh-CN). In English the server's own name is kept; the code itself when
 * nothing knows it.
 */
export function regionLabel(regions: Region[] | null, code: string, locale: string = currentLocale.get()): string {
  if (!locale.toLowerCase().startsWith('en')) {
    let dn = displayNames.get(locale);
    if (dn === undefined) {
      try {
        dn = new Intl.DisplayNames([locale], { type: 'region' });
      } catch {
        dn = null;
      }
      displayNames.set(locale, dn);
    }
    try {
      const name = dn?.of(code);
      if (name && name !== code) return name;
    } catch {
      // not a region code Intl knows
    }
  }
  return regionName(regions, code);
}

/** Regions with their names in the reader's language, sorted for it. */
export function localRegions(regions: Region[], locale: string = currentLocale.get()): Region[] {
  const cmp = collator().compare;
  return regions.map((r) => ({ ...r, name: regionLabel(regions, r.code, locale) })).sort((a, b) => cmp(a.name, b.name));
}

/** A Date as the value of an <input type="datetime-local"> (local time, minutes; with seconds when asked). */
export function toLocalInput(d: Date, seconds = false): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + (seconds ? ':' + p(d.getSeconds()) : '')
  );
}

/** When an instant comes, relative to now, for the policy form's hint ("in 5 s", "at once"). */
export function untilText(iso: string, now: Date): string {
  const at = new Date(iso).getTime();
  if (!iso || isNaN(at)) return '';
  const s = Math.round((at - now.getTime()) / 1000);
  if (s <= 0) return t('discover.until.now');
  if (s < 60) return t('discover.until.s', { n: s });
  if (s < 3600) return t('discover.until.min', { n: Math.round(s / 60) });
  if (s < 48 * 3600) return t('discover.until.h', { n: Math.round(s / 3600) });
  return t('discover.until.days', { n: Math.round(s / 86400) });
}

/** An <input type="datetime-local"> value as an RFC 3339 instant, or '' when empty or invalid. */
export function fromLocalInput(v: string): string {
  if (!v) return '';
  const d = new Date(v);
  return isNaN(d.getTime()) ? '' : d.toISOString();
}

/** "2 Dec 2026, 00:41" in the viewer's locale. */
export function dateTime(iso: string | null | undefined, locale: string = currentLocale.get(), timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone }).format(d);
}

/**
 * Which slice of the audit log page `page` (0 = newest) of `size` entries
 * is, for a log of `total` entries: GET /audit?after=&limit= asks from
 * `after + 1` upwards, so the newest page starts `size` below the end.
 */
export function auditPage(total: number, page: number, size: number): { after: number; limit: number } | null {
  const hi = total - page * size;
  if (hi <= 0) return null;
  const lo = Math.max(0, hi - size);
  return { after: lo - 1, limit: hi - lo };
}

/** The first and last few characters of a long hash. */
export function shortHash(h: string): string {
  return h.length > 14 ? h.slice(0, 8) + '…' + h.slice(-4) : h;
}
