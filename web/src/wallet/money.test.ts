import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  balanceOf,
  currencyList,
  currencyState,
  currencySymbol,
  formatDigits,
  formatMoney,
  formatSigned,
  isCurrency,
  loadCurrencies,
  maxAmount,
  parseAmount,
  resetCurrencies,
  toInput,
  type Currency,
} from './money';

// What GET /api/v1/pay/currencies answers (internal/pay/currencies_test.go checks the server side).
const SERVER: Currency[] = [
  { code: 'CNY', minor_units: 2, symbol: '¥', max_amount: 1_000_000_000 },
  { code: 'USD', minor_units: 2, symbol: '$', max_amount: 1_000_000_000 },
  { code: 'EUR', minor_units: 2, symbol: '€', max_amount: 1_000_000_000 },
  { code: 'HKD', minor_units: 2, symbol: 'HK$', max_amount: 1_000_000_000 },
];

const serve = (list: Currency[] | null) => () => Promise.resolve({ currencies: list });

afterEach(() => resetCurrencies());

describe('before the server answers', () => {
  it('knows the home currency only', () => {
    expect(currencyState.get().ready).toBe(false);
    expect(currencyList().map((c) => c.code)).toEqual(['CNY']);
    expect(formatMoney(123456, 'CNY')).toBe('¥1,234.56');
    expect(isCurrency('USD')).toBe(false);
    expect(formatMoney(100, 'USD')).toBe('USD 1.00');
    expect(parseAmount('1', 'USD')).toEqual({ ok: false, error: 'Choose a currency.' });
  });
});

describe('loadCurrencies', () => {
  it('takes the server list, once', async () => {
    let calls = 0;
    const fetchList = () => {
      calls++;
      return Promise.resolve({ currencies: SERVER });
    };
    await Promise.all([loadCurrencies(fetchList), loadCurrencies(fetchList)]);
    await loadCurrencies(fetchList);
    expect(calls).toBe(1);
    expect(currencyState.get().ready).toBe(true);
    expect(currencyList().map((c) => c.code)).toEqual(['CNY', 'USD', 'EUR', 'HKD']);
  });

  it('keeps the fallback when the server fails, and asks again next time', async () => {
    await loadCurrencies(() => Promise.reject(new Error('offline')));
    expect(currencyState.get().ready).toBe(true);
    expect(currencyList().map((c) => c.code)).toEqual(['CNY']);
    await loadCurrencies(serve(SERVER));
    expect(isCurrency('HKD')).toBe(true);
  });

  it('drops entries it cannot use', async () => {
    await loadCurrencies(
      serve([
        { code: 'usd', minor_units: 2, symbol: '$', max_amount: 100 },
        { code: 'JPY', minor_units: 0, symbol: '¥', max_amount: 1e6 },
        { code: 'BAD', minor_units: -1, symbol: 'B', max_amount: 100 },
      ]),
    );
    expect(currencyList().map((c) => c.code)).toEqual(['JPY']);
  });

  it('an empty answer keeps the fallback', async () => {
    await loadCurrencies(serve(null));
    expect(currencyList().map((c) => c.code)).toEqual(['CNY']);
  });
});

