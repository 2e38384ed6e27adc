// What the client knows of people by username — avatar and the caller's
// remark — gathered from the session, contacts and chat members, so that
// every <Avatar> and name shows them without each caller passing them.
import type { User } from '../api';
import { chat } from '../chat/store';
import { contactsState, refreshContacts } from '../contacts';
import { session } from '../session';
import { createStore } from '../store';

export interface Person {
  avatar_url?: string | null;
  remark?: string;
}

export const directory = createStore<Record<string, Person>>({});

/** Avatars we learnt first-hand (our own upload), ahead of stale lists. */
const overrides = new Map<string, string | null>();

function rebuild(): void {
  const next: Record<string, Person> = {};
  const add = (u: { username: string; avatar_url?: string | null; remark?: string }) => {
    const p = (next[u.username] ??= {});
    if (u.avatar_url) p.avatar_url = u.avatar_url;
    if (u.remark) p.remark = u.remark;
  };
  for (const c of chat.get().conversations ?? []) for (const m of c.members) add(m as User);
  for (const u of contactsState.get().contacts ?? []) add(u);
  const s = session.get();
  if (s.status === 'authed') add(s.user);
  for (const [name, url] of overrides) (next[name] ??= {}).avatar_url = url;
  directory.set(next);
  if (s.status !== 'authed') contactsAsked = false;
  else queueMicrotask(ensureContacts); // remarks are in the contacts list, whichever page opens first
}

chat.subscribe(rebuild);
contactsState.subscribe(rebuild);
session.subscribe(rebuild);

/** Records a user's avatar as the server just returned it (after an upload). */
export function rememberAvatar(u: User): void {
  overrides.set(u.username, u.avatar_url ?? null);
  rebuild();
}

/** A name to show for someone: the remark we gave them, else their display name. */
export function shownName(people: Record<string, Person>, u: { username: string; display_name?: string }): string {
  return people[u.username]?.remark || u.display_name || u.username;
}

let contactsAsked = false;

/** Loads contacts once when a page that shows remarks opens before Contacts did. */
export function ensureContacts(): void {
  if (contactsAsked || contactsState.get().contacts !== null) return;
  contactsAsked = true;
  void refreshContacts();
}
