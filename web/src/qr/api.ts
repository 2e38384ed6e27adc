// QR codes: my contact code, receive-money codes, and what a scanned code
// is (GET /api/v1/qr/resolve).
import { request, type User } from '../api';
import type { Prepay } from '../pay/api';

export interface QrCode {
  /** The text in the code: a URL on this Plaza. */
  payload: string;
  /** The code's PNG. */
  url: string;
  amount?: number;
  currency?: string;
}

export type QrKind = 'contact' | 'group' | 'receive_money' | 'merchant_pay';

export interface QrResolution {
  kind: QrKind;
  /** The client route the code leads to. */
  path: string;
  user?: User & { avatar_url?: string };
  amount?: number;
  currency?: string;
  group?: string;
  prepay?: Prepay;
}

const enc = encodeURIComponent;

export const qrApi = {
  mine: () => request<QrCode>('GET', '/api/v1/me/qrcode'),
  receive: (amount: number | null, currency: string) =>
    request<QrCode>('GET', '/api/v1/wallet/receive-code?currency=' + enc(currency) + (amount ? '&amount=' + amount : '')),
  resolve: (payload: string, signal?: AbortSignal) =>
    request<QrResolution>('GET', '/api/v1/qr/resolve?payload=' + enc(payload), { signal }),
};

/**
 * A scanned text that is not Plaza's, as the Scan page may show it: a web
 * link (http or https only: never javascript:, data: or the like) or text.
 */
export function foreignContent(text: string): { kind: 'link'; href: string } | { kind: 'text' } {
  const t = text.trim();
  if (/^https?:\/\//i.test(t)) {
    try {
      const u = new URL(t);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname) return { kind: 'link', href: u.href };
    } catch {
      // not a URL after all
    }
  }
  return { kind: 'text' };
}