describe('with the server list', () => {
  beforeEach(() => loadCurrencies(serve(SERVER)));

  it('formats with symbols, grouping and a real minus', () => {
    expect(formatMoney(123456, 'CNY')).toBe('¥1,234.56');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(-100, 'EUR')).toBe('\u2212€1.00');
    expect(formatMoney(100_000_000_00, 'HKD')).toBe('HK$100,000,000.00');
    expect(formatDigits(1234567, 'CNY')).toBe('12,345.67');
    expect(formatSigned(250, 'USD', 'in')).toBe('+$2.50');
    expect(formatSigned(250, 'USD', 'out')).toBe('\u2212$2.50');
    expect(toInput(120000, 'CNY')).toBe('1200.00');
    expect(currencySymbol('XYZ')).toBe('XYZ ');
  });

  it('parses what people type', () => {
    expect(parseAmount('12.34', 'CNY')).toEqual({ ok: true, minor: 1234 });
    expect(parseAmount(' 12 ', 'CNY')).toEqual({ ok: true, minor: 1200 });
    expect(parseAmount('0.5', 'CNY')).toEqual({ ok: true, minor: 50 });
    expect(parseAmount('.5', 'CNY')).toEqual({ ok: true, minor: 50 });
    expect(parseAmount('1,234.50', 'USD')).toEqual({ ok: true, minor: 123450 });
    expect(parseAmount('¥8', 'CNY')).toEqual({ ok: true, minor: 800 });
    expect(parseAmount('HK$8', 'HKD')).toEqual({ ok: true, minor: 800 });
  });

  it('refuses what is not an amount', () => {
    const err = (raw: string, cur = 'CNY') => {
      const r = parseAmount(raw, cur);
      return r.ok ? 'ok' : r.error;
    };
    expect(err('')).toBe('Enter an amount.');
    expect(err('-1')).toBe('The amount can’t be negative.');
    expect(err('\u22121')).toBe('The amount can’t be negative.');
    expect(err('1.234')).toBe('Use at most 2 decimal places.');
    expect(err('1,23.00')).toBe('Enter an amount like 12.34.');
    expect(err('1e3')).toBe('Enter an amount like 12.34.');
    expect(err('abc')).toBe('Enter an amount like 12.34.');
    expect(err('0')).toBe('Enter an amount greater than ¥0.00.');
    expect(err('0.00', 'USD')).toBe('Enter an amount greater than $0.00.');
  });

  it('limits amounts to the server max_amount', () => {
    expect(maxAmount('CNY')).toBe(1_000_000_000);
    expect(parseAmount('10,000,000.00', 'CNY')).toEqual({ ok: true, minor: 1_000_000_000 });
    expect(parseAmount('10000000.01', 'CNY')).toEqual({ ok: false, error: 'The most you can enter is ¥10,000,000.00.' });
    expect(parseAmount('99999999999999999999', 'USD')).toEqual({ ok: false, error: 'The most you can enter is $10,000,000.00.' });
    expect(maxAmount('XYZ')).toBe(0);
  });

  it('balanceOf picks one currency', () => {
    const b = [
      { amount: 100, currency: 'CNY' },
      { amount: 7, currency: 'USD' },
    ];
    expect(balanceOf(b, 'USD')).toBe(7);
    expect(balanceOf(b, 'EUR')).toBe(0);
    expect(balanceOf(null, 'CNY')).toBe(0);
  });
});

describe('a currency with other minor units and limits', () => {
  beforeEach(() =>
    loadCurrencies(
      serve([
        { code: 'JPY', minor_units: 0, symbol: 'JP¥', max_amount: 5_000 },
        { code: 'KWD', minor_units: 3, symbol: 'KD', max_amount: 1_000_000 },
      ]),
    ),
  );

  it('formats and parses by its minor units', () => {
    expect(formatMoney(1234, 'JPY')).toBe('JP¥1,234');
    expect(formatMoney(1234, 'KWD')).toBe('KD1.234');
    expect(formatMoney(5, 'KWD')).toBe('KD0.005');
    expect(parseAmount('12', 'JPY')).toEqual({ ok: true, minor: 12 });
    expect(parseAmount('1.5', 'KWD')).toEqual({ ok: true, minor: 1500 });
    expect(parseAmount('1.2345', 'KWD')).toEqual({ ok: false, error: 'Use at most 3 decimal places.' });
    expect(parseAmount('1.5', 'JPY')).toEqual({ ok: false, error: 'Enter a whole amount, like 12.' });
  });

  it('limits by its own max_amount', () => {
    expect(parseAmount('5000', 'JPY')).toEqual({ ok: true, minor: 5000 });
    expect(parseAmount('5001', 'JPY')).toEqual({ ok: false, error: 'The most you can enter is JP¥5,000.' });
    expect(parseAmount('1000.001', 'KWD')).toEqual({ ok: false, error: 'The most you can enter is KD1,000.000.' });
    expect(isCurrency('CNY')).toBe(false); // the server list replaces the fallback
  });
});
