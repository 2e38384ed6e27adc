// Groups and per-chat settings: roles, name, announcement, members, mute,
// pin, clear history, and group invites (the group QR code).
import { request, type Id } from '../api';
import { navigate } from '../router';
import type { ChatUser, Conversation } from './api';
import { conversationChanged, removeLocal, updateThread, upsertLocal } from './store';

const enc = (id: Id) => encodeURIComponent(String(id));
const conv = (id: Id) => '/api/v1/conversations/' + enc(id);
type One = { conversation: Conversation };

export interface Invite {
  code: string;
  expires_at: string;
  url: string;
}

export interface InvitePreview {
  code: string;
  conversation_id: Id;
  title: string;
  member_count: number;
  members_preview: ChatUser[];
  invited_by: ChatUser;
  expires_at: string;
  joined: boolean;
}

export const groupsApi = {
  update: (id: Id, body: { title?: string; announcement?: string }) => request<One>('PATCH', conv(id), { body }),
  setRole: (id: Id, userId: Id, role: 'admin' | 'member') =>
    request<One>('PUT', conv(id) + '/members/' + enc(userId) + '/role', { body: { role } }),
  transfer: (id: Id, userId: Id) => request<One>('POST', conv(id) + '/owner', { body: { user_id: userId } }),
  remove: (id: Id, userId: Id) => request<One>('DELETE', conv(id) + '/members/' + enc(userId)),
  settings: (id: Id, body: { muted?: boolean; pinned?: boolean }) => request<One>('PUT', conv(id) + '/settings', { body }),
  clear: (id: Id) => request<One>('POST', conv(id) + '/clear'),
  invite: (id: Id) => request<{ invite: Invite }>('POST', conv(id) + '/invites'),
  preview: (code: string) => request<{ invite: InvitePreview }>('GET', '/api/v1/group-invites/' + enc(code)),
  join: (code: string) => request<One>('POST', '/api/v1/group-invites/' + enc(code) + '/join'),
};

export { canRemove, isStaff, roleOf, mentionsMe, type Role } from './roles';

async function apply(p: Promise<One>): Promise<Conversation> {
  const { conversation } = await p;
  conversationChanged(conversation);
  return conversation;
}

export const renameGroup = (id: Id, title: string) => apply(groupsApi.update(id, { title }));
export const setAnnouncement = (id: Id, announcement: string) => apply(groupsApi.update(id, { announcement }));
export const setRole = (id: Id, userId: Id, role: 'admin' | 'member') => apply(groupsApi.setRole(id, userId, role));
export const transferOwnership = (id: Id, userId: Id) => apply(groupsApi.transfer(id, userId));
export const removeMember = (id: Id, userId: Id) => apply(groupsApi.remove(id, userId));
export const updateSettings = (id: Id, s: { muted?: boolean; pinned?: boolean }) => apply(groupsApi.settings(id, s));

/** Clears my history: the loaded thread empties, and sync starts after it. */
export async function clearHistory(id: Id): Promise<Conversation> {
  const { conversation } = await groupsApi.clear(id);
  upsertLocal(conversation);
  updateThread(id, (t) => ({ ...t, items: [], hasOlder: false }));
  return conversation;
}

export async function joinByInvite(code: string): Promise<Conversation> {
  const { conversation } = await groupsApi.join(code);
  upsertLocal(conversation);
  navigate('/chats/' + enc(conversation.id), { replace: true });
  return conversation;
}

export function leaveAndForget(id: Id): void {
  navigate('/chats', { replace: true });
  removeLocal(id);
}

// ---------- the announcement banner ----------

const SEEN_KEY = 'plaza.announcement.seen.';

/** The banner shows until dismissed, and again once the announcement changes. */
export function announcementStamp(c: Conversation): string {
  return c.announcement ? (c.announcement_at ?? '') + '|' + c.announcement.length : '';
}

export function announcementDismissed(c: Conversation): boolean {
  try {
    return localStorage.getItem(SEEN_KEY + String(c.id)) === announcementStamp(c);
  } catch {
    return false;
  }
}

export function dismissAnnouncement(c: Conversation): void {
  try {
    localStorage.setItem(SEEN_KEY + String(c.id), announcementStamp(c));
  } catch {
    // private mode: it shows again next time
  }
}
