import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../chat/api';
import { unreadTotal } from '../chat/merge';
import { badgeText, hasChatted, openChatId, shouldAlert, stripCount, titleWithCount, wantsPrompt, wantsSystemNotification, type AlertContext } from './logic';
import { DEFAULT_PREFS, parsePrefs } from './prefs';
import { hydrate, parseSaved, snapshot } from './saved';

const user = (id: string) => ({ id, username: id, display_name: id.toUpperCase() });

function msg(over: Partial<Message> = {}): Message {
  return { id: 'm1', conversation_id: 'c1', seq: 1, sender: user('bob'), kind: 'text', text: 'hi', client_id: 'x', created_at: '2026-01-01T00:00:00Z', ...over };
}

function conv(id: string, over: Partial<Conversation> = {}): Conversation {
  return { id, type: 'direct', title: 'Bob', members: [user('ann'), user('bob')], last_seq: 1, read_seq: 0, unread: 1, last_message: null, updated_at: '', ...over };
}

const ann = { ...user('ann'), region: 'US', is_admin: false, created_at: '' };
const away: AlertContext = { me: 'ann', conversation: conv('c1'), openId: '', visible: false, focused: false };

describe('title and badge', () => {
  it('puts the count in front of the title, capped at 99+', () => {
    expect(titleWithCount('Plaza', 3)).toBe('(3) Plaza');
    expect(titleWithCount('Chats · Plaza', 1)).toBe('(1) Chats · Plaza');
    expect(titleWithCount('Plaza', 120)).toBe('(99+) Plaza');
    expect(titleWithCount('Plaza', 99)).toBe('(99) Plaza');
  });
  it('replaces an old count and restores the bare title at 0', () => {
    expect(titleWithCount('(3) Plaza', 4)).toBe('(4) Plaza');
    expect(titleWithCount('(99+) Plaza', 0)).toBe('Plaza');
    expect(titleWithCount('', 0)).toBe('Plaza');
    expect(stripCount('(12) Wallet · Plaza')).toBe('Wallet · Plaza');
    expect(stripCount('(a) Plaza')).toBe('(a) Plaza');
  });
  it('shows no badge for nothing', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(-2)).toBe('');
    expect(badgeText(Number.NaN)).toBe('');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(100)).toBe('99+');
  });
  it('leaves muted chats out of the count unless they mention me', () => {
    const list = [conv('a', { unread: 5, muted: true }), conv('b', { unread: 2 }), conv('c', { unread: 1, muted: true, mentioned: true })];
    expect(unreadTotal(list)).toBe(3);
    expect(titleWithCount('Plaza', unreadTotal(list))).toBe('(3) Plaza');
  });
});

describe('shouldAlert', () => {
  it('alerts for someone else’s message while I am away', () => {
    expect(shouldAlert(msg(), away)).toBe(true);
  });
  it('never for my own message (sent from another device)', () => {
    expect(shouldAlert(msg({ sender: user('ann') }), away)).toBe(false);
  });
  it('not in a muted chat, unless it mentions me or everyone', () => {
    const muted = { ...away, conversation: conv('c1', { muted: true }) };
    expect(shouldAlert(msg(), muted)).toBe(false);
    expect(shouldAlert(msg({ mentions: ['ann'] }), muted)).toBe(true);
    expect(shouldAlert(msg({ mentions: ['all'] }), muted)).toBe(true);
    expect(shouldAlert(msg({ mentions: ['cat'] }), muted)).toBe(false);
  });
  it('not for the chat open in a visible, focused tab', () => {
    const looking = { ...away, openId: 'c1', visible: true, focused: true };
    expect(shouldAlert(msg(), looking)).toBe(false);
    expect(shouldAlert(msg({ conversation_id: 'c2' }), looking)).toBe(true);
    expect(shouldAlert(msg(), { ...looking, visible: false })).toBe(true);
    expect(shouldAlert(msg(), { ...looking, focused: false })).toBe(true);
  });
  it('not for notes, recalls or hidden messages', () => {
    for (const kind of ['system', 'recalled', 'hidden', 'erased', 'red_packet_opened'] as const) {
      expect(shouldAlert(msg({ kind }), away)).toBe(false);
    }
    expect(shouldAlert(msg({ kind: 'red_packet' }), away)).toBe(true);
  });
  it('a chat not loaded yet counts as not muted', () => {
    expect(shouldAlert(msg(), { ...away, conversation: undefined })).toBe(true);
  });
  it('system notifications only when hidden or unfocused', () => {
    expect(wantsSystemNotification({ visible: true, focused: true })).toBe(false);
    expect(wantsSystemNotification({ visible: false, focused: true })).toBe(true);
    expect(wantsSystemNotification({ visible: true, focused: false })).toBe(true);
  });
});

