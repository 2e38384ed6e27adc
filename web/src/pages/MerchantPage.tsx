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
import { CopyIcon, LiveIcon, StoreIcon } from '../components/Icons';
import { Cell, CellGroup, CellIcon } from '../components/Cell';
import { StatusPill } from './MerchantsPage';
import { fmtDate, hasMessage, t } from '../i18n';

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
      <Page title={t('discover.merchant.title')} back="/merchants">
        {error ? (
          <EmptyState icon={<StoreIcon size={48} />} title={error.status === 404 ? t('discover.merchant.missing') : t('discover.merchant.load_failed')}>
            <p>{error.message}</p>
            {error.status !== 404 && (
              <button type="button" class="button button-primary button-small" onClick={() => void load()}>
                {t('common.retry')}
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
              {t('discover.merchant.mchid')} <span class="pay-mono" id="merchant-mchid">{m.mchid}</span>
              <CopyButton text={m.mchid} label={t('discover.merchant.copy_mchid')} />
            </div>
          </div>
          <StatusPill ok={m.has_credentials} />
        </div>
        <div class="merchant-balance-label">{t('discover.merchant.balance')}</div>
        <div class="merchant-balance" id="merchant-balance">
          <span class="merchant-balance-symbol">{currencySymbol(data.balance.currency)}</span>
          {formatDigits(data.balance.amount, data.balance.currency)}
        </div>
      </div>

      <CellGroup>
        <Cell id="merchant-live" href="/live" media={<CellIcon color="red"><LiveIcon size={20} /></CellIcon>} title={t('live.mine')} chevron />
      </CellGroup>
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
    if (!appid || appid.length > 32) return setError(t('discover.merchant.bad_appid'));
    setError('');
    setBusy(true);
    try {
      await merchantApi.bindApp(merchant.mchid, appid);
      await onChange();
      showToast(t('discover.merchant.bound', { appid }), 'success');
      f.reset();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function onUnbind(appid: string) {
    if (busy || !window.confirm(t('discover.merchant.unbind_confirm', { appid }))) return;
    setBusy(true);
    setError('');
    try {
      await merchantApi.unbindApp(merchant.mchid, appid);
      await onChange();
      showToast(t('discover.merchant.unbound', { appid }), 'success');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="merchant-section">
      <div class="cell-group-title">{t('discover.merchant.apps')}</div>
      <div class="card">
        {apps.length === 0 ? (
          <p class="merchant-muted">{t('discover.merchant.apps_empty')}</p>
        ) : (
          <ul class="appid-list" id="merchant-appids">
            {apps.map((a) => (
              <li class="appid-chip pay-mono" data-appid={a}>
                {a}
                <button
                  type="button"
                  class="link-button appid-unbind"
                  aria-label={t('discover.merchant.unbind', { appid: a })}
                  title={t('discover.merchant.unbind', { appid: a })}
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
          <input id="merchant-appid" name="appid" class="field-input" placeholder={t('discover.merchant.appid_placeholder')} maxLength={32} autoComplete="off" spellcheck={false} aria-label={t('discover.merchant.appid')} />
          <button type="submit" id="merchant-bind" class="button button-primary button-small" disabled={busy}>
            {busy ? t('discover.merchant.binding') : t('discover.merchant.bind')}
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
    if (!/-----BEGIN [A-Z ]+-----/.test(pem)) return setError(t('discover.merchant.bad_pem'));
    if (!/^[0-9A-Fa-f]+$/.test(serial)) return setError(t('discover.merchant.bad_serial'));
    if (key.length !== 32) return setError(t('discover.merchant.bad_key', { n: key.length }));
    setError('');
    setBusy(true);
    try {
      await merchantApi.setCredentials(merchant.mchid, { public_key_pem: pem, serial_no: serial, apiv3_key: key, platform_mode: mode });
      await onChange();
      showToast(t('discover.merchant.creds_saved'), 'success');
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
      <div class="cell-group-title">{t('discover.merchant.creds')}</div>
      <div class="card">
        <div class="cred-status">
          {merchant.has_credentials ? (
            <span>
              {t('discover.merchant.serial')} <span class="pay-mono" id="merchant-serial">{merchant.serial_no}</span>
              {' · '}
              <span id="merchant-platform-mode">
                {merchant.platform_mode === 'certificate' ? t('discover.merchant.mode_certificate') : t('discover.merchant.mode_public_key')}
              </span>
            </span>
          ) : (
            <span class="merchant-muted">{t('discover.merchant.creds_unset')}</span>
          )}
          {merchant.has_credentials && !open && (
            <button type="button" id="merchant-credentials-edit" class="link-button" onClick={() => setOpen(true)}>
              {t('discover.merchant.replace')}
            </button>
          )}
        </div>
        {open && (
          <form class="cred-form" onSubmit={onSubmit} noValidate>
            <div class="field">
              <label class="field-label" for="merchant-pem">
                {t('discover.merchant.pem_label')}
              </label>
              <textarea
                id="merchant-pem"
                name="public_key_pem"
                class="field-input field-textarea pay-mono"
                rows={6}
                spellcheck={false}
                placeholder={'-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'} // i18n-ignore: a PEM shape
              />
            </div>
            <div class="field">
              <label class="field-label" for="merchant-serial-input">
                {t('discover.merchant.serial_label')}
              </label>
              <input id="merchant-serial-input" name="serial_no" class="field-input pay-mono" placeholder="5157F09EFDC096DE" /* i18n-ignore: a serial number */ autoComplete="off" spellcheck={false} />
            </div>
            <div class="field">
              <label class="field-label" for="merchant-apiv3">
                {t('discover.merchant.key_label')}
              </label>
              <input id="merchant-apiv3" name="apiv3_key" class="field-input pay-mono" type="password" maxLength={32} autoComplete="off" spellcheck={false} />
            </div>
            <div class="field">
              <label class="field-label" for="merchant-platform-mode-input">
                {t('discover.merchant.mode_label')}
              </label>
              <select id="merchant-platform-mode-input" name="platform_mode" class="field-input" defaultValue={merchant.platform_mode ?? 'public_key'}>
                <option value="public_key">{t('discover.merchant.mode_public_key_option')}</option>
                <option value="certificate">{t('discover.merchant.mode_certificate_option')}</option>
              </select>
            </div>
            <FormError message={error} />
            <div class="cred-actions">
              {merchant.has_credentials && (
                <button type="button" class="button button-secondary button-small" onClick={() => setOpen(false)}>
                  {t('common.cancel')}
                </button>
              )}
              <button type="submit" id="merchant-credentials-save" class="button button-primary button-small" disabled={busy}>
                {busy ? t('common.saving') : t('discover.merchant.save_creds')}
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
      <div class="cell-group-title">{t('discover.merchant.platform_key')}</div>
      <div class="card" id="platform-key">
        <p class="merchant-muted">{t('discover.merchant.platform_key_note')}</p>
        {error && <p class="form-error">{error}</p>}
        {!key && !error && <Spinner inline />}
        {key && (
          <>
            <div class="platform-key-id">
              <span class="pay-mono" id="platform-key-id">{key.public_key_id}</span>
              <CopyButton text={key.public_key_id} label={t('discover.merchant.copy_key_id')} />
            </div>
            <pre class="pem-block" id="platform-key-pem">{key.public_key_pem.trim()}</pre>
            <CopyButton text={key.public_key_pem} label={t('discover.merchant.copy_pem')} id="platform-key-copy" wide />
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
        {t('discover.merchant.log')}
        <button type="button" id="notification-refresh" class="link-button" onClick={() => void load()}>
          {t('discover.merchant.refresh')}
        </button>
      </div>
      <div class="cell-group-body notification-log" id="notification-log">
        {items === null && !error && <Spinner inline />}
        {error && <p class="form-error notification-error">{error}</p>}
        {items !== null && items.length === 0 && <p class="list-empty">{t('discover.merchant.log_empty')}</p>}
        {items?.map((n) => (
          <div class="notification-row" data-notification-id={n.id} data-status={n.status}>
            <div class="notification-top">
              <span class="notification-event">{n.event_type}</span>
              <span class={'pill ' + pillClass(n.status)}>{statusLabel(n.status)}</span>
            </div>
            <div class="notification-line pay-mono">{n.resource_id}</div>
            <div class="notification-line notification-url pay-mono">{n.url}</div>
            <div class="notification-meta">
              {when(n.created_at)}
              {' · '}
              {t('discover.merchant.attempts', { count: n.attempts })}
              {n.last_status ? ' · HTTP ' + n.last_status : ''}
              {n.delivered_at ? ' · ' + t('discover.merchant.delivered_at', { when: when(n.delivered_at) }) : ''}
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

function statusLabel(status: string): string {
  const key = 'discover.merchant.status.' + status;
  return hasMessage(key) ? t(key) : status;
}

function when(iso: string): string {
  return fmtDate(iso, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
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
    showToast(ok ? t('discover.merchant.copied') : t('discover.merchant.copy_failed'), ok ? 'success' : 'error');
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
