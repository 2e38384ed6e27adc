// The one WebSocket to /api/v1/ws: connect, keep alive, reconnect with
// exponential backoff (0.5 s → 10 s, jittered). It knows nothing about chat
// state; the store hands it callbacks and resyncs on every `ready`.
import { createStore } from '../store';
import type { Conversation, Message } from './api';
import type { Money } from '../wallet/money';
import type { TrustFrame } from '../trust/live';
import type { TransactionFrame } from '../wallet/transfers';

export type ConnectionState = 'idle' | 'connecting' | 'reconnecting' | 'ready';

/** 'connecting' until the first `ready`, then 'reconnecting' whenever it drops. */
export const connection = createStore<ConnectionState>('idle');

export type ServerFrame =
  | { type: 'ready' }
  | { type: 'pong' }
  | { type: 'message'; message: Message }
  | { type: 'read'; conversation_id: string | number; user_id: string | number; seq: number }
  | { type: 'conversation'; conversation: Conversation }
  | { type: 'ack'; client_id: string; message: Message }
  | { type: 'error'; client_id?: string; error: { code: string; message: string } }
  | { type: 'wallet'; balance?: Money }
  | { type: 'recalled' | 'hidden'; conversation_id: string | number; message_id: string | number; seq: number }
  | { type: 'typing'; conversation_id: string | number; user_id: string | number }
  | { type: 'presence'; user_id: string | number; online: boolean; last_seen: string | null }
  | TrustFrame
  | TransactionFrame;

export type ClientFrame =
  | { type: 'send'; conversation_id: string | number; client_id: string; kind: 'text'; text: string; reply_to?: string | number; mentions?: string[] }
  | { type: 'read'; conversation_id: string | number; seq: number }
  | { type: 'typing'; conversation_id: string | number }
  | { type: 'ping' }
  | { type: 'live_join'; room_id: string }
  | { type: 'live_leave'; room_id: string };

export interface SocketHandlers {
  onFrame: (f: ServerFrame) => void;
  /** Socket is usable again (after `ready`): time to resync. */
  onReady: () => void;
  /** Socket went away; in-flight sends should fall back to HTTP. */
  onDown: () => void;
  /** The server closed the socket because this session ended (code 4001). */
  onSignedOut?: () => void;
}

/** Close code of a socket whose session was signed out (logout elsewhere, erasure). */
const CLOSE_SESSION_ENDED = 4001;

const MIN_DELAY = 500;
const MAX_DELAY = 10_000;
const PING_EVERY = 25_000;
const PONG_WITHIN = 10_000;
/** A socket that is not `ready` this long after we opened it is given up. */
const READY_WITHIN = 10_000;

/** Delay before reconnect attempt `n` (0-based): doubles from 0.5 s up to 10 s, then jitters to 50–100 %. */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** Math.min(attempt, 16));
  return Math.round(base / 2 + (base / 2) * random);
}

/** A frame of any type, as other components (live rooms) read them. */
export type AnyFrame = { type: string } & Record<string, unknown>;

const frameListeners = new Set<(f: AnyFrame) => void>();
const readyListeners = new Set<() => void>();

/** Calls fn with every frame the socket delivers (after the chat store); returns the unsubscribe. */
export function listenFrames(fn: (f: AnyFrame) => void): () => void {
  frameListeners.add(fn);
  return () => frameListeners.delete(fn);
}

/** Calls fn each time the socket is (again) ready; returns the unsubscribe. */
export function listenReady(fn: () => void): () => void {
  readyListeners.add(fn);
  return () => readyListeners.delete(fn);
}

let ws: WebSocket | null = null;
let handlers: SocketHandlers | null = null;
let attempt = 0;
let everReady = false;
let retryTimer = 0;
let pingTimer = 0;
/** Drops the socket unless something arrives in time (ready after connect, pong after ping). */
let deadline = 0;

function wsURL(): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return proto + '//' + window.location.host + '/api/v1/ws';
}

function clearTimers(): void {
  window.clearTimeout(retryTimer);
  window.clearInterval(pingTimer);
  window.clearTimeout(deadline);
  retryTimer = pingTimer = deadline = 0;
}

