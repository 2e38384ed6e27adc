import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addComments, emptyState, LikeBatcher, MAX_COMMENTS, reduce, withRoom, type LiveFrame } from './logic';
import type { LiveComment, Room } from './api';

const c = (id: string, extra: Partial<LiveComment> = {}): LiveComment => ({
  id,
  user: { id: 'u' + id, display_name: 'User ' + id },
  text: 'hi ' + id,
  created_at: '2026-12-03T06:00:00Z',
  ...extra,
});
const frame = (event: string, extra: Record<string, unknown> = {}): LiveFrame => ({ type: 'live', room_id: 'r1', event, ...extra });

describe('LikeBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first tap at once, then at most every 500 ms, summed', () => {
    const sent: number[] = [];
    const b = new LikeBatcher((n) => sent.push(n), () => Date.now());
    b.tap();
    expect(sent).toEqual([1]);
    for (let i = 0; i < 7; i++) b.tap();
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(499);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([1, 7]);
    b.tap(3);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([1, 7, 3]);
  });

  it('never sends more often than every 500 ms under a storm of taps', () => {
    const at: number[] = [];
    let total = 0;
    const b = new LikeBatcher((n) => {
      at.push(Date.now());
      total += n;
    });
    for (let i = 0; i < 300; i++) {
      b.tap();
      vi.advanceTimersByTime(10);
    }
    b.flush();
    expect(total).toBe(300);
    for (let i = 1; i < at.length - 1; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(500);
    expect(at.length).toBeLessThanOrEqual(8);
  });

  it('flush sends what is pending and nothing when there is none', () => {
    const sent: number[] = [];
    const b = new LikeBatcher((n) => sent.push(n));
    b.flush();
    b.tap();
    b.tap();
    b.flush();
    b.flush();
    expect(sent).toEqual([1, 1]);
    expect(b.waiting).toBe(0);
  });
});

describe('addComments', () => {
  it('keeps the last 30, oldest first', () => {
    let list: LiveComment[] = [];
    for (let i = 0; i < 45; i++) list = addComments(list, [c(String(i))]);
    expect(list).toHaveLength(MAX_COMMENTS);
    expect(list[0].id).toBe('15');
    expect(list[29].id).toBe('44');
  });

  it('replaces a pending comment by client_id and dedupes by id', () => {
    let list = addComments([], [c('pending-1', { client_id: 'k1', text: 'mine' })]);
    list = addComments(list, [c('900', { client_id: 'k1', text: 'mine' })]);
    list = addComments(list, [c('900', { client_id: 'k1', text: 'mine' })]);
    expect(list.map((x) => x.id)).toEqual(['900']);
  });

  it('ignores junk', () => {
    expect(addComments([], [null as unknown as LiveComment, { ...c('x'), id: '' }])).toEqual([]);
  });
});

describe('reduce', () => {
  const room: Room = {
    id: 'r1',
    mchid: 'm1',
    merchant_name: 'Nova',
    title: 'Launch',
    cover_url: '',
    state: 'live',
    scheduled_at: '',
    started_at: null,
    ended_at: null,
    viewers: 3,
    likes: 10,
  };

  it('applies joined, then live events', () => {
    let s = reduce(emptyState, frame('joined', { room, viewers: 5, likes: 12, showing: null, pinned: null, comments: [c('1'), c('2')] }), 'r1');
    expect(s.viewers).toBe(5);
    expect(s.likes).toBe(12);
    expect(s.comments.map((x) => x.id)).toEqual(['1', '2']);
    s = reduce(s, frame('comment', { comment: c('3') }), 'r1');
    s = reduce(s, frame('likes', { likes: 20, delta: 8 }), 'r1');
    s = reduce(s, frame('likes', { likes: 15, delta: 3 }), 'r1'); // late frame: never back
    s = reduce(s, frame('viewers', { viewers: 9 }), 'r1');
    const item = { sku: 'nova12', name: 'Nova 12', price: { amount: 199900, currency: 'CNY' }, stock: 10 };
    s = reduce(s, frame('showing', { item }), 'r1');
    s = reduce(s, frame('stock', { sku: 'nova12', stock: 9, sold: 1 }), 'r1');
    expect(s.comments).toHaveLength(3);
    expect(s.likes).toBe(20);
    expect(s.viewers).toBe(9);
    expect(s.showing?.stock).toBe(9);
    expect(s.stock.nova12).toEqual({ stock: 9, sold: 1 });
    s = reduce(s, frame('pinned', { comment: c('2') }), 'r1');
    expect(s.pinned?.id).toBe('2');
    s = reduce(s, frame('deleted', { comment_id: '2' }), 'r1');
    expect(s.pinned).toBeNull();
    expect(s.comments.map((x) => x.id)).toEqual(['1', '3']);
    s = reduce(s, frame('showing', { item: null }), 'r1');
    expect(s.showing).toBeNull();
    s = reduce(s, frame('sale', { sku: 'nova12', quantity: 1, amount: { amount: 199900, currency: 'CNY' }, buyer: 'Alice' }), 'r1');
    expect(s.sales[0].buyer).toBe('Alice');
    s = reduce(s, frame('sale', { sku: 'nova12', quantity: 1, amount: { amount: 199900, currency: 'CNY' }, buyer: { id: 'u9', display_name: 'Bob' } }), 'r1');
    expect(s.sales[1].buyer).toBe('Bob');
    s = reduce(s, frame('ended', { room: { ...room, state: 'ended' } }), 'r1');
    expect(s.ended).toBe(true);
  });

  it('ignores other rooms, other types and unknown events', () => {
    const s = withRoom(emptyState, room);
    expect(reduce(s, { ...frame('viewers', { viewers: 99 }), room_id: 'r2' }, 'r1')).toBe(s);
    expect(reduce(s, { ...frame('viewers', { viewers: 99 }), type: 'message' as 'live' }, 'r1')).toBe(s);
    expect(reduce(s, frame('brand_new'), 'r1')).toBe(s);
    expect(reduce(s, frame('viewers', { viewers: 'x' }), 'r1').viewers).toBe(3);
  });

  it('marks muted only for the muted user', () => {
    expect(reduce(emptyState, frame('muted', { user_id: 'u2' }), 'r1', 'u1').muted).toBe(false);
    expect(reduce(emptyState, frame('muted', { user_id: 'u1' }), 'r1', 'u1').muted).toBe(true);
  });

  it('takes an ended room as ended', () => {
    expect(withRoom(emptyState, { ...room, state: 'ended' }).ended).toBe(true);
  });
});
