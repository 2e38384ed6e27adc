import { afterEach, describe, expect, it, vi } from 'vitest';

// The components' modules read the router at import; there is no DOM here.
vi.hoisted(() => {
  const g = globalThis as unknown as Record<string, unknown>;
  g.window ??= { location: { pathname: '/', search: '' }, addEventListener: () => undefined, setTimeout, clearTimeout };
});

import { setLocale } from '../i18n';
import { transferCardLine, transferCardTitle, transferStatusText, transferTimeline, type TransferTx } from './transfers';
import { txMonth, txState, txTime, txTitle } from '../components/wallet/TxList';
import { planRedPacket } from '../components/wallet/RedPacketSheet';
import { redPacketState, redPacketStateText } from '../components/wallet/Bubbles';
import { summaryText } from '../components/wallet/RedPacketDetails';
import type { RedPacket } from './api';

afterEach(() => setLocale('en'));

const base: TransferTx = {
  id: 'tx_1',
  kind: 'transfer',
  amount: 1200,
  currency: 'CNY',
  direction: 'out',
  counterparty: { id: 'u_b', username: 'bob', display_name: '张三' },
  note: '',
  status: 'pending_acceptance',
  created_at: '2026-12-02T10:02:00',
  acceptance: { state: 'pending', expires_at: '2026-12-03T10:02:00', decided_at: null },
};

describe('transfers in Chinese', () => {
  it('word the cards and the details page as WeChat does', () => {
    setLocale('zh-CN');
    expect(transferCardLine(base, true, '')).toBe('待张三确认收款');
    expect(transferCardLine({ ...base, direction: 'in' }, false, '')).toBe('请收款');
    expect(transferCardTitle({ ...base, direction: 'in' }, false)).toBe('转账给你');
    expect(transferCardLine({ ...base, status: 'returned' }, true, '')).toBe('已退还');
    expect(transferCardLine({ ...base, status: 'held' }, true, '')).toBe('审核中');
    expect(transferStatusText({ ...base, direction: 'in' })).toBe('待你确认收款');
    const declined = { ...base, status: 'returned', acceptance: { ...base.acceptance!, state: 'declined', decided_at: '2026-12-02T10:05:00' } };
    expect(transferStatusText(declined)).toBe('张三已退还');
  });

  it('times the steps in the chosen language', () => {
    const acc = { ...base, status: 'succeeded', acceptance: { ...base.acceptance!, state: 'accepted', decided_at: '2026-12-02T10:05:00' } };
    setLocale('zh-CN');
    expect(transferTimeline(acc, new Date('2026-12-02T12:00:00'))).toEqual([
      { key: 'sent', label: '转账时间', at: '10:02' },
      { key: 'accepted', label: '收款时间', at: '10:05' },
    ]);
    expect(transferTimeline(acc, new Date('2026-12-05T12:00:00'))[0].at).toBe('12月2日 10:02');
    setLocale('en');
    expect(transferTimeline(acc, new Date('2026-12-05T12:00:00'))).toEqual([
      { key: 'sent', label: 'Sent', at: 'Dec 2 10:02' },
      { key: 'accepted', label: 'Accepted', at: 'Dec 2 10:05' },
    ]);
  });
});

describe('the statement', () => {
  const tx = { ...base, status: 'succeeded', acceptance: undefined, direction: 'in' as const, created_at: '2026-11-04T14:05:00' };
  it('in English', () => {
    expect(txTime(tx.created_at, new Date('2026-12-02T00:00:00'))).toBe('Nov 4, 14:05');
    expect(txTime(tx.created_at, new Date('2027-01-02T00:00:00'))).toBe('Nov 4, 2026, 14:05');
    expect(txMonth(tx.created_at)).toBe('November 2026');
    expect(txTitle(tx)).toBe('Transfer from 张三');
    expect(txState('held')).toBe('Held for review');
    expect(txState('succeeded')).toBe('');
  });
  it('in Chinese', () => {
    setLocale('zh-CN');
    expect(txTime(tx.created_at, new Date('2026-12-02T00:00:00'))).toBe('11月4日 14:05');
    expect(txTime(tx.created_at, new Date('2027-01-02T00:00:00'))).toBe('2026年11月4日 14:05');
    expect(txMonth(tx.created_at)).toBe('2026年11月');
    expect(txTitle(tx)).toBe('来自张三的转账');
    expect(txTitle({ ...tx, kind: 'topup' })).toBe('充值');
    expect(txState('held')).toBe('审核中');
    expect(txState('pending_acceptance')).toBe('待确认收款');
    expect(txState('returned')).toBe('已退还');
  });
});

describe('red packets', () => {
  const rp: RedPacket = {
    id: 'rp_1',
    conversation_id: 'c_1',
    sender: { id: 'u_a', username: 'ann', display_name: 'Ann' },
    total: 3000,
    count: 3,
    currency: 'CNY',
    greeting: '',
    split: 'lucky',
    claimed_count: 1,
    claimed_total: 1000,
    status: 'empty',
    expires_at: '',
    created_at: '',
    claims: [],
    my_claim: 1000,
  };
  it('name their state as a code and in words', () => {
    expect(redPacketState(rp)).toBe('opened');
    expect(redPacketStateText('opened')).toBe('Opened');
    expect(redPacketState({ ...rp, my_claim: null })).toBe('all-claimed');
    setLocale('zh-CN');
    expect(redPacketStateText('all-claimed')).toBe('已被领完');
    expect(redPacketStateText('expired')).toBe('已过期');
  });
  it('sum up the claims', () => {
    expect(summaryText(rp)).toBe('1/3 opened, ¥10.00 / ¥30.00');
    setLocale('zh-CN');
    expect(summaryText(rp)).toBe('已领取1/3个，共¥10.00/¥30.00');
  });
  it('accept full-width counts and explain mistakes in Chinese', () => {
    expect(planRedPacket('lucky', '３', '３０', 'CNY', true)).toEqual({ ok: true, count: 3, total: 3000 });
    setLocale('zh-CN');
    expect(planRedPacket('lucky', '0', '30', 'CNY', true)).toEqual({ ok: false, error: '请填写红包个数（1–100）。' });
    expect(planRedPacket('lucky', '3', '0.02', 'CNY', true)).toEqual({ ok: false, error: '单个红包金额不可低于¥0.01。' });
  });
});
