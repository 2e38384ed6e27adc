// Wallet, transfer and red packet types and REST calls. Every money-moving
// POST carries an Idempotency-Key (see attempt.ts).
import { request, type Id } from '../api';
import type { Money } from './money';

export interface Party {
  id?: Id;
  username: string;
  display_name: string;
}

export type TxKind =
  | 'topup'
  | 'withdrawal'
  | 'transfer'
  | 'red_packet_send'
  | 'red_packet_claim'
  | 'red_packet_refund'
  | 'payment'
  | 'refund';

export interface Transaction {
  id: Id;
  kind: TxKind | string;
  amount: number;
  currency: string;
  direction: 'in' | 'out';
  counterparty: Party | null;
  note: string;
  /** held: screening matched a party, the money waits for an administrator's review (202); released it reads succeeded, rejected it reads rejected (and a review_return gives the money back). */
  status: 'succeeded' | 'pending' | 'failed' | 'held' | 'rejected' | string;
  /** A held movement's review id (and an order's or withdrawal's reference). */
  reference?: string;
  created_at: string;
}

/** Whether a transaction waits for a screening review. */
export const isHeld = (t: Pick<Transaction, 'status'> | null | undefined) => t?.status === 'held';

export interface Wallet {
  balances: Money[];
  pin_set: boolean;
}

export interface Claim {
  user: Party;
  amount: number;
  created_at: string;
}

export interface RedPacket {
  id: Id;
  conversation_id: Id;
  sender: Party;
  total: number;
  count: number;
  currency: string;
  greeting: string;
  split: 'lucky' | 'equal' | string;
  claimed_count: number;
  claimed_total: number;
  status: 'active' | 'empty' | 'expired' | 'refunded' | 'held' | string;
  expires_at: string;
  created_at: string;
  claims: Claim[];
  my_claim: number | null;
}

export interface NewRedPacket {
  total: number;
  count: number;
  currency: string;
  greeting: string;
  pin: string;
  split: 'lucky' | 'equal';
}

const enc = (id: Id) => encodeURIComponent(String(id));
const idem = (key: string) => ({ 'Idempotency-Key': key });

export const walletApi = {
  wallet: () => request<Wallet>('GET', '/api/v1/wallet'),

  setPin: (pin: string, password: string) => request<void>('PUT', '/api/v1/wallet/pin', { body: { pin, password } }),

  topup: (m: Money, key: string) =>
    request<{ transaction: Transaction }>('POST', '/api/v1/wallet/topups', { body: m, headers: idem(key) }),

  withdraw: (m: Money, pin: string, key: string) =>
    request<{ transaction: Transaction }>('POST', '/api/v1/wallet/withdrawals', {
      body: { ...m, pin },
      headers: idem(key),
    }),

  transfer: (body: { username: string; amount: number; currency: string; note: string; pin: string; accept_required?: boolean }, key: string) =>
    request<{ transaction: Transaction }>('POST', '/api/v1/wallet/transfers', { body, headers: idem(key) }),

  transactions: (cursor?: string | null, limit = 20) => {
    const p = new URLSearchParams({ limit: String(limit) });
    if (cursor) p.set('cursor', cursor);
    return request<{ items: Transaction[]; next_cursor?: string | null }>('GET', '/api/v1/wallet/transactions?' + p.toString());
  },

  transaction: (id: Id) => request<{ transaction: Transaction }>('GET', '/api/v1/wallet/transactions/' + enc(id)),

  sendRedPacket: (convId: Id, body: NewRedPacket, key: string) =>
    request<{ red_packet: RedPacket; message: import('../chat/api').Message }>(
      'POST',
      '/api/v1/conversations/' + enc(convId) + '/red-packets',
      { body, headers: idem(key) },
    ),

  claim: (id: Id, key: string) =>
    request<Money & { status?: 'held' }>('POST', '/api/v1/red-packets/' + enc(id) + '/claim', { headers: idem(key) }),

  redPacket: (id: Id) => request<{ red_packet: RedPacket }>('GET', '/api/v1/red-packets/' + enc(id)),
};
