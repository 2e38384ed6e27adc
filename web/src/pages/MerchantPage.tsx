import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { ApiError, errorMessage } from '../api';
import { showToast } from '../toast';
import { merchantApi, type Merchant, type Notification, type PlatformKey } from '../pay/api';
import { currencySymbol, formatDigits, type Money } from '../wallet/money';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { FormError } from '../components/Field';
import { Spinner } from '../components/Spinner';
import { EmptyState } from '../components/EmptyState';
import { CopyIcon, StoreIcon } from '../components/Icons';
import { StatusPill } from './MerchantsPage';

const POLL_MS = 5000;

/** One merchant: balance, ids, bound appids, API credentials, platform key, notification log. */
export function MerchantPage({ mchid }: { mchid: string }) {
  const [data, setData] = useState<{ merchant: Merchant; balance: Money } | null>(null);
  const [error, setError] = useState<{ status: number; message: string } | null>(null);

  async function load() {
    try {
      setData(await merchantApi.get(mchid));
      setError(null);
    } catch (err) {
      setError({ status: err instanceof ApiError ? err.status : 0, message: errorMessage(err) });
    }
  }

  useEffect(() => {
    void load();
  }, [mchid]);

  if (!data) {
    return (
      <Page title="Merchant" back="/merchants">
        {error ? (
          <EmptyState icon={<StoreIcon size={48} />} title={error.status === 404 ? 'No such merchant of yours' : 'Couldn’t load this merchant'}>
            <p>{error.message}</p>
            {error.status !== 404 && (
              <button type="button" class="button button-primary button-small" onClick={() => void load()}>
                Try again
              </button>
            )}
          </EmptyState>
        ) : (
          <Spinner />
        )}
      </Page>
    );
  }

  const m = data.merchant;
  return (
    <Page title={m.name} back="/merchants" class="merchant-page">
      <div class="merchant-hero" data-mchid={m.mchid}>
        <div class="merchant-hero-top">
          <Avatar username={m.mchid} name={m.name} size="lg" />
          <div class="merchant-hero-text">
            <div class="merchant-hero-name">{m.name}</div>
            <div class="merchant-hero-id">
              mchid <span class="pay-mono" id="merchant-mchid">{m.mchid}</span>
              <CopyButton text={m.mchid} label="Copy mchid" />
            </div>
          </div>
          <StatusPill ok={m.has_credentials} />
        </div>
        <div class="merchant-balance-label">Settlement balance</div>
        <div class="merchant-balance" id="merchant-balance">
          <span class="merchant-balance-symbol">{currencySymbol(data.balance.currency)}</span>
          {formatDigits(data.balance.amount, data.balance.currency)}
        </div>
      </div>

      <AppsSection merchant={m} onChange={load} />
      <CredentialsSection merchant={m} onChange={load} />
      <PlatformKeySection mchid={m.mchid} />
      <NotificationLog mchid={m.mchid} onDelivered={load} />
    </Page>
  );
}

