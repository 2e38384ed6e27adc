// Mini programs: directory, app info and the bridge's server calls.
import { request } from '../api';
import type { Prepay } from '../pay/api';

export interface MiniApp {
  appid: string;
  name: string;
  description: string;
  category?: string;
  developer_id: string;
  request_domains: string[] | null;
  released_version: number;
  created_at?: string;
  /** The released manifest's window settings (app detail only). */
  window?: MiniAppWindow;
}

/** A manifest's window settings, W3C names in snake_case. */
export interface MiniAppWindow {
  navigation_bar_title_text?: string;
  navigation_bar_background_color?: string;
  navigation_bar_text_style?: string;
  background_color?: string;
}

/** One mini program's consents, as listed on Me → Privacy. */
export interface AppConsents {
  appid: string;
  name: string;
  scopes: string[] | null;
  granted_at: string;
}

/** Plain words for a consent scope. */
export function scopeLabel(scope: string): string {
  if (scope === 'userInfo') return 'Nickname and avatar';
  return scope;
}

export interface PayParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

const enc = encodeURIComponent;
const base = (appid: string) => '/api/v1/miniapps/' + enc(appid);

export const miniApi = {
  /** category: the exact category name; empty for all. */
  directory: (q: string, category: string, signal?: AbortSignal) =>
    request<{ items: MiniApp[] | null }>(
      'GET',
      '/api/v1/miniapps?q=' + enc(q) + (category ? '&category=' + enc(category) : ''),
      { signal },
    ),

  get: (appid: string) => request<{ app: MiniApp }>('GET', base(appid)),

  code: (appid: string) => request<{ code: string }>('POST', base(appid) + '/code'),

  consents: (appid: string) => request<{ items: string[] | null }>('GET', base(appid) + '/consents'),

  revoke: (appid: string, scope: string) => request<void>('DELETE', base(appid) + '/consents/' + enc(scope)),

  myConsents: () => request<{ items: AppConsents[] | null }>('GET', '/api/v1/me/miniapps/consents'),

  grant: (appid: string, scope: string) => request<void>('PUT', base(appid) + '/consents/' + enc(scope)),

  profile: (appid: string) => request<{ nickname: string; avatar_url: string }>('GET', base(appid) + '/profile'),

  getItem: (appid: string, key: string) =>
    request<{ key: string; value: unknown }>('GET', base(appid) + '/storage/' + enc(key)),

  setItem: (appid: string, key: string, value: unknown) =>
    request<void>('PUT', base(appid) + '/storage/' + enc(key), { body: { value: value === undefined ? null : value } }),

  removeItem: (appid: string, key: string) => request<void>('DELETE', base(appid) + '/storage/' + enc(key)),

  paymentRequest: (appid: string, p: PayParams) => request<Prepay>('POST', base(appid) + '/payment-request', { body: p }),
};
