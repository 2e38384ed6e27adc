import { describe, expect, it } from 'vitest';
import { afterEach } from 'vitest';
import { auditPage, dateTime, filterRegions, fromLocalInput, localRegions, noticeDate, noticeText, noticesFor, regionLabel, toLocalInput, untilText } from './format';
import { setLocale } from '../i18n';
import type { Notice } from './api';

const notice = (over: Partial<Notice> = {}): Notice => ({
  policy_id: 'p1',
  target_type: 'app',
  target_id: 'wxgadget',
  target_name: 'Gadget Store',
  scopes: ['distribution', 'hosting'],
  effective_at: '2026-09-15T00:00:00Z',
  message: 'Gadget Store will not be available in your region from 15 September 2026 00:00 UTC (distribution, hosting): Executive Order 13943',
  ...over,
});

describe('notices', () => {
  const now = new Date('2026-08-01T12:00:00Z');
  it('says from when a scheduled ban applies, without this year', () => {
    expect(noticeText(notice(), now, 'en-GB', 'UTC')).toBe(
      'Gadget Store will not be available in your region from 15 September: Executive Order 13943',
    );
  });
  it('names the year when it is another one, in the viewer’s locale', () => {
    expect(noticeDate('2027-01-03T00:00:00Z', now, 'en-US', 'UTC')).toBe('January 3, 2027');
    expect(noticeDate('2026-09-15T00:00:00Z', now, 'de-DE', 'UTC')).toBe('15. September');
  });
  it('says it is no longer available once active', () => {
    expect(noticeText(notice({ state: 'active' }), now, 'en-GB', 'UTC')).toBe(
      'Gadget Store is no longer available in your region: Executive Order 13943',
    );
    expect(noticeText(notice({ effective_at: '2026-07-01T00:00:00Z' }), now, 'en-GB', 'UTC')).toMatch(/no longer available/);
  });
  it('falls back to the id and a full stop', () => {
    expect(noticeText(notice({ target_name: '', message: 'x' }), now, 'en-GB', 'UTC')).toBe(
      'wxgadget will not be available in your region from 15 September.',
    );
  });
  it('picks the notices of one app or its developer', () => {
    const items = [notice(), notice({ policy_id: 'p2', target_type: 'developer', target_id: 'dev1' }), notice({ policy_id: 'p3', target_id: 'other' })];
    expect(noticesFor(items, 'wxgadget', 'dev1').map((n) => n.policy_id)).toEqual(['p1', 'p2']);
    expect(noticesFor(items, 'wxgadget').map((n) => n.policy_id)).toEqual(['p1']);
  });
});

describe('regions', () => {
  const regions = [
    { code: 'US', name: 'United States' },
    { code: 'CN', name: 'China' },
    { code: 'CI', name: 'Côte d’Ivoire' },
    { code: 'GB', name: 'United Kingdom' },
  ];
  it('matches names and codes, sorted by name', () => {
    expect(filterRegions(regions, 'united').map((r) => r.code)).toEqual(['GB', 'US']);
    expect(filterRegions(regions, 'cn').map((r) => r.code)).toEqual(['CN']);
    expect(filterRegions(regions, 'cote').map((r) => r.code)).toEqual(['CI']);
    expect(filterRegions(regions, '  ').map((r) => r.code)).toEqual(['CN', 'CI', 'GB', 'US']);
  });
});

describe('date-time input', () => {
  it('round-trips local time to an instant', () => {
    const d = new Date(2026, 8, 15, 9, 30);
    expect(toLocalInput(d)).toBe('2026-09-15T09:30');
    expect(fromLocalInput(toLocalInput(d))).toBe(d.toISOString());
    expect(fromLocalInput('')).toBe('');
    expect(fromLocalInput('nonsense')).toBe('');
  });
});

describe('audit pages', () => {
  it('pages the log newest first', () => {
    expect(auditPage(60, 0, 25)).toEqual({ after: 34, limit: 25 });
    expect(auditPage(60, 1, 25)).toEqual({ after: 9, limit: 25 });
    expect(auditPage(60, 2, 25)).toEqual({ after: -1, limit: 10 });
    expect(auditPage(60, 3, 25)).toBeNull();
    expect(auditPage(0, 0, 25)).toBeNull();
    expect(auditPage(3, 0, 25)).toEqual({ after: -1, limit: 3 });
  });
});

describe('in Chinese', () => {
  afterEach(() => setLocale('en'));
  const now = new Date('2026-08-01T12:00:00Z');
  const regions = [
    { code: 'NZ', name: 'New Zealand' },
    { code: 'US', name: 'United States' },
    { code: 'CN', name: 'China' },
  ];
  it('names regions through Intl.DisplayNames, and keeps the server’s names in English', () => {
    expect(regionLabel(regions, 'NZ', 'zh-CN')).toBe('新西兰');
    expect(regionLabel(regions, 'NZ', 'en')).toBe('New Zealand');
    expect(regionLabel(null, 'XX', 'zh-CN')).toBe('XX');
    setLocale('zh-CN');
    expect(regionLabel(regions, 'US')).toBe('美国');
    expect(localRegions(regions).map((r) => r.name)).toEqual(['美国', '新西兰', '中国']);
  });
  it('finds regions by the Chinese name, the English name or the code', () => {
    const label = (r: { code: string }) => regionLabel(regions, r.code, 'zh-CN');
    expect(filterRegions(regions, '新西', label).map((r) => r.code)).toEqual(['NZ']);
    expect(filterRegions(regions, 'zealand', label).map((r) => r.code)).toEqual(['NZ']);
    expect(filterRegions(regions, 'us', label).map((r) => r.code)).toEqual(['US']);
  });
  it('words notices, dates and countdowns for zh-CN', () => {
    setLocale('zh-CN');
    expect(noticeText(notice(), now, undefined, 'UTC')).toBe('自9月15日起，“Gadget Store”将在你所在的地区停止服务：Executive Order 13943');
    expect(noticeText(notice({ state: 'active', message: 'x' }), now, undefined, 'UTC')).toBe('“Gadget Store”已在你所在的地区停止服务。');
    expect(dateTime('2026-12-01T12:00:00Z', undefined, 'UTC')).toBe('2026年12月1日 12:00');
    expect(untilText('2026-08-01T12:00:05Z', now)).toBe('5 秒后');
    expect(untilText('2026-08-01T11:00:00Z', now)).toBe('立即');
  });
});
