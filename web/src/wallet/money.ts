// Money is integer minor units ({amount: 1234, currency: 'CNY'} is ¥12.34).
// Formatting and parsing are pure string/integer math: no floats anywhere.

export interface Money {
  amount: number;
  currency: string;
}

export interface CurrencyDef {
  code: string;
  symbol: string;
  name: string;
}

/** Every supported currency has 2 decimals. */
export const CURRENCIES: CurrencyDef[] = [
  { code: 'CNY', symbol: '¥', name: 'Chinese yuan' },
  { code: 'USD', symbol: '$', name: 'US dollar' },
  { code: 'EUR', symbol: '€', name: 'Euro' },
  { code: 'HKD', symbol: 'HK$', name: 'Hong Kong dollar' },
];

export const DEFAULT_CURRENCY = 'CNY';

/** The largest amount anyone may type: 1,000,000.00. */
export const MAX_MINOR = 100_000_000;

const MINUS = '\u2212';

export function currencySymbol(currency: string): string {
  return CURRENCIES.find((c) => c.code === currency)?.symbol ?? currency + ' ';
}

/** "1234" → "1,234". */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 123456 → "1,234.56" (no symbol, no sign). */
export function formatDigits(minor: number): string {
  const abs = Math.abs(Math.trunc(minor));
  const units = Math.floor(abs / 100);
  const cents = abs % 100;
  return group(String(units)) + '.' + String(cents).padStart(2, '0');
}

/** 123456, 'CNY' → "¥1,234.56"; negatives get a real minus sign ("−¥1.00"). */
export function formatMoney(minor: number, currency: string = DEFAULT_CURRENCY): string {
  const sign = minor < 0 ? MINUS : '';
  return sign + currencySymbol(currency) + formatDigits(minor);
}

/** "+¥12.34" (money in) or "−¥12.34" (money out). */
export function formatSigned(minor: number, currency: string, direction: 'in' | 'out'): string {
  return (direction === 'in' ? '+' : MINUS) + currencySymbol(currency) + formatDigits(minor);
}

/** For prefilling inputs: 1234 → "12.34", 1200 → "12.00". */
export function toInput(minor: number): string {
  return formatDigits(minor).replace(/,/g, '');
}

export type ParsedAmount = { ok: true; minor: number } | { ok: false; error: string };

/**
 * Parses what a person typed ("12.34", "12", "0.5", "1,234.50", "¥8") into
 * minor units. Rejects negatives, more than 2 decimals, anything that is not
 * a plain decimal number, zero, and amounts above 1,000,000.00.
 */
export function parseAmount(raw: string, currency: string = DEFAULT_CURRENCY): ParsedAmount {
  let s = raw.trim().replace(/\s+/g, '');
  for (const c of CURRENCIES) {
    if (s.startsWith(c.symbol)) {
      s = s.slice(c.symbol.length);
      break;
    }
  }
  if (s === '') return { ok: false, error: 'Enter an amount.' };
  if (/^[-\u2212]/.test(s)) return { ok: false, error: 'The amount can’t be negative.' };
  // Grouping commas are fine only in the whole part, in groups of three.
  const m = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return { ok: false, error: 'Enter an amount like 12.34.' };
  const frac = m[2] ?? '';
  if (frac.length > 2) return { ok: false, error: 'Use at most 2 decimal places.' };
  const whole = m[1].replace(/,/g, '').replace(/^0+(?=\d)/, '') || '0';
  const maxText = formatMoney(MAX_MINOR, currency);
  if (whole.length > String(MAX_MINOR / 100).length) return { ok: false, error: 'The most you can enter is ' + maxText + '.' };
  const minor = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (minor > MAX_MINOR) return { ok: false, error: 'The most you can enter is ' + maxText + '.' };
  if (minor === 0) return { ok: false, error: 'Enter an amount greater than ' + currencySymbol(currency) + '0.00.' };
  return { ok: true, minor };
}

/** Balance in one currency (0 when the wallet has none of it). */
export function balanceOf(balances: Money[] | null | undefined, currency: string): number {
  return balances?.find((b) => b.currency === currency)?.amount ?? 0;
}
