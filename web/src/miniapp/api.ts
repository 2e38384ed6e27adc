// Mini programs: directory, app info and the bridge's server calls.
import { request } from '../api';
import type { Prepay } from '../pay/api';
import { hasMessage, t } from '../i18n';

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
  const key = 'discover.scope.' + scope;
  return hasMessage(key) ? t(key) : scope;
}

/** The version a trial label runs (GET /miniapps/{appid}?trial=…, trial-launch). */
export interface TrialInfo {
  label: string;
  code: number;
  name: string;
  /** uploaded | submitted | approved | rejected | released */
  status: string;
}

/** A launch token that opens a trial's pages on the app's origin for a while. */
export interface TrialLaunch {
  launch: string;
  expires_at: string;
  trial: TrialInfo;
}

/** An app the user was named a tester of (Me → Privacy). */
export interface TestingApp {
  appid: string;
  name: string;
  added_at: string;
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
/** Bridge calls name the trial running (its label); none for the released version. */
const tq = (trial: string) => (trial ? '?trial=' + enc(trial) : '');

export const miniApi = {
  /** category: the exact category name; empty for all. */
  directory: (q: string, category: string, signal?: AbortSignal) =>
    request<{ items: MiniApp[] | null }>(
      'GET',
      '/api/v1/miniapps?q=' + enc(q) + (category ? '&category=' + enc(category) : ''),
      { signal },
    ),

  get: (appid: string, trial = '') => request<{ app: MiniApp; trial?: TrialInfo }>('GET', base(appid) + tq(trial)),

  trialLaunch: (appid: string, label: string) => request<TrialLaunch>('POST', base(appid) + '/trial-launch', { body: { label } }),

  testing: () => request<{ items: TestingApp[] | null }>('GET', '/api/v1/me/miniapps/testing'),

  leaveTesting: (appid: string) => request<void>('DELETE', '/api/v1/me/miniapps/testing/' + enc(appid)),

  code: (appid: string, trial = '') => request<{ code: string }>('POST', base(appid) + '/code' + tq(trial)),

  consents: (appid: string, trial = '') => request<{ items: string[] | null }>('GET', base(appid) + '/consents' + tq(trial)),

  revoke: (appid: string, scope: string) => request<void>('DELETE', base(appid) + '/consents/' + enc(scope)),

  myConsents: () => request<{ items: AppConsents[] | null }>('GET', '/api/v1/me/miniapps/consents'),

  grant: (appid: string, scope: string, trial = '') => request<void>('PUT', base(appid) + '/consents/' + enc(scope) + tq(trial)),

  profile: (appid: string, trial = '') =>
    request<{ nickname: string; avatar_url: string }>('GET', base(appid) + '/profile' + tq(trial)),

  getItem: (appid: string, key: string, trial = '') =>
    request<{ key: string; value: unknown }>('GET', base(appid) + '/storage/' + enc(key) + tq(trial)),

  setItem: (appid: string, key: string, value: unknown, trial = '') =>
    request<void>('PUT', base(appid) + '/storage/' + enc(key) + tq(trial), {
      body: { value: value === undefined ? null : value },
    }),

  removeItem: (appid: string, key: string, trial = '') =>
    request<void>('DELETE', base(appid) + '/storage/' + enc(key) + tq(trial)),

  paymentRequest: (appid: string, p: PayParams, trial = '') =>
    request<Prepay>('POST', base(appid) + '/payment-request' + tq(trial), { body: p }),
};