function AppsSection({ merchant, onChange }: { merchant: Merchant; onChange: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const apps = merchant.appids ?? [];

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const f = e.currentTarget;
    const appid = (f.elements.namedItem('appid') as HTMLInputElement).value.trim();
    if (!appid || appid.length > 32) return setError('An appid has 1 to 32 characters.');
    setError('');
    setBusy(true);
    try {
      await merchantApi.bindApp(merchant.mchid, appid);
      await onChange();
      showToast('Bound ' + appid + '.', 'success');
      f.reset();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function onUnbind(appid: string) {
    if (busy || !window.confirm('Unbind ' + appid + '? Orders for it will be refused.')) return;
    setBusy(true);
    setError('');
    try {
      await merchantApi.unbindApp(merchant.mchid, appid);
      await onChange();
      showToast('Unbound ' + appid + '.', 'success');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="merchant-section">
      <div class="cell-group-title">App IDs</div>
      <div class="card">
        {apps.length === 0 ? (
          <p class="merchant-muted">No app bound yet. Orders name an appid that must be bound to this merchant.</p>
        ) : (
          <ul class="appid-list" id="merchant-appids">
            {apps.map((a) => (
              <li class="appid-chip pay-mono" data-appid={a}>
                {a}
                <button
                  type="button"
                  class="link-button appid-unbind"
                  aria-label={'Unbind ' + a}
                  title={'Unbind ' + a}
                  disabled={busy}
                  onClick={() => void onUnbind(a)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <form class="inline-form" onSubmit={onSubmit} noValidate>
          <input id="merchant-appid" name="appid" class="field-input" placeholder="appid, e.g. wx1234567890" maxLength={32} autoComplete="off" spellcheck={false} aria-label="appid" />
          <button type="submit" id="merchant-bind" class="button button-primary button-small" disabled={busy}>
            {busy ? 'Binding…' : 'Bind'}
          </button>
        </form>
        <FormError message={error} />
      </div>
    </section>
  );
}

function CredentialsSection({ merchant, onChange }: { merchant: Merchant; onChange: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [open, setOpen] = useState(!merchant.has_credentials);

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const f = e.currentTarget;
    const val = (n: string) => (f.elements.namedItem(n) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value;
    const pem = val('public_key_pem').trim();
    const serial = val('serial_no').trim();
    const key = val('apiv3_key');
    const mode = val('platform_mode') === 'certificate' ? 'certificate' : 'public_key';
    if (!/-----BEGIN [A-Z ]+-----/.test(pem)) return setError('Paste the merchant API public key or certificate in PEM.');
    if (!/^[0-9A-Fa-f]+$/.test(serial)) return setError('The serial number is the certificate serial in hex.');
    if (key.length !== 32) return setError('The APIv3 key is exactly 32 characters (' + key.length + ' now).');
    setError('');
    setBusy(true);
    try {
      await merchantApi.setCredentials(merchant.mchid, { public_key_pem: pem, serial_no: serial, apiv3_key: key, platform_mode: mode });
      await onChange();
      showToast('API credentials saved.', 'success');
      f.reset();
      setOpen(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="merchant-section">
      <div class="cell-group-title">API credentials</div>
      <div class="card">
        <div class="cred-status">
          {merchant.has_credentials ? (
            <span>
              Certificate serial <span class="pay-mono" id="merchant-serial">{merchant.serial_no}</span>
              {' · '}
              <span id="merchant-platform-mode">
                {merchant.platform_mode === 'certificate' ? 'platform certificate mode' : 'platform public key mode'}
              </span>
            </span>
          ) : (
            <span class="merchant-muted">Not set. The server can’t verify this merchant’s requests until you add them.</span>
          )}
          {merchant.has_credentials && !open && (
            <button type="button" id="merchant-credentials-edit" class="link-button" onClick={() => setOpen(true)}>
              Replace
            </button>
          )}
        </div>
        {open && (
          <form class="cred-form" onSubmit={onSubmit} noValidate>
            <div class="field">
              <label class="field-label" for="merchant-pem">
                Merchant API public key (PEM)
              </label>
              <textarea
                id="merchant-pem"
                name="public_key_pem"
                class="field-input field-textarea pay-mono"
                rows={6}
                spellcheck={false}
                placeholder={'-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'}
              />
            </div>
            <div class="field">
              <label class="field-label" for="merchant-serial-input">
                Certificate serial number (hex)
              </label>
              <input id="merchant-serial-input" name="serial_no" class="field-input pay-mono" placeholder="5157F09EFDC096DE" autoComplete="off" spellcheck={false} />
            </div>
            <div class="field">
              <label class="field-label" for="merchant-apiv3">
                APIv3 key (32 characters)
              </label>
              <input id="merchant-apiv3" name="apiv3_key" class="field-input pay-mono" type="password" maxLength={32} autoComplete="off" spellcheck={false} />
            </div>
            <div class="field">
              <label class="field-label" for="merchant-platform-mode-input">
                How Plaza signs its answers
              </label>
              <select id="merchant-platform-mode-input" name="platform_mode" class="field-input" defaultValue={merchant.platform_mode ?? 'public_key'}>
                <option value="public_key">Platform public key (PUB_KEY_ID_…)</option>
                <option value="certificate">Platform certificate (download from /v3/certificates)</option>
              </select>
            </div>
            <FormError message={error} />
            <div class="cred-actions">
              {merchant.has_credentials && (
                <button type="button" class="button button-secondary button-small" onClick={() => setOpen(false)}>
                  Cancel
                </button>
              )}
              <button type="submit" id="merchant-credentials-save" class="button button-primary button-small" disabled={busy}>
                {busy ? 'Saving…' : 'Save credentials'}
              </button>
            </div>
          </form>
        )}
      </div>
    </section>
  );
}

function PlatformKeySection({ mchid }: { mchid: string }) {
  const [key, setKey] = useState<PlatformKey | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    merchantApi.platformKey(mchid).then(setKey, (err) => setError(errorMessage(err)));
  }, [mchid]);

  return (
    <section class="merchant-section">
      <div class="cell-group-title">Plaza Pay platform key</div>
      <div class="card" id="platform-key">
        <p class="merchant-muted">Verify Plaza Pay’s answers and notifications with this key (Wechatpay-Serial is its id).</p>
        {error && <p class="form-error">{error}</p>}
        {!key && !error && <Spinner inline />}
        {key && (
          <>
            <div class="platform-key-id">
              <span class="pay-mono" id="platform-key-id">{key.public_key_id}</span>
              <CopyButton text={key.public_key_id} label="Copy key id" />
            </div>
            <pre class="pem-block" id="platform-key-pem">{key.public_key_pem.trim()}</pre>
            <CopyButton text={key.public_key_pem} label="Copy PEM" id="platform-key-copy" wide />
          </>
        )}
      </div>
    </section>
  );
}

function NotificationLog({ mchid, onDelivered }: { mchid: string; onDelivered: () => Promise<void> }) {
  const [items, setItems] = useState<Notification[] | null>(null);
  const [error, setError] = useState('');

  async function load() {
    try {
      const next = (await merchantApi.notifications(mchid, 50)).items ?? [];
      setItems((prev) => {
        // A new paid order shows up here: refresh the balance too.
        if (prev && next.length !== prev.length) void onDelivered();
        return next;
      });
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  useEffect(() => {
    void load();
    const t = window.setInterval(() => {
      if (!document.hidden) void load();
    }, POLL_MS);
    return () => window.clearInterval(t);
  }, [mchid]);

  return (
    <section class="merchant-section">
      <div class="cell-group-title notification-title">
        Notification log
        <button type="button" id="notification-refresh" class="link-button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <div class="cell-group-body notification-log" id="notification-log">
        {items === null && !error && <Spinner inline />}
        {error && <p class="form-error notification-error">{error}</p>}
        {items !== null && items.length === 0 && <p class="list-empty">No notifications yet. They appear when orders are paid or refunded.</p>}
        {items?.map((n) => (
          <div class="notification-row" data-notification-id={n.id} data-status={n.status}>
            <div class="notification-top">
              <span class="notification-event">{n.event_type}</span>
              <span class={'pill ' + pillClass(n.status)}>{n.status}</span>
            </div>
            <div class="notification-line pay-mono">{n.resource_id}</div>
            <div class="notification-line notification-url pay-mono">{n.url}</div>
            <div class="notification-meta">
              {when(n.created_at)}
              {' · '}
              {n.attempts} {n.attempts === 1 ? 'attempt' : 'attempts'}
              {n.last_status ? ' · HTTP ' + n.last_status : ''}
              {n.delivered_at ? ' · delivered ' + when(n.delivered_at) : ''}
            </div>
            {n.last_error && n.status !== 'delivered' && <div class="notification-err">{n.last_error}</div>}
          </div>
        ))}
      </div>
    </section>
  );
}

function pillClass(status: string): string {
  if (status === 'delivered') return 'pill-green';
  if (status === 'failed') return 'pill-red';
  return 'pill-orange';
}

function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the old way
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'copy-buffer';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

function CopyButton({ text, label, id, wide }: { text: string; label: string; id?: string; wide?: boolean }) {
  async function onClick() {
    const ok = await copyText(text);
    showToast(ok ? 'Copied.' : 'Couldn’t copy. Select the text and copy it.', ok ? 'success' : 'error');
  }
  if (wide) {
    return (
      <button type="button" id={id} class="button button-secondary button-small copy-button" onClick={() => void onClick()}>
        <CopyIcon size={16} />
        {label}
      </button>
    );
  }
  return (
    <button type="button" id={id} class="icon-button copy-icon" aria-label={label} title={label} onClick={() => void onClick()}>
      <CopyIcon size={16} />
    </button>
  );
}
