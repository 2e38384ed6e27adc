import { describe, expect, it } from 'vitest';
import { transferCardLine, transferCardTitle, transferStatusText, transferTimeline, type TransferTx } from './transfers';

const base: TransferTx = {
  id: 'tx_1',
  kind: 'transfer',
  amount: 1200,
  currency: 'CNY',
  direction: 'out',
  counterparty: { id: 'u_b', username: 'bob', display_name: 'Bob' },
  note: 'Dinner',
  status: 'pending_acceptance',
  created_at: '2026-12-02T10:02:00Z',
  acceptance: { state: 'pending', expires_at: '2026-12-03T10:02:00Z', decided_at: null },
};

describe('transfer cards', () => {
  it('says who waits for whom', () => {
    expect(transferCardLine(base, true, 'Dinner')).toBe('Awaiting Bob’s acceptance');
    const payee = { ...base, direction: 'in' as const, counterparty: { username: 'alice', display_name: 'Alice' } };
    expect(transferCardLine(payee, false, 'Dinner')).toBe('Tap to accept');
    expect(transferCardTitle(payee, false)).toBe('Transfer to you');
    expect(transferCardTitle(base, true)).toBe('');
  });
  it('reads Accepted and Returned on both sides', () => {
    const acc = { ...base, status: 'succeeded', acceptance: { ...base.acceptance!, state: 'accepted', decided_at: '2026-12-02T10:05:00Z' } };
    expect(transferCardLine(acc, true, '')).toBe('Accepted');
    expect(transferCardLine(acc, false, '')).toBe('Accepted');
    const ret = { ...base, status: 'returned', acceptance: { ...base.acceptance!, state: 'declined', decided_at: '2026-12-02T10:05:00Z' } };
    expect(transferCardLine(ret, true, '')).toBe('Returned');
    expect(transferStatusText(ret)).toBe('Bob returned it');
    const exp = { ...ret, acceptance: { ...ret.acceptance!, state: 'expired' } };
    expect(transferStatusText(exp)).toBe('Returned: not accepted within 24 hours');
  });
  it('keeps the old words for transfers that never needed accepting', () => {
    const plain = { ...base, status: 'succeeded', acceptance: undefined };
    expect(transferCardLine(plain, true, 'Dinner')).toBe('Dinner');
    expect(transferCardLine(plain, false, '')).toBe('Received');
    expect(transferCardLine(undefined, true, '')).toBe('Transferred');
  });
  it('lists the steps', () => {
    const acc = { ...base, status: 'succeeded', acceptance: { ...base.acceptance!, state: 'accepted', decided_at: '2026-12-02T10:05:00Z' } };
    const steps = transferTimeline(acc, new Date('2026-12-02T12:00:00Z'));
    expect(steps.map((s) => s.label)).toEqual(['Sent', 'Accepted']);
    expect(transferTimeline(base).length).toBe(1);
  });
});
