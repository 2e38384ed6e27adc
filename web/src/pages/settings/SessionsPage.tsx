import { useEffect, useState } from 'preact/hooks';
import { settingsApi, type DeviceSession } from '../../api';
import { errorText } from '../../i18n/errors';
import { fmtDateTime, t } from '../../i18n';
import { logout } from '../../session';
import { showToast } from '../../toast';
import { Page } from '../../components/Page';
import { CellGroup } from '../../components/Cell';
import { Spinner } from '../../components/Spinner';
import { Sheet } from '../../components/Sheet';

/** A device's name in the reader's language: "Chrome on macOS" / "macOS 上的 Chrome". */
export function deviceName(s: Pick<DeviceSession, 'browser' | 'os' | 'device'>): string {
  if (s.browser && s.os) return t('settings.sessions.device', { browser: s.browser, os: s.os });
  return s.browser || s.os || s.device || t('settings.sessions.unknown_device');
}

/** Settings → Devices: where the account is signed in; sign one out. */
export function SessionsPage() {
  const [items, setItems] = useState<DeviceSession[] | null>(null);
  const [error, setError] = useState('');
  const [ending, setEnding] = useState<DeviceSession | null>(null);
  const [busy, setBusy] = useState(false);

  function load() {
    settingsApi.sessions().then(
      // This device on top, then the others newest first (the server's order).
      (r) => setItems([...(r.sessions ?? [])].sort((a, b) => Number(b.current) - Number(a.current))),
      (err) => setError(errorText(err)),
    );
  }
  useEffect(load, []);

  async function end(s: DeviceSession) {
    if (busy) return;
    setBusy(true);
    try {
      await settingsApi.endSession(s.id);
      setEnding(null);
      if (s.current) {
        await logout();
        return;
      }
      setItems((cur) => (cur ?? []).filter((x) => x.id !== s.id));
      showToast(t('settings.sessions.ended'), 'success');
    } catch (err) {
      showToast(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('settings.sessions.title')} back="/me/settings" backId="sessions-back">
      {items === null && !error && <Spinner label={t('common.loading')} />}
      {error && <p class="form-error">{error}</p>}
      {items && (
        <CellGroup title={t('settings.sessions.intro')} class="session-list">
          {items.map((s) => (
            <div class="cell session-row" key={s.id} data-session={s.id} data-current={s.current ? 'true' : undefined}>
              <span class="cell-main">
                <span class="cell-title">
                  {deviceName(s)}
                  {s.current && <span class="badge-this-device">{t('settings.sessions.this_device')}</span>}
                </span>
                <span class="cell-subtitle">
                  {t('settings.sessions.last_active', { when: fmtDateTime(s.last_seen_at) })}
                  {s.ip ? ' · ' + s.ip : ''}
                </span>
                <span class="cell-subtitle">{t('settings.sessions.signed_in', { when: fmtDateTime(s.created_at) })}</span>
              </span>
              <span class="cell-extra">
                <button type="button" class="button button-small button-ghost-danger end-session" onClick={() => setEnding(s)}>
                  {t('settings.sessions.end')}
                </button>
              </span>
            </div>
          ))}
        </CellGroup>
      )}
      <Sheet open={ending !== null} onClose={() => setEnding(null)} label={t('settings.sessions.confirm_title')} id="end-session-sheet">
        {ending && (
          <div class="confirm-sheet">
            <h2 class="sheet-title">{t('settings.sessions.confirm_title')}</h2>
            <p class="confirm-sheet-body">{t('settings.sessions.confirm_body', { device: deviceName(ending) })}</p>
            <div class="confirm-sheet-actions">
              <button type="button" class="button" onClick={() => setEnding(null)}>
                {t('common.cancel')}
              </button>
              <button type="button" class="button button-danger" id="end-session-confirm" disabled={busy} onClick={() => void end(ending)}>
                {t('settings.sessions.end')}
              </button>
            </div>
          </div>
        )}
      </Sheet>
    </Page>
  );
}
