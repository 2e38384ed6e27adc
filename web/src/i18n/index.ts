// Plaza's client in more than one language. Every string a person reads comes
// from a catalogue (messages/<domain>.ts) through t(); numbers, dates, times,
// lists and plurals go through Intl in the chosen locale.
//
//   t('chat.send')                         → "Send" / "发送"
//   t('chat.members', { count: 3 })        → "3 members" / "3 位成员"
//   tx('auth.terms', { link: <a …/> })     → children for JSX, with elements inside
//
// The locale is the one chosen in Me → Settings, else the browser's first
// language we ship. Changing it re-renders the whole app (App keys its tree
// by locale) and sets the plaza_lang cookie, which the server's own pages
// (the blocked-app page, the mini-program host) read.
import type { ComponentChild } from 'preact';
import { createStore, useStore } from '../store';
import { LOCALES, type Locale, type Msg, type Plural } from './define';
import { catalogues, type MessageKey } from './messages';

export { LOCALES, type Locale } from './define';
export type { MessageKey } from './messages';

const STORAGE_KEY = 'plaza.locale';
export const LOCALE_COOKIE = 'plaza_lang';

/** The nearest shipped locale for a BCP 47 tag ("zh-TW" → zh-CN, "en-GB" → en). */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const t = tag.toLowerCase();
  if (t.startsWith('zh')) return 'zh-CN';
  if (t.startsWith('en')) return 'en';
  return null;
}

function storedLocale(): Locale | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return (LOCALES as readonly string[]).includes(v ?? '') ? (v as Locale) : null;
  } catch {
    return null;
  }
}

/** The browser's first language that Plaza ships, else English. */
export function browserLocale(langs: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]): Locale {
  for (const l of langs) {
    const m = matchLocale(l);
    if (m) return m;
  }
  return 'en';
}

export const locale = createStore<Locale>(storedLocale() ?? browserLocale());

function applyToDocument(l: Locale): void {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = l;
  document.cookie = `${LOCALE_COOKIE}=${l}; path=/; max-age=31536000; SameSite=Lax`;
}
applyToDocument(locale.get());

/** Chooses the app's language (saved on this device) and re-renders. */
export function setLocale(l: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // private mode: the choice lasts until the tab closes
  }
  applyToDocument(l);
  clearFormatters();
  locale.set(l);
}

/** Forgets a chosen language: the browser's decides again. */
export function followBrowserLocale(): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // ignore
  }
  const l = browserLocale();
  applyToDocument(l);
  clearFormatters();
  locale.set(l);
}

/** True when the language was chosen in Settings rather than taken from the browser. */
export function localeChosen(): boolean {
  return storedLocale() !== null;
}

/** The current locale, re-rendering the caller when it changes. */
export function useLocale(): Locale {
  return useStore(locale);
}

export type Params = Record<string, string | number>;

function pick(msg: Msg, params: Params | undefined, l: Locale): string {
  if (typeof msg === 'string') return msg;
  const n = Number(params?.count ?? 0);
  const cat = plural(l).select(n) as keyof Plural;
  return msg[cat] ?? msg.other;
}

function interpolate(s: string, params: Params | undefined, l: Locale): string {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? number(l).format(v) : v;
  });
}

/** The message for key in the current locale, with {name} filled from params. */
export function t(key: MessageKey, params?: Params): string {
  const l = locale.get();
  const msg = catalogues[l][key] ?? catalogues.en[key];
  if (msg === undefined) return key;
  return interpolate(pick(msg, params, l), params, l);
}

/** Whether a key exists (for codes that come from the server, such as error codes). */
export function hasMessage(key: string): key is MessageKey {
  return key in catalogues.en;
}

/**
 * t() for JSX: placeholders may be elements. Returns the pieces in order,
 * so `<p>{tx('people.added_by', { name: <b>{n}</b> })}</p>` keeps the markup.
 */
export function tx(key: MessageKey, params: Record<string, ComponentChild>): ComponentChild[] {
  const l = locale.get();
  const msg = catalogues[l][key] ?? catalogues.en[key];
  const text = pick(msg ?? key, params as Params, l);
  const out: ComponentChild[] = [];
  let last = 0;
  for (const m of text.matchAll(/\{(\w+)\}/g)) {
    out.push(text.slice(last, m.index));
    const v = params[m[1]];
    out.push(v === undefined ? m[0] : typeof v === 'number' ? number(l).format(v) : v);
    last = (m.index ?? 0) + m[0].length;
  }
  out.push(text.slice(last));
  return out.filter((p) => p !== '');
}

// Intl objects are costly to build; one per locale and options.
const cache = new Map<string, unknown>();
function clearFormatters(): void {
  cache.clear();
}
function memo<T>(key: string, make: () => T): T {
  let v = cache.get(key) as T | undefined;
  if (v === undefined) {
    v = make();
    cache.set(key, v);
  }
  return v;
}
const plural = (l: Locale) => memo('p:' + l, () => new Intl.PluralRules(l));
const number = (l: Locale) => memo('n:' + l, () => new Intl.NumberFormat(l));

/** A number in the current locale ("12,345" / "12,345"). */
export function fmtNumber(n: number, opts?: Intl.NumberFormatOptions): string {
  const l = locale.get();
  return memo('n:' + l + JSON.stringify(opts ?? {}), () => new Intl.NumberFormat(l, opts)).format(n);
}

function toDate(d: Date | string | number): Date {
  return d instanceof Date ? d : new Date(d);
}

/** A date or time with Intl.DateTimeFormat options in the current locale. */
export function fmtDate(d: Date | string | number, opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string {
  const date = toDate(d);
  if (Number.isNaN(date.getTime())) return '';
  const l = locale.get();
  return memo('d:' + l + JSON.stringify(opts), () => new Intl.DateTimeFormat(l, opts)).format(date);
}

/** A clock time, 24-hour as WeChat shows it in both languages ("14:05"). */
export function fmtTime(d: Date | string | number): string {
  return fmtDate(d, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** A date and time ("Dec 2, 2026, 14:05" / "2026年12月2日 14:05"). */
export function fmtDateTime(d: Date | string | number): string {
  return fmtDate(d, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });
}

/** "3 minutes ago", "in 2 days" / "3分钟前", "2天后": seconds from now, signed. */
export function fmtRelative(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  const l = locale.get();
  return memo('r:' + l, () => new Intl.RelativeTimeFormat(l, { numeric: 'auto' })).format(value, unit);
}

/** "Ann, Bob and Carl" / "Ann、Bob和Carl". */
export function fmtList(items: string[], type: Intl.ListFormatType = 'conjunction'): string {
  const l = locale.get();
  return memo('l:' + l + type, () => new Intl.ListFormat(l, { style: 'long', type })).format(items);
}

/** A collator for sorting names in the current locale (zh-CN sorts by pinyin). */
export function collator(): Intl.Collator {
  const l = locale.get();
  return memo('c:' + l, () => new Intl.Collator(l === 'zh-CN' ? 'zh-CN-u-co-pinyin' : l, { sensitivity: 'base', numeric: true }));
}
