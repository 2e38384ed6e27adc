import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../../api';
import { showToast } from '../../toast';
import { Spinner } from '../../components/Spinner';
import { trustApi, type AuditEntry, type AuditVerify } from '../../trust/api';
import { auditPage, dateTime, shortHash } from '../../trust/format';
import { t, tx } from '../../i18n';

const PAGE = 25;

/** The audit log, newest first, with its verification and signed checkpoint. */
export function AuditScreen() {
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifyError, setVerifyError] = useState('');
  const [checkpoint, setCheckpoint] = useState('');
  const [page, setPage] = useState(0);
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState('');
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    let live = true;
    setVerifyError('');
    trustApi.verify().then(
      (v) => live && setVerify(v),
      (err) => live && setVerifyError(errorMessage(err)),
    );
    trustApi.checkpoint().then(
      (c) => live && setCheckpoint(c),
      (err) => live && setCheckpoint(t('admin.audit.checkpoint_failed', { error: errorMessage(err) })),
    );
    return () => {
      live = false;
    };
  }, [refresh]);

  useEffect(() => {
    if (!verify) return undefined;
    let live = true;
    const slice = auditPage(verify.entries, page, PAGE);
    if (!slice) {
      setItems([]);
      return undefined;
    }
    setItems(null);
    trustApi.audit(slice.after, slice.limit).then(
      (r) => live && setItems([...(r.items ?? [])].reverse()),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [verify, page]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(checkpoint);
      showToast(t('admin.audit.copied'));
    } catch {
      const pre = document.getElementById('audit-checkpoint');
      if (pre) window.getSelection()?.selectAllChildren(pre);
      showToast(t('admin.audit.copy_by_hand'));
    }
  }

  const pages = verify ? Math.max(1, Math.ceil(verify.entries / PAGE)) : 1;

  return (
    <div class="admin-screen" id="admin-audit">
      <div class="admin-screen-head">
        <div>
          <h2 class="admin-h2">{t('admin.audit.title')}</h2>
          <p class="admin-sub">{t('admin.audit.sub')}</p>
        </div>
        <button type="button" class="button button-secondary button-small" id="audit-refresh" onClick={() => setRefresh(refresh + 1)}>
          {t('admin.audit.reverify')}
        </button>
      </div>
      <div class="audit-cards">
        <div class="admin-card">
          <div class="admin-card-title">{t('admin.audit.verification')}</div>
          {verifyError && <p class="form-error">{verifyError}</p>}
          {!verify && !verifyError && <Spinner inline />}
          {verify && (
            <>
              <div
                id="audit-verified"
                data-ok={verify.ok ? 'true' : 'false'}
                class={'verify-badge ' + (verify.ok ? 'ok' : 'bad')}
              >
                <span class="verify-mark" aria-hidden="true">
                  {verify.ok ? '✓' : '!'}
                </span>
                {verify.ok ? t('admin.audit.verified') : t('admin.audit.failed')}
              </div>
              <dl class="verify-facts">
                <dt>{t('admin.audit.entries')}</dt>
                <dd id="audit-entries">{verify.entries}</dd>
                <dt>{t('admin.audit.root')}</dt>
                <dd>
                  <code class="hash" title={verify.head}>
                    {verify.head || '—'}
                  </code>
                </dd>
                {!verify.ok && (
                  <>
                    <dt>{t('admin.audit.first_bad')}</dt>
                    <dd>#{verify.first_bad ?? '?'}</dd>
                    <dt>{t('admin.audit.problem')}</dt>
                    <dd>{verify.problem || t('admin.audit.problem_default')}</dd>
                  </>
                )}
              </dl>
            </>
          )}
        </div>
        <div class="admin-card checkpoint-card">
          <div class="admin-card-title">
            {t('admin.audit.checkpoint')}
            <button type="button" class="button button-secondary button-small" id="audit-copy" onClick={copy} disabled={!checkpoint}>
              {t('common.copy')}
            </button>
          </div>
          <pre id="audit-checkpoint" class="checkpoint">{checkpoint || t('common.loading')}</pre>
          <p class="cell-muted">
            {tx('admin.audit.save_it', { cmd: <code>plaza audit verify --addr URL --checkpoint FILE</code> /* i18n-ignore: a command */ })}
          </p>
        </div>
      </div>
      {error && <p class="form-error">{error}</p>}
      {!items && !error && <Spinner label={t('admin.audit.loading')} />}
      {items && items.length === 0 && <div class="admin-empty">{t('admin.audit.empty')}</div>}
      {items && items.length > 0 && (
        <div class="admin-table-wrap">
          <table class="admin-table" id="audit-table">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>{t('admin.audit.col.time')}</th>
                <th>{t('admin.audit.col.actor')}</th>
                <th>{t('admin.audit.col.action')}</th>
                <th>{t('admin.audit.col.target')}</th>
                <th>{t('admin.audit.col.hash')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.index} class="audit-row" data-index={e.index} data-action={e.action}>
                  <td class="num">{e.index}</td>
                  <td class="nowrap">{dateTime(e.time)}</td>
                  <td>
                    <code class="clip" title={e.actor}>
                      {e.actor || t('admin.audit.system')}
                    </code>
                  </td>
                  <td class="action-cell">
                    <span class="chip action-chip">{e.action}</span>
                    <Details d={e.details} />
                  </td>
                  <td>
                    <code class="clip" title={e.target}>
                      {e.target}
                    </code>
                  </td>
                  <td>
                    <code class="hash" title={e.hash}>
                      {shortHash(e.hash)}
                    </code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {verify && verify.entries > PAGE && (
        <div class="admin-pager">
          <button type="button" class="button button-secondary button-small" id="audit-newer" disabled={page === 0} onClick={() => setPage(page - 1)}>
            {t('admin.audit.newer')}
          </button>
          <span class="cell-muted">
            {t('admin.audit.page', { page: page + 1, pages })}
          </span>
          <button type="button" class="button button-secondary button-small" id="audit-older" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
            {t('admin.audit.older')}
          </button>
        </div>
      )}
    </div>
  );
}

const DETAIL_KEYS = ['target_type', 'target_id', 'target_name', 'regions', 'scopes', 'reason', 'cancel_reason', 'username', 'note'];

/** A one-line summary of an entry's details object. */
function Details({ d }: { d: unknown }) {
  if (!d || typeof d !== 'object') return null;
  const obj = d as Record<string, unknown>;
  const keys = Object.keys(obj);
  const pick = keys.filter((k) => DETAIL_KEYS.includes(k));
  const parts = (pick.length ? pick.map((k) => [k, obj[k]] as const) : Object.entries(obj).slice(0, 4))
    .filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => k + ': ' + (Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)));
  if (!parts.length) return null;
  return <div class="audit-details">{parts.join(' · ')}</div>;
}
