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

/** Me → Privacy: mini programs holding my consents, with revoke; data export. */
export function PrivacyPage() {
  const [items, setItems] = useState<AppConsents[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [testing, setTesting] = useState<TestingApp[]>([]);

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
      showToast('You no longer test ' + app.name + '.');
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
      showToast('Access revoked for ' + app.name + '.');
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Page title="Privacy" back="/me" backId="privacy-back" class="privacy-page">
      {items !== null && items.length === 0 ? (
        <div class="consent-empty" id="consent-empty">
          <EmptyState icon={<ShieldIcon size={40} />} title="No mini program has your data." />
        </div>
      ) : (
      <CellGroup title="Mini programs with access to your data" class="consent-list">
        {items === null && !error && <Spinner label="Loading…" />}
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
                {busy === a.appid ? 'Revoking…' : 'Revoke'}
              </button>
            </span>
          </div>
        ))}
      </CellGroup>
      )}
      {testing.length > 0 && (
        <CellGroup title="Mini programs you test" class="testing-list">
          {testing.map((a) => (
            <div class="cell consent-row" key={a.appid} data-testing-appid={a.appid}>
              <span class="cell-media">
                <Avatar username={a.appid} name={a.name} />
              </span>
              <span class="cell-main">
                <span class="cell-title">{a.name || a.appid}</span>
                <span class="cell-subtitle">Its developer named you a tester of its unreleased versions</span>
              </span>
              <span class="cell-extra">
                <button
                  type="button"
                  class="button button-small button-ghost-danger leave-testing"
                  disabled={busy !== null}
                  onClick={() => void leave(a)}
                >
                  {busy === 'testing:' + a.appid ? 'Leaving…' : 'Leave'}
                </button>
              </span>
            </div>
          ))}
        </CellGroup>
      )}
      <CellGroup>
        <a class="cell cell-link" id="privacy-export" href="/api/v1/me/export" download>
          <span class="cell-media">
            <CellIcon color="indigo">
              <ShieldIcon size={20} />
            </CellIcon>
          </span>
          <span class="cell-main">
            <span class="cell-title">Download my data</span>
          </span>
          <ChevronRightIcon class="cell-chevron" />
        </a>
      </CellGroup>
      <p class="page-note">Revoking stops a mini program from reading your nickname and avatar until you allow it again.</p>
    </Page>
  );
}
