import { describe, expect, it, vi } from 'vitest';
import type { Conversation } from './chat/api';
import { nextUnread } from './shortcuts';
import { clampWidth, LIST_DEFAULT, LIST_MAX, LIST_MIN } from './desktop';

const conv = (id: string, unread: number, extra: Partial<Conversation> = {}) => ({ id, unread, ...extra }) as unknown as Conversation;

describe('nextUnread (Alt+↓ / Alt+↑)', () => {
  const list = [conv('a', 0), conv('b', 2), conv('c', 0), conv('d', 1), conv('e', 0)];

  it('goes to the next unread chat below the open one', () => {
    expect(nextUnread(list, 'b', 1)?.id).toBe('d');
  });
  it('goes to the previous unread chat above it', () => {
    expect(nextUnread(list, 'd', -1)?.id).toBe('b');
  });
  it('wraps around the ends', () => {
    expect(nextUnread(list, 'd', 1)?.id).toBe('b');
    expect(nextUnread(list, 'b', -1)?.id).toBe('d');
  });
  it('starts from the top (or the bottom going up) when nothing is open', () => {
    expect(nextUnread(list, null, 1)?.id).toBe('b');
    expect(nextUnread(list, null, -1)?.id).toBe('d');
  });
  it('matches ids of either type', () => {
    expect(nextUnread([conv('1', 1), conv('2', 3)].map((c, i) => ({ ...c, id: i + 1 }) as unknown as Conversation), '1', 1)?.id).toBe(2);
  });
  it('skips muted chats unless they mention me, as the unread total does', () => {
    const muted = [conv('a', 0), conv('m', 5, { muted: true }), conv('x', 1, { muted: true, mentioned: true })];
    expect(nextUnread(muted, 'a', 1)?.id).toBe('x');
  });
  it('is null with nothing else unread', () => {
    expect(nextUnread([conv('a', 0), conv('b', 3)], 'b', 1)).toBeNull();
    expect(nextUnread([], null, 1)).toBeNull();
    expect(nextUnread(null, null, 1)).toBeNull();
  });
});

describe('the list pane width', () => {
  it('is clamped to 240–480 px and whole', () => {
    expect(clampWidth(100)).toBe(LIST_MIN);
    expect(clampWidth(9999)).toBe(LIST_MAX);
    expect(clampWidth(333.6)).toBe(334);
    expect(clampWidth(NaN)).toBe(LIST_DEFAULT);
  });
});

describe('leadsTo (the open row is marked aria-current)', async () => {
  vi.stubGlobal('window', { location: { pathname: '/' }, addEventListener: () => {} });
  const { leadsTo } = await import('./router');
  const open = { path: '/chats/7/info', list: '/chats' };
  it('marks the item and the item a subpage belongs to', () => {
    expect(leadsTo('/chats/7', { path: '/chats/7', list: '/chats' })).toBe(true);
    expect(leadsTo('/chats/7', open)).toBe(true);
  });
  it('marks neither another item, a prefix of a longer id, nor the list itself', () => {
    expect(leadsTo('/chats/70', { path: '/chats/7', list: '/chats' })).toBe(false);
    expect(leadsTo('/chats/8', open)).toBe(false);
    expect(leadsTo('/chats', open)).toBe(false);
    expect(leadsTo('/chats/7', null)).toBe(false);
  });
});
