import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../../api';
import { createStore, useStore } from '../../store';
import { showToast } from '../../toast';
import { Spinner } from '../../components/Spinner';
import { Avatar } from '../../components/Avatar';
import { dateTime } from '../../trust/format';
import {
  ago,
  badgeText,
  formatSize,
  mergePage,
  rejectReasonError,
  reviewApi,
  reviewKey,
  sortReviews,
  type AppReview,
  type ReviewState,
} from '../../miniapp/review';
import { t, tx } from '../../i18n';

const STATES: ReviewState[] = ['pending', 'approved', 'rejected'];

/** Pending reviews for the console's badge: {count, more}, null until loaded. */
export const pendingReviews = createStore<{ count: number; more: boolean } | null>(null);

/** Counts the pending queue (one page of up to 100) for the badge. */
export function loadPendingCount(): void {
  reviewApi.list('pending', '', 100).then(
    (r) => pendingReviews.set({ count: r.items?.length ?? 0, more: !!r.next_cursor }),
    () => undefined, // the route may be missing on an older server: no badge
  );
}

/** The pending count badge beside the console's nav item. */
export function PendingBadge() {
  const p = useStore(pendingReviews);
  useEffect(loadPendingCount, []);
  const text = p ? badgeText(p.count, p.more) : '';
  if (!text) return null;
  return (
    <span class="admin-badge" id="reviews-badge" aria-label={t('admin.appreviews.badge', { text })}>
      {text}
    </span>
  );
}

