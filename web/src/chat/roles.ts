// Who may do what in a group, and whom a message mentions (pure).
import type { Id } from '../api';
import type { Conversation } from './api';
import { sameId } from './merge';

export type Role = 'owner' | 'admin' | 'member';

export function roleOf(c: Conversation, userId: Id): Role {
  if (c.type !== 'group') return 'member';
  if (sameId(c.owner_id, userId)) return 'owner';
  if ((c.admins ?? []).some((a) => sameId(a, userId))) return 'admin';
  return 'member';
}

export const isStaff = (c: Conversation, userId: Id) => roleOf(c, userId) !== 'member';

/** May `me` remove `target` (owner: anyone else; admin: plain members)? */
export function canRemove(c: Conversation, me: Id, target: Id): boolean {
  if (c.type !== 'group' || sameId(me, target)) return false;
  const mine = roleOf(c, me);
  if (mine === 'owner') return true;
  return mine === 'admin' && roleOf(c, target) === 'member';
}

/** Does this message mention me (or all)? */
export function mentionsMe(mentions: string[] | undefined, me: Id): boolean {
  return !!mentions?.some((u) => u === 'all' || sameId(u, me));
}
