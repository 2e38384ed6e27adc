import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage, type Region } from '../../api';
import { useRegions } from '../../regions';
import { collator, locale, t, tx, type MessageKey } from '../../i18n';
import { showToast } from '../../toast';
import { Spinner } from '../../components/Spinner';
import { trustApi, type Policy, type PolicyState, type Scope, type TargetType } from '../../trust/api';
import { dateTime, filterRegions, fromLocalInput, regionLabel, toLocalInput, untilText } from '../../trust/format';

const STATES: PolicyState[] = ['scheduled', 'active', 'expired', 'cancelled'];
const TARGETS: TargetType[] = ['app', 'merchant', 'developer', 'user'];
const SCOPES: Scope[] = ['distribution', 'hosting', 'payments', 'messaging'];

/** A word from the catalogue for a code the server sends (a state, a scope), else the code itself. */
function word(prefix: string, code: string): string {
  const key = prefix + code;
  return WORDS.has(key) ? t(key as MessageKey) : code;
}
const WORDS = new Set<string>([
  ...STATES.flatMap((s) => ['admin.state.' + s, 'admin.state_word.' + s, 'admin.policies.empty.' + s]),
  ...TARGETS.flatMap((x) => ['admin.target.' + x, 'admin.target_hint.' + x, 'admin.target_word.' + x]),
  ...SCOPES.flatMap((s) => ['admin.scope.' + s, 'admin.scope_hint.' + s, 'admin.scope_word.' + s]),
]);

/** Words joined as a list in the reader's language ("a, b" / "a、b"). */
function joined(items: string[]): string {
  return items.join(locale.get() === 'en' ? ', ' : '、');
}

/**
 * The sentence for the server's refusal of one field: its own in English,
 * the catalogue's for that field otherwise.
 */
