import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { useStore } from '../../store';
import type { Transaction } from '../../wallet/api';
import { formatSigned } from '../../wallet/money';
import { history, loadMoreHistory, refreshHistoryHead } from '../../wallet/store';
import { Spinner } from '../Spinner';
import { navigate } from '../../router';
import { BagIcon, RedPacketIcon, RefundIcon, TopUpIcon, TransferIcon, WithdrawIcon } from '../Icons';
import { activatable } from '../dialogFocus';

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Mar 4, 14:05" (with the year when it isn't this year). */
export function txTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const day = MONTHS[d.getMonth()] + ' ' + d.getDate() + (d.getFullYear() !== now.getFullYear() ? ', ' + d.getFullYear() : '');
  return day + ', ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

/** "Transfer to Bob Smith", "Top up", "Red packet from Carol"… */
export function txTitle(t: Transaction): string {
  const who = t.counterparty ? t.counterparty.display_name || t.counterparty.username : '';
  switch (t.kind) {
    case 'topup':
      return 'Top up';
    case 'withdrawal':
      return 'Withdrawal to bank card';
    case 'transfer':
      return who ? (t.direction === 'in' ? 'Transfer from ' : 'Transfer to ') + who : 'Transfer';
    case 'red_packet_send':
      return 'Red packet sent';
    case 'red_packet_claim':
      return who ? 'Red packet from ' + who : 'Red packet received';
    case 'red_packet_refund':
      return 'Red packet refund';
    case 'payment':
      return who ? 'Payment to ' + who : 'Payment';
    case 'refund':
      return who ? 'Refund from ' + who : 'Refund';
    case 'review_return':
      return 'Returned after review';
    case 'transfer_return':
      return who ? 'Returned: transfer to ' + who : 'Transfer returned';
    default:
      return who || 'Transaction';
  }
}

function TxIcon({ kind }: { kind: string }) {
  let color = 'green';
  let icon: ComponentChildren = <TopUpIcon size={22} />;
  if (kind === 'withdrawal') {
    color = 'blue';
    icon = <WithdrawIcon size={22} />;
  } else if (kind === 'transfer' || kind === 'transfer_return') {
    color = 'orange';
    icon = <TransferIcon size={22} />;
  } else if (kind.startsWith('red_packet')) {
    color = 'red';
    icon = kind === 'red_packet_refund' ? <RefundIcon size={22} /> : <RedPacketIcon size={22} />;
  } else if (kind === 'payment') {
    color = 'indigo';
    icon = <BagIcon size={22} />;
  } else if (kind === 'refund') {
    color = 'teal';
    icon = <RefundIcon size={22} />;
  }
  return <span class={'tx-icon tx-icon-' + color}>{icon}</span>;
}

export function TxRow({ t }: { t: Transaction }) {
  const state =
    t.status === 'pending' ? 'Pending' : t.status === 'failed' ? 'Failed' : t.status === 'held' ? 'Held for review' : t.status === 'rejected' ? 'Rejected' : t.status === 'pending_acceptance' ? 'Awaiting acceptance' : t.status === 'returned' ? 'Returned' : '';
  return (
    <div
      class={'tx-row tx-' + t.direction + (state ? ' tx-' + t.status : '') + (t.kind === 'transfer' ? ' tx-row-link' : '')}
      data-transaction-id={String(t.id)}
      data-kind={t.kind}
      data-direction={t.direction}
      onClick={t.kind === 'transfer' ? () => navigate('/wallet/transactions/' + encodeURIComponent(String(t.id))) : undefined}
      {...(t.kind === 'transfer' ? activatable(() => navigate('/wallet/transactions/' + encodeURIComponent(String(t.id)))) : {})}
    >
      <TxIcon kind={t.kind} />
      <span class="tx-main">
        <span class="tx-title">{txTitle(t)}</span>
        <span class="tx-sub">
          {txTime(t.created_at)}
          {t.note ? ' · ' + t.note : ''}
        </span>
      </span>
      <span class="tx-side">
        <span class="tx-amount">{formatSigned(t.amount, t.currency, t.direction)}</span>
        {state && <span class="tx-state">{state}</span>}
      </span>
    </div>
  );
}

/** Newest first; loads the next page when the end scrolls into view. */
export function TxList() {
  const h = useStore(history);
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (history.get().items === null) void loadMoreHistory();
    else void refreshHistoryHead();
  }, []);

  // Pending withdrawals settle on the rail without a balance change: poll while any shows.
  const pending = h.items?.some((t) => t.status === 'pending' || t.status === 'held') ?? false;
  useEffect(() => {
    if (!pending) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void refreshHistoryHead();
    }, 5000);
    return () => window.clearInterval(timer);
  }, [pending]);

  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return undefined;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void loadMoreHistory();
      },
      { rootMargin: '200px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [h.items?.length, h.done]);

  if (h.items === null) {
    return h.error ? (
      <div class="inline-error">
        <p>{h.error}</p>
        <button type="button" class="button button-secondary button-small" onClick={() => void loadMoreHistory()}>
          Try again
        </button>
      </div>
    ) : (
      <Spinner label="Loading transactions…" />
    );
  }
  if (h.items.length === 0) {
    return <p class="list-empty tx-empty">No transactions yet. Top up to get started.</p>;
  }
  return (
    <div class="tx-list" id="wallet-transactions">
      {h.items.map((t) => (
        <TxRow key={String(t.id)} t={t} />
      ))}
      {!h.done && (
        <div class="tx-more" ref={sentinel}>
          {h.error ? (
            <button type="button" class="link-button" onClick={() => void loadMoreHistory()}>
              {h.error} Try again
            </button>
          ) : h.loading ? (
            <span class="spinner spinner-small" aria-label="Loading more" />
          ) : (
            <button type="button" class="link-button" onClick={() => void loadMoreHistory()}>
              Load more
            </button>
          )}
        </div>
      )}
      {h.done && h.items.length > 8 && <p class="list-footer">That’s everything.</p>}
    </div>
  );
}
