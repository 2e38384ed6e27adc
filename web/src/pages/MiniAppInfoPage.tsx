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
import { t } from '../i18n';
import { categoryLabel } from './DiscoverPage';

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
    <Page title={app?.name || t('discover.info.fallback_title')} back="/discover" backId="app-info-back" class="app-info-page">
      <NoticeBanners items={notices} id="app-info-notices" />
      {!app && !error && !missing && <Spinner label={t('common.loading')} />}
      {error && <p class="form-error app-info-error">{error}</p>}
      {missing && (
        <EmptyState
          icon={<MiniProgramIcon size={40} />}
          title={notices.length ? t('discover.info.not_in_region') : t('discover.info.unavailable')}
        >
          <Link href="/discover" class="button button-secondary button-small">
            {t('discover.back')}
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
              {t('discover.info.open')}
            </Link>
          </div>
          <CellGroup>
            <Cell title={t('discover.info.category')} extra={<span id="app-info-category">{app.category ? categoryLabel(app.category) : t('discover.info.category_other')}</span>} />
            <Cell
              title={t('discover.info.developer')}
              extra={<span id="app-info-developer">{released ? t('discover.info.verified') : t('discover.info.not_released')}</span>}
            />
            <Cell title="AppID" /* i18n-ignore */ extra={<span class="app-info-appid">{app.appid}</span>} />
          </CellGroup>
          <CellGroup title={t('discover.info.may_ask')} class="app-info-scopes">
            {SCOPES.map((s) => (
              <Cell key={s} data-scope={s} title={t('discover.info.scope', { label: scopeLabel(s), scope: s })} />
            ))}
          </CellGroup>
          <CellGroup title={t('discover.info.servers')} class="app-info-domains">
            {domains.length === 0 ? (
              <Cell class="app-info-none" title={<span class="muted">{t('discover.info.none')}</span>} />
            ) : (
              domains.map((d) => <Cell key={d} data-domain={d} title={<span class="app-info-domain">{d}</span>} />)
            )}
          </CellGroup>
        </div>
      )}
    </Page>
  );
}