export function fieldMessage(err: ApiError): string {
  if (locale.get() === 'en' && err.message) return err.message;
  const key = 'admin.field.' + err.field;
  return FIELDS.has(key) ? t(key as MessageKey) : errorMessage(err);
}
const FIELDS = new Set(['target_type', 'target_id', 'regions', 'scopes', 'effective_at', 'expires_at', 'reason', 'legal_ref', 'kind'].map((f) => 'admin.field.' + f));

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
    showToast(t('admin.policies.created', { state: word('admin.state_word.', p.state) }));
    if (p.state === state) setReload(reload + 1);
    else setState(p.state);
  }

  function cancelled(p: Policy) {
    setCancelling(null);
    showToast(t('admin.policies.cancelled'));
    setItems((items ?? []).filter((x) => x.id !== p.id));
  }

  return (
    <div class="admin-screen" id="admin-policies">
      <div class="admin-screen-head">
        <div>
          <h2 class="admin-h2">{t('admin.policies.title')}</h2>
          <p class="admin-sub">{t('admin.policies.sub')}</p>
        </div>
        <button type="button" class="button button-primary admin-new" id="policy-new" onClick={() => setCreating(true)}>
          {t('admin.policies.new')}
        </button>
      </div>
      <div class="admin-tabs" role="tablist">
        {STATES.map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            id={'policies-tab-' + s}
            aria-selected={state === s}
            class={'admin-tab' + (state === s ? ' active' : '')}
            onClick={() => setState(s)}
          >
            <span class={'state-dot state-' + s} />
            {word('admin.state.', s)}
          </button>
        ))}
      </div>
      {error && <p class="form-error">{error}</p>}
      {!items && !error && <Spinner label={t('admin.policies.loading')} />}
      {items && items.length === 0 && (
        <div class="admin-empty" id="policies-empty">
          {word('admin.policies.empty.', state)}
        </div>
      )}
      {items && items.length > 0 && (
        <div class="admin-table-wrap">
          <table class="admin-table" id="policies-table">
            <thead>
              <tr>
                <th>{t('admin.policies.col.target')}</th>
                <th>{t('admin.policies.col.regions')}</th>
                <th>{t('admin.policies.col.scopes')}</th>
                <th>{state === 'cancelled' ? t('admin.policies.col.cancelled') : t('admin.policies.col.effective')}</th>
                <th>{t('admin.policies.col.expires')}</th>
                <th>{t('admin.policies.col.reason')}</th>
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
          {t('admin.load_more')}
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
          {word('admin.target_word.', p.target_type)} · <code>{p.target_id}</code>
        </div>
      </td>
      <td>
        <div class="chips">
          {all ? (
            <span class="chip chip-strong">{t('admin.policies.all_regions')}</span>
          ) : (
            p.regions.map((c) => (
              <span key={c} class="chip chip-region" data-code={c} title={regionLabel(regions, c)}>
                {c} <span class="chip-name">{regionLabel(regions, c)}</span>
              </span>
            ))
          )}
        </div>
      </td>
      <td class="scopes-cell">
        <div class="chips">
          {p.scopes.map((s) => (
            <span key={s} class={'chip scope-' + s} data-scope={s}>
              {word('admin.scope_word.', s)}
            </span>
          ))}
        </div>
      </td>
      <td class="nowrap">
        {p.state === 'cancelled' ? dateTime(p.cancelled_at) : dateTime(p.effective_at)}
        <div class={'state-pill state-' + p.state}>{word('admin.state_word.', p.state)}</div>
      </td>
      <td class="nowrap">{p.expires_at ? dateTime(p.expires_at) : <span class="cell-muted">{t('admin.policies.never')}</span>}</td>
      <td class="reason-cell">
        <div>{p.reason}</div>
        {p.legal_ref && <div class="cell-muted">{p.legal_ref}</div>}
        {p.state === 'cancelled' && p.cancel_reason && <div class="cancel-note">{t('admin.policies.cancel_note', { reason: p.cancel_reason })}</div>}
      </td>
      <td class="actions-cell">
        {live && (
          <button type="button" class="button button-ghost-danger button-small policy-cancel" onClick={onCancel}>
            {t('admin.policies.cancel')}
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
          <button type="button" class="icon-button" aria-label={t('common.close')} onClick={onClose}>
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
  const label = (r: Region) => regionLabel(regions, r.code);
  const shown = useMemo(() => filterRegions(regions, q, label, collator().compare), [regions, q]);
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
    if (!effective) local.effective_at = t('admin.form.need_effective');
    if (val('expires_at') && !expires) local.expires_at = t('admin.form.bad_expires');
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
      if (err instanceof ApiError && err.field) setErrors({ [err.field]: fieldMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const hint = word('admin.target_hint.', targetType);

  return (
    <Dialog id="policy-dialog" title={t('admin.policies.new')} onClose={onClose} wide>
      <form ref={form} class="policy-form" onSubmit={submit} noValidate>
        {formError && (
          <p class="form-error" id="policy-form-error">
            {formError}
          </p>
        )}
        <div class="form-grid">
          <div class="form-col">
            <fieldset class="form-section">
              <legend>{t('admin.form.target')}</legend>
              <label class="form-label" for="policy-target-type">
                {t('admin.form.type')}
              </label>
              <select
                id="policy-target-type"
                class="field-input"
                value={targetType}
                onChange={(e) => setTargetType((e.target as HTMLSelectElement).value as TargetType)}
              >
                {TARGETS.map((x) => (
                  <option key={x} value={x}>
                    {word('admin.target.', x)}
                  </option>
                ))}
              </select>
              <FieldError errors={errors} name="target_type" />
              <label class="form-label" for="policy-target-id">
                {t('admin.form.id')}
              </label>
              <input id="policy-target-id" name="target_id" class="field-input mono" placeholder={hint} autoComplete="off" />
              <FieldError errors={errors} name="target_id" />
            </fieldset>
            <fieldset class="form-section">
              <legend>{t('admin.form.scopes')}</legend>
              {SCOPES.map((s) => (
                <label key={s} class="check-row">
                  <input type="checkbox" id={'policy-scope-' + s} checked={scopes.includes(s)} onChange={() => toggleScope(s)} />
                  <span>
                    <span class="check-title">{word('admin.scope.', s)}</span>
                    <span class="check-hint">{word('admin.scope_hint.', s)}</span>
                  </span>
                </label>
              ))}
              <FieldError errors={errors} name="scopes" />
            </fieldset>
            <fieldset class="form-section">
              <legend>{t('admin.form.when')}</legend>
              <div class="two-up">
                <div>
                  <label class="form-label" for="policy-effective-at">
                    {t('admin.form.takes_effect')} <span class="form-opt">{t('admin.form.local_time')}</span>
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
                      {t('admin.form.now')}
                    </button>
                  </div>
                  {startsAt && (
                    <div class="field-hint" id="policy-effective-hint">
                      {t('admin.form.takes_effect_when', { when: untilText(startsAt, new Date()) })}
                    </div>
                  )}
                  <FieldError errors={errors} name="effective_at" />
                </div>
                <div>
                  <label class="form-label" for="policy-expires-at">
                    {t('admin.form.expires')} <span class="form-opt">{t('admin.form.optional')}</span>
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
                {t('admin.form.regions')}{' '}
                <span class="form-opt">
                  {allRegions ? t('admin.form.every_region') : picked.length === 0 ? t('admin.form.none_chosen') : t('admin.form.chosen', { count: picked.length })}
                </span>
              </legend>
              <label class="check-row check-row-strong">
                <input type="checkbox" id="policy-all-regions" checked={allRegions} onChange={() => setAllRegions(!allRegions)} />
                <span class="check-title">{t('admin.policies.all_regions')}</span>
              </label>
              {!allRegions && (
                <>
                  {picked.length > 0 && (
                    <div class="chips picked-regions">
                      {picked.map((c) => (
                        <button key={c} type="button" class="chip chip-removable" data-code={c} onClick={() => toggleRegion(c)} title={t('common.remove')}>
                          {t('admin.form.region_chip', { code: c, name: regionLabel(regions, c) })}
                        </button>
                      ))}
                    </div>
                  )}
                  <input
                    id="policy-region-search"
                    class="field-input"
                    placeholder={t('admin.form.region_search')}
                    value={q}
                    onInput={(e) => setQ((e.target as HTMLInputElement).value)}
                    autoComplete="off"
                  />
                  <div class="region-list" role="listbox" aria-multiselectable="true">
                    {shown.length === 0 && <div class="cell-muted region-none">{t('admin.form.no_region', { q })}</div>}
                    {shown.map((r) => (
                      <label key={r.code} class="region-option" data-code={r.code}>
                        <input type="checkbox" checked={picked.includes(r.code)} onChange={() => toggleRegion(r.code)} />
                        <span class="region-code">{r.code}</span>
                        <span class="region-name">{label(r)}</span>
                      </label>
                    ))}
                  </div>
                </>
              )}
              <FieldError errors={errors} name="regions" />
            </fieldset>
            <fieldset class="form-section">
              <legend>{t('admin.form.grounds')}</legend>
              <label class="form-label" for="policy-reason">
                {t('admin.form.reason')} <span class="form-opt">{t('admin.form.reason_shown')}</span>
              </label>
              <textarea id="policy-reason" name="reason" class="field-input" rows={3} />
              <FieldError errors={errors} name="reason" />
              <label class="form-label" for="policy-legal-ref">
                {t('admin.form.legal_ref')} <span class="form-opt">{t('admin.form.optional')}</span>
              </label>
              <input id="policy-legal-ref" name="legal_ref" class="field-input" placeholder={t('admin.form.legal_ref_hint')} />
              <FieldError errors={errors} name="legal_ref" />
            </fieldset>
          </div>
        </div>
        <FieldError errors={errors} name="kind" />
        <div class="admin-dialog-actions">
          <button type="button" class="button button-secondary" onClick={onClose}>
            {t('admin.form.discard')}
          </button>
          <button type="submit" class="button button-primary" id="policy-submit" disabled={busy}>
            {busy ? t('admin.form.creating') : t('admin.form.create')}
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
    <Dialog id="policy-cancel-dialog" title={t('admin.cancel.title')} onClose={onClose}>
      <form onSubmit={confirm} class="cancel-form">
        <p class="cancel-summary">
          {tx(policy.regions.includes('*') ? 'admin.cancel.summary_all' : 'admin.cancel.summary_in', {
            scopes: <strong>{joined(policy.scopes.map((s) => word('admin.scope_word.', s)))}</strong>,
            target: <strong>{policy.target_name || policy.target_id}</strong>,
            regions: locale.get() === 'en' ? policy.regions.join(', ') : joined(policy.regions.map((c) => regionLabel(null, c))),
          })}
        </p>
        <label class="form-label" for="cancel-reason">
          {t('admin.cancel.reason')}
        </label>
        <textarea id="cancel-reason" class="field-input" rows={3} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} placeholder={t('admin.cancel.reason_hint')} />
        {error && (
          <div class="field-error" data-field="reason" role="alert">
            {error}
          </div>
        )}
        <div class="admin-dialog-actions">
          <button type="button" class="button button-secondary" onClick={onClose}>
            {t('admin.cancel.keep')}
          </button>
          <button type="submit" class="button button-danger" id="cancel-confirm" disabled={busy}>
            {busy ? t('admin.cancel.cancelling') : t('admin.cancel.confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
