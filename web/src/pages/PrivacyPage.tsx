import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { CellGroup, CellIcon } from '../components/Cell';
import { Spinner } from '../components/Spinner';
import { EmptyState } from '../components/EmptyState';
import { ChevronRightIcon, ShieldIcon } from '../components/Icons';
import { miniApi, scopeLabel, type AppConsents, type TestingApp } from '../miniapp/api';
import { showToast } from '../toast';
import { logout } from '../session';
import { eraseAccount, erasureRefusal, exportState, formatBytes, startExport } from '../privacy/account';
import { useStore } from '../store';
import { t } from '../i18n';
import { LastSeenSetting } from '../components/chat/ReadReceipts';

/** Me → Privacy: mini programs holding my consents, with revoke; data export; deleting the account. */
export function PrivacyPage() {
  const [items, setItems] = useState<AppConsents[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [testing, setTesting] = useState<TestingApp[]>([]);
  // The download lives outside the page: leaving mid-way keeps it.
  const { downloaded, saved, error: exportError } = useStore(exportState);
  const [deleting, setDeleting] = useState(false);
  const [password, setPassword] = useState('');
  const [eraseError, setEraseError] = useState<{ message: string; moneyHeld: boolean } | null>(null);
  const [erasing, setErasing] = useState(false);

  async function download() {
    const done = await startExport();
    if (done) showToast(done);
  }

  async function erase(e: Event) {
    e.preventDefault();
    if (erasing || !password) return;
    setErasing(true);
    setEraseError(null);
    try {
      await eraseAccount(password);
      showToast(t('settings.privacy_page.deleted'));
      await logout();
    } catch (err) {
      setEraseError(erasureRefusal(err));
      setErasing(false);
    }
  }

  useEffect(() => {
    miniApi.myConsents().then(
      (r) => setItems((r.items ?? []).filter((a) => (a.scopes ?? []).length > 0)),
      (err) => {
        // Older servers have no listing endpoint: nothing to show.
        if (err instanceof ApiError && (err.status === 404 || err.status === 405)) setItems([]);
        else setError(errorMessage(err));
      },
    );
    // Apps whose developer named me a tester (they may open its unreleased versions for me).
    miniApi.testing().then(
      (r) => setTesting(r.items ?? []),
      () => setTesting([]),
    );
  }, []);

  async function leave(app: TestingApp) {
    if (busy) return;
    setBusy('testing:' + app.appid);
    try {
      await miniApi.leaveTesting(app.appid);
      setTesting((cur) => cur.filter((a) => a.appid !== app.appid));
      showToast(t('settings.privacy_page.left_testing', { name: app.name }));
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  async function revoke(app: AppConsents) {
    if (busy) return;
    setBusy(app.appid);
    try {
      for (const scope of app.scopes ?? []) {
        try {
          await miniApi.revoke(app.appid, scope);
        } catch (err) {
          // Already gone is as good as revoked.
          if (!(err instanceof ApiError && err.status === 404)) throw err;
        }
      }
      setItems((cur) => (cur ?? []).filter((a) => a.appid !== app.appid));
      showToast(t('settings.privacy_page.revoked', { name: app.name }));
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Page title={t('settings.privacy.title')} back="/me/settings/privacy" backId="privacy-back" class="privacy-page">
      <LastSeenSetting />
      {items !== null && items.length === 0 ? (
        <div class="consent-empty" id="consent-empty">
          <EmptyState icon={<ShieldIcon size={40} />} title={t('settings.privacy_page.no_consents')} />
        </div>
      ) : (
      <CellGroup title={t('settings.privacy_page.consents')} class="consent-list">
        {items === null && !error && <Spinner label={t('common.loading')} />}
        {error && <p class="form-error consent-error">{error}</p>}
        {items?.map((a) => (
          <div class="cell consent-row" key={a.appid} data-consent-appid={a.appid}>
            <span class="cell-media">
              <Avatar username={a.appid} name={a.name} />
            </span>
            <span class="cell-main">
              <span class="cell-title">{a.name || a.appid}</span>
              <span class="cell-subtitle consent-scopes">{(a.scopes ?? []).map(scopeLabel).join(', ')}</span>
            </span>
            <span class="cell-extra">
              <button
                type="button"
                class="button button-small button-ghost-danger revoke-consent"
                disabled={busy !== null}
                onClick={() => void revoke(a)}
              >
                {busy === a.appid ? t('settings.privacy_page.revoking') : t('settings.privacy_page.revoke')}
              </button>
            </span>
          </div>
        ))}
      </CellGroup>
      )}
      {testing.length > 0 && (
        <CellGroup title={t('settings.privacy_page.testing')} class="testing-list">
          {testing.map((a) => (
            <div class="cell consent-row" key={a.appid} data-testing-appid={a.appid}>
              <span class="cell-media">
                <Avatar username={a.appid} name={a.name} />
              </span>
              <span class="cell-main">
                <span class="cell-title">{a.name || a.appid}</span>
                <span class="cell-subtitle">{t('settings.privacy_page.tester_hint')}</span>
              </span>
              <span class="cell-extra">
                <button
                  type="button"
                  class="button button-small button-ghost-danger leave-testing"
                  disabled={busy !== null}
                  onClick={() => void leave(a)}
                >
                  {busy === 'testing:' + a.appid ? t('settings.privacy_page.leaving') : t('settings.privacy_page.leave')}
                </button>
              </span>
            </div>
          ))}
        </CellGroup>
      )}
      <CellGroup>
        <button
          type="button"
          class="cell cell-link privacy-export"
          id="privacy-export"
          disabled={downloaded !== null}
          aria-busy={downloaded !== null}
          onClick={() => void download()}
        >
          <span class="cell-media">
            <CellIcon color="indigo">
              <ShieldIcon size={20} />
            </CellIcon>
          </span>
          <span class="cell-main">
            <span class="cell-title">{t('settings.privacy_page.download')}</span>
            <span class="cell-subtitle" id="privacy-export-status" role="status">
              {downloaded !== null
                ? t('settings.privacy_page.downloading', { size: formatBytes(downloaded) })
                : saved || t('settings.privacy_page.download_hint')}
            </span>
          </span>
          {downloaded !== null ? <span class="spinner spinner-small" aria-hidden="true" /> : <ChevronRightIcon class="cell-chevron" />}
        </button>
      </CellGroup>
      {exportError && <p class="form-error" id="privacy-export-error">{exportError}</p>}
      <p class="page-note">{t('settings.privacy_page.revoke_note')}</p>
      <CellGroup title={t('settings.privacy_page.delete_group')} class="privacy-delete">
        {!deleting ? (
          <button type="button" class="cell cell-link" id="privacy-delete" onClick={() => setDeleting(true)}>
            <span class="cell-main">
              <span class="cell-title privacy-delete-title">{t('settings.privacy_page.delete')}</span>
              <span class="cell-subtitle">{t('settings.privacy_page.delete_hint')}</span>
            </span>
            <ChevronRightIcon class="cell-chevron" />
          </button>
        ) : (
          <form class="privacy-delete-form" id="privacy-delete-form" onSubmit={(e) => void erase(e)}>
            <p class="field-hint">{t('settings.privacy_page.delete_warning')}</p>
            <label class="field">
              <span class="field-label">{t('settings.privacy_page.password')}</span>
              <input
                class="field-input"
                type="password"
                id="privacy-delete-password"
                autocomplete="current-password"
                value={password}
                onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
              />
            </label>
            {eraseError && (
              <p class={'form-error' + (eraseError.moneyHeld ? ' privacy-money-held' : '')} id="privacy-delete-error" role="alert">
                {eraseError.message}
              </p>
            )}
            <div class="privacy-delete-actions">
              <button type="button" class="button button-small" onClick={() => { setDeleting(false); setEraseError(null); setPassword(''); }}>
                {t('common.cancel')}
              </button>
              <button type="submit" class="button button-small button-danger" id="privacy-delete-confirm" disabled={erasing || !password}>
                {erasing ? t('settings.privacy_page.deleting') : t('settings.privacy_page.delete')}
              </button>
            </div>
          </form>
        )}
      </CellGroup>
    </Page>
  );
}
