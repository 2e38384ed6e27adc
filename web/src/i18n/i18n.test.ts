import { describe, expect, it } from 'vitest';
import { browserLocale, fmtList, fmtNumber, matchLocale, setLocale, t, tx } from '.';
import { catalogues } from './messages';
import { errorText } from './errors';
import { ApiError } from '../api';

describe('locale', () => {
  it('matches the browser', () => {
    expect(browserLocale(['zh-TW', 'en'])).toBe('zh-CN');
    expect(browserLocale(['fr', 'en-GB'])).toBe('en');
    expect(browserLocale(['fr'])).toBe('en');
    expect(matchLocale('ZH')).toBe('zh-CN');
  });
});

describe('catalogues', () => {
  it('have the same keys in every locale, none empty', () => {
    const en = Object.keys(catalogues.en).sort();
    expect(Object.keys(catalogues['zh-CN']).sort()).toEqual(en);
    for (const [l, cat] of Object.entries(catalogues)) {
      for (const [k, v] of Object.entries(cat)) {
        if (k.endsWith('.placeholder')) continue;
        const text = typeof v === 'string' ? v : v.other;
        expect(text, `${l} ${k}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in every locale', () => {
    const names = (v: unknown) => [...JSON.stringify(v).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(catalogues.en) as (keyof typeof catalogues.en)[]) {
      expect(new Set(names(catalogues['zh-CN'][k])), k).toEqual(new Set(names(catalogues.en[k])));
    }
  });
});

describe('t', () => {
  it('translates, fills and formats', () => {
    setLocale('en');
    expect(t('common.cancel')).toBe('Cancel');
    setLocale('zh-CN');
    expect(t('common.cancel')).toBe('取消');
    expect(fmtNumber(12345)).toBe('12,345');
    expect(fmtList(['甲', '乙', '丙'])).toBe('甲、乙和丙');
    setLocale('en');
    expect(fmtList(['Ann', 'Bob', 'Carl'])).toBe('Ann, Bob, and Carl');
    expect(tx('common.cancel', {})).toEqual(['Cancel']);
  });

  it('maps error codes, with the server English as the fallback', () => {
    setLocale('zh-CN');
    expect(errorText(new ApiError(422, 'wrong_pin', 'Wrong PIN.'))).toBe('支付密码不正确。');
    expect(errorText(new ApiError(400, 'invalid_argument', 'Amount must be positive.', 'amount'))).toBe('请输入有效的金额。');
    expect(errorText(new ApiError(422, 'brand_new_code', 'A new refusal.'))).toBe('A new refusal.');
    setLocale('en');
    expect(errorText(new ApiError(400, 'invalid_argument', 'Amount must be positive.', 'amount'))).toBe('Amount must be positive.');
    expect(errorText(new ApiError(422, 'wrong_pin', 'Wrong PIN; 2 tries left.'))).toBe('Wrong PIN; 2 tries left.');
    expect(errorText(new ApiError(422, 'wrong_pin', ''))).toBe('The payment PIN is not correct.');
    expect(errorText(new TypeError('Failed to fetch'))).toBe('Can’t reach Plaza. Check your connection and try again.');
  });
});
