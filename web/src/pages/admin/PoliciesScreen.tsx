import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage, type Region } from '../../api';
import { regionName, useRegions } from '../../regions';
import { showToast } from '../../toast';
import { Spinner } from '../../components/Spinner';
import { trustApi, type Policy, type PolicyState, type Scope, type TargetType } from '../../trust/api';
import { dateTime, filterRegions, fromLocalInput, toLocalInput, untilText } from '../../trust/format';

const STATES: { id: PolicyState; label: string }[] = [
  { id: 'scheduled', label: 'Scheduled' },
  { id: 'active', label: 'Active' },
  { id: 'expired', label: 'Expired' },
  { id: 'cancelled', label: 'Cancelled' },
];

const TARGETS: { id: TargetType; label: string; hint: string }[] = [
  { id: 'app', label: 'Mini program', hint: 'AppID, e.g. wx1a2b3c4d5e6f7a8b' },
  { id: 'merchant', label: 'Merchant', hint: 'Merchant ID (mchid)' },
  { id: 'developer', label: 'Developer (all their apps)', hint: 'Developer’s user ID' },
  { id: 'user', label: 'User', hint: 'User ID' },
];

const SCOPES: { id: Scope; label: string; hint: string }[] = [
  { id: 'distribution', label: 'Distribution', hint: 'Directory, details page, search' },
  { id: 'hosting', label: 'Hosting', hint: 'Opening the app, its origin, bridge calls' },
  { id: 'payments', label: 'Payments', hint: 'Orders, transfers, red packets (refunds stay allowed)' },
  { id: 'messaging', label: 'Messaging', hint: 'Sending messages' },
];

type FieldErrors = Record<string, string>;

/** Administrators' list of regional policies, by state, with create and cancel. */
export function PoliciesScreen() {
  const regions = useRegions();
  const [state, setState] = useState<PolicyState>('active');
  const [items, setItems] = useState<Policy[] | null>(null);
  const [next, setNext] = useState('');
  const [error, setError] = useState('');
  const [creating, setCreating] = useState(false);
  const [cancelling, setCancelling] = useState<Policy | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    setItems(null);
    setError('');
    trustApi.policies(state).then(
      (r) => {
        if (!live) return;
        setItems(r.items ?? []);
        setNext(r.next_cursor ?? '');
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [state, reload]);

  async function more() {
    try {
      const r = await trustApi.policies(state, next);
      setItems([...(items ?? []), ...(r.items ?? [])]);
      setNext(r.next_cursor ?? '');
    } catch (err) {
      showToast(errorMessage(err), 'error');
    }
  }

  function created(p: Policy) {
    setCreating(false);
    showToast('Policy created — ' + p.state);
    if (p.state === state) setReload(reload + 1);
    else setState(p.state);
  }

  function cancelled(p: Policy) {
    setCancelling(null);
    showToast('Policy cancelled');
    setItems((items ?? []).filter((x) => x.id !== p.id));
  }

  return (
    <div class="admin-screen" id="admin-policies">
      <div class="admin-screen-head">
        <div>
          <h2 class="admin-h2">Policies</h2>
          <p class="admin-sub">Regional orders against an app, a merchant, a developer or a user, from a set date.</p>
        </div>
        <button type="button" class="button button-primary admin-new" id="policy-new" onClick={() => setCreating(true)}>
          New policy
        </button>
      </div>
      <div class="admin-tabs" role="tablist">
        {STATES.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            id={'policies-tab-' + s.id}
            aria-selected={state === s.id}
            class={'admin-tab' + (state === s.id ? ' active' : '')}
            onClick={() => setState(s.id)}
          >
            <span class={'state-dot state-' + s.id} />
            {s.label}
          </button>
        ))}
      </div>
      {error && <p class="form-error">{error}</p>}
      {!items && !error && <Spinner label="Loading policies…" />}
      {items && items.length === 0 && (
        <div class="admin-empty" id="policies-empty">
          No {state} policies.
        </div>
      )}
      {items && items.length > 0 && (
        <div class="admin-table-wrap">
          <table class="admin-table" id="policies-table">
            <thead>
              <tr>
                <th>Target</th>
                <th>Regions</th>
                <th>Scopes</th>
                <th>{state === 'cancelled' ? 'Cancelled' : 'Effective'}</th>
                <th>Expires</th>
                <th>Reason</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <PolicyRow key={p.id} p={p} regions={regions} onCancel={() => setCancelling(p)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" class="button button-secondary button-small admin-more" onClick={more}>
          Load more
        </button>
      )}
      {creating && <CreatePolicyDialog regions={regions ?? []} onClose={() => setCreating(false)} onCreated={created} />}
      {cancelling && <CancelDialog policy={cancelling} onClose={() => setCancelling(null)} onCancelled={cancelled} />}
    </div>
  );
}

