import { useEffect } from 'preact/hooks';
import { api, errorMessage, type ContactRequest, type User } from './api';
import { createStore } from './store';

// Contacts and friend requests, shared by the Contacts tab, New Friends page
// and the tab-bar badge.

export interface ContactsState {
  contacts: User[] | null; // null until first load
  requests: ContactRequest[] | null;
  error: string;
}

export const contactsState = createStore<ContactsState>({ contacts: null, requests: null, error: '' });

export function resetContacts(): void {
  contactsState.set({ contacts: null, requests: null, error: '' });
}

export function pendingIncoming(requests: ContactRequest[] | null): number {
  if (!requests) return 0;
  return requests.filter((r) => r.direction === 'incoming' && r.status === 'pending').length;
}

export async function refreshRequests(): Promise<void> {
  try {
    const { items } = await api.requests();
    contactsState.set((s) => ({ ...s, requests: items ?? [], error: '' }));
  } catch (err) {
    contactsState.set((s) => ({ ...s, error: errorMessage(err) }));
  }
}

export async function refreshContacts(): Promise<void> {
  try {
    const { items } = await api.contacts();
    contactsState.set((s) => ({ ...s, contacts: items ?? [], error: '' }));
  } catch (err) {
    contactsState.set((s) => ({ ...s, error: errorMessage(err) }));
  }
}

export function refreshAll(): Promise<void> {
  return Promise.all([refreshContacts(), refreshRequests()]).then(() => undefined);
}

/** Replaces one request in the list (after accept/decline/send). */
export function upsertRequest(req: ContactRequest): void {
  contactsState.set((s) => {
    const list = s.requests ?? [];
    const i = list.findIndex((r) => String(r.id) === String(req.id));
    const next = i >= 0 ? list.map((r, j) => (j === i ? req : r)) : [req, ...list];
    return { ...s, requests: next };
  });
}

export function removeContactLocally(username: string): void {
  contactsState.set((s) => ({ ...s, contacts: (s.contacts ?? []).filter((u) => u.username !== username) }));
}

export const POLL_MS = 5000;

/**
 * Loads contacts and requests now, then polls every 5 s while mounted and the
 * page is visible (a WebSocket replaces this later).
 */
export function useContactsPolling(): void {
  useEffect(() => {
    void refreshAll();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void refreshAll();
    }, POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refreshAll();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);
}
