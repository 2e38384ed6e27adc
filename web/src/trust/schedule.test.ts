import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import type { Notice } from './api';
import { flipTimes, hostingBlock, refreshDelay, sameNotices, MAX_TIMER_MS } from './schedule';
import { guardApi, isHostingBlock } from './guard';
import { noticeActive, untilText } from './format';

const now = new Date('2026-12-02T02:00:00Z');
const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
const notice = (over: Partial<Notice> = {}): Notice => ({
  policy_id: 'p1',
  target_type: 'app',
  target_id: 'wxgadget',
  target_name: 'Gadget Store',
  scopes: ['distribution', 'hosting'],
  effective_at: at(5),
  message: 'Gadget Store: Ordered out',
  state: 'scheduled',
  ...over,
});

describe('flip times', () => {
  it('lists future effective and expiry instants once, in order', () => {
    const items = [notice({ effective_at: at(60), expires_at: at(120) }), notice({ policy_id: 'p2', effective_at: at(5) }), notice({ policy_id: 'p3', effective_at: at(60) })];
    expect(flipTimes(items, now.getTime())).toEqual([now.getTime() + 5000, now.getTime() + 60000, now.getTime() + 120000]);
  });
  it('leaves out the past, bad dates and instants beyond a timer', () => {
    const items = [notice({ effective_at: at(-5) }), notice({ effective_at: 'nonsense' }), notice({ effective_at: new Date(now.getTime() + MAX_TIMER_MS + 1000).toISOString() })];
    expect(flipTimes(items, now.getTime())).toEqual([]);
  });
});

describe('same notices', () => {
  it('ignores order but sees wording, dates and state', () => {
    const a = [notice(), notice({ policy_id: 'p2' })];
    expect(sameNotices(a, [a[1], a[0]])).toBe(true);
    expect(sameNotices(a, [a[0]])).toBe(false);
    expect(sameNotices([notice()], [notice({ state: 'active' })])).toBe(false);
    expect(sameNotices([notice()], [notice({ effective_at: at(6) })])).toBe(false);
    expect(sameNotices(null, [])).toBe(false);
    expect(sameNotices(null, null)).toBe(true);
  });
});

describe('refresh delay', () => {
  it('spreads clients over the window after a floor', () => {
    expect(refreshDelay(0)).toBe(250);
    expect(refreshDelay(0.999)).toBeLessThanOrEqual(1750);
    expect(refreshDelay(2)).toBe(1750);
  });
});

describe('hosting block', () => {
  it('is the active hosting notice of the app or its developer', () => {
    expect(hostingBlock([notice()], 'wxgadget', 'dev1', now)).toBeUndefined(); // not yet
    const later = new Date(now.getTime() + 5000);
    expect(hostingBlock([notice()], 'wxgadget', 'dev1', later)?.policy_id).toBe('p1');
    expect(hostingBlock([notice({ scopes: ['distribution'] })], 'wxgadget', 'dev1', later)).toBeUndefined();
    expect(hostingBlock([notice()], 'wxother', 'dev1', later)).toBeUndefined();
    const dev = notice({ target_type: 'developer', target_id: 'dev1' });
    expect(hostingBlock([dev], 'wxany', 'dev1', later)?.policy_id).toBe('p1');
    expect(hostingBlock([dev], 'wxany', undefined, later)).toBeUndefined();
    expect(hostingBlock([notice({ expires_at: at(4) })], 'wxgadget', 'dev1', later)).toBeUndefined();
  });
});

describe('notice active', () => {
  it('turns active at effective_at although fetched while scheduled', () => {
    expect(noticeActive(notice(), now)).toBe(false);
    expect(noticeActive(notice(), new Date(now.getTime() + 5000))).toBe(true);
    expect(noticeActive(notice({ state: 'active', effective_at: at(5) }), now)).toBe(true);
  });
});

describe('until text', () => {
  it('says when, roughly', () => {
    expect(untilText(at(5), now)).toBe('in 5 s');
    expect(untilText(at(-1), now)).toBe('at once');
    expect(untilText(at(600), now)).toBe('in 10 min');
    expect(untilText(at(7200), now)).toBe('in 2 h');
    expect(untilText(at(86400 * 3), now)).toBe('in 3 days');
    expect(untilText('', now)).toBe('');
  });
});

describe('guarded api', () => {
  it('reports 403 blocked_by_policy and still rejects', async () => {
    const seen: string[] = [];
    const api = {
      ok: async (x: number) => x + 1,
      blocked: async () => {
        throw new ApiError(403, 'blocked_by_policy', 'Gadget Store is not available in your region');
      },
      payment: async () => {
        throw new ApiError(422, 'blocked_by_policy', 'payments blocked');
      },
      plain: (x: number) => x * 2,
    };
    const g = guardApi(api, (e) => seen.push(e.message));
    expect(await g.ok(1)).toBe(2);
    expect(g.plain(2)).toBe(4);
    await expect(g.blocked()).rejects.toThrow('not available');
    await expect(g.payment()).rejects.toThrow('payments blocked');
    expect(seen).toEqual(['Gadget Store is not available in your region']);
    expect(isHostingBlock(new ApiError(422, 'blocked_by_policy', ''))).toBe(false);
  });
});

describe('refusal text', () => {
  it('keeps a policy refusal’s reason and says other errors as errorText does', async () => {
    const { refusalText } = await import('./guard');
    const { setLocale } = await import('../i18n');
    const blocked = new ApiError(422, 'blocked_by_policy', 'Leaf & Clay is not available in your region: Sanctioned merchant');
    setLocale('en');
    expect(refusalText(blocked)).toBe('Leaf & Clay is not available in your region: Sanctioned merchant');
    setLocale('zh-CN');
    expect(refusalText(blocked)).toBe('该服务在你所在的地区不可用：Sanctioned merchant');
    expect(refusalText(new ApiError(422, 'blocked_by_policy', 'no reason here'))).toBe('该服务在你所在的地区不可用。');
    expect(refusalText(new ApiError(400, 'insufficient_funds', 'Not enough'))).toBe('余额不足。');
    setLocale('en');
  });
});
