// Wallet state for the signed-in session: balances, PIN status, the
// transaction history (paged by cursor) and a cache of red packets.
import { errorMessage, type Id } from '../api';
import { createStore } from '../store';
import { walletApi, type RedPacket, type Transaction } from './api';
import type { Money } from './money';

export interface WalletState {
  balances: Money[] | null; // null until first load
  pinSet: boolean | null;
  error: string;
}

export interface HistoryState {
  items: Transaction[] | null;
  cursor: string | null;
  done: boolean;
  loading: boolean;
  error: string;
}

const EMPTY_WALLET: WalletState = { balances: null, pinSet: null, error: '' };
const EMPTY_HISTORY: HistoryState = { items: null, cursor: null, done: false, loading: false, error: '' };

export const wallet = createStore<WalletState>(EMPTY_WALLET);
export const history = createStore<HistoryState>(EMPTY_HISTORY);
export const redPackets = createStore<Record<string, RedPacket>>({});

const PAGE = 20;
let generation = 0; // bumps when the owner changes (sign-out) so late answers are dropped
let owner: string | null = null; // user id the store holds data for; null = whoever signs in next

/**
 * Session start for `userId`. Loads a page made before this (a deep link's
 * own load effect runs before the shell's) belong to the same signed-in user,
 * so they are kept; only a different user's data is thrown away.
 */
export function startWallet(userId: Id): void {
  const id = String(userId);
  if (owner === id) return;
  if (owner !== null) resetWallet();
  owner = id;
}

/** Sign-out (or a user switch): forget everything and drop answers still in flight. */
export function resetWallet(): void {
  generation++;
  owner = null;
  headAgain = false;
  wallet.set(EMPTY_WALLET);
  history.set(EMPTY_HISTORY);
  redPackets.set({});
  rpQueue.length = 0;
  rpInflight.clear();
}

export async function refreshWallet(): Promise<void> {
  const gen = generation;
  try {
    const w = await walletApi.wallet();
    if (gen !== generation) return;
    wallet.set({ balances: w.balances ?? [], pinSet: !!w.pin_set, error: '' });
  } catch (err) {
    if (gen === generation) wallet.set((s) => ({ ...s, error: errorMessage(err) }));
  }
}

/** A `wallet` socket frame: one currency's balance changed. */
export function applyBalance(m: Money | undefined): void {
  if (!m || typeof m.amount !== 'number' || !m.currency) return;
  wallet.set((s) => {
    const list = s.balances ?? [];
    const has = list.some((b) => b.currency === m.currency);
    const balances = has ? list.map((b) => (b.currency === m.currency ? { ...b, amount: m.amount } : b)) : [...list, m];
    return { ...s, balances };
  });
  scheduleHistoryRefresh();
}

export function markPinSet(): void {
  wallet.set((s) => ({ ...s, pinSet: true }));
}

// ---------- history ----------

const txKey = (t: Transaction) => String(t.id);

/** Newest first; later copies of a transaction replace earlier ones. */
function mergeTx(a: Transaction[], b: Transaction[]): Transaction[] {
  const byId = new Map<string, Transaction>();
  for (const t of a) byId.set(txKey(t), t);
  for (const t of b) byId.set(txKey(t), t);
  return [...byId.values()].sort((x, y) => {
    const d = Date.parse(y.created_at) - Date.parse(x.created_at);
    return d !== 0 && !Number.isNaN(d) ? d : txKey(y).localeCompare(txKey(x), undefined, { numeric: true });
  });
}

// A head refresh asked for while the first page was still loading: rerun it after.
let headAgain = false;
// Head refreshes may answer out of order: never let an older answer overwrite a newer one.
let headSeq = 0;
let headApplied = 0;

/** Loads the next page (the first one when nothing is loaded yet). */
export async function loadMoreHistory(): Promise<void> {
  const s = history.get();
  if (s.loading || (s.items !== null && s.done)) return;
  const gen = generation;
  history.set({ ...s, loading: true, error: '' });
  try {
    const page = await walletApi.transactions(s.items === null ? null : s.cursor, PAGE);
    if (gen !== generation) return;
    history.set((h) => ({
      items: mergeTx(h.items ?? [], page.items ?? []),
      cursor: page.next_cursor || null,
      done: !page.next_cursor,
      loading: false,
      error: '',
    }));
  } catch (err) {
    if (gen === generation) history.set((h) => ({ ...h, loading: false, error: errorMessage(err) }));
  }
  if (gen === generation && headAgain) {
    headAgain = false;
    void refreshHistoryHead();
  }
}

/** Re-reads the newest page and merges it in (after a payment or a balance frame). */
export async function refreshHistoryHead(): Promise<void> {
  const s = history.get();
  if (s.items === null) {
    // Not loaded yet: the page will load it. If that load is already on the
    // wire it may predate the change, so re-read the head once it lands.
    if (s.loading) headAgain = true;
    return;
  }
  const gen = generation;
  const seq = ++headSeq;
  try {
    const page = await walletApi.transactions(null, PAGE);
    if (gen !== generation || seq < headApplied) return;
    headApplied = seq;
    history.set((h) => ({ ...h, items: mergeTx(h.items ?? [], page.items ?? []) }));
  } catch {
    // keep what we have; the next change retries
  }
}

let headTimer = 0;
function scheduleHistoryRefresh(): void {
  window.clearTimeout(headTimer);
  headTimer = window.setTimeout(() => void refreshHistoryHead(), 250);
}

/** After this client moved money: balances and history, now. */
export function afterPayment(): void {
  window.clearTimeout(headTimer);
  void refreshWallet();
  void refreshHistoryHead();
}

// ---------- red packets ----------

const rpInflight = new Map<string, Promise<RedPacket | null>>();
const rpQueue: (() => void)[] = [];
let rpRunning = 0;
const RP_PARALLEL = 3;

function pump(): void {
  while (rpRunning < RP_PARALLEL && rpQueue.length) {
    rpRunning++;
    rpQueue.shift()!();
  }
}

export function storeRedPacket(rp: RedPacket): void {
  redPackets.set((m) => ({ ...m, [String(rp.id)]: rp }));
}

/** Fetches a red packet (deduped; a few at a time so long threads don't flood). */
export function loadRedPacket(id: Id, opts: { urgent?: boolean } = {}): Promise<RedPacket | null> {
  const k = String(id);
  const running = rpInflight.get(k);
  if (running) return running;
  const gen = generation;
  const p = new Promise<RedPacket | null>((resolve, reject) => {
    const job = () => {
      walletApi
        .redPacket(id)
        .then(({ red_packet }) => {
          if (gen === generation) storeRedPacket(red_packet);
          resolve(red_packet);
        }, reject)
        .finally(() => {
          rpRunning--;
          rpInflight.delete(k);
          pump();
        });
    };
    if (opts.urgent) rpQueue.unshift(job);
    else rpQueue.push(job);
    pump();
  });
  rpInflight.set(k, p);
  return p;
}
