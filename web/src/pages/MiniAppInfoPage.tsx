import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Cell, CellGroup } from '../components/Cell';
import { Spinner } from '../components/Spinner';
import { EmptyState } from '../components/EmptyState';
import { MiniProgramIcon } from '../components/Icons';
import { Link } from '../router';
import { miniApi, scopeLabel, type MiniApp } from '../miniapp/api';
import { NoticeBanners, useNotices } from '../components/NoticeBanners';
import { noticesFor } from '../trust/format';

/** Scopes a mini program may ask for through the bridge. */
const SCOPES = ['userInfo'];

/** /discover/app/:appid — what a mini program is before you open it. */
export function MiniAppInfoPage({ appid }: { appid: string }) {
  const [app, setApp] = useState<MiniApp | null>(null);
  const [error, setError] = useState('');
  const [missing, setMissing] = useState(false);
  const notices = noticesFor(useNotices(), appid, app?.developer_id);

  useEffect(() => {
    miniApi.get(appid).then(
      (r) => setApp(r.app),
      (err) => {
        if (err instanceof ApiError && err.status === 404) setMissing(true);
        else setError(errorMessage(err));
      },
    );
  }, [appid]);

  const domains = (app?.request_domains ?? []).filter(Boolean);
  const released = !!app && app.released_version > 0;

  return (
    <Page title={app?.name || 'Mini Program'} back="/discover" backId="app-info-back" class="app-info-page">
      <NoticeBanners items={notices} id="app-info-notices" />
      {!app && !error && !missing && <Spinner label="Loading…" />}
      {error && <p class="form-error app-info-error">{error}</p>}
      {missing && (
        <EmptyState
          icon={<MiniProgramIcon size={40} />}
          title={notices.length ? 'Not available in your region' : 'This mini program is not available'}
        >
          <Link href="/discover" class="button button-secondary button-small">
            Back to Discover
          </Link>
        </EmptyState>
      )}
      {app && (
        <div id="app-info" data-appid={app.appid}>
          <div class="app-info-head">
            <Avatar username={app.appid} name={app.name} size="xl" />
            <div class="app-info-name" id="app-info-name">
              {app.name}
            </div>
            {app.description && (
              <p class="app-info-desc" id="app-info-description">
                {app.description}
              </p>
            )}
            <Link href={'/app/' + encodeURIComponent(app.appid)} id="app-open" class="button button-primary app-open">
              Open
            </Link>
          </div>
          <CellGroup>
            <Cell title="Category" extra={<span id="app-info-category">{app.category || 'Other'}</span>} />
            <Cell
              title="Developer"
              extra={<span id="app-info-developer">{released ? 'Verified developer' : 'Not yet released'}</span>}
            />
            <Cell title="AppID" extra={<span class="app-info-appid">{app.appid}</span>} />
          </CellGroup>
          <CellGroup title="It may ask for" class="app-info-scopes">
            {SCOPES.map((s) => (
              <Cell key={s} data-scope={s} title={scopeLabel(s) + ' (' + s + ')'} />
            ))}
          </CellGroup>
          <CellGroup title="Servers it talks to" class="app-info-domains">
            {domains.length === 0 ? (
              <Cell class="app-info-none" title={<span class="muted">None</span>} />
            ) : (
              domains.map((d) => <Cell key={d} data-domain={d} title={<span class="app-info-domain">{d}</span>} />)
            )}
          </CellGroup>
        </div>
      )}
    </Page>
  );
}
