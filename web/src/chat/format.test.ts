import { afterEach, describe, expect, it } from 'vitest';
import { setLocale, t } from '../i18n';
import type { Conversation, Message } from './api';
import { dividerTime, fullTitle, listTime, preview, systemText } from './format';
import { presenceLabel } from './presence';

// Friday 4 December 2026, 15:00 local time.
const now = new Date(2026, 11, 4, 15, 0);
const at = (y: number, m: number, d: number, h = 14, min = 5) => new Date(y, m - 1, d, h, min).toISOString();

afterEach(() => setLocale('en'));

describe('listTime', () => {
  it('in English: a time today, Yesterday, a weekday this week, else a date', () => {
    setLocale('en');
    expect(listTime(at(2026, 12, 4, 9, 5), now)).toBe('09:05');
    expect(listTime(at(2026, 12, 4, 14, 5), now)).toBe('14:05');
    expect(listTime(at(2026, 12, 3), now)).toBe('Yesterday');
    expect(listTime(at(2026, 12, 2), now)).toBe('Wednesday');
    expect(listTime(at(2026, 11, 27), now)).toBe('11/27');
    expect(listTime(at(2025, 11, 3), now)).toBe('11/3/2025');
    expect(listTime(undefined, now)).toBe('');
    expect(listTime('not a date', now)).toBe('');
  });

  it('in Chinese: 24-hour times, 昨天, 星期三, 11月27日, 2025年11月3日', () => {
    setLocale('zh-CN');
    expect(listTime(at(2026, 12, 4, 14, 5), now)).toBe('14:05');
    expect(listTime(at(2026, 12, 4, 9, 5), now)).toBe('09:05');
    expect(listTime(at(2026, 12, 3), now)).toBe('昨天');
    expect(listTime(at(2026, 12, 2), now)).toBe('星期三');
    expect(listTime(at(2026, 11, 27), now)).toBe('11月27日');
    expect(listTime(at(2026, 11, 3), new Date(2027, 0, 8))).toBe('2026年11月3日');
  });
});

describe('dividerTime', () => {
  it('puts the day before the time', () => {
    setLocale('en');
    expect(dividerTime(at(2026, 12, 4), now)).toBe('14:05');
    expect(dividerTime(at(2026, 12, 3), now)).toBe('Yesterday 14:05');
    expect(dividerTime(at(2026, 11, 30), now)).toBe('Monday 14:05');
    setLocale('zh-CN');
    expect(dividerTime(at(2026, 12, 4), now)).toBe('14:05');
    expect(dividerTime(at(2026, 12, 3), now)).toBe('昨天 14:05');
    expect(dividerTime(at(2026, 12, 2, 20, 30), now)).toBe('星期三 20:30');
    expect(dividerTime(at(2026, 3, 14), now)).toBe('3月14日 14:05');
  });
});

const bob = { id: 'u2', username: 'bob', display_name: 'Bob' };
const me = { id: 'u1', username: 'ann', display_name: 'Ann' };
function conv(type: 'direct' | 'group', last: Partial<Message>): Conversation {
  return {
    id: 'c1',
    type,
    title: type === 'group' ? 'Book club' : 'Bob',
    members: [me, bob, { id: 'u3', username: 'cat', display_name: 'Cat' }],
    last_seq: 1,
    read_seq: 0,
    unread: 0,
    updated_at: at(2026, 12, 4),
    last_message: { id: 'm1', conversation_id: 'c1', seq: 1, sender: bob, kind: 'text', text: '', client_id: '', created_at: at(2026, 12, 4), ...last } as Message,
  } as Conversation;
}

