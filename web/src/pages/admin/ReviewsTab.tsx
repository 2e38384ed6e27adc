import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../../api';
import { showToast } from '../../toast';
import { Spinner } from '../../components/Spinner';
import { formatMoney } from '../../wallet/money';
import { dateTime, shortHash } from '../../trust/format';
import { queueOrder, reviewsApi, reviewWhat, scorePercent, type Review, type ReviewState } from '../../pay/reviews';

const STATES: { id: ReviewState; label: string }[] = [
  { id: 'open', label: 'Open' },
  { id: 'released', label: 'Released' },
  { id: 'rejected', label: 'Rejected' },
];

/** The screening review queue: held movements, the match beside the party, released or rejected with a note. */
export function ReviewsTab() {
  const [state, setState] = useState<ReviewState>('open');
  const [items, setItems] = useState<Review[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    let live = true;
    setItems(null);
    setError('');
    reviewsApi.list(state).then(
      (r) => {
        if (!live) return;
        setItems(queueOrder(r.items ?? []));
        setNext(r.next_cursor || null);
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [state, refresh]);

  async function more() {
    if (!next) return;
    try {
      const r = await reviewsApi.list(state, next);
      setItems([...(items ?? []), ...(r.items ?? [])]);
      setNext(r.next_cursor || null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  function decided(r: Review) {
    showToast((r.state === 'released' ? 'Released ' : 'Rejected ') + reviewWhat(r).toLowerCase() + '.', 'success');
    setItems((items ?? []).filter((x) => x.id !== r.id));
  }

  return (
    <div class="admin-screen" id="admin-reviews">
      <div class="admin-screen-head">
        <div>
          <h2 class="admin-h2">Reviews</h2>
          <p class="admin-sub">Payments held because a party matched a watch-list entry. Release pays them on; reject returns the money to the payer.</p>
        </div>
        <button type="button" class="button button-secondary button-small" id="reviews-refresh" onClick={() => setRefresh(refresh + 1)}>
          Refresh
        </button>
      </div>
      <div class="admin-tabs" role="tablist">
        {STATES.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            id={'reviews-tab-' + s.id}
            aria-selected={state === s.id}
            class={'admin-tab' + (state === s.id ? ' active' : '')}
            onClick={() => setState(s.id)}
          >
            {s.label}
          </button>
        ))}
      </div>
      {error && <p class="form-error">{error}</p>}
      {!items && !error && <Spinner label="Loading reviews…" />}
      {items && items.length === 0 && (
        <div class="admin-empty" id="reviews-empty">
          No {state} reviews.
        </div>
      )}
      {items && items.length > 0 && (
        <div class="review-list" id="reviews-list">
          {items.map((r) => (
            <ReviewCard key={r.id} r={r} onDecided={decided} />
          ))}
        </div>
      )}
      {next && (
        <button type="button" class="button button-secondary button-small admin-more" onClick={more}>
          Load more
        </button>
      )}
    </div>
  );
}

function ReviewCard({ r, onDecided }: { r: Review; onDecided: (r: Review) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const open = r.state === 'open';

  async function decide(release: boolean) {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const got = release ? await reviewsApi.release(r.id, note.trim()) : await reviewsApi.reject(r.id, note.trim());
      onDecided(got.review);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="admin-card review-card" data-id={r.id} data-state={r.state}>
      <div class="admin-card-title">
        <span class="review-what">
          {reviewWhat(r)}
          {r.amount > 0 && <span class="review-amount">{formatMoney(r.amount, r.currency)}</span>}
        </span>
        <span class={'state-pill state-' + r.state}>{r.state}</span>
      </div>
      <div class="review-sides">
        <dl class="verify-facts review-party">
          <dt>Party</dt>
          <dd class="cell-strong">{r.subject.name}</dd>
          <dt>Type</dt>
          <dd>
            {r.subject_type} · <code>{r.subject_id}</code>
          </dd>
          <dt>Region</dt>
          <dd>{r.subject.country || '—'}</dd>
          {r.counterparty && (
            <>
              <dt>Other side</dt>
              <dd>{r.counterparty.name || r.counterparty.id}</dd>
            </>
          )}
          <dt>Held</dt>
          <dd>{dateTime(r.created_at)}</dd>
        </dl>
        <dl class="verify-facts review-match">
          <dt>Entry</dt>
          <dd class="cell-strong">{r.match.name}</dd>
          <dt>Score</dt>
          <dd class="review-score">{scorePercent(r.match.score)}</dd>
          <dt>Program</dt>
          <dd>{r.match.program || '—'}</dd>
          <dt>List entry</dt>
          <dd>
            <code>{r.match.entry_id}</code>
            {r.match.list ? ' · ' + r.match.list : ''}
          </dd>
          <dt>List hash</dt>
          <dd>
            <code class="hash" title={r.match.list_hash}>
              {r.match.list_hash ? shortHash(r.match.list_hash) : '—'}
            </code>
          </dd>
        </dl>
      </div>
      {open ? (
        <div class="review-decide">
          <label class="form-label" for={'review-note-' + r.id}>
            Note
          </label>
          <textarea
            id={'review-note-' + r.id}
            class="field-input review-note"
            rows={2}
            maxLength={500}
            value={note}
            onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
            placeholder="Why: e.g. a different person, date of birth differs"
          />
          {error && (
            <div class="field-error" role="alert">
              {error}
            </div>
          )}
          <div class="admin-dialog-actions">
            <button type="button" class="button button-danger review-reject" disabled={busy} onClick={() => void decide(false)}>
              Reject (return to payer)
            </button>
            <button type="button" class="button button-primary review-release" disabled={busy} onClick={() => void decide(true)}>
              Release
            </button>
          </div>
        </div>
      ) : (
        <p class="review-decision cell-muted">
          {r.state === 'released' ? 'Released' : 'Rejected'} by <strong>{r.decided_by_name || r.decided_by}</strong> on {dateTime(r.decided_at)}
          {r.note ? ': ' + r.note : ''}
        </p>
      )}
    </div>
  );
}
