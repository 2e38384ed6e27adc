import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { errorMessage } from '../api';
import { guessRegion, useRegions } from '../regions';
import { localRegions, regionLabel } from '../trust/format';
import { t } from '../i18n';
import { showToast } from '../toast';
import { merchantApi, type Merchant } from '../pay/api';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Cell, CellGroup } from '../components/Cell';
import { FormError } from '../components/Field';
import { Spinner } from '../components/Spinner';
import { EmptyState } from '../components/EmptyState';
import { StoreIcon } from '../components/Icons';

/** Merchant console: the shops I own, and a form to register a new one. */
export function MerchantsPage() {
  const regions = useRegions();
  const [items, setItems] = useState<Merchant[] | null>(null);
  const [loadError, setLoadError] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [fresh, setFresh] = useState('');

  async function load() {
    setLoadError('');
    try {
      setItems((await merchantApi.list()).items ?? []);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }

  useEffect(() => {
    void load();
  }, []);

  const defaultRegion = regions && regions.length > 0 ? guessRegion(regions) : 'CN';

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const f = e.currentTarget;
    const name = (f.elements.namedItem('name') as HTMLInputElement).value.trim();
    const region = ((f.elements.namedItem('region') as HTMLSelectElement).value || defaultRegion).trim().toUpperCase();
    if (!name || Array.from(name).length > 64) return setError(t('discover.merchants.bad_name'));
    if (!/^[A-Z]{2}$/.test(region)) return setError(t('discover.merchants.bad_region'));
    setError('');
    setBusy(true);
    try {
      const { merchant } = await merchantApi.create(name, region);
      setItems((list) => [...(list ?? []).filter((m) => m.mchid !== merchant.mchid), merchant]);
      setFresh(merchant.mchid);
      showToast(t('discover.merchants.created', { name: merchant.name, mchid: merchant.mchid }), 'success');
      f.reset();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('discover.merchants.title')} back="/me">
      {(items === null || items.length === 0) && <div class="cell-group-title">{t('discover.merchants.mine')}</div>}
      {items === null && !loadError && <Spinner />}
      {loadError && (
        <p class="inline-error">
          {loadError}{' '}
          <button type="button" class="link-button" onClick={() => void load()}>
            {t('discover.merchants.retry')}
          </button>
        </p>
      )}
      {items !== null && items.length === 0 && (
        <EmptyState icon={<StoreIcon size={48} />} title={t('discover.merchants.empty')}>
          <p>{t('discover.merchants.empty_body')}</p>
        </EmptyState>
      )}
      {items !== null && items.length > 0 && (
        <CellGroup class="merchant-list" title={t('discover.merchants.mine')}>
          {items.map((m) => (
            <Cell
              href={'/merchants/' + encodeURIComponent(m.mchid)}
              data-mchid={m.mchid}
              class={m.mchid === fresh ? 'merchant-row fresh' : 'merchant-row'}
              media={<Avatar username={m.mchid} name={m.name} size="md" />}
              title={m.name}
              subtitle={
                <>
                  <span class="pay-mono">{m.mchid}</span> · {regionLabel(regions, m.region)}
                </>
              }
              extra={<StatusPill ok={m.has_credentials} />}
              chevron
            />
          ))}
        </CellGroup>
      )}

      <div class="cell-group-title">{t('discover.merchants.new')}</div>
      <form class="card merchant-form" onSubmit={onSubmit} noValidate>
        <div class="field">
          <label class="field-label" for="merchant-new-name">
            {t('discover.merchants.name')}
          </label>
          <input id="merchant-new-name" name="name" class="field-input" placeholder={t('discover.merchants.name_placeholder')} maxLength={64} autoComplete="organization" />
        </div>
        <div class="field">
          <label class="field-label" for="merchant-new-region">
            {t('discover.merchants.region')}
          </label>
          <div class="select-wrap">
            <select id="merchant-new-region" name="region" class="field-input field-select" key={defaultRegion}>
              {regions === null && <option value={defaultRegion}>{t('discover.merchants.loading_regions')}</option>}
              {regions && localRegions(regions).map((r) => (
                <option value={r.code} selected={r.code === defaultRegion}>
                  {r.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <FormError message={error} />
        <button type="submit" id="merchant-create" class="button button-primary button-block" disabled={busy}>
          {busy && <span class="button-spinner" aria-hidden="true" />}
          {busy ? t('discover.merchants.creating') : t('discover.merchants.create')}
        </button>
      </form>
    </Page>
  );
}

export function StatusPill({ ok }: { ok: boolean }) {
  return <span class={'pill ' + (ok ? 'pill-green' : 'pill-orange')}>{ok ? t('discover.merchants.ready') : t('discover.merchants.setup')}</span>;
}
