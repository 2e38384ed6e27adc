import { useEffect, useRef } from 'preact/hooks';
import { Fragment, type ComponentChildren } from 'preact';
import { useStore } from '../../store';
import type { Transaction } from '../../wallet/api';
import { formatSigned } from '../../wallet/money';
import { history, loadMoreHistory, refreshHistoryHead } from '../../wallet/store';
import { Spinner } from '../Spinner';
import { navigate } from '../../router';
import { BagIcon, RedPacketIcon, RefundIcon, TopUpIcon, TransferIcon, WithdrawIcon } from '../Icons';
import { fmtDate, fmtTime, t, type MessageKey } from '../../i18n';
import { activatable } from '../dialogFocus';

/** "Mar 4, 14:05" / "3月4日 14:05" (with the year when it isn't this year). */
export function txTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const day = fmtDate(d, d.getFullYear() !== now.getFullYear() ? { year: 'numeric', month: 'short', day: 'numeric' } : { month: 'short', day: 'numeric' });
  return t('wallet.tx.when', { day, time: fmtTime(d) });
}

/** The statement's month heading: "November 2026" / "2026年11月"; "" for a bad date. */
export function txMonth(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return fmtDate(d, { year: 'numeric', month: 'long' });
}

/** "Transfer to Bob Smith", "Top up", "Red packet from Carol"… */
export function txTitle(tx: Transaction): string {
  const who = tx.counterparty ? tx.counterparty.display_name || tx.counterparty.username : '';
  const named = (withName: MessageKey, without: MessageKey) => (who ? t(withName, { name: who }) : t(without));
  switch (tx.kind) {
    case 'topup':
      return t('wallet.tx.topup');
    case 'withdrawal':
      return t('wallet.tx.withdrawal');
    case 'transfer':
      return named(tx.direction === 'in' ? 'wallet.tx.transfer_from' : 'wallet.tx.transfer_to', 'wallet.tx.transfer');
    case 'red_packet_send':
      return t('wallet.tx.red_packet_sent');
    case 'red_packet_claim':
      return named('wallet.tx.red_packet_from', 'wallet.tx.red_packet_received');
    case 'red_packet_refund':
      return t('wallet.tx.red_packet_refund');
    case 'payment':
      return named('wallet.tx.payment_to', 'wallet.tx.payment');
    case 'refund':
      return named('wallet.tx.refund_from', 'wallet.tx.refund');
    case 'review_return':
      return t('wallet.tx.review_return');
    case 'transfer_return':
      return named('wallet.tx.transfer_return_to', 'wallet.tx.transfer_return');
    default:
      return who || t('wallet.tx.other');
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

const STATES: Record<string, MessageKey> = {
  pending: 'wallet.tx.state.pending',
  failed: 'wallet.tx.state.failed',
  held: 'wallet.tx.state.held',
  rejected: 'wallet.tx.state.rejected',
  pending_acceptance: 'wallet.tx.state.pending_acceptance',
  returned: 'wallet.tx.state.returned',
};

/** The words beside the amount for a movement that is not simply done ("" when it is). */
export function txState(status: string): string {
  const key = STATES[status];
  return key ? t(key) : '';
}

export function TxRow({ t: tx }: { t: Transaction }) {
  const state = txState(tx.status);
  return (
    <div
      class={'tx-row tx-' + tx.direction + (state ? ' tx-' + tx.status : '') + (tx.kind === 'transfer' ? ' tx-row-link' : '')}
      data-transaction-id={String(tx.id)}
      data-kind={tx.kind}
      data-direction={tx.direction}
      onClick={tx.kind === 'transfer' ? () => navigate('/wallet/transactions/' + encodeURIComponent(String(tx.id))) : undefined}
      {...(tx.kind === 'transfer' ? activatable(() => navigate('/wallet/transactions/' + encodeURIComponent(String(tx.id)))) : {})}
    >
      <TxIcon kind={tx.kind} />
      <span class="tx-main">
        <span class="tx-title">{txTitle(tx)}</span>
        <span class="tx-sub">
          {txTime(tx.created_at)}
          {tx.note ? ' · ' + tx.note : ''}
        </span>
      </span>
      <span class="tx-side">
        <span class="tx-amount">{formatSigned(tx.amount, tx.currency, tx.direction)}</span>
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
          {t('common.retry')}
        </button>
      </div>
    ) : (
      <Spinner label={t('wallet.tx.loading')} />
    );
  }
  if (h.items.length === 0) {
    return <p class="list-empty tx-empty">{t('wallet.tx.empty')}</p>;
  }
  return (
    <div class="tx-list" id="wallet-transactions">
      {h.items.map((tx, i) => {
        const month = txMonth(tx.created_at);
        const head = month !== '' && (i === 0 || txMonth(h.items![i - 1].created_at) !== month);
        return (
          <Fragment key={String(tx.id)}>
            {head && <div class="cell-group-title tx-month">{month}</div>}
            <TxRow t={tx} />
          </Fragment>
        );
      })}
      {!h.done && (
        <div class="tx-more" ref={sentinel}>
          {h.error ? (
            <button type="button" class="link-button" onClick={() => void loadMoreHistory()}>
              {h.error} {t('common.retry')}
            </button>
          ) : h.loading ? (
            <span class="spinner spinner-small" aria-label={t('wallet.tx.loading_more')} />
          ) : (
            <button type="button" class="link-button" onClick={() => void loadMoreHistory()}>
              {t('wallet.tx.load_more')}
            </button>
          )}
        </div>
      )}
      {h.done && h.items.length > 8 && <p class="list-footer">{t('wallet.tx.end')}</p>}
    </div>
  );
}
