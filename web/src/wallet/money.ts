// Money is integer minor units ({amount: 1234, currency: 'CNY'} is ¥12.34).
// Formatting and parsing are pure string/integer math: no floats anywhere
// (Intl is handed the amount as an exact decimal string).
//
// In English the server's symbols are shown ("¥12.34", "HK$8.00", "$3.00":
// what Plaza has always shown, and the browser tests read); in any other
// locale Intl.NumberFormat with style 'currency' words it the way that
// locale does (zh-CN: "¥12.34", "US$3.00", "HK$8.00").
//
// This is the one client module that knows about currencies. Their list, minor
// units, symbols and limits come from the server (GET /api/v1/pay/currencies),
// fetched once at start (loadCurrencies, which App awaits behind its splash)
// and kept in memory; until then, or if that fails, only the home currency
// below is known.

import { request } from '../api';
import { createStore, useStore } from '../store';
import { locale, t } from '../i18n';

export interface Money {
  amount: number;
  currency: string;
}

/** One currency as the server serves it. */
export interface Currency {
  code: string;
  /** Digits after the decimal point. */
  minor_units: number;
  symbol: string;
  /** The most one movement may move, in minor units. */
  max_amount: number;
}

/** The home currency: the wallet's headline balance and the money sheets' first choice. */
export const DEFAULT_CURRENCY = 'CNY';

/**
 * What is known before the server has answered (or when it cannot): the home
 * currency alone, as the server holds it. Replaced by the server's list.
 */
const FALLBACK: Currency[] = [{ code: DEFAULT_CURRENCY, minor_units: 2, symbol: '¥', max_amount: 1_000_000_000 }];

/** An unknown code is shown as itself with two decimals and cannot be typed. */
const UNKNOWN_MINOR_UNITS = 2;

export interface CurrencyState {
  /** false until the server's list arrived (or failed: then the fallback stays). */
  ready: boolean;
  list: Currency[];
}

export const currencyState = createStore<CurrencyState>({ ready: false, list: FALLBACK });

let loading: Promise<void> | null = null;

/** The server's list, fetched once per page load; later calls share the first. */
export function loadCurrencies(
  fetchList: () => Promise<{ currencies: Currency[] | null }> = () => request('GET', '/api/v1/pay/currencies'),
): Promise<void> {
  if (!loading) {
    loading = fetchList().then(
      (r) => {
        const list = (r.currencies ?? []).filter(validCurrency);
        currencyState.set({ ready: true, list: list.length ? list : FALLBACK });
      },
      () => {
        // Keep the fallback; the next call (e.g. after a reload) asks again.
        loading = null;
        currencyState.set((s) => ({ ...s, ready: true }));
      },
    );
  }
  return loading;
}

/** Tests: forget the fetched list. */
export function resetCurrencies(): void {
  loading = null;
  currencyState.set({ ready: false, list: FALLBACK });
}

function validCurrency(c: Currency): boolean {
  return (
    !!c &&
    typeof c.code === 'string' &&
    /^[A-Z]{3}$/.test(c.code) &&
    typeof c.symbol === 'string' &&
    Number.isInteger(c.minor_units) &&
    c.minor_units >= 0 &&
    c.minor_units <= 4 &&
    Number.isSafeInteger(c.max_amount) &&
    c.max_amount > 0
  );
}

/** Every currency the wallet may hold, in the server's order. */
export function currencyList(): Currency[] {
  return currencyState.get().list;
}

/** The list as a hook: re-renders when the server's list arrives. */
export function useCurrencies(): Currency[] {
  return useStore(currencyState).list;
}

export function findCurrency(code: string): Currency | undefined {
  return currencyList().find((c) => c.code === code);
}

export function isCurrency(code: string): boolean {
  return !!findCurrency(code);
}

const MINUS = '\u2212';

export function currencySymbol(currency: string): string {
  return intlSymbol(currency) ?? findCurrency(currency)?.symbol ?? currency + ' ';
}

// Intl formatters for the current locale, one per currency and digits.
const formatters = new Map<string, Intl.NumberFormat | null>();

/** Intl's currency formatter, or null in English (server symbols) or for a code Intl refuses. */
function intlFormat(currency: string): Intl.NumberFormat | null {
  const l = locale.get();
  if (l === 'en') return null;
  const digits = minorUnits(currency);
  const key = l + ':' + currency + ':' + digits;
  let f = formatters.get(key);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat(l, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    } catch {
      f = null; // not an ISO 4217 code
    }
    formatters.set(key, f);
  }
  return f;
}

function intlSymbol(currency: string): string | null {
  const f = intlFormat(currency);
  return f?.formatToParts(0).find((p) => p.type === 'currency')?.value ?? null;
}

/** 123456, 'CNY' → "1234.56": the exact decimal Intl formats (it takes strings without rounding through a float). */
function decimal(minor: number, currency: string): string {
  const digits = minorUnits(currency);
  const abs = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  return digits ? abs.slice(0, abs.length - digits) + '.' + abs.slice(abs.length - digits) : abs;
}

/** The unsigned amount with its currency, in the current locale. */
function unsigned(minor: number, currency: string): string {
  const f = intlFormat(currency);
  if (f) return f.format(decimal(minor, currency) as unknown as number);
  return currencySymbol(currency) + formatDigits(minor, currency);
}

