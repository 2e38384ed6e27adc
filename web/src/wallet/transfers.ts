// Transfers that wait for the payee to accept them (accept_required), as
// WeChat's chat transfers do: a cache of transactions by id that the chat's
// transfer cards and the details page share, kept live by the socket's
// `transaction` frames ({type, transaction_id, status}: the card reads the
// transaction again), re-read when the socket is ready again, and the
// payee's accept / decline calls.
import { request, type Id } from '../api';
import { createStore } from '../store';
import { newKey } from './attempt';
import { walletApi, type Transaction } from './api';
import { formatMoney } from './money';
import { refreshHistoryHead } from './store';
import { fmtDate, fmtTime, t } from '../i18n';

export interface Acceptance {
  state: 'pending' | 'accepted' | 'declined' | 'expired' | string;
  expires_at: string;
  decided_at: string | null;
}

/** A transaction with where its acceptance stands (transfers sent with accept_required). */
export type TransferTx = Transaction & { acceptance?: Acceptance };

/** The socket's frame: one of the caller's transactions changed. */
export interface TransactionFrame {
  type: 'transaction';
  transaction_id: string;
  status: string;
}

/** Transactions shown in chat or on a details page, by id. */
export const transfers = createStore<Record<string, TransferTx>>({});

const inflight = new Map<string, Promise<TransferTx | null>>();
let generation = 0;

const enc = (id: Id) => encodeURIComponent(String(id));

export const transfersApi = {
  accept: (id: Id, key: string) =>
    request<{ transaction: TransferTx }>('POST', '/api/v1/wallet/transfers/' + enc(id) + '/accept', { headers: { 'Idempotency-Key': key } }),
  decline: (id: Id, key: string) =>
    request<{ transaction: TransferTx }>('POST', '/api/v1/wallet/transfers/' + enc(id) + '/decline', { headers: { 'Idempotency-Key': key } }),
};

export function storeTransfer(t: TransferTx): void {
  transfers.set((m) => ({ ...m, [String(t.id)]: t }));
}

/** Reads a transaction (deduped). null: not ours to see, or offline. */
export function loadTransfer(id: Id): Promise<TransferTx | null> {
  const k = String(id);
  const running = inflight.get(k);
  if (running) return running;
  const gen = generation;
  const p = walletApi
    .transaction(id)
    .then(
      (r) => {
        const t = r.transaction as TransferTx;
        if (gen === generation) storeTransfer(t);
        return t;
      },
      () => null,
    )
    .finally(() => inflight.delete(k));
  inflight.set(k, p);
  return p;
}

/** A `transaction` frame: read it again if a card or page shows it. */
export function onTransactionFrame(f: TransactionFrame): void {
  if (!f.transaction_id) return;
  // The wallet's list shows its status too (no balance frame when only its state changed).
  void refreshHistoryHead();
  const k = String(f.transaction_id);
  const known = transfers.get()[k];
  if (known && known.status === f.status) return;
  void loadTransfer(k);
}

/** The socket is back: frames may have been missed for the ones still open. */
export function refreshOpenTransfers(): void {
  for (const t of Object.values(transfers.get())) {
    if (t.status === 'pending_acceptance' || t.status === 'held') void loadTransfer(t.id);
  }
}

export function resetTransfers(): void {
  generation++;
  inflight.clear();
  transfers.set({});
}

// One key per decision of one transfer: a retry after an unknown outcome
// replays the first answer instead of a 409.
const keys = new Map<string, string>();
function keyFor(id: Id, verb: string): string {
  const k = verb + ':' + String(id);
  let v = keys.get(k);
  if (!v) {
    v = newKey();
    keys.set(k, v);
  }
  return v;
}

export async function acceptTransfer(id: Id): Promise<TransferTx> {
  const r = await transfersApi.accept(id, keyFor(id, 'accept'));
  storeTransfer(r.transaction);
  return r.transaction;
}

export async function declineTransfer(id: Id): Promise<TransferTx> {
  const r = await transfersApi.decline(id, keyFor(id, 'decline'));
  storeTransfer(r.transaction);
  return r.transaction;
}

export const isPendingAcceptance = (t: Pick<TransferTx, 'status'> | null | undefined) => t?.status === 'pending_acceptance';

const who = (tx: TransferTx) => tx.counterparty?.display_name || tx.counterparty?.username || t('wallet.transfer.them');

/** What a chat transfer card says under the amount, for the one who sees it. */
export function transferCardLine(tx: TransferTx | undefined, mine: boolean, note: string): string {
  const plain = () => note || t(mine ? 'wallet.transfer.transferred' : 'wallet.transfer.received');
  if (!tx) return plain();
  switch (tx.status) {
    case 'pending_acceptance':
      return mine ? t('wallet.transfer.awaiting_them', { name: who(tx) }) : t('wallet.transfer.tap_to_accept');
    case 'returned':
      return t('wallet.transfer.returned');
    case 'held':
      return t('wallet.transfer.held');
    case 'rejected':
      return t('wallet.transfer.rejected');
    case 'succeeded':
      if (tx.acceptance) return t('wallet.transfer.accepted');
      return plain();
  }
  return note || '';
}

/** The card's headline: "Transfer to you" for a payee still to accept. */
export function transferCardTitle(tx: TransferTx | undefined, mine: boolean): string {
  if (tx && !mine && tx.status === 'pending_acceptance') return t('wallet.transfer.to_you');
  return '';
}

/** Status words of the details page. */
export function transferStatusText(tx: TransferTx): string {
  const mine = tx.direction === 'out';
  switch (tx.status) {
    case 'pending_acceptance':
      return mine ? t('wallet.transfer.awaiting_them', { name: who(tx) }) : t('wallet.transfer.awaiting_you');
    case 'succeeded':
      if (!tx.acceptance) return t(mine ? 'wallet.transfer.transferred' : 'wallet.transfer.received');
      return mine ? t('wallet.transfer.they_accepted', { name: who(tx) }) : t('wallet.transfer.accepted');
    case 'returned':
      if (tx.acceptance?.state === 'declined') return mine ? t('wallet.transfer.they_returned', { name: who(tx) }) : t('wallet.transfer.you_returned');
      return t('wallet.transfer.expired');
    case 'held':
      return t('wallet.transfer.held');
    case 'rejected':
      return t('wallet.transfer.rejected');
  }
  return tx.status;
}

/** "10:05" today, else "Dec 2 10:05" / "12月2日 10:05". */
function clock(iso: string, now: Date): string {
  const d = new Date(iso);
  const hm = fmtTime(d);
  if (d.toDateString() === now.toDateString()) return hm;
  return fmtDate(d, { month: 'short', day: 'numeric' }) + ' ' + hm;
}

export type TransferStep = { key: 'sent' | 'accepted' | 'returned'; label: string; at: string };

/** "Sent 10:02 · Accepted 10:05" — the steps a transfer went through. */
export function transferTimeline(tx: TransferTx, now: Date = new Date()): TransferStep[] {
  const out: TransferStep[] = [{ key: 'sent', label: t('wallet.transfer.step.sent'), at: clock(tx.created_at, now) }];
  const a = tx.acceptance;
  if (a?.decided_at) {
    const key = a.state === 'accepted' ? 'accepted' : 'returned';
    out.push({ key, label: t(key === 'accepted' ? 'wallet.transfer.step.accepted' : 'wallet.transfer.step.returned'), at: clock(a.decided_at, now) });
  }
  return out;
}

/** The amount as the card shows it. */
export const transferAmount = (t: Pick<TransferTx, 'amount' | 'currency'>) => formatMoney(t.amount, t.currency);
