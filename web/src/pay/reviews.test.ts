import { describe, expect, it } from 'vitest';
import { queueOrder, reviewWhat, scorePercent, type Review } from './reviews';

const r = (id: string, state: string) => ({ id, state }) as Review;

describe('reviews', () => {
  it('puts open reviews first, newest first within each state', () => {
    const got = queueOrder([r('rv_1', 'released'), r('rv_2', 'open'), r('rv_3', 'rejected'), r('rv_4', 'open')]).map((x) => x.id);
    expect(got).toEqual(['rv_4', 'rv_2', 'rv_3', 'rv_1']);
  });
  it('words the movement and the score', () => {
    expect(reviewWhat({ kind: 'payment' })).toBe('Merchant payment');
    expect(reviewWhat({ kind: 'red_packet_claim' })).toBe('Red packet share');
    expect(scorePercent(0.934)).toBe('93%');
  });
});
