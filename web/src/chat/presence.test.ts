import { describe, expect, it } from 'vitest';
import { presenceLabel, readCount, typingIn } from './presence';

describe('presenceLabel', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  it('says Online, or how long ago, or nothing when hidden', () => {
    expect(presenceLabel({ online: true, last_seen: '2026-12-02T12:00:00Z' }, now)).toBe('Online');
    expect(presenceLabel({ online: false, last_seen: '2026-12-02T11:55:00Z' }, now)).toBe('Last seen 5 min ago');
    expect(presenceLabel({ online: false, last_seen: '2026-12-02T11:59:40Z' }, now)).toBe('Last seen just now');
    expect(presenceLabel({ online: false, last_seen: '2026-12-02T09:00:00Z' }, now)).toBe('Last seen 3 hours ago');
    expect(presenceLabel({ online: false, last_seen: null }, now)).toBe('');
    expect(presenceLabel(undefined, now)).toBe('');
  });
});

describe('readCount', () => {
  const conv = {
    a: { user_id: 'a', read_seq: 9, joined_seq: 0 }, // the sender
    b: { user_id: 'b', read_seq: 5, joined_seq: 0 },
    c: { user_id: 'c', read_seq: 3, joined_seq: 0 },
    d: { user_id: 'd', read_seq: 9, joined_seq: 6 }, // joined after seq 5
  };
  it('counts readers other than the sender who could see the message', () => {
    expect(readCount(conv, 5, 'a')).toBe(1);
    expect(readCount(conv, 3, 'a')).toBe(2);
    expect(readCount(conv, 7, 'a')).toBe(1);
    expect(readCount(undefined, 1, 'a')).toBe(0);
  });
});

describe('typingIn', () => {
  it('lists those whose typing has not run out', () => {
    expect(typingIn({ c1: { u1: 2000, u2: 500 } }, 'c1', 1000)).toEqual(['u1']);
    expect(typingIn({}, 'c1', 1000)).toEqual([]);
  });
});
