// Notification preferences, kept on this device (localStorage), and the
// browser's permission for system notifications.
import { createStore } from '../store';

export interface NotifyPrefs {
  /** A short sound on a new message. */
  sound: boolean;
  /** System notifications while Plaza is in the background (needs permission). */
  system: boolean;
  /** Sender and text in those notifications (else "You have a new message"). */
  preview: boolean;
  /** "Turn on desktop notifications" was dismissed. */
  promptDismissed: boolean;
  /** This person has sent a message here (the prompt waits for that). */
  chatted: boolean;
}

const KEY = 'plaza.notify';
export const DEFAULT_PREFS: NotifyPrefs = { sound: true, system: true, preview: true, promptDismissed: false, chatted: false };

/** Stored prefs over the defaults; anything unreadable counts as absent. */
export function parsePrefs(raw: string | null): NotifyPrefs {
  const out = { ...DEFAULT_PREFS };
  if (!raw) return out;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    for (const k of Object.keys(DEFAULT_PREFS) as (keyof NotifyPrefs)[]) {
      if (typeof v?.[k] === 'boolean') out[k] = v[k] as boolean;
    }
  } catch {
    // keep the defaults
  }
  return out;
}

function read(): NotifyPrefs {
  try {
    return parsePrefs(localStorage.getItem(KEY));
  } catch {
    return { ...DEFAULT_PREFS };
  }
}

export const notifyPrefs = createStore<NotifyPrefs>(read());

export function setPrefs(patch: Partial<NotifyPrefs>): void {
  notifyPrefs.set((p) => ({ ...p, ...patch }));
  try {
    localStorage.setItem(KEY, JSON.stringify(notifyPrefs.get()));
  } catch {
    // private mode: lasts until the tab closes
  }
}

export type Permission = NotificationPermission | 'unsupported';

export function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export const permission = createStore<Permission>(currentPermission());

/** Asks the browser (only ever from a click); resolves to the answer. */
export async function askPermission(): Promise<Permission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    await Notification.requestPermission();
  } catch {
    // an old callback-only browser: read the result below
  }
  permission.set(currentPermission());
  if (permission.get() === 'granted') setPrefs({ system: true, promptDismissed: true });
  return permission.get();
}

/** Re-reads the permission (the person may change it in the browser's settings). */
export function refreshPermission(): void {
  permission.set(currentPermission());
}
