// Chat types and REST calls (conversations, messages, media, read marks).
import { request, type Id } from '../api';

export interface ChatUser {
  id: Id;
  username: string;
  display_name: string;
  region?: string;
  avatar_url?: string | null;
}

export type MessageKind = 'text' | 'image' | 'system' | 'red_packet' | 'transfer' | 'erased' | 'red_packet_opened' | 'recalled' | 'hidden' | 'voice' | 'file';

/** The message a reply quotes (kind recalled/erased: no text). */
export interface Quote {
  id: Id;
  seq: number;
  sender: ChatUser;
  kind: MessageKind;
  text: string;
}

export interface Message {
  id: Id;
  conversation_id: Id;
  seq: number;
  sender: ChatUser;
  kind: MessageKind;
  text: string;
  client_id: string;
  media_id?: Id;
  media_url?: string;
  /** kind red_packet: the packet to open. */
  red_packet_id?: Id;
  /** kind transfer: the wallet transaction behind it. */
  transaction_id?: Id;
  /** A quote-reply: the message this one quotes. */
  reply_to?: Quote;
  /** kind voice: its length as the server measured it. */
  duration_ms?: number;
  /** kind file: the original name, bytes and sniffed type. */
  name?: string;
  size?: number;
  content_type?: string;
  created_at: string;
  /** Who the message mentions: member ids, or "all". */
  mentions?: string[];
}

export interface Conversation {
  id: Id;
  type: 'direct' | 'group';
  title: string;
  members: ChatUser[];
  last_seq: number;
  read_seq: number;
  unread: number;
  last_message: Message | null;
  updated_at: string;
  // Groups and my own settings (see chat/groups.ts).
  announcement?: string;
  announcement_at?: string | null;
  owner_id?: Id;
  admins?: Id[];
  muted?: boolean;
  pinned?: boolean;
  /** An unread message mentions me (or all). */
  mentioned?: boolean;
  /** My history starts at this seq (after joining late or clearing it). */
  first_seq?: number;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/** Largest page the server hands out for messages. */
export const MESSAGE_PAGE_MAX = 200;

const enc = (id: Id) => encodeURIComponent(String(id));
const conv = (id: Id) => '/api/v1/conversations/' + enc(id);

export type NewMessage =
  | { client_id: string; kind: 'text'; text: string; reply_to?: Id; mentions?: string[] }
  | { client_id: string; kind: 'image'; media_id: Id }
  | { client_id: string; kind: 'voice' | 'file'; media_id: Id };

export const chatApi = {
  conversations: (cursor?: string) =>
    request<Page<Conversation>>('GET', '/api/v1/conversations' + (cursor ? '?cursor=' + encodeURIComponent(cursor) : '')),

  conversation: (id: Id) => request<{ conversation: Conversation }>('GET', conv(id)),

  openDirect: (username: string) =>
    request<{ conversation: Conversation }>('POST', '/api/v1/conversations', { body: { type: 'direct', username } }),

  createGroup: (title: string, usernames: string[]) =>
    request<{ conversation: Conversation }>('POST', '/api/v1/conversations', {
      body: { type: 'group', title, usernames },
    }),

  addMembers: (id: Id, usernames: string[]) =>
    request<{ conversation: Conversation }>('POST', conv(id) + '/members', { body: { usernames } }),

  leave: (id: Id) => request<void>('DELETE', conv(id) + '/members/me'),

  /** Newest page when neither bound is given; otherwise the page after/before a seq. */
  messages: (id: Id, q: { after_seq?: number; before_seq?: number; limit?: number }) => {
    const p = new URLSearchParams();
    if (q.after_seq !== undefined) p.set('after_seq', String(q.after_seq));
    if (q.before_seq !== undefined) p.set('before_seq', String(q.before_seq));
    p.set('limit', String(q.limit ?? 50));
    return request<Page<Message>>('GET', conv(id) + '/messages?' + p.toString());
  },

  send: (id: Id, body: NewMessage) => request<{ message: Message }>('POST', conv(id) + '/messages', { body }),

  read: (id: Id, seq: number) => request<void>('POST', conv(id) + '/read', { body: { seq } }),

  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name || 'image');
    return request<{ media_id: Id; url: string }>('POST', '/api/v1/media', { body: form });
  },
};