describe('open chat and the prompt', () => {
  it('reads the open chat from the path', () => {
    expect(openChatId('/chats/12')).toBe('12');
    expect(openChatId('/chats/12/')).toBe('12');
    expect(openChatId('/chats/12/info')).toBe('');
    expect(openChatId('/chats')).toBe('');
    expect(openChatId('/chats/%E0')).toBe('');
  });
  it('asks only after I have chatted, once, while undecided', () => {
    const mine = [conv('a', { last_message: msg({ sender: user('ann') }) })];
    const theirs = [conv('a', { last_message: msg() })];
    expect(hasChatted(mine, 'ann')).toBe(true);
    expect(hasChatted(theirs, 'ann')).toBe(false);
    expect(hasChatted(null, 'ann')).toBe(false);
    expect(wantsPrompt({ permission: 'default', dismissed: false, chatted: true })).toBe(true);
    expect(wantsPrompt({ permission: 'default', dismissed: false, chatted: false })).toBe(false);
    expect(wantsPrompt({ permission: 'default', dismissed: true, chatted: true })).toBe(false);
    expect(wantsPrompt({ permission: 'granted', dismissed: false, chatted: true })).toBe(false);
    expect(wantsPrompt({ permission: 'denied', dismissed: false, chatted: true })).toBe(false);
    expect(wantsPrompt({ permission: 'unsupported', dismissed: false, chatted: true })).toBe(false);
  });
});

describe('prefs', () => {
  it('defaults for nothing or garbage, stored booleans win', () => {
    expect(parsePrefs(null)).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('{nope')).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('{"sound":false,"preview":"no"}')).toEqual({ ...DEFAULT_PREFS, sound: false });
  });
});

describe('saved chats', () => {
  const ready = (items: Message[]) => ({ items, pending: [], status: 'ready' as const, error: '', hasOlder: false, loadingOlder: false });
  const many = (n: number, text = 'x') => Array.from({ length: n }, (_, i) => msg({ id: 'm' + (i + 1), seq: i + 1, text }));

  it('keeps the newest messages of ready threads, within the limits', () => {
    const s = { conversations: [conv('a'), conv('b'), conv('c')], threads: { a: ready(many(50)), b: { ...ready(many(3)), status: 'error' as const }, c: ready(many(2)) } };
    const snap = snapshot(ann, s, { conversations: 2, threads: 5, messages: 10, bytes: 1e6 })!;
    expect(snap.conversations.map((c) => c.id)).toEqual(['a', 'b']);
    expect(Object.keys(snap.threads)).toEqual(['a']);
    expect(snap.threads.a.map((m) => m.seq)).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    expect(snapshot(ann, { conversations: null, threads: {} })).toBeNull();
  });
  it('drops threads until it fits the byte limit', () => {
    const s = { conversations: [conv('a'), conv('b')], threads: { a: ready(many(5, 'y'.repeat(1000))), b: ready(many(5, 'z'.repeat(1000))) } };
    const snap = snapshot(ann, s, { conversations: 10, threads: 10, messages: 10, bytes: 8000 })!;
    expect(Object.keys(snap.threads)).toEqual(['a']);
    expect(JSON.stringify(snap).length).toBeLessThanOrEqual(8000);
  });
  it('round-trips and rejects what is not a snapshot', () => {
    const snap = snapshot(ann, { conversations: [conv('a')], threads: { a: ready(many(2)) } })!;
    expect(parseSaved(JSON.stringify(snap))).toEqual(snap);
    expect(parseSaved('{"v":2}')).toBeNull();
    expect(parseSaved('[]')).toBeNull();
    expect(parseSaved(null)).toBeNull();
  });
  it('fills an empty list and failed threads, and leaves loaded ones alone', () => {
    const saved = snapshot(ann, { conversations: [conv('a'), conv('b')], threads: { a: ready(many(3)), b: ready(many(2)) } })!;
    const s = { conversations: null, listError: 'offline', threads: { a: { ...ready([]), status: 'error' as const, error: 'offline' }, b: ready(many(1)) } };
    const next = hydrate(s, saved);
    expect(next.conversations?.map((c) => c.id)).toEqual(['a', 'b']);
    expect(next.threads.a.status).toBe('ready');
    expect(next.threads.a.items).toHaveLength(3);
    expect(next.threads.b.items).toHaveLength(1);
    expect(hydrate(next, saved)).toBe(next);
  });
});
