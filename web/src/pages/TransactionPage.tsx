import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api';
import { errorMessage } from '../api';
import { t } from '../i18n';
import { useStore } from '../store';
import { showToast } from '../toast';
import { Page } from '../components/Page';
import { Spinner } from '../components/Spinner';
import { Avatar } from '../components/Avatar';
import { CheckIcon, RefundIcon, TransferIcon } from '../components/Icons';
import { afterPayment } from '../wallet/store';
import {
  acceptTransfer,
  declineTransfer,
  loadTransfer,
  transferAmount,
  transferStatusText,
  transferTimeline,
  transfers,
  type TransferTx,
} from '../wallet/transfers';

/**
 * A transaction's details (what a chat transfer card opens): the amount,
 * its status with a timeline ("Sent 10:02 · Accepted 10:05"), the note,
 * the other person and the id; for a payee still to accept, Accept and
 * Return; for a payer waiting, when it comes back.
 */
export function TransactionPage({ id }: { id: string; user: User }) {
  const all = useStore(transfers);
  const tx = all[id];
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState<'' | 'accept' | 'decline'>('');
  const [error, setError] = useState('');

  useEffect(() => {
    void loadTransfer(id).then((x) => setMissing(!x));
  }, [id]);

  async function decide(verb: 'accept' | 'decline') {
    if (busy) return;
    setBusy(verb);
    setError('');
    try {
      const r = verb === 'accept' ? await acceptTransfer(id) : await declineTransfer(id);
      afterPayment();
      showToast(t(verb === 'accept' ? 'wallet.details.accepted_toast' : 'wallet.details.returned_toast', { amount: transferAmount(r) }), 'success');
    } catch (err) {
      setError(errorMessage(err));
      void loadTransfer(id);
    }
    setBusy('');
  }

  let body;
  if (!tx && missing) {
    body = <p class="inline-error">{t('wallet.details.unavailable')}</p>;
  } else if (!tx) {
    body = <Spinner label={t('common.loading')} />;
  } else {
    body = <Details tx={tx} busy={busy} error={error} onDecide={decide} />;
  }
  return (
    <Page title={t('wallet.transfer.noun')} back={backPath()} class="transaction-page">
      {body}
    </Page>
  );
}

/** Where the back chevron leads: the chat the card was in (?back=), else the wallet. */
function backPath(): string {
  const b = new URLSearchParams(window.location.search).get('back') ?? '';
  return b.startsWith('/') && !b.startsWith('//') ? b : '/wallet';
}

function Details({ tx, busy, error, onDecide }: { tx: TransferTx; busy: string; error: string; onDecide: (v: 'accept' | 'decline') => void }) {
  const mine = tx.direction === 'out';
  const pending = tx.status === 'pending_acceptance';
  const returned = tx.status === 'returned' || tx.status === 'rejected';
  const other = tx.counterparty;
  const name = other ? other.display_name || other.username : '';
  const steps = transferTimeline(tx);
  const tone = pending ? 'pending' : returned ? 'returned' : 'done';
  return (
    <div class="tx-details" id="transaction-details" data-status={tx.status} data-transaction-id={String(tx.id)}>
      <div class={'tx-hero tx-hero-' + tone}>
        <span class="tx-hero-icon" aria-hidden="true">
          {pending ? <TransferIcon size={30} /> : returned ? <RefundIcon size={30} /> : <CheckIcon size={30} />}
        </span>
        <div class="tx-hero-status" id="transaction-status">
          {transferStatusText(tx)}
        </div>
        <div class="tx-hero-amount" id="transaction-amount">
          {transferAmount(tx)}
        </div>
        {pending && !mine && (
          <div class="tx-actions">
            <button type="button" id="transfer-accept" class="button button-primary button-block" disabled={!!busy} onClick={() => onDecide('accept')}>
              {t(busy === 'accept' ? 'wallet.details.accepting' : 'wallet.details.accept')}
            </button>
            <p class="tx-hint">
              {t('wallet.details.not_for_you')}{' '}
              <button type="button" id="transfer-decline" class="link-button" disabled={!!busy} onClick={() => onDecide('decline')}>
                {t(busy === 'decline' ? 'wallet.details.returning' : 'wallet.details.return_it')}
              </button>
            </p>
          </div>
        )}
        {pending && mine && <p class="tx-hint" id="transfer-return-hint">{t('wallet.details.return_hint')}</p>}
        {pending && !mine && <p class="tx-hint">{t('wallet.details.accept_hint', { name: name || t('wallet.details.the_sender') })}</p>}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <ol class="tx-timeline" id="transaction-timeline" aria-label={t('wallet.details.timeline')}>
        {steps.map((s, i) => (
          <li class={'tx-step tx-step-' + s.key + (i === steps.length - 1 ? ' last' : '')}>
            <span class="tx-step-dot" aria-hidden="true" />
            <span class="tx-step-label">{s.label}</span>
            <span class="tx-step-at">{s.at}</span>
          </li>
        ))}
        {pending && (
          <li class="tx-step waiting">
            <span class="tx-step-dot" aria-hidden="true" />
            <span class="tx-step-label">{t(mine ? 'wallet.details.awaiting_acceptance' : 'wallet.details.awaiting_you')}</span>
          </li>
        )}
      </ol>
      <div class="tx-facts">
        {other && (
          <div class="tx-fact">
            <span class="tx-fact-label">{t(mine ? 'wallet.details.to' : 'wallet.details.from')}</span>
            <span class="tx-fact-value tx-party">
              <Avatar username={other.username} name={other.display_name} size="sm" />
              <span>
                {name} <span class="muted">@{other.username}</span>
              </span>
            </span>
          </div>
        )}
        {tx.note && (
          <div class="tx-fact">
            <span class="tx-fact-label">{t('wallet.details.note')}</span>
            <span class="tx-fact-value" id="transaction-note">
              {tx.note}
            </span>
          </div>
        )}
        <div class="tx-fact">
          <span class="tx-fact-label">{t('wallet.details.id')}</span>
          <span class="tx-fact-value tx-id">{String(tx.id)}</span>
        </div>
      </div>
    </div>
  );
}
