import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { currencySymbol, formatDigits, formatMoney, formatSigned, loadCurrencies, normalizeAmountInput, parseAmount, resetCurrencies, type Currency } from './money';

// What GET /api/v1/pay/currencies answers (internal/pay/currencies_test.go checks the server side).
const SERVER: Currency[] = [
  { code: 'CNY', minor_units: 2, symbol: '¥', max_amount: 1_000_000_000 },
  { code: 'USD', minor_units: 2, symbol: '$', max_amount: 1_000_000_000 },
  { code: 'EUR', minor_units: 2, symbol: '€', max_amount: 1_000_000_000 },
  { code: 'HKD', minor_units: 2, symbol: 'HK$', max_amount: 1_000_000_000 },
  { code: 'JPY', minor_units: 0, symbol: '¥', max_amount: 100_000_000 },
];

async function withServerList() {
  await loadCurrencies(() => Promise.resolve({ currencies: SERVER }));
}

afterEach(() => {
  setLocale('en');
  resetCurrencies();
});

describe('money in English', () => {
  it('keeps the server symbols, as Plaza always showed them', async () => {
    await withServerList();
    setLocale('en');
    expect(formatMoney(1250, 'CNY')).toBe('¥12.50');
    expect(formatMoney(123456789, 'CNY')).toBe('¥1,234,567.89');
    expect(formatMoney(300, 'USD')).toBe('$3.00');
    expect(formatMoney(800, 'HKD')).toBe('HK$8.00');
    expect(formatMoney(-100, 'CNY')).toBe('−¥1.00');
    expect(formatSigned(1234, 'CNY', 'in')).toBe('+¥12.34');
    expect(formatSigned(1234, 'CNY', 'out')).toBe('−¥12.34');
    expect(currencySymbol('CNY')).toBe('¥');
  });
});

describe('money in Chinese', () => {
  it('is worded by Intl for zh-CN', async () => {
    await withServerList();
    setLocale('zh-CN');
    expect(formatMoney(1250, 'CNY')).toBe('¥12.50');
    expect(formatMoney(123456789, 'CNY')).toBe('¥1,234,567.89');
    expect(formatMoney(300, 'USD')).toBe('US$3.00');
    expect(formatMoney(800, 'HKD')).toBe('HK$8.00');
    expect(formatMoney(100, 'EUR')).toBe('€1.00');
    expect(formatMoney(1500, 'JPY')).toBe('JP¥1,500');
    expect(formatMoney(-100, 'CNY')).toBe('−¥1.00');
    expect(formatSigned(1234, 'USD', 'out')).toBe('−US$12.34');
    expect(currencySymbol('USD')).toBe('US$');
    expect(currencySymbol('CNY')).toBe('¥');
    expect(formatDigits(123456, 'CNY')).toBe('1,234.56');
  });

  it('never rounds through a float: the largest amount is exact', async () => {
    await withServerList();
    setLocale('zh-CN');
    expect(formatMoney(999_999_999_999_99, 'CNY')).toBe('¥999,999,999,999.99');
    expect(formatMoney(1, 'CNY')).toBe('¥0.01');
  });

  it('switches back when the language does', async () => {
    await withServerList();
    setLocale('zh-CN');
    expect(formatMoney(300, 'USD')).toBe('US$3.00');
    setLocale('en');
    expect(formatMoney(300, 'USD')).toBe('$3.00');
  });

  it('explains a bad amount in Chinese', async () => {
    await withServerList();
    setLocale('zh-CN');
    expect(parseAmount('', 'CNY')).toEqual({ ok: false, error: '请输入金额。' });
    expect(parseAmount('-1', 'CNY')).toEqual({ ok: false, error: '金额不能为负数。' });
    expect(parseAmount('1.234', 'CNY')).toEqual({ ok: false, error: '最多保留2位小数。' });
    expect(parseAmount('0', 'CNY')).toEqual({ ok: false, error: '金额须大于¥0.00。' });
    expect(parseAmount('abc', 'CNY')).toEqual({ ok: false, error: '请输入正确的金额，例如 12.34。' });
    // Intl's own symbol is understood too.
    expect(parseAmount('US$3', 'USD')).toEqual({ ok: true, minor: 300 });
  });
});

describe('what a Chinese keyboard types', () => {
  it('normalises full-width digits, points, commas and signs', () => {
    expect(normalizeAmountInput('１２３４５６７８９０')).toBe('1234567890');
    expect(normalizeAmountInput('１２．５')).toBe('12.5');
    expect(normalizeAmountInput('１２。５')).toBe('12.5');
    expect(normalizeAmountInput('１，２３４．５')).toBe('1,234.5');
    expect(normalizeAmountInput('￥８')).toBe('¥8');
    expect(normalizeAmountInput('－１')).toBe('-1');
    expect(normalizeAmountInput('12.34')).toBe('12.34');
  });

  it('parses full-width amounts into the same minor units', async () => {
    await withServerList();
    expect(parseAmount('１２．５０', 'CNY')).toEqual({ ok: true, minor: 1250 });
    expect(parseAmount('１２。５', 'CNY')).toEqual({ ok: true, minor: 1250 });
    expect(parseAmount('　８８　', 'CNY')).toEqual({ ok: true, minor: 8800 });
    expect(parseAmount('￥１，０００', 'CNY')).toEqual({ ok: true, minor: 100000 });
    expect(parseAmount('12元', 'CNY')).toEqual({ ok: true, minor: 1200 });
    expect(parseAmount('５块', 'CNY')).toEqual({ ok: true, minor: 500 });
    expect(parseAmount('12元', 'USD').ok).toBe(false);
    expect(parseAmount('－５', 'CNY')).toEqual({ ok: false, error: 'The amount can’t be negative.' });
    expect(parseAmount('１．２３４', 'CNY')).toEqual({ ok: false, error: 'Use at most 2 decimal places.' });
  });
});
