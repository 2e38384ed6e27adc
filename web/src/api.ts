// Thin JSON client for the Plaza server API (same origin, cookie auth).
//
// - Every request sends credentials: 'same-origin' so the HttpOnly
//   plaza_session cookie travels with it.
// - State-changing requests (POST/PUT/PATCH/DELETE) carry X-CSRF-Token once
//   we have learned it from GET /api/v1/me.
// - Any non-2xx response becomes an ApiError with the server's code/message.

import { t } from './i18n';
import { errorText } from './i18n/errors';

/** Server-assigned identifier; treated as opaque (string or number). */
export type Id = string | number;

export interface User {
  id: Id;
  username: string;
  display_name: string;
  region: string;
  is_admin: boolean;
  created_at: string;
  /** Small (120 px) avatar, versioned; absent when the user has none. */
  avatar_url?: string | null;
  /** GET /contacts items: the remark and tags the caller gave the contact. */
  remark?: string;
  tags?: string[];
}

export interface Region {
  code: string;
  name: string;
}

export type RequestStatus = 'pending' | 'accepted' | 'declined';
export type RequestDirection = 'incoming' | 'outgoing';

export interface ContactRequest {
  id: Id;
  from: User;
  to: User;
  message: string;
  status: RequestStatus;
  direction: RequestDirection;
  created_at: string;
}

export interface AuthResponse {
  user: User;
  token: string;
}

export interface MeResponse {
  user: User;
  csrf_token: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field the server blamed (error.field), if any. */
  readonly field: string;

  constructor(status: number, code: string, message: string, field = '') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/**
 * Turns anything thrown by a request into a sentence fit to show a person,
 * in the client's language (i18n/errors.ts).
 */
export function errorMessage(err: unknown): string {
  return errorText(err);
}

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** The CSRF token, for requests made without request() (upload progress needs XMLHttpRequest). */
export const currentCsrfToken = (): string => csrfToken;

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called when an authenticated request comes back 401 (session gone). */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn;
}

interface RequestOptions {
  body?: unknown;
  /** Skip the global "session expired" handling for this call's 401. */
  allow401?: boolean;
  signal?: AbortSignal;
  /** Extra request headers (e.g. Idempotency-Key on money-moving calls). */
  headers?: Record<string, string>;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  const isForm = opts.body instanceof FormData;
  if (opts.body !== undefined && !isForm) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : isForm ? (opts.body as FormData) : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', t('ui.api.network'));
  }

  if (res.status === 204) return undefined as T;

  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
    const err = new ApiError(
      res.status,
      e?.code ?? 'http_' + res.status,
      e?.message ?? fallbackMessage(res.status),
      e?.field ?? '',
    );
    if (res.status === 401 && !opts.allow401 && onUnauthorized) onUnauthorized();
    throw err;
  }
  return data as T;
}

function fallbackMessage(status: number): string {
  if (status === 401) return t('ui.api.unauthenticated');
  if (status === 403) return t('ui.api.forbidden');
  if (status === 404) return t('ui.api.notFound');
  if (status === 413) return t('ui.api.tooLarge');
  if (status === 429) return t('ui.api.tooMany');
  if (status >= 500) return t('ui.api.server');
  return t('ui.api.failed', { status: String(status) });
}

const enc = encodeURIComponent;

export const api = {
  regions: () => request<{ items: Region[] }>('GET', '/api/v1/regions'),

  signup: (body: { username: string; password: string; display_name: string; region: string }) =>
    request<AuthResponse>('POST', '/api/v1/auth/signup', { body, allow401: true }),

  login: (body: { username: string; password: string }) =>
    request<AuthResponse>('POST', '/api/v1/auth/login', { body, allow401: true }),

  logout: () => request<void>('POST', '/api/v1/auth/logout', { allow401: true }),

  me: () => request<MeResponse>('GET', '/api/v1/me', { allow401: true }),

  user: (username: string, signal?: AbortSignal) =>
    request<{ user: User }>('GET', '/api/v1/users/' + enc(username), { signal }),

  contacts: () => request<{ items: User[] }>('GET', '/api/v1/contacts'),

  removeContact: (username: string) => request<void>('DELETE', '/api/v1/contacts/' + enc(username)),

  requests: () => request<{ items: ContactRequest[] }>('GET', '/api/v1/contacts/requests'),

  sendRequest: (username: string, message: string) =>
    request<{ request: ContactRequest }>('POST', '/api/v1/contacts/requests', { body: { username, message } }),

  acceptRequest: (id: Id) =>
    request<{ request: ContactRequest }>('POST', '/api/v1/contacts/requests/' + enc(String(id)) + '/accept'),

  declineRequest: (id: Id) =>
    request<{ request: ContactRequest }>('POST', '/api/v1/contacts/requests/' + enc(String(id)) + '/decline'),
};

// ---------- Me → Settings: password, devices, privacy ----------

/** One signed-in device (GET /api/v1/me/sessions); id is public, never the token. */
export interface DeviceSession {
  id: string;
  current: boolean;
  user_agent: string;
  /** "Chrome on macOS"; browser and os are its parts ("" when unknown). */
  device: string;
  browser: string;
  os: string;
  /** Coarse: "203.0.113.0/24". */
  ip: string;
  created_at: string;
  last_seen_at: string;
}

export type AddMe = 'everyone' | 'contacts_of_contacts' | 'nobody';

export interface MySettings {
  show_last_seen: boolean;
  add_me: AddMe;
}

export const settingsApi = {
  changePassword: (old_password: string, new_password: string) =>
    request<{ user: User; sessions_ended: number }>('POST', '/api/v1/me/password', { body: { old_password, new_password } }),

  sessions: () => request<{ sessions: DeviceSession[] }>('GET', '/api/v1/me/sessions'),

  endSession: (id: string) => request<void>('DELETE', '/api/v1/me/sessions/' + enc(id)),

  settings: () => request<MySettings>('GET', '/api/v1/me/settings'),

  putSettings: (body: Partial<MySettings>) => request<MySettings>('PUT', '/api/v1/me/settings', { body }),

  /** Changes a set payment PIN with the current one. */
  changePin: (old_pin: string, pin: string) => request<void>('PUT', '/api/v1/wallet/pin', { body: { old_pin, pin } }),
};
