// Plaza Pay: the payer's side (a shop's prepay order, confirmed with the PIN)
// and the merchant console (onboarding, credentials, notification log).
import { request } from '../api';
import type { Transaction } from '../wallet/api';
import type { Money } from '../wallet/money';

export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export interface Prepay {
  prepay_id: string;
  merchant: { mchid: string; name: string };
  description: string;
  amount: Money;
  trade_type: string;
  trade_state: TradeState | string;
  out_trade_no: string;
  expires_at: string;
  paid_at?: string;
  /** H5 only: where to go after paying, when the server accepts the shop's redirect_url. */
  redirect_url?: string;
}

export interface Merchant {
  mchid: string;
  name: string;
  region: string;
  owner_id: string;
  serial_no?: string;
  has_credentials: boolean;
  platform_mode?: 'public_key' | 'certificate' | string;
  appids: string[] | null;
}

export interface Notification {
  id: string;
  event_type: string;
  resource_id: string;
  url: string;
  status: 'pending' | 'delivered' | 'failed' | string;
  attempts: number;
  last_status: number;
  last_error: string;
  created_at: string;
  delivered_at?: string;
}

export interface PlatformKey {
  public_key_pem: string;
  public_key_id: string;
}

const enc = encodeURIComponent;

export const payApi = {
  /** redirectURL: the H5 link's redirect_url, checked by the server against the order's merchant. */
  prepay: (id: string, redirectURL?: string | null) =>
    request<Prepay>('GET', '/api/v1/pay/prepay/' + enc(id) + (redirectURL ? '?redirect_url=' + enc(redirectURL) : '')),

  confirm: (prepay_id: string, pin: string) =>
    request<{ transaction: Transaction }>('POST', '/api/v1/pay/confirm', { body: { prepay_id, pin } }),
};

export const merchantApi = {
  list: () => request<{ items: Merchant[] }>('GET', '/api/v1/merchants'),

  create: (name: string, region: string) =>
    request<{ merchant: Merchant }>('POST', '/api/v1/merchants', { body: { name, region } }),

  get: (mchid: string) => request<{ merchant: Merchant; balance: Money }>('GET', '/api/v1/merchants/' + enc(mchid)),

  setCredentials: (
    mchid: string,
    body: { public_key_pem: string; serial_no: string; apiv3_key: string; platform_mode?: 'public_key' | 'certificate' },
  ) =>
    request<void>('PUT', '/api/v1/merchants/' + enc(mchid) + '/credentials', { body }),

  platformKey: (mchid: string) => request<PlatformKey>('GET', '/api/v1/merchants/' + enc(mchid) + '/platform-key'),

  bindApp: (mchid: string, appid: string) =>
    request<{ appid: string; mchid: string }>('POST', '/api/v1/merchants/' + enc(mchid) + '/apps', { body: { appid } }),

  unbindApp: (mchid: string, appid: string) =>
    request<void>('DELETE', '/api/v1/merchants/' + enc(mchid) + '/apps/' + enc(appid)),

  notifications: (mchid: string, limit = 50) =>
    request<{ items: Notification[] }>('GET', '/api/v1/merchants/' + enc(mchid) + '/notifications?limit=' + limit),
};

/**
 * The shop's return address, only when it is a plain http(s) URL. The pay
 * page sends it to the server, which answers it back (as redirect_url) only
 * when it is on the order's merchant's host.
 */
export function safeRedirect(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.href;
  } catch {
    return null;
  }
}
