import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../../api';
import { showToast } from '../../toast';
import { Spinner } from '../../components/Spinner';
import { formatMoney } from '../../wallet/money';
import { dateTime, shortHash } from '../../trust/format';
import { queueOrder, reviewsApi, reviewWhat, scorePercent, type Review, type ReviewState } from '../../pay/reviews';
import { hasMessage, locale, t, tx } from '../../i18n';

const STATES: ReviewState[] = ['open', 'released', 'rejected'];

/** What was held, in the reader's language. */
function kindLabel(r: Review): string {
  const key = 'admin.payreviews.kind.' + r.kind;
  return hasMessage(key) ? t(key) : reviewWhat(r);
}

/** A review state's word ("open" / "待审核"), the code when unknown. */
function stateWord(s: string): string {
  const key = 'admin.payreviews.state_word.' + s;
  return hasMessage(key) ? t(key) : s;
}

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
    const what = locale.get() === 'en' ? kindLabel(r).toLowerCase() : kindLabel(r);
    showToast(t(r.state === 'released' ? 'admin.payreviews.released_toast' : 'admin.payreviews.rejected_toast', { what }), 'success');
    setItems((items ?? []).filter((x) => x.id !== r.id));
  }

  return (
    <div class="admin-screen" id="admin-reviews">
      <div class="admin-screen-head">
        <div>
          <h2 class="admin-h2">{t('admin.payreviews.title')}</h2>
          <p class="admin-sub">{t('admin.payreviews.sub')}</p>
        </div>
        <button type="button" class="button button-secondary button-small" id="reviews-refresh" onClick={() => setRefresh(refresh + 1)}>
          {t('admin.refresh')}
        </button>
      </div>
      <div class="admin-tabs" role="tablist">
        {STATES.map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            id={'reviews-tab-' + s}
            aria-selected={state === s}
            class={'admin-tab' + (state === s ? ' active' : '')}
            onClick={() => setState(s)}
          >
            {t(`admin.payreviews.state.${s}`)}
          </button>
        ))}
      </div>
      {error && <p class="form-error">{error}</p>}
      {!items && !error && <Spinner label={t('admin.payreviews.loading')} />}
      {items && items.length === 0 && (
        <div class="admin-empty" id="reviews-empty">
          {t(`admin.payreviews.empty.${state}`)}
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
          {t('admin.load_more')}
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
          {kindLabel(r)}
          {r.amount > 0 && <span class="review-amount">{formatMoney(r.amount, r.currency)}</span>}
        </span>
        <span class={'state-pill state-' + r.state}>{stateWord(r.state)}</span>
      </div>
      <div class="review-sides">
        <dl class="verify-facts review-party">
          <dt>{t('admin.payreviews.party')}</dt>
          <dd class="cell-strong">{r.subject.name}</dd>
          <dt>{t('admin.payreviews.type')}</dt>
          <dd>
            {r.subject_type} · <code>{r.subject_id}</code>
          </dd>
          <dt>{t('admin.payreviews.region')}</dt>
          <dd>{r.subject.country || '—'}</dd>
          {r.counterparty && (
            <>
              <dt>{t('admin.payreviews.other_side')}</dt>
              <dd>{r.counterparty.name || r.counterparty.id}</dd>
            </>
          )}
          <dt>{t('admin.payreviews.held')}</dt>
          <dd>{dateTime(r.created_at)}</dd>
        </dl>
        <dl class="verify-facts review-match">
          <dt>{t('admin.payreviews.entry')}</dt>
          <dd class="cell-strong">{r.match.name}</dd>
          <dt>{t('admin.payreviews.score')}</dt>
          <dd class="review-score">{scorePercent(r.match.score)}</dd>
          <dt>{t('admin.payreviews.program')}</dt>
          <dd>{r.match.program || '—'}</dd>
          <dt>{t('admin.payreviews.list_entry')}</dt>
          <dd>
            <code>{r.match.entry_id}</code>
            {r.match.list ? ' · ' + r.match.list : ''}
          </dd>
          <dt>{t('admin.payreviews.list_hash')}</dt>
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
            {t('admin.payreviews.note')}
          </label>
          <textarea
            id={'review-note-' + r.id}
            class="field-input review-note"
            rows={2}
            maxLength={500}
            value={note}
            onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
            placeholder={t('admin.payreviews.note_hint')}
          />
          {error && (
            <div class="field-error" role="alert">
              {error}
            </div>
          )}
          <div class="admin-dialog-actions">
            <button type="button" class="button button-danger review-reject" disabled={busy} onClick={() => void decide(false)}>
              {t('admin.payreviews.reject')}
            </button>
            <button type="button" class="button button-primary review-release" disabled={busy} onClick={() => void decide(true)}>
              {t('admin.payreviews.release')}
            </button>
          </div>
        </div>
      ) : (
        <p class="review-decision cell-muted">
          {tx(r.state === 'released' ? 'admin.payreviews.released_by' : 'admin.payreviews.rejected_by', {
            name: <strong>{r.decided_by_name || r.decided_by}</strong>,
            date: dateTime(r.decided_at),
          })}
          {r.note ? t('admin.payreviews.note_suffix', { note: r.note }) : ''}
        </p>
      )}
    </div>
  );
}
