import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api';
import { errorMessage } from '../api';
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
  const t = all[id];
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
      showToast(verb === 'accept' ? 'Accepted ' + transferAmount(r) + '.' : 'Returned ' + transferAmount(r) + ' to the sender.', 'success');
    } catch (err) {
      setError(errorMessage(err));
      void loadTransfer(id);
    }
    setBusy('');
  }

  let body;
  if (!t && missing) {
    body = <p class="inline-error">This transaction isn’t available.</p>;
  } else if (!t) {
    body = <Spinner label="Loading…" />;
  } else {
    body = <Details t={t} busy={busy} error={error} onDecide={decide} />;
  }
  return (
    <Page title="Transfer" back={backPath()} class="transaction-page">
      {body}
    </Page>
  );
}

/** Where the back chevron leads: the chat the card was in (?back=), else the wallet. */
function backPath(): string {
  const b = new URLSearchParams(window.location.search).get('back') ?? '';
  return b.startsWith('/') && !b.startsWith('//') ? b : '/wallet';
}

function Details({ t, busy, error, onDecide }: { t: TransferTx; busy: string; error: string; onDecide: (v: 'accept' | 'decline') => void }) {
  const mine = t.direction === 'out';
  const pending = t.status === 'pending_acceptance';
  const returned = t.status === 'returned' || t.status === 'rejected';
  const other = t.counterparty;
  const name = other ? other.display_name || other.username : '';
  const steps = transferTimeline(t);
  const tone = pending ? 'pending' : returned ? 'returned' : 'done';
  return (
    <div class="tx-details" id="transaction-details" data-status={t.status} data-transaction-id={String(t.id)}>
      <div class={'tx-hero tx-hero-' + tone}>
        <span class="tx-hero-icon" aria-hidden="true">
          {pending ? <TransferIcon size={30} /> : returned ? <RefundIcon size={30} /> : <CheckIcon size={30} />}
        </span>
        <div class="tx-hero-status" id="transaction-status">
          {transferStatusText(t)}
        </div>
        <div class="tx-hero-amount" id="transaction-amount">
          {transferAmount(t)}
        </div>
        {pending && !mine && (
          <div class="tx-actions">
            <button type="button" id="transfer-accept" class="button button-primary button-block" disabled={!!busy} onClick={() => onDecide('accept')}>
              {busy === 'accept' ? 'Accepting…' : 'Accept'}
            </button>
            <p class="tx-hint">
              Not for you?{' '}
              <button type="button" id="transfer-decline" class="link-button" disabled={!!busy} onClick={() => onDecide('decline')}>
                {busy === 'decline' ? 'Returning…' : 'Return it'}
              </button>
            </p>
          </div>
        )}
        {pending && mine && <p class="tx-hint" id="transfer-return-hint">It will be returned if not accepted within 24 hours.</p>}
        {pending && !mine && <p class="tx-hint">Accept within 24 hours, or it goes back to {name || 'the sender'}.</p>}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <ol class="tx-timeline" id="transaction-timeline" aria-label="Timeline">
        {steps.map((s, i) => (
          <li class={'tx-step tx-step-' + s.label.toLowerCase() + (i === steps.length - 1 ? ' last' : '')}>
            <span class="tx-step-dot" aria-hidden="true" />
            <span class="tx-step-label">{s.label}</span>
            <span class="tx-step-at">{s.at}</span>
          </li>
        ))}
        {pending && (
          <li class="tx-step waiting">
            <span class="tx-step-dot" aria-hidden="true" />
            <span class="tx-step-label">{mine ? 'Awaiting acceptance' : 'Awaiting you'}</span>
          </li>
        )}
      </ol>
      <div class="tx-facts">
        {other && (
          <div class="tx-fact">
            <span class="tx-fact-label">{mine ? 'To' : 'From'}</span>
            <span class="tx-fact-value tx-party">
              <Avatar username={other.username} name={other.display_name} size="sm" />
              <span>
                {name} <span class="muted">@{other.username}</span>
              </span>
            </span>
          </div>
        )}
        {t.note && (
          <div class="tx-fact">
            <span class="tx-fact-label">Note</span>
            <span class="tx-fact-value" id="transaction-note">
              {t.note}
            </span>
          </div>
        )}
        <div class="tx-fact">
          <span class="tx-fact-label">Transaction ID</span>
          <span class="tx-fact-value tx-id">{String(t.id)}</span>
        </div>
      </div>
    </div>
  );
}
