import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from './api';
import { canRemove, mentionsMe, roleOf } from './roles';
import { applyMessage, applyRead, nextGap, sortConversations, unreadTotal } from './merge';

const conv = (id: string, over: Partial<Conversation> = {}): Conversation => ({
  id,
  type: 'group',
  title: id,
  members: [],
  last_seq: 0,
  read_seq: 0,
  unread: 0,
  last_message: null,
  updated_at: '2026-01-01T00:00:00Z',
  ...over,
});

const msg = (seq: number, over: Partial<Message> = {}): Message => ({
  id: 'm' + seq,
  conversation_id: 'g',
  seq,
  sender: { id: 'u_ann', username: 'ann', display_name: 'Ann' },
  kind: 'text',
  text: 'hi',
  client_id: 'c' + seq,
  created_at: '2026-01-02T00:00:00Z',
  ...over,
});

describe('groups in the client', () => {
  it('puts pinned chats first, then the most recent', () => {
    const list = sortConversations([
      conv('old-pinned', { pinned: true, updated_at: '2026-01-01T00:00:00Z' }),
      conv('new', { updated_at: '2026-03-01T00:00:00Z' }),
      conv('pinned', { pinned: true, updated_at: '2026-02-01T00:00:00Z' }),
    ]);
    expect(list.map((c) => c.id)).toEqual(['pinned', 'old-pinned', 'new']);
  });

  it('fills gaps from where my history starts, not from seq 1', () => {
    // Cleared up to 4: history starts at 5, and a complete thread from 5 has no gap.
    expect(nextGap([msg(5), msg(6)], true, 6, 5)).toBeNull();
    expect(nextGap([msg(6)], true, 6, 5)).toBe(4);
    expect(nextGap([], true, 4, 5)).toBeNull();
    expect(nextGap([], true, 5, 5)).toBe(4);
    expect(nextGap([msg(1)], true, 1)).toBeNull();
  });

  it('marks a mention of me and clears it on reading', () => {
    const c = conv('g', { muted: true });
    const m = applyMessage(c, msg(1, { mentions: ['u_ben'] }), 'u_ben');
    expect(m.mentioned).toBe(true);
    expect(applyMessage(c, msg(1, { mentions: ['all'] }), 'u_ben').mentioned).toBe(true);
    expect(applyMessage(c, msg(1, { mentions: ['u_cat'] }), 'u_ben').mentioned).toBeFalsy();
    expect(applyRead(m, 1).mentioned).toBe(false);
    expect(mentionsMe(['all'], 'x')).toBe(true);
  });

  it('counts muted chats only when they mention me', () => {
    expect(unreadTotal([conv('a', { unread: 2, muted: true }), conv('b', { unread: 1 })])).toBe(1);
    expect(unreadTotal([conv('a', { unread: 2, muted: true, mentioned: true })])).toBe(2);
  });

  it('knows who may remove whom', () => {
    const c = conv('g', { owner_id: 'o', admins: ['a1', 'a2'] });
    expect(roleOf(c, 'o')).toBe('owner');
    expect(canRemove(c, 'o', 'a1')).toBe(true);
    expect(canRemove(c, 'a1', 'm')).toBe(true);
    expect(canRemove(c, 'a1', 'a2')).toBe(false);
    expect(canRemove(c, 'a1', 'o')).toBe(false);
    expect(canRemove(c, 'm', 'x')).toBe(false);
    expect(canRemove(c, 'o', 'o')).toBe(false);
  });
});
