// People: profiles, avatars, contact remarks and tags, blocks.
import { request, type Id, type User } from '../api';

export interface ContactNote {
  remark: string;
  tags: string[];
}

export interface Profile {
  user: User;
  contact: ContactNote | null;
  blocked: boolean;
  is_contact: boolean;
}

const enc = (s: Id) => encodeURIComponent(String(s));

export const peopleApi = {
  profile: (id: Id) => request<Profile>('GET', '/api/v1/users/' + enc(id)),
  setNote: (id: Id, note: ContactNote) => request<{ contact: ContactNote }>('PUT', '/api/v1/contacts/' + enc(id), { body: note }),
  removeContact: (id: Id) => request<void>('DELETE', '/api/v1/contacts/' + enc(id)),
  block: (id: Id) => request<{ user: User }>('POST', '/api/v1/blocks', { body: { user_id: String(id) } }),
  unblock: (id: Id) => request<void>('DELETE', '/api/v1/blocks/' + enc(id)),
  blocks: () => request<{ items: User[] }>('GET', '/api/v1/blocks'),
  setAvatar: (file: Blob) => {
    const form = new FormData();
    form.append('file', file, 'avatar.jpg');
    return request<{ user: User }>('PUT', '/api/v1/me/avatar', { body: form });
  },
  removeAvatar: () => request<{ user: User }>('DELETE', '/api/v1/me/avatar'),
};

/** The large (480 px) version of an avatar_url. */
export function largeAvatar(url: string): string {
  return url + (url.includes('?') ? '&' : '?') + 'size=large';
}

export const profilePath = (id: Id) => '/users/' + enc(id);