/** Administrators' queue of submitted mini-program versions, with approve and reject, and the history. */
export function AppReviewsScreen() {
  const [state, setState] = useState<ReviewState>('pending');
  const [items, setItems] = useState<AppReview[] | null>(null);
  const [next, setNext] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
  const [rejecting, setRejecting] = useState<AppReview | null>(null);
  const pending = useStore(pendingReviews);

  useEffect(() => {
    let live = true;
    setItems(null);
    setError('');
    reviewApi.list(state).then(
      (r) => {
        if (!live) return;
        setItems(sortReviews(r.items ?? [], state));
        setNext(r.next_cursor ?? '');
        if (state === 'pending' && !r.next_cursor) pendingReviews.set({ count: r.items?.length ?? 0, more: false });
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [state]);

  async function more() {
    try {
      const r = await reviewApi.list(state, next);
      setItems(sortReviews(mergePage(items ?? [], r.items ?? []), state));
      setNext(r.next_cursor ?? '');
    } catch (err) {
      showToast(errorMessage(err), 'error');
    }
  }

  function decided(r: AppReview) {
    setItems((xs) => (xs ?? []).filter((x) => reviewKey(x) !== reviewKey(r)));
    loadPendingCount();
  }

  async function approve(r: AppReview) {
    if (busy) return;
    setBusy(reviewKey(r));
    try {
      await reviewApi.approve(r.appid, r.version);
      showToast(t('admin.appreviews.approved', { name: r.app_name, version: String(r.version) }));
      decided(r);
    } catch (err) {
      showToast(errorMessage(err), 'error');
    } finally {
      setBusy('');
    }
  }

  const history = state !== 'pending';
  return (
    <div class="admin-screen" id="admin-app-reviews">
      <div class="admin-screen-head">
        <div>
          <h2 class="admin-h2">{t('admin.appreviews.title')}</h2>
          <p class="admin-sub">{t('admin.appreviews.sub')}</p>
        </div>
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
            <span class={'state-dot review-dot-' + s} />
            {t(`admin.appreviews.tab.${s}`)}
            {s === 'pending' && pending && badgeText(pending.count, pending.more) && (
              <span class="admin-tab-count" id="reviews-tab-count">
                {badgeText(pending.count, pending.more)}
              </span>
            )}
          </button>
        ))}
      </div>
      {error && <p class="form-error">{error}</p>}
      {!items && !error && <Spinner label={t('admin.appreviews.loading')} />}
      {items && items.length === 0 && (
        <div class="admin-empty" id="reviews-empty">
          {t(`admin.appreviews.empty.${state}`)}
        </div>
      )}
      {items && items.length > 0 && (
        <div class="admin-table-wrap">
          <table class="admin-table review-table" id="reviews-table" data-state={state}>
            <thead>
              <tr>
                <th>{t('admin.appreviews.col.app')}</th>
                <th>{t('admin.appreviews.col.developer')}</th>
                <th class="num">{t('admin.appreviews.col.version')}</th>
                <th class="num">{t('admin.appreviews.col.size')}</th>
                <th>{t('admin.appreviews.col.submitted')}</th>
                {history ? (
                  <>
                    <th>{t('admin.appreviews.col.decided')}</th>
                    <th>{t('admin.appreviews.col.reason')}</th>
                  </>
                ) : (
                  <th />
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <ReviewRow key={reviewKey(r)} r={r} history={history} busy={busy === reviewKey(r)} onApprove={() => void approve(r)} onReject={() => setRejecting(r)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" class="button button-secondary button-small admin-more" id="reviews-more" onClick={more}>
          {t('admin.load_more')}
        </button>
      )}
      {rejecting && (
        <RejectDialog
          review={rejecting}
          onClose={() => setRejecting(null)}
          onRejected={() => {
            showToast(t('admin.appreviews.rejected', { name: rejecting.app_name, version: String(rejecting.version) }));
            decided(rejecting);
            setRejecting(null);
          }}
        />
      )}
    </div>
  );
}

function ReviewRow({ r, history, busy, onApprove, onReject }: { r: AppReview; history: boolean; busy: boolean; onApprove: () => void; onReject: () => void }) {
  const now = new Date();
  const dev = r.developer?.display_name || r.developer?.username || r.developer?.id || '—';
  return (
    <tr class="review-row" data-appid={r.appid} data-version={r.version} data-state={r.state}>
      <td data-label={t('admin.appreviews.col.app')} class="review-app-cell">
        <div class="review-app">
          <Avatar username={r.appid} name={r.app_name} size="sm" />
          <div>
            <div class="cell-strong review-app-name">{r.app_name || r.appid}</div>
            <div class="cell-muted">
              <code>{r.appid}</code>
            </div>
            {r.description && <div class="cell-muted review-desc">{r.description}</div>}
          </div>
        </div>
      </td>
      <td data-label={t('admin.appreviews.col.developer')} class="review-cell">
        <div class="review-dev">{dev}</div>
        {r.developer?.username && <div class="cell-muted">@{r.developer.username}</div>}
      </td>
      <td data-label={t('admin.appreviews.col.version')} class="review-cell num review-version">
        {r.version}
      </td>
      <td data-label={t('admin.appreviews.col.size')} class="review-cell num nowrap review-size">
        {formatSize(r.size)}
      </td>
      <td data-label={t('admin.appreviews.col.submitted')} class="review-cell nowrap">
        <div>{dateTime(r.submitted_at)}</div>
        <div class="cell-muted">{ago(r.submitted_at, now)}</div>
      </td>
      {history ? (
        <>
          <td data-label={t('admin.appreviews.col.decided')} class="review-cell review-decided">
            <div class={'state-pill review-pill-' + r.state}>{t(`admin.appreviews.tab.${r.state}`)}</div>
            <div>{dateTime(r.reviewed_at)}</div>
            {r.reviewed_by && (
              <div class="cell-muted">
                {tx('admin.appreviews.by', {
                  name: (
                    <strong class="review-by" title={r.reviewed_by}>
                      {r.reviewer ? (r.reviewer.display_name || r.reviewer.username) + ' (@' + r.reviewer.username + ')' : r.reviewed_by}
                    </strong>
                  ),
                })}
              </div>
            )}
          </td>
          <td data-label={t('admin.appreviews.col.reason')} class="review-cell reason-cell review-reason">
            {r.reason || <span class="cell-muted">—</span>}
          </td>
        </>
      ) : (
        <td class="actions-cell review-actions">
          <button type="button" class="button button-primary button-small review-approve" disabled={busy} onClick={onApprove}>
            {t('admin.appreviews.approve')}
          </button>
          <button type="button" class="button button-ghost-danger button-small review-reject" disabled={busy} onClick={onReject}>
            {t('admin.appreviews.reject')}
          </button>
        </td>
      )}
    </tr>
  );
}

function RejectDialog({ review, onClose, onRejected }: { review: AppReview; onClose: () => void; onRejected: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    box.current?.focus();
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  async function confirm(e: Event) {
    e.preventDefault();
    if (busy) return;
    const text = box.current?.value ?? reason;
    const bad = rejectReasonError(text);
    setError(bad);
    if (bad) return;
    setBusy(true);
    try {
      await reviewApi.reject(review.appid, review.version, text.trim());
      onRejected();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const dev = review.developer?.display_name || review.developer?.username || '—';
  return (
    <div class="admin-dialog-layer">
      <div class="admin-dialog-backdrop" onClick={onClose} />
      <div class="admin-dialog" role="dialog" aria-modal="true" aria-label={t('admin.appreviews.reject_title')} id="review-reject-dialog">
        <div class="admin-dialog-head">
          <h3>{t('admin.appreviews.reject_title')}</h3>
          <button type="button" class="icon-button" aria-label={t('common.close')} onClick={onClose}>
            ×
          </button>
        </div>
        <form onSubmit={confirm} class="cancel-form" noValidate>
          <p class="cancel-summary">{t('admin.appreviews.reject_summary', { name: review.app_name, version: String(review.version), dev })}</p>
          <label class="form-label" for="review-reason">
            {t('admin.appreviews.reason')}
          </label>
          <textarea
            id="review-reason"
            ref={box}
            class="field-input"
            rows={3}
            value={reason}
            onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
            placeholder={t('admin.appreviews.reason_hint')}
          />
          {error && (
            <div class="field-error" data-field="reason" role="alert">
              {error}
            </div>
          )}
          <div class="admin-dialog-actions">
            <button type="button" class="button button-secondary" onClick={onClose}>
              {t('admin.appreviews.keep')}
            </button>
            <button type="submit" class="button button-danger" id="review-reject-confirm" disabled={busy}>
              {busy ? t('admin.appreviews.rejecting') : t('admin.appreviews.confirm_reject')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
