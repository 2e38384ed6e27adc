import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from './api';
import {
  applyMessage,
  applyRead,
  contiguousEnd,
  mergeConversation,
  mergeMessages,
  nextGap,
  settlePending,
  sortConversations,
  unreadTotal,
  upsertConversation,
  type Pending,
} from './merge';

const alice = { id: 'usr_a', username: 'alice', display_name: 'Alice' };
const bob = { id: 'usr_b', username: 'bob', display_name: 'Bob' };

function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: 'msg_' + seq,
    conversation_id: 'cnv_1',
    seq,
    sender: bob,
    kind: 'text',
    text: 'm' + seq,
    client_id: '',
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    ...over,
  };
}

function conv(over: Partial<Conversation> = {}): Conversation {
  return {
    id: 'cnv_1',
    type: 'direct',
    title: '',
    members: [alice, bob],
    last_seq: 0,
    read_seq: 0,
    unread: 0,
    last_message: null,
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  };
}

const seqs = (items: Message[]) => items.map((m) => m.seq);

describe('mergeMessages', () => {
  it('unions two lists in seq order', () => {
    expect(seqs(mergeMessages([msg(1), msg(3)], [msg(4), msg(2)]))).toEqual([1, 2, 3, 4]);
  });

  it('keeps one copy of a seq, the incoming one', () => {
    const out = mergeMessages([msg(1), msg(2)], [msg(2, { text: 'edited' })]);
    expect(seqs(out)).toEqual([1, 2]);
    expect(out[1].text).toBe('edited');
  });

  it('returns the same list when nothing is new', () => {
    const have = [msg(1), msg(2)];
    expect(mergeMessages(have, [msg(2)])).toBe(have);
    expect(mergeMessages(have, [])).toBe(have);
  });

  it('ignores a known id arriving under another seq', () => {
    const out = mergeMessages([msg(1)], [msg(5, { id: 'msg_1' })]);
    expect(seqs(out)).toEqual([1]);
  });
});

describe('gaps', () => {
  it('contiguousEnd stops at the first hole', () => {
    expect(contiguousEnd([])).toBe(0);
    expect(contiguousEnd([msg(3), msg(4), msg(6)])).toBe(4);
    expect(contiguousEnd([msg(1), msg(2), msg(3)])).toBe(3);
  });

  it('nextGap asks after the unbroken run, or nothing when complete', () => {
    expect(nextGap([msg(1), msg(2), msg(4)], true, 4)).toBe(2);
    expect(nextGap([msg(1), msg(2)], true, 5)).toBe(2); // the tail is missing
    expect(nextGap([msg(1), msg(2)], true, 2)).toBeNull();
    expect(nextGap([msg(3), msg(4)], true, 4)).toBe(0); // a complete thread starts at 1
    expect(nextGap([msg(3), msg(4)], false, 4)).toBeNull(); // older pages may come later
    expect(nextGap([], true, 3)).toBe(0);
    expect(nextGap([], true, 0)).toBeNull();
  });
});

describe('settlePending', () => {
  const p = (client_id: string): Pending => ({
    client_id,
    conversation_id: 'cnv_1',
    kind: 'text',
    text: 'hi',
    status: 'sending',
    created_at: '2026-01-01T00:00:00Z',
  });

  it('drops pending messages the server has by client_id', () => {
    const left = settlePending([p('c1'), p('c2')], [msg(1, { client_id: 'c1' })]);
    expect(left.map((x) => x.client_id)).toEqual(['c2']);
  });

  it('keeps the same list when none settled', () => {
    const pending = [p('c1')];
    expect(settlePending(pending, [msg(1, { client_id: 'other' }), msg(2)])).toBe(pending);
  });
});

describe('conversations', () => {
  it('sorts by the latest activity, newest first', () => {
    const a = conv({ id: 'a', updated_at: '2026-01-01T00:00:00Z' });
    const b = conv({ id: 'b', updated_at: '2026-01-02T00:00:00Z' });
    const c = conv({ id: 'c', updated_at: '2026-01-01T00:00:00Z', last_message: msg(1, { created_at: '2026-01-03T00:00:00Z' }) });
    expect(sortConversations([a, b, c]).map((x) => x.id)).toEqual(['c', 'b', 'a']);
  });

  it('never moves the last message or the read mark backwards', () => {
    const old = conv({ last_seq: 5, last_message: msg(5), read_seq: 4, unread: 1 });
    const stale = conv({ last_seq: 3, last_message: msg(3), read_seq: 2, unread: 1, title: 'renamed' });
    const m = mergeConversation(old, stale);
    expect(m.last_seq).toBe(5);
    expect(m.last_message?.seq).toBe(5);
    expect(m.read_seq).toBe(4);
    expect(m.title).toBe('renamed');
  });

  it('upsert replaces by id and keeps the list sorted', () => {
    const list = [conv({ id: 'a' }), conv({ id: 'b', updated_at: '2026-01-05T00:00:00Z' })];
    const out = upsertConversation(list, conv({ id: 'a', updated_at: '2026-01-09T00:00:00Z' }));
    expect(out.map((x) => x.id)).toEqual(['a', 'b']);
    expect(out).toHaveLength(2);
  });
});

describe('unread counting', () => {
  it('counts a message from someone else once', () => {
    const c1 = applyMessage(conv(), msg(1), alice.id);
    expect(c1.unread).toBe(1);
    expect(c1.last_seq).toBe(1);
    expect(applyMessage(c1, msg(1), alice.id)).toBe(c1); // again: already counted
  });

  it('my own message clears unread and moves my read mark', () => {
    const c = applyMessage(conv({ last_seq: 2, unread: 2, last_message: msg(2) }), msg(3, { sender: alice }), alice.id);
    expect(c.unread).toBe(0);
    expect(c.read_seq).toBe(3);
  });

  it('a read mark lowers unread, never raises it', () => {
    const c = conv({ last_seq: 5, read_seq: 1, unread: 4 });
    expect(applyRead(c, 3).unread).toBe(2);
    expect(applyRead(c, 5).unread).toBe(0);
    expect(applyRead(c, 0)).toBe(c);
  });

  it('unreadTotal sums and ignores negatives', () => {
    expect(unreadTotal(null)).toBe(0);
    expect(unreadTotal([conv({ unread: 2 }), conv({ unread: 3 }), conv({ unread: -1 })])).toBe(5);
  });
});
