import { describe, expect, it } from 'vitest';
import { ago, badgeText, formatSize, mergePage, rejectReasonError, reviewKey, sortReviews, type AppReview } from './review';

const review = (over: Partial<AppReview> = {}): AppReview => ({
  appid: 'wxgadget',
  app_name: 'Gadget Store',
  developer: { id: 'u1', username: 'gadgetco', display_name: 'Gadget Co.' },
  version: 1,
  state: 'pending',
  submitted_at: '2026-12-01T10:00:00Z',
  reviewed_at: null,
  reviewed_by: '',
  reason: '',
  size: 2048,
  description: '',
  ...over,
});

describe('sizes', () => {
  it('reads in B, KB and MB', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(812)).toBe('812 B');
    expect(formatSize(14540)).toBe('14 KB');
    expect(formatSize(5000)).toBe('4.9 KB');
    expect(formatSize(3.4 * 1024 * 1024)).toBe('3.4 MB');
    expect(formatSize(200 * 1024 * 1024)).toBe('200 MB');
    expect(formatSize(-1)).toBe('—');
    expect(formatSize(NaN)).toBe('—');
  });
});

describe('the pending badge', () => {
  it('counts, caps and says when there are more', () => {
    expect(badgeText(0, false)).toBe('');
    expect(badgeText(3, false)).toBe('3');
    expect(badgeText(40, true)).toBe('40+');
    expect(badgeText(100, true)).toBe('99+');
    expect(badgeText(150, false)).toBe('99+');
  });
});

describe('queue order', () => {
  it('puts the oldest submission first while pending, the newest decision first after', () => {
    const a = review({ appid: 'a', submitted_at: '2026-12-01T12:00:00Z', reviewed_at: '2026-12-02T01:00:00Z' });
    const b = review({ appid: 'b', submitted_at: '2026-12-01T08:00:00Z', reviewed_at: '2026-12-02T03:00:00Z' });
    expect(sortReviews([a, b], 'pending').map((r) => r.appid)).toEqual(['b', 'a']);
    expect(sortReviews([a, b], 'approved').map((r) => r.appid)).toEqual(['b', 'a']);
    const c = review({ appid: 'c', reviewed_at: '2026-12-02T02:00:00Z' });
    expect(sortReviews([a, b, c], 'rejected').map((r) => r.appid)).toEqual(['b', 'c', 'a']);
  });
  it('adds a page once per app version', () => {
    const have = [review(), review({ version: 2 })];
    const page = [review({ version: 2 }), review({ appid: 'other' })];
    expect(mergePage(have, page).map(reviewKey)).toEqual(['wxgadget@1', 'wxgadget@2', 'other@1']);
  });
});

describe('rejecting', () => {
  it('needs a reason', () => {
    expect(rejectReasonError('   ')).not.toBe('');
    expect(rejectReasonError('x'.repeat(1001))).not.toBe('');
    expect(rejectReasonError('Takes card numbers outside Plaza Pay')).toBe('');
  });
});

describe('ago', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  it('says how long ago', () => {
    expect(ago('2026-12-02T11:59:30Z', now)).toBe('just now');
    expect(ago('2026-12-02T11:55:00Z', now)).toBe('5 min ago');
    expect(ago('2026-12-02T09:00:00Z', now)).toBe('3 h ago');
    expect(ago('2026-12-01T12:00:00Z', now)).toBe('1 day ago');
    expect(ago('2026-11-27T12:00:00Z', now)).toBe('5 days ago');
    expect(ago(null, now)).toBe('—');
    expect(ago('2026-09-01T12:00:00Z', now, 'en-GB')).toBe('1 Sept 2026');
  });
});

describe('in Chinese', () => {
  it('says how long ago and what the reason lacks in zh-CN', async () => {
    const { setLocale } = await import('../i18n');
    const now = new Date('2026-12-02T12:00:00Z');
    setLocale('zh-CN');
    try {
      expect(ago('2026-12-02T11:59:30Z', now)).toBe('刚刚');
      expect(ago('2026-12-02T11:55:00Z', now)).toBe('5 分钟前');
      expect(ago('2026-11-27T12:00:00Z', now)).toBe('5 天前');
      expect(ago('2026-09-01T12:00:00Z', now)).toBe('2026年9月1日');
      expect(rejectReasonError('')).toBe('请说明原因，便于开发者修改。');
      expect(rejectReasonError('x'.repeat(1001))).toBe('请控制在 1,000 个字符以内。');
    } finally {
      setLocale('en');
    }
  });
});