function PolicyRow({ p, regions, onCancel }: { p: Policy; regions: Region[] | null; onCancel: () => void }) {
  const all = p.regions.includes('*');
  const live = p.state === 'scheduled' || p.state === 'active';
  return (
    <tr class="policy-row" data-id={p.id} data-state={p.state} data-target={p.target_id}>
      <td>
        <div class="cell-strong">{p.target_name || p.target_id}</div>
        <div class="cell-muted">
          {p.target_type} · <code>{p.target_id}</code>
        </div>
      </td>
      <td>
        <div class="chips">
          {all ? (
            <span class="chip chip-strong">All regions</span>
          ) : (
            p.regions.map((c) => (
              <span key={c} class="chip" title={regionName(regions, c)}>
                {c}
              </span>
            ))
          )}
        </div>
      </td>
      <td class="scopes-cell">
        <div class="chips">
          {p.scopes.map((s) => (
            <span key={s} class={'chip scope-' + s}>
              {s}
            </span>
          ))}
        </div>
      </td>
      <td class="nowrap">
        {p.state === 'cancelled' ? dateTime(p.cancelled_at) : dateTime(p.effective_at)}
        <div class={'state-pill state-' + p.state}>{p.state}</div>
      </td>
      <td class="nowrap">{p.expires_at ? dateTime(p.expires_at) : <span class="cell-muted">Never</span>}</td>
      <td class="reason-cell">
        <div>{p.reason}</div>
        {p.legal_ref && <div class="cell-muted">{p.legal_ref}</div>}
        {p.state === 'cancelled' && p.cancel_reason && <div class="cancel-note">Cancelled: {p.cancel_reason}</div>}
      </td>
      <td class="actions-cell">
        {live && (
          <button type="button" class="button button-ghost-danger button-small policy-cancel" onClick={onCancel}>
            Cancel
          </button>
        )}
      </td>
    </tr>
  );
}

