import type { Notice } from './api';

// Pure helpers of the live notices (tested in schedule.test.ts).

/** setTimeout's longest delay (about 24.8 days); later instants are left to the next refresh. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The future instants (ms since the epoch, ascending, unique) at which a
 * notice takes effect or expires, as of now: when the client must look
 * again at what the caller may see and open.
 */
export function flipTimes(items: Notice[], now: number): number[] {
  const out = new Set<number>();
  for (const n of items) {
    for (const iso of [n.effective_at, n.expires_at]) {
      if (!iso) continue;
      const t = new Date(iso).getTime();
      if (!isNaN(t) && t > now && t - now <= MAX_TIMER_MS) out.add(t);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Whether two notice lists say the same thing (same policies, same wording and dates), in any order. */
export function sameNotices(a: Notice[] | null, b: Notice[] | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  const key = (n: Notice) => [n.policy_id, n.effective_at, n.expires_at ?? '', n.message, n.state ?? '', n.scopes.join(',')].join('|');
  const ka = a.map(key).sort();
  const kb = b.map(key).sort();
  return ka.every((k, i) => k === kb[i]);
}

/**
 * How long to wait before asking for notices after a socket frame: every
 * client hears a policy change at once, so they spread their requests over
 * spreadMs (random in [0,1)), after minMs for every node's index to load it.
 */
export function refreshDelay(random: number, minMs = 250, spreadMs = 1500): number {
  return Math.round(minMs + Math.max(0, Math.min(1, random)) * spreadMs);
}

/**
 * The active notice that stops the caller opening an app: hosting blocked
 * on the app itself or on all of its developer's apps, in effect as of now.
 */
export function hostingBlock(items: Notice[], appid: string, developerId: string | undefined, now: Date): Notice | undefined {
  return items.find(
    (n) =>
      n.scopes.includes('hosting') &&
      ((n.target_type === 'app' && n.target_id === appid) || (n.target_type === 'developer' && !!developerId && n.target_id === developerId)) &&
      new Date(n.effective_at).getTime() <= now.getTime() &&
      (!n.expires_at || new Date(n.expires_at).getTime() > now.getTime()),
  );
}