function minorUnits(currency: string): number {
  return findCurrency(currency)?.minor_units ?? UNKNOWN_MINOR_UNITS;
}

/** The most one movement may move in this currency, in minor units (0: unknown currency). */
export function maxAmount(currency: string): number {
  return findCurrency(currency)?.max_amount ?? 0;
}

/** "1234" → "1,234". */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 123456 → "1,234.56" (no symbol, no sign), with the currency's minor units. */
export function formatDigits(minor: number, currency: string = DEFAULT_CURRENCY): string {
  const digits = minorUnits(currency);
  const abs = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const units = abs.slice(0, abs.length - digits);
  return digits ? group(units) + '.' + abs.slice(abs.length - digits) : group(units);
}

/** 123456, 'CNY' → "¥1,234.56"; negatives get a real minus sign ("−¥1.00"). */
export function formatMoney(minor: number, currency: string = DEFAULT_CURRENCY): string {
  const sign = minor < 0 ? MINUS : '';
  return sign + unsigned(minor, currency);
}

/** "+¥12.34" (money in) or "−¥12.34" (money out). */
export function formatSigned(minor: number, currency: string, direction: 'in' | 'out'): string {
  return (direction === 'in' ? '+' : MINUS) + unsigned(minor, currency);
}

/** For prefilling inputs: 1234 → "12.34", 1200 → "12.00". */
export function toInput(minor: number, currency: string = DEFAULT_CURRENCY): string {
  return formatDigits(minor, currency).replace(/,/g, '');
}

export type ParsedAmount = { ok: true; minor: number } | { ok: false; error: string };

const FULLWIDTH_DIGIT = /[\uFF10-\uFF19]/g;

/**
 * What a Chinese keyboard types, as ASCII: full-width digits (０-９), the
 * full-width or ideographic full stop (．。) as the decimal point, the
 * full-width comma, minus and currency signs (￥＄), and "元"/"块" after
 * a yuan amount.
 */
export function normalizeAmountInput(raw: string): string {
  return raw
    .replace(FULLWIDTH_DIGIT, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[．。｡]/g, '.')
    .replace(/，/g, ',')
    .replace(/[－﹣]/g, '-')
    .replace(/￥/g, '¥')
    .replace(/＄/g, '$');
}

/**
 * Parses what a person typed ("12.34", "12", "0.5", "1,234.50", "¥8",
 * "１２。５", "12元") into minor units of currency. Rejects negatives, more decimals than the currency
 * has, anything that is not a plain decimal number, zero, amounts above the
 * currency's max_amount, and currencies the server did not list.
 */
export function parseAmount(raw: string, currency: string = DEFAULT_CURRENCY): ParsedAmount {
  const cur = findCurrency(currency);
  if (!cur) return { ok: false, error: t('wallet.money.choose_currency') };
  let s = normalizeAmountInput(raw).trim().replace(/\s+/g, '');
  if (cur.code === 'CNY') s = s.replace(/[元块]$/, '');
  // The longest symbol first: "HK$8" is HK$, not $ (and this locale's own, "US$8").
  const symbols = [...currencyList().map((c) => c.symbol), currencySymbol(cur.code)]
    .filter((sym) => sym !== '')
    .sort((a, b) => b.length - a.length);
  for (const sym of symbols) {
    if (s.startsWith(sym)) {
      s = s.slice(sym.length);
      break;
    }
  }
  const example = cur.minor_units ? '12.' + '34'.padEnd(cur.minor_units, '0').slice(0, cur.minor_units) : '12';
  if (s === '') return { ok: false, error: t('wallet.money.enter_amount') };
  if (/^[-\u2212]/.test(s)) return { ok: false, error: t('wallet.money.negative') };
  // Grouping commas are fine only in the whole part, in groups of three.
  const m = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return { ok: false, error: t('wallet.money.like', { example }) };
  const frac = m[2] ?? '';
  if (frac.length > cur.minor_units) {
    return {
      ok: false,
      error: cur.minor_units ? t('wallet.money.decimals', { n: cur.minor_units }) : t('wallet.money.whole', { example }),
    };
  }
  const whole = m[1].replace(/,/g, '').replace(/^0+(?=\d)/, '') || '0';
  const maxText = formatMoney(cur.max_amount, cur.code);
  const unit = 10 ** cur.minor_units;
  // Digits beyond the limit's are too many before any arithmetic can lose them.
  if (whole.length > String(Math.floor(cur.max_amount / unit)).length) {
    return { ok: false, error: t('wallet.money.max', { max: maxText }) };
  }
  const minor = Number(whole) * unit + Number(frac.padEnd(cur.minor_units, '0') || '0');
  if (minor > cur.max_amount) return { ok: false, error: t('wallet.money.max', { max: maxText }) };
  if (minor === 0) return { ok: false, error: t('wallet.money.min', { zero: formatMoney(0, cur.code) }) };
  return { ok: true, minor };
}

/** Balance in one currency (0 when the wallet has none of it). */
export function balanceOf(balances: Money[] | null | undefined, currency: string): number {
  return balances?.find((b) => b.currency === currency)?.amount ?? 0;
}
