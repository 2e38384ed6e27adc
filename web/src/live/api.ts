// Live rooms: the server's shapes (CONTRACT.md "Live rooms", LIVE.md) and
// the calls the room, the list and the host page make.
import { currentCsrfToken, request, ApiError } from '../api';
import type { Money } from '../wallet/money';
import { t } from '../i18n';

export type RoomState = 'scheduled' | 'live' | 'ended';

export interface ShelfItem {
  sku: string;
  name: string;
  price: Money;
  stock: number;
  sold?: number;
  image_media_id?: string;
  image_url?: string;
}

export interface Author {
  id: string;
  display_name: string;
  avatar_url?: string;
}

export interface LiveComment {
  id: string;
  room_id?: string;
  client_id?: string;
  user: Author;
  text: string;
  created_at: string;
}

export interface Room {
  id: string;
  mchid: string;
  merchant_name: string;
  title: string;
  cover_url: string;
  state: RoomState | string;
  scheduled_at: string;
  started_at: string | null;
  ended_at: string | null;
  viewers: number;
  likes: number;
  /** The caller owns the room's merchant. */
  host?: boolean;
  reminded?: boolean;
  showing?: ShelfItem | null;
  pinned?: LiveComment | null;
}

export interface Stats {
  viewers: number;
  peak_viewers: number;
  likes: number;
  comments: number;
  orders: number;
  paid_orders: number;
  sales: Money;
}

const enc = encodeURIComponent;
const base = (id: string) => '/api/v1/live/rooms/' + enc(id);

export const liveApi = {
  list: (state: 'live' | 'scheduled', signal?: AbortSignal) =>
    request<{ items: Room[] | null; next_cursor?: string }>('GET', '/api/v1/live/rooms?state=' + state, { signal }),
  mine: (mchid: string) => request<{ items: Room[] | null }>('GET', '/api/v1/live/rooms?mchid=' + enc(mchid)),
  create: (body: { mchid: string; title: string; cover_media_id?: string; scheduled_at: string }) =>
    request<{ room: Room }>('POST', '/api/v1/live/rooms', { body }),
  room: (id: string) => request<{ room: Room }>('GET', base(id)),
  remind: (id: string, on: boolean) => request<void>(on ? 'POST' : 'DELETE', base(id) + '/remind'),
  shelf: (id: string) => request<{ items: ShelfItem[] | null }>('GET', base(id) + '/shelf'),
  putShelf: (id: string, items: ShelfItem[]) =>
    request<unknown>('PUT', base(id) + '/shelf', {
      body: { items: items.map(({ sku, name, price, stock, image_media_id }) => ({ sku, name, price, stock, ...(image_media_id ? { image_media_id } : {}) })) },
    }),
  show: (id: string, sku: string) => request<unknown>('POST', base(id) + '/showing', { body: { sku } }),
  comments: (id: string, limit = 30) => request<{ items: LiveComment[] | null }>('GET', base(id) + '/comments?limit=' + limit),
  comment: (id: string, client_id: string, text: string) =>
    request<{ comment?: LiveComment }>('POST', base(id) + '/comments', { body: { client_id, text } }),
  like: (id: string, count: number) => request<unknown>('POST', base(id) + '/likes', { body: { count } }),
  order: (id: string, sku: string, key: string) =>
    request<{ prepay_id: string }>('POST', base(id) + '/orders', { body: { sku, quantity: 1 }, headers: { 'Idempotency-Key': key } }),
  end: (id: string) => request<unknown>('POST', base(id) + '/end'),
  stats: (id: string) => request<Stats>('GET', base(id) + '/stats'),
  deleteComment: (id: string, commentId: string) => request<void>('DELETE', base(id) + '/comments/' + enc(commentId)),
  pin: (id: string, commentId: string) => request<unknown>('POST', base(id) + '/pin', { body: { comment_id: commentId } }),
  mute: (id: string, userId: string) => request<void>('POST', base(id) + '/mutes', { body: { user_id: userId } }),
};

/** A WHIP/WHEP exchange's result: the answer SDP and the session to DELETE. */
export interface SdpAnswer {
  sdp: string;
  location: string;
}

/**
 * POSTs an SDP offer (WHIP for the host, WHEP for viewers) and returns the
 * answer with its Location (resolved against the page, so DELETE works even
 * when the server answers a relative path).
 */
export async function postSdp(url: string, offer: string): Promise<SdpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/sdp', Accept: 'application/sdp', 'X-CSRF-Token': currentCsrfToken() },
      body: offer,
    });
  } catch {
    throw new ApiError(0, 'network_error', t('ui.api.network'));
  }
  const text = await res.text();
  if (!res.ok) {
    let e: { code?: string; message?: string } | undefined;
    try {
      e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      e = undefined;
    }
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? '');
  }
  const loc = res.headers.get('Location') ?? '';
  return { sdp: text, location: loc ? new URL(loc, window.location.href).pathname : '' };
}

/** DELETEs a WHIP/WHEP session (best effort: leaving never waits on it). */
export function deleteSession(location: string): void {
  if (!location) return;
  void fetch(location, { method: 'DELETE', credentials: 'same-origin', keepalive: true, headers: { 'X-CSRF-Token': currentCsrfToken() } }).catch(() => undefined);
}
