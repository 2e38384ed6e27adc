// The live room's pure logic: the likes batcher, the comment list, the
// socket frames' reducer. No DOM, no network: unit-tested in logic.test.ts.
import type { Money } from '../wallet/money';
import type { LiveComment, Room, ShelfItem } from './api';

/** The most comments a room keeps on screen. */
export const MAX_COMMENTS = 30;
/** Likes are sent at most this often, however fast the taps. */
export const LIKE_EVERY_MS = 500;

/**
 * Batches like taps: the first tap is sent at once, later ones are summed and
 * sent at most every LIKE_EVERY_MS as one POST …/likes {count}.
 */
export class LikeBatcher {
  private pending = 0;
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | 0 = 0;

  constructor(
    private readonly send: (count: number) => void,
    private readonly now: () => number = () => Date.now(),
    private readonly every = LIKE_EVERY_MS,
  ) {}

  /** Counts n taps. */
  tap(n = 1): void {
    this.pending += n;
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.every - this.now());
    if (wait === 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what is pending now (also on leaving the room). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = 0;
    if (this.pending <= 0) return;
    const n = this.pending;
    this.pending = 0;
    this.last = this.now();
    this.send(n);
  }

  /** Taps not sent yet. */
  get waiting(): number {
    return this.pending;
  }
}

/**
 * The comment list after adding more: one entry per id (a comment sent here
 * and echoed by the server replaces its pending copy by client_id), oldest
 * first, the last max kept.
 */
export function addComments(list: LiveComment[], more: LiveComment[], max = MAX_COMMENTS): LiveComment[] {
  let out = list;
  for (const c of more) {
    if (!c || !c.id) continue;
    const at = out.findIndex((x) => x.id === c.id || (!!c.client_id && x.client_id === c.client_id));
    if (at >= 0) {
      out = out.slice();
      out[at] = c;
    } else {
      out = [...out, c];
    }
  }
  return out.length > max ? out.slice(out.length - max) : out;
}

/** A sale as the host sees it. */
export interface Sale {
  sku: string;
  quantity: number;
  amount: Money;
  buyer: string;
  at: number;
}

/** What a room's screen shows, built from GET …/rooms/{id} and then the socket's frames. */
export interface LiveState {
  room: Room | null;
  viewers: number;
  likes: number;
  showing: ShelfItem | null;
  pinned: LiveComment | null;
  comments: LiveComment[];
  /** Stock and sold per sku, from stock frames (over the shelf's figures). */
  stock: Record<string, { stock: number; sold: number }>;
  ended: boolean;
  /** The host muted the caller. */
  muted: boolean;
  /** The host's sales ticker, newest last. */
  sales: Sale[];
}

export const emptyState: LiveState = {
  room: null,
  viewers: 0,
  likes: 0,
  showing: null,
  pinned: null,
  comments: [],
  stock: {},
  ended: false,
  muted: false,
  sales: [],
};

/** The most sales the ticker keeps. */
export const MAX_SALES = 20;

/** The state with a room (from GET …/rooms/{id}) applied. */
export function withRoom(s: LiveState, room: Room): LiveState {
  // A room in a frame to everyone (started, ended) is nobody's view of
  // it: whether the caller hosts it, or asked to be reminded, stays as
  // their own reads said.
  const mine = s.room && s.room.id === room.id ? { host: s.room.host, reminded: s.room.reminded } : {};
  return {
    ...s,
    room: { ...room, ...mine },
    viewers: room.viewers ?? s.viewers,
    likes: Math.max(room.likes ?? 0, s.likes),
    showing: room.showing !== undefined ? room.showing ?? null : s.showing,
    pinned: room.pinned !== undefined ? room.pinned ?? null : s.pinned,
    ended: s.ended || room.state === 'ended',
  };
}

/** A socket frame of a live room (type "live"). */
export interface LiveFrame {
  type: 'live';
  room_id: string;
  event: string;
  [k: string]: unknown;
}

const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/**
 * Applies one socket frame to the room's state. Frames of another room are
 * ignored; so are events this client does not know.
 */
export function reduce(s: LiveState, f: LiveFrame, roomId: string, me?: string): LiveState {
  if (!f || f.type !== 'live' || String(f.room_id) !== String(roomId)) return s;
  switch (f.event) {
    case 'joined': {
      const room = f.room as Room | undefined;
      let n = room ? withRoom(s, room) : s;
      n = {
        ...n,
        viewers: num(f.viewers, n.viewers),
        likes: num(f.likes, n.likes),
        showing: f.showing !== undefined ? ((f.showing as ShelfItem | null) ?? null) : n.showing,
        pinned: f.pinned !== undefined ? ((f.pinned as LiveComment | null) ?? null) : n.pinned,
      };
      return { ...n, comments: addComments(n.comments, (f.comments as LiveComment[] | null) ?? []) };
    }
    case 'comment':
      return f.comment ? { ...s, comments: addComments(s.comments, [f.comment as LiveComment]) } : s;
    case 'likes':
      // Totals only grow; a frame from a slower node never takes them back.
      return { ...s, likes: Math.max(s.likes, num(f.likes, s.likes)) };
    case 'viewers':
      return { ...s, viewers: num(f.viewers, s.viewers) };
    case 'showing':
      return { ...s, showing: (f.item as ShelfItem | null | undefined) ?? null };
    case 'stock': {
      const sku = String(f.sku ?? '');
      if (!sku) return s;
      const stock = { ...s.stock, [sku]: { stock: num(f.stock, 0), sold: num(f.sold, 0) } };
      const showing = s.showing && s.showing.sku === sku ? { ...s.showing, stock: num(f.stock, s.showing.stock) } : s.showing;
      return { ...s, stock, showing };
    }
    case 'sale': {
      const sale: Sale = {
        sku: String(f.sku ?? ''),
        quantity: num(f.quantity, 1),
        amount: (f.amount as Money) ?? { amount: 0, currency: 'CNY' },
        buyer: buyerName(f.buyer),
        at: Date.now(),
      };
      return { ...s, sales: [...s.sales, sale].slice(-MAX_SALES) };
    }
    case 'deleted': {
      const id = String(f.comment_id ?? '');
      return {
        ...s,
        comments: s.comments.filter((c) => c.id !== id),
        pinned: s.pinned && s.pinned.id === id ? null : s.pinned,
      };
    }
    case 'pinned':
      return { ...s, pinned: (f.comment as LiveComment | null | undefined) ?? null };
    case 'muted':
      return me === undefined || String(f.user_id) === String(me) ? { ...s, muted: true } : s;
    case 'started':
      return f.room ? withRoom({ ...s, ended: false }, f.room as Room) : s;
    case 'ended':
      return { ...s, ended: true, room: f.room ? (f.room as Room) : s.room };
    default:
      return s;
  }
}

/** A sale's buyer: a name, or a user object with display_name. */
function buyerName(b: unknown): string {
  if (b && typeof b === 'object') return String((b as { display_name?: unknown }).display_name ?? '');
  return b === undefined || b === null ? '' : String(b);
}

/** The shelf item with the socket's latest stock figures. */
export function withStock(item: ShelfItem, s: LiveState): ShelfItem {
  const x = s.stock[item.sku];
  return x ? { ...item, stock: x.stock, sold: x.sold } : item;
}