function Dialog({ id, title, onClose, wide, children }: { id: string; title: string; onClose: () => void; wide?: boolean; children: preact.ComponentChildren }) {
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    panel.current?.querySelector<HTMLElement>('input, textarea, select')?.focus();
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="admin-dialog-layer">
      <div class="admin-dialog-backdrop" onClick={onClose} />
      <div class={'admin-dialog' + (wide ? ' wide' : '')} role="dialog" aria-modal="true" aria-label={title} id={id} ref={panel}>
        <div class="admin-dialog-head">
          <h3>{title}</h3>
          <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

function FieldError({ errors, name }: { errors: FieldErrors; name: string }) {
  if (!errors[name]) return null;
  return (
    <div class="field-error" data-field={name} role="alert">
      {errors[name]}
    </div>
  );
}

function CreatePolicyDialog({ regions, onClose, onCreated }: { regions: Region[]; onClose: () => void; onCreated: (p: Policy) => void }) {
  const [targetType, setTargetType] = useState<TargetType>('app');
  const [allRegions, setAllRegions] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  const [q, setQ] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['distribution', 'hosting']);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const shown = useMemo(() => filterRegions(regions, q), [regions, q]);
  const defaultStart = useMemo(() => toLocalInput(new Date(Date.now() + 60 * 60 * 1000)), []);

  const toggleRegion = (code: string) => setPicked(picked.includes(code) ? picked.filter((c) => c !== code) : [...picked, code]);
  const toggleScope = (s: Scope) => setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s) : [...scopes, s]);
  const [startsAt, setStartsAt] = useState(() => fromLocalInput(defaultStart));
  const [, tick] = useState(0);
  // The hint under the date ("in 5 s") counts down while the form is open.
  useEffect(() => {
    const t = window.setInterval(() => tick((x) => x + 1), 1000);
    return () => window.clearInterval(t);
  }, []);
  const setNow = () => {
    const el = form.current?.elements.namedItem('effective_at') as HTMLInputElement | null;
    if (el) el.value = toLocalInput(new Date(), true);
    setStartsAt(fromLocalInput(el?.value ?? ''));
  };

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const f = new FormData(form.current!);
    const val = (k: string) => String(f.get(k) ?? '').trim();
    const effective = fromLocalInput(val('effective_at'));
    const expires = fromLocalInput(val('expires_at'));
    const local: FieldErrors = {};
    if (!effective) local.effective_at = 'Choose the date and time it takes effect.';
    if (val('expires_at') && !expires) local.expires_at = 'That is not a date and time.';
    setErrors(local);
    setFormError('');
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const r = await trustApi.createPolicy({
        kind: 'block',
        target_type: targetType,
        target_id: val('target_id'),
        regions: allRegions ? ['*'] : picked,
        scopes,
        effective_at: effective,
        ...(expires ? { expires_at: expires } : {}),
        reason: val('reason'),
        ...(val('legal_ref') ? { legal_ref: val('legal_ref') } : {}),
      });
      onCreated(r.policy);
    } catch (err) {
      if (err instanceof ApiError && err.field) setErrors({ [err.field]: err.message });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const hint = TARGETS.find((t) => t.id === targetType)?.hint;

  return (
    <Dialog id="policy-dialog" title="New policy" onClose={onClose} wide>
      <form ref={form} class="policy-form" onSubmit={submit} noValidate>
        {formError && (
          <p class="form-error" id="policy-form-error">
            {formError}
          </p>
        )}
        <div class="form-grid">
          <div class="form-col">
            <fieldset class="form-section">
              <legend>Target</legend>
              <label class="form-label" for="policy-target-type">
                Type
              </label>
              <select
                id="policy-target-type"
                class="field-input"
                value={targetType}
                onChange={(e) => setTargetType((e.target as HTMLSelectElement).value as TargetType)}
              >
                {TARGETS.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.label}
                  </option>
                ))}
              </select>
              <FieldError errors={errors} name="target_type" />
              <label class="form-label" for="policy-target-id">
                ID
              </label>
              <input id="policy-target-id" name="target_id" class="field-input mono" placeholder={hint} autoComplete="off" />
              <FieldError errors={errors} name="target_id" />
            </fieldset>
            <fieldset class="form-section">
              <legend>Scopes</legend>
              {SCOPES.map((s) => (
                <label key={s.id} class="check-row">
                  <input type="checkbox" id={'policy-scope-' + s.id} checked={scopes.includes(s.id)} onChange={() => toggleScope(s.id)} />
                  <span>
                    <span class="check-title">{s.label}</span>
                    <span class="check-hint">{s.hint}</span>
                  </span>
                </label>
              ))}
              <FieldError errors={errors} name="scopes" />
            </fieldset>
            <fieldset class="form-section">
              <legend>When</legend>
              <div class="two-up">
                <div>
                  <label class="form-label" for="policy-effective-at">
                    Takes effect <span class="form-opt">your local time</span>
                  </label>
                  <div class="input-with-button">
                    <input
                      id="policy-effective-at"
                      name="effective_at"
                      type="datetime-local"
                      step={1}
                      class="field-input"
                      defaultValue={defaultStart}
                      onInput={(e) => setStartsAt(fromLocalInput((e.target as HTMLInputElement).value))}
                      onChange={(e) => setStartsAt(fromLocalInput((e.target as HTMLInputElement).value))}
                    />
                    <button type="button" class="button button-secondary button-small" id="policy-now" onClick={setNow}>
                      Now
                    </button>
                  </div>
                  {startsAt && (
                    <div class="field-hint" id="policy-effective-hint">
                      Takes effect {untilText(startsAt, new Date())}
                    </div>
                  )}
                  <FieldError errors={errors} name="effective_at" />
                </div>
                <div>
                  <label class="form-label" for="policy-expires-at">
                    Expires <span class="form-opt">optional</span>
                  </label>
                  <input id="policy-expires-at" name="expires_at" type="datetime-local" step={1} class="field-input" />
                  <FieldError errors={errors} name="expires_at" />
                </div>
              </div>
            </fieldset>
          </div>
          <div class="form-col">
            <fieldset class="form-section">
              <legend>
                Regions{' '}
                <span class="form-opt">
                  {allRegions ? 'every region' : picked.length === 0 ? 'none chosen' : picked.length + ' chosen'}
                </span>
              </legend>
              <label class="check-row check-row-strong">
                <input type="checkbox" id="policy-all-regions" checked={allRegions} onChange={() => setAllRegions(!allRegions)} />
                <span class="check-title">All regions</span>
              </label>
              {!allRegions && (
                <>
                  {picked.length > 0 && (
                    <div class="chips picked-regions">
                      {picked.map((c) => (
                        <button key={c} type="button" class="chip chip-removable" data-code={c} onClick={() => toggleRegion(c)} title="Remove">
                          {c} · {regionName(regions, c)} ×
                        </button>
                      ))}
                    </div>
                  )}
                  <input
                    id="policy-region-search"
                    class="field-input"
                    placeholder="Search regions by name or code"
                    value={q}
                    onInput={(e) => setQ((e.target as HTMLInputElement).value)}
                    autoComplete="off"
                  />
                  <div class="region-list" role="listbox" aria-multiselectable="true">
                    {shown.length === 0 && <div class="cell-muted region-none">No region matches “{q}”.</div>}
                    {shown.map((r) => (
                      <label key={r.code} class="region-option" data-code={r.code}>
                        <input type="checkbox" checked={picked.includes(r.code)} onChange={() => toggleRegion(r.code)} />
                        <span class="region-code">{r.code}</span>
                        <span class="region-name">{r.name}</span>
                      </label>
                    ))}
                  </div>
                </>
              )}
              <FieldError errors={errors} name="regions" />
            </fieldset>
            <fieldset class="form-section">
              <legend>Grounds</legend>
              <label class="form-label" for="policy-reason">
                Reason <span class="form-opt">shown to affected users</span>
              </label>
              <textarea id="policy-reason" name="reason" class="field-input" rows={3} />
              <FieldError errors={errors} name="reason" />
              <label class="form-label" for="policy-legal-ref">
                Legal reference <span class="form-opt">optional</span>
              </label>
              <input id="policy-legal-ref" name="legal_ref" class="field-input" placeholder="e.g. Executive Order 13943 §1(a)" />
              <FieldError errors={errors} name="legal_ref" />
            </fieldset>
          </div>
        </div>
        <FieldError errors={errors} name="kind" />
        <div class="admin-dialog-actions">
          <button type="button" class="button button-secondary" onClick={onClose}>
            Discard
          </button>
          <button type="submit" class="button button-primary" id="policy-submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create policy'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function CancelDialog({ policy, onClose, onCancelled }: { policy: Policy; onClose: () => void; onCancelled: (p: Policy) => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function confirm(e: Event) {
    e.preventDefault();
    if (busy) return;
    const text = (document.getElementById('cancel-reason') as HTMLTextAreaElement | null)?.value.trim() ?? reason.trim();
    setBusy(true);
    setError('');
    try {
      const r = await trustApi.cancelPolicy(policy.id, text);
      onCancelled(r.policy);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog id="policy-cancel-dialog" title="Cancel policy" onClose={onClose}>
      <form onSubmit={confirm} class="cancel-form">
        <p class="cancel-summary">
          Lift the <strong>{policy.scopes.join(', ')}</strong> block on <strong>{policy.target_name || policy.target_id}</strong>
          {policy.regions.includes('*') ? ' in every region' : ' in ' + policy.regions.join(', ')}. The record stays, marked cancelled;
          this is written to the audit log.
        </p>
        <label class="form-label" for="cancel-reason">
          Reason
        </label>
        <textarea id="cancel-reason" class="field-input" rows={3} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} placeholder="e.g. Suspended by court order pending appeal" />
        {error && (
          <div class="field-error" data-field="reason" role="alert">
            {error}
          </div>
        )}
        <div class="admin-dialog-actions">
          <button type="button" class="button button-secondary" onClick={onClose}>
            Keep it
          </button>
          <button type="submit" class="button button-danger" id="cancel-confirm" disabled={busy}>
            {busy ? 'Cancelling…' : 'Cancel policy'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