function connect(): void {
  if (!handlers) return;
  clearTimers();
  connection.set(everReady ? 'reconnecting' : 'connecting');
  let sock: WebSocket;
  try {
    sock = new WebSocket(wsURL());
  } catch {
    scheduleReconnect();
    return;
  }
  ws = sock;
  // Covers handshakes that hang, and failures that never fire `close`.
  deadline = window.setTimeout(() => drop(sock), READY_WITHIN);

  sock.onmessage = (ev) => {
    if (ws !== sock || !handlers) return;
    window.clearTimeout(deadline); // any traffic proves the link is alive (and ends the ready wait)
    deadline = 0;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(ev.data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'ready') {
      attempt = 0;
      everReady = true;
      connection.set('ready');
      startPings(sock);
      handlers.onReady();
      readyListeners.forEach((fn) => fn());
      return;
    }
    if (frame.type !== 'pong') {
      handlers.onFrame(frame);
      frameListeners.forEach((fn) => fn(frame as unknown as AnyFrame));
    }
  };

  sock.onclose = (ev) => {
    if (ev.code === CLOSE_SESSION_ENDED && ws === sock && handlers?.onSignedOut) {
      const signedOut = handlers.onSignedOut;
      stopSocket();
      signedOut();
      return;
    }
    drop(sock);
  };
  // Usually followed by `close`, but Chromium skips it for some failures
  // (e.g. blocked ports), so check once the event has settled.
  sock.onerror = () => {
    window.setTimeout(() => {
      if (sock.readyState === WebSocket.CLOSED) drop(sock);
    }, 0);
  };
}

function startPings(sock: WebSocket): void {
  window.clearInterval(pingTimer);
  pingTimer = window.setInterval(() => {
    if (ws !== sock || sock.readyState !== WebSocket.OPEN) return;
    sock.send(JSON.stringify({ type: 'ping' } satisfies ClientFrame));
    if (!deadline) deadline = window.setTimeout(() => drop(sock), PONG_WITHIN);
  }, PING_EVERY);
}

/** The socket closed, failed or stopped answering: forget it and retry later. */
function drop(sock: WebSocket): void {
  if (ws !== sock) return;
  ws = null;
  clearTimers();
  sock.onclose = sock.onerror = sock.onmessage = null;
  try {
    sock.close();
  } catch {
    // already closed
  }
  handlers?.onDown();
  checkSignedIn();
  scheduleReconnect();
}

/**
 * A socket that closed without the "signed out" code may still belong to a
 * session that ended while no socket was open (the upgrade is then refused
 * with 401, which the browser reports as a plain failure): ask the server,
 * and show the login page instead of retrying forever.
 */
function checkSignedIn(): void {
  const h = handlers;
  if (!h?.onSignedOut) return;
  fetch('/api/v1/me', { credentials: 'same-origin' })
    .then((r) => {
      if (r.status === 401 && handlers === h && h.onSignedOut) {
        const signedOut = h.onSignedOut;
        stopSocket();
        signedOut();
      }
    })
    .catch(() => {
      // offline: the reconnect will ask again
    });
}

function scheduleReconnect(): void {
  if (!handlers) return;
  connection.set(everReady ? 'reconnecting' : 'connecting');
  const delay = backoffDelay(attempt++);
  window.clearTimeout(retryTimer);
  retryTimer = window.setTimeout(connect, delay);
}

/** Retry now (page became visible / network came back) instead of waiting out the backoff. */
function nudge(): void {
  if (!handlers || ws || document.visibilityState !== 'visible') return;
  attempt = 0;
  connect();
}

/**
 * A page going into the browser's back/forward cache closes its socket, so
 * that the server sees its user leave (presence) rather than a socket that
 * stays open behind another page; coming back reconnects (and resyncs).
 */
function onPageHide(ev: PageTransitionEvent): void {
  if (!ev.persisted || !ws) return;
  const sock = ws;
  ws = null;
  clearTimers();
  sock.onclose = sock.onerror = sock.onmessage = null;
  try {
    sock.close(1000, 'page hidden');
  } catch {
    // already closed
  }
  handlers?.onDown();
}

function onPageShow(ev: PageTransitionEvent): void {
  if (ev.persisted) nudge();
}

export function startSocket(h: SocketHandlers): void {
  stopSocket();
  handlers = h;
  attempt = 0;
  everReady = false;
  document.addEventListener('visibilitychange', nudge);
  window.addEventListener('online', nudge);
  window.addEventListener('pagehide', onPageHide);
  window.addEventListener('pageshow', onPageShow);
  connect();
}

export function stopSocket(): void {
  handlers = null;
  clearTimers();
  document.removeEventListener('visibilitychange', nudge);
  window.removeEventListener('online', nudge);
  window.removeEventListener('pagehide', onPageHide);
  window.removeEventListener('pageshow', onPageShow);
  const sock = ws;
  ws = null;
  if (sock) {
    sock.onclose = sock.onerror = sock.onmessage = null;
    try {
      sock.close();
    } catch {
      // ignore
    }
  }
  connection.set('idle');
}

/** Sends a frame if the socket is up and ready; false means "use HTTP instead". */
export function sendFrame(frame: ClientFrame): boolean {
  if (!ws || connection.get() !== 'ready' || ws.readyState !== WebSocket.OPEN) return false;
  try {
    ws.send(JSON.stringify(frame));
    return true;
  } catch {
    return false;
  }
}

