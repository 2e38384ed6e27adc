// The caller's trust notices, kept current while signed in, so that open
// pages change without a reload when a policy that concerns the caller is
// created, takes effect, expires or is cancelled:
//  - fetched at start, when the socket is (re)ready and when the page
//    becomes visible again;
//  - on the socket's `trust` frames (any node announces every change; each
//    client spreads its request over a second or so);
//  - at each notice's effective_at and expires_at, by a local timer (the
//    server announces those instants too, as a `flipped` frame).
// `trustEpoch` bumps whenever what the caller may see or open may have
// changed: the directory and an open app re-ask the server then.
import { createStore, useStore } from '../store';
import { trustApi, type Notice } from './api';
import { flipTimes, refreshDelay, sameNotices } from './schedule';

/** A socket frame about a policy (node.TrustFrame). */
export interface TrustFrame {
  type: 'trust';
  event: 'changed' | 'flipped';
  policy_id: string;
  state?: string;
}

/** The caller's notices; null until first loaded. */
export const notices = createStore<Notice[] | null>(null);

/** Bumps whenever what the caller may see or open may have changed. */
export const trustEpoch = createStore(0);

/** Slack after a flip instant, for clocks a little apart. */
const FLIP_SLACK_MS = 150;

let running = false;
let flipTimers: number[] = [];
let frameTimer = 0;
let inflight: Promise<void> | null = null;
let again = false;

function bump(): void {
  trustEpoch.set((e) => e + 1);
}

/** Asks the server for the caller's notices; bumps the epoch when they changed. */
export function refreshNotices(): Promise<void> {
  if (inflight) {
    again = true; // a change may have landed after that request left
    return inflight;
  }
  inflight = trustApi.notices().then(
    (r) => {
      const items = r.items ?? [];
      const before = notices.get();
      if (!running) return;
      if (!sameNotices(before, items)) {
        notices.set(items);
        if (before !== null) bump();
      }
      schedule(items);
    },
    () => undefined, // offline: the next trigger asks again
  );
  return inflight.finally(() => {
    inflight = null;
    if (again && running) {
      again = false;
      void refreshNotices();
    }
  });
}

function schedule(items: Notice[]): void {
  flipTimers.forEach((t) => window.clearTimeout(t));
  const now = Date.now();
  flipTimers = flipTimes(items, now).map((at) =>
    window.setTimeout(() => {
      bump(); // effective now: look again, whatever the server says next
      void refreshNotices();
    }, at - now + FLIP_SLACK_MS),
  );
}

/** Handles a `trust` socket frame. */
export function onTrustFrame(f: TrustFrame): void {
  if (!running) return;
  if (f.event === 'flipped' && !notices.get()?.some((n) => n.policy_id === f.policy_id)) return; // not one of ours
  window.clearTimeout(frameTimer);
  frameTimer = window.setTimeout(() => {
    if (f.event === 'flipped') bump();
    void refreshNotices();
  }, refreshDelay(Math.random()));
}

function onVisible(): void {
  if (document.visibilityState === 'visible') void refreshNotices();
}

/** Starts keeping notices current (after sign-in). */
export function startTrust(): void {
  stopTrust();
  running = true;
  document.addEventListener('visibilitychange', onVisible);
  void refreshNotices();
}

/** Stops and forgets (sign-out). */
export function stopTrust(): void {
  running = false;
  flipTimers.forEach((t) => window.clearTimeout(t));
  flipTimers = [];
  window.clearTimeout(frameTimer);
  document.removeEventListener('visibilitychange', onVisible);
  notices.set(null);
}

/** The caller's notices as a hook ([] until loaded). */
export function useLiveNotices(): Notice[] {
  return useStore(notices) ?? [];
}

/** The trust epoch as a hook. */
export function useTrustEpoch(): number {
  return useStore(trustEpoch);
}
