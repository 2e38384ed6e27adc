// The screening review queue (administrators only): movements held because
// a party matched a watch-list entry, released (paid on) or rejected
// (returned to the payer) with a note.
import { request } from '../api';
import { t } from '../i18n';

export type ReviewState = 'open' | 'released' | 'rejected';

export interface ReviewParty {
  type: 'user' | 'merchant' | string;
  id: string;
  name: string;
  country?: string;
}

export interface ReviewMatch {
  entry_id: string;
  name: string;
  score: number;
  program: string;
  list?: string;
  list_hash?: string;
}

export interface Review {
  id: string;
  state: ReviewState | string;
  /** transfer | red_packet | red_packet_claim | withdrawal | payment | merchant */
  kind: string;
  subject_type: string;
  subject_id: string;
  /** The party that matched, as it was screened. */
  subject: ReviewParty;
  counterparty: ReviewParty | null;
  amount: number;
  currency: string;
  reference?: string;
  transaction_id?: string;
  match: ReviewMatch;
  created_at: string;
  decided_by: string;
  /** The deciding administrator's username (absent while open). */
  decided_by_name?: string;
  decided_at: string | null;
  note: string;
}

const enc = encodeURIComponent;

export const reviewsApi = {
  list: (state: ReviewState | '', cursor?: string | null, limit = 50) => {
    const p = new URLSearchParams({ limit: String(limit) });
    if (state) p.set('state', state);
    if (cursor) p.set('cursor', cursor);
    return request<{ items: Review[]; next_cursor?: string | null }>('GET', '/api/v1/admin/reviews?' + p.toString());
  },
  release: (id: string, note: string) => request<{ review: Review }>('POST', '/api/v1/admin/reviews/' + enc(id) + '/release', { body: { note } }),
  reject: (id: string, note: string) => request<{ review: Review }>('POST', '/api/v1/admin/reviews/' + enc(id) + '/reject', { body: { note } }),
};

/** "0.93" → "93%". */
export const scorePercent = (score: number) => Math.round(score * 100) + '%';

/** What was held, in words. */
export function reviewWhat(r: Pick<Review, 'kind'>): string {
  switch (r.kind) {
    case 'transfer':
      return t('wallet.review.transfer');
    case 'red_packet':
      return t('wallet.review.red_packet');
    case 'red_packet_claim':
      return t('wallet.review.red_packet_claim');
    case 'withdrawal':
      return t('wallet.review.withdrawal');
    case 'payment':
      return t('wallet.review.payment');
    case 'merchant':
      return t('wallet.review.merchant');
    default:
      return r.kind;
  }
}

/** Open reviews first, then the decided, newest first within each. */
export function queueOrder(items: Review[]): Review[] {
  return [...items].sort((a, b) => {
    const ao = a.state === 'open' ? 0 : 1;
    const bo = b.state === 'open' ? 0 : 1;
    if (ao !== bo) return ao - bo;
    return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  });
}
