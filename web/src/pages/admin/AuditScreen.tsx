import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../../api';
import { showToast } from '../../toast';
import { Spinner } from '../../components/Spinner';
import { trustApi, type AuditEntry, type AuditVerify } from '../../trust/api';
import { auditPage, dateTime, shortHash } from '../../trust/format';

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
      (err) => live && setCheckpoint('Could not load the checkpoint: ' + errorMessage(err)),
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
      showToast('Checkpoint copied');
    } catch {
      const pre = document.getElementById('audit-checkpoint');
      if (pre) window.getSelection()?.selectAllChildren(pre);
      showToast('Press Ctrl+C to copy the selected checkpoint');
    }
  }

  const pages = verify ? Math.max(1, Math.ceil(verify.entries / PAGE)) : 1;

  return (
    <div class="admin-screen" id="admin-audit">
      <div class="admin-screen-head">
        <div>
          <h2 class="admin-h2">Audit log</h2>
          <p class="admin-sub">Every administrative and security action, in a Merkle tree log anyone holding a checkpoint can verify.</p>
        </div>
        <button type="button" class="button button-secondary button-small" id="audit-refresh" onClick={() => setRefresh(refresh + 1)}>
          Re-verify
        </button>
      </div>
      <div class="audit-cards">
        <div class="admin-card">
          <div class="admin-card-title">Verification</div>
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
                {verify.ok ? 'Verified' : 'Verification failed'}
              </div>
              <dl class="verify-facts">
                <dt>Entries</dt>
                <dd id="audit-entries">{verify.entries}</dd>
                <dt>Root hash</dt>
                <dd>
                  <code class="hash" title={verify.head}>
                    {verify.head || '—'}
                  </code>
                </dd>
                {!verify.ok && (
                  <>
                    <dt>First bad entry</dt>
                    <dd>#{verify.first_bad ?? '?'}</dd>
                    <dt>Problem</dt>
                    <dd>{verify.problem || 'The stored entries do not hash to the signed tree.'}</dd>
                  </>
                )}
              </dl>
            </>
          )}
        </div>
        <div class="admin-card checkpoint-card">
          <div class="admin-card-title">
            Signed checkpoint
            <button type="button" class="button button-secondary button-small" id="audit-copy" onClick={copy} disabled={!checkpoint}>
              Copy
            </button>
          </div>
          <pre id="audit-checkpoint" class="checkpoint">{checkpoint || 'Loading…'}</pre>
          <p class="cell-muted">
            Save it, then later run <code>plaza audit verify --addr URL --checkpoint FILE</code> to prove history was not rewritten.
          </p>
        </div>
      </div>
      {error && <p class="form-error">{error}</p>}
      {!items && !error && <Spinner label="Loading entries…" />}
      {items && items.length === 0 && <div class="admin-empty">The log is empty.</div>}
      {items && items.length > 0 && (
        <div class="admin-table-wrap">
          <table class="admin-table" id="audit-table">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>Time</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Target</th>
                <th>Hash</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.index} class="audit-row" data-index={e.index} data-action={e.action}>
                  <td class="num">{e.index}</td>
                  <td class="nowrap">{dateTime(e.time)}</td>
                  <td>
                    <code class="clip" title={e.actor}>
                      {e.actor || 'system'}
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
            ← Newer
          </button>
          <span class="cell-muted">
            Page {page + 1} of {pages}
          </span>
          <button type="button" class="button button-secondary button-small" id="audit-older" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
            Older →
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
