// Idempotency keys, one per user action. A key is reused only when the same
// action (same request, PIN aside) is retried after an unknown outcome — a
// network error or a server error — so a retry can never pay twice. Once the
// server has definitely answered (success or a clear refusal such as a wrong
// PIN), the next try is a new action with a fresh key.
import { ApiError } from '../api';

export function newKey(): string {
  // randomUUID needs a secure context; plain-http LAN addresses fall back.
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
}

/** Failures where the request may or may not have taken effect. */
export function outcomeUnknown(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  if (err.status === 0) return true;
  // 502 rail_failed is a definite "did not happen"; other 5xx are not.
  return err.status >= 500 && err.code !== 'rail_failed';
}

export class Attempt {
  private key = newKey();
  private pending = ''; // fingerprint of the action whose outcome is unknown

  /** Runs fn with the right key for this action (identified by fingerprint). */
  async run<T>(fingerprint: string, fn: (key: string) => Promise<T>): Promise<T> {
    if (this.pending && this.pending !== fingerprint) this.key = newKey();
    this.pending = fingerprint;
    try {
      const out = await fn(this.key);
      this.settle();
      return out;
    } catch (err) {
      if (!outcomeUnknown(err)) this.settle();
      throw err;
    }
  }

  private settle(): void {
    this.key = newKey();
    this.pending = '';
  }
}