describe('preview', () => {
  it('labels every kind in English as before', () => {
    setLocale('en');
    expect(preview(conv('direct', { kind: 'image' }), me.id)).toBe('[Image]');
    expect(preview(conv('direct', { kind: 'voice', duration_ms: 5200 }), me.id)).toBe('[Voice] 5"');
    expect(preview(conv('direct', { kind: 'red_packet', text: 'Happy New Year' }), me.id)).toBe('[Red Packet] Happy New Year');
    expect(preview(conv('direct', { kind: 'transfer', text: '' }), me.id)).toBe('[Transfer]');
    expect(preview(conv('direct', { kind: 'file', name: 'plan.pdf' }), me.id)).toBe('[File] plan.pdf');
    expect(preview(conv('direct', { kind: 'recalled' }), me.id)).toBe('Message recalled');
    expect(preview(conv('group', { kind: 'recalled' }), me.id)).toBe('Bob: Message recalled');
    expect(preview(conv('group', { kind: 'text', text: 'see\nyou' }), me.id)).toBe('Bob: see you');
    expect(fullTitle(conv('group', {}))).toBe('Book club (3)');
  });

  it('labels every kind in Chinese', () => {
    setLocale('zh-CN');
    expect(preview(conv('direct', { kind: 'image' }), me.id)).toBe('[图片]');
    expect(preview(conv('direct', { kind: 'voice', duration_ms: 5200 }), me.id)).toBe('[语音] 5"');
    expect(preview(conv('group', { kind: 'red_packet', text: '恭喜发财' }), me.id)).toBe('Bob：[红包] 恭喜发财');
    expect(preview(conv('direct', { kind: 'transfer', text: '' }), me.id)).toBe('[转账]');
    expect(preview(conv('direct', { kind: 'recalled' }), me.id)).toBe('对方撤回了一条消息');
    expect(preview(conv('group', { kind: 'recalled' }), me.id)).toBe('“Bob” 撤回了一条消息');
    expect(preview(conv('direct', { kind: 'recalled', sender: me }), me.id)).toBe('你撤回了一条消息');
    expect(preview(conv('group', { kind: 'system', text: 'Bob left the group' }), me.id)).toBe('“Bob”退出了群聊');
    expect(preview(conv('group', { kind: 'system', text: 'Ann added Cat', sender: me }), me.id)).toBe('你邀请“Cat”加入了群聊');
    expect(fullTitle(conv('group', {}))).toBe('Book club（3）');
  });
});

describe('systemText', () => {
  const note = (text: string, sender = bob) => ({ text, sender });
  it('shows the server sentence as is in English', () => {
    setLocale('en');
    expect(systemText(note('Bob added Cat, Dan'))).toBe('Bob added Cat, Dan');
  });

  it('rebuilds the known shapes in Chinese', () => {
    setLocale('zh-CN');
    expect(systemText(note('Bob created the group “Hikers” with Cat, Dan'))).toBe('“Bob”创建了群聊“Hikers”，并邀请“Cat”、“Dan”加入了群聊');
    expect(systemText(note('Bob added Cat, Dan'))).toBe('“Bob”邀请“Cat”、“Dan”加入了群聊');
    expect(systemText(note('Bob added Cat'), true)).toBe('你邀请“Cat”加入了群聊');
    expect(systemText(note('Bob renamed the group to “Trail crew”'))).toBe('“Bob”修改群名为“Trail crew”');
    expect(systemText(note('Bob removed the group announcement'))).toBe('“Bob”删除了群公告');
    expect(systemText(note('Bob removed Cat as admin'))).toBe('“Bob”取消了“Cat”的管理员身份');
    expect(systemText(note('Bob removed Cat'))).toBe('“Bob”将“Cat”移出了群聊');
    expect(systemText(note('Bob made Cat an admin'))).toBe('“Bob”将“Cat”设为管理员');
    expect(systemText(note('Bob transferred group ownership to Cat'))).toBe('“Bob”已将群主转让给“Cat”');
    expect(systemText(note("Dan joined via Bob's QR code"))).toBe('“Dan”通过扫描“Bob”分享的二维码加入群聊');
    expect(systemText(note('Deleted account left the group'))).toBe('已注销的账号退出了群聊');
    expect(systemText(note('Something new happened'))).toBe('Something new happened');
  });
});

describe('plurals and presence', () => {
  it('counts in each language', () => {
    setLocale('en');
    expect(t('chat.msg.unseen', { count: 1 })).toBe('1 new message');
    expect(t('chat.msg.unseen', { count: 3 })).toBe('3 new messages');
    expect(t('chat.join.members', { count: 1 })).toBe('1 member');
    setLocale('zh-CN');
    expect(t('chat.msg.unseen', { count: 3 })).toBe('3 条新消息');
    expect(t('chat.select.deleted', { count: 1 })).toBe('已删除 1 条消息');
  });

  it('says last seen in Chinese', () => {
    const n = Date.parse('2026-12-02T12:00:00Z');
    setLocale('zh-CN');
    expect(presenceLabel({ online: true, last_seen: null }, n)).toBe('在线');
    expect(presenceLabel({ online: false, last_seen: '2026-12-02T11:55:00Z' }, n)).toBe('5 分钟前在线');
    expect(presenceLabel({ online: false, last_seen: '2026-12-02T09:00:00Z' }, n)).toBe('3 小时前在线');
    expect(presenceLabel({ online: false, last_seen: '2026-12-02T11:59:40Z' }, n)).toBe('刚刚在线');
    setLocale('en');
    expect(presenceLabel({ online: false, last_seen: '2026-12-02T11:00:00Z' }, n)).toBe('Last seen 1 hour ago');
  });
});
