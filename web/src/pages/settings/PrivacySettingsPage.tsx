import { useEffect, useState } from 'preact/hooks';
import { settingsApi, type AddMe } from '../../api';
import { errorText } from '../../i18n/errors';
import { t } from '../../i18n';
import { showToast } from '../../toast';
import { Page } from '../../components/Page';
import { Cell, CellGroup, CellIcon } from '../../components/Cell';
import { CheckIcon, ShieldIcon } from '../../components/Icons';
import { LastSeenSetting } from '../../components/chat/ReadReceipts';

const CHOICES: AddMe[] = ['everyone', 'contacts_of_contacts', 'nobody'];

/** Settings → Privacy: last seen, who can add me, and the way to mini program access and one's data. */
export function PrivacySettingsPage() {
  const [addMe, setAddMe] = useState<AddMe | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    settingsApi.settings().then(
      (s) => setAddMe(s.add_me ?? 'everyone'),
      (err) => showToast(errorText(err)),
    );
  }, []);

  async function choose(v: AddMe) {
    if (busy || v === addMe) return;
    setBusy(true);
    try {
      const s = await settingsApi.putSettings({ add_me: v });
      setAddMe(s.add_me);
      showToast(t('settings.add_me.saved'), 'success');
    } catch (err) {
      showToast(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('settings.privacy.title')} back="/me/settings" backId="settings-privacy-back">
      <LastSeenSetting />
      <CellGroup title={t('settings.add_me.title')} class="add-me-setting">
        <div role="radiogroup" aria-label={t('settings.add_me.title')}>
          {CHOICES.map((v) => (
            <button
              type="button"
              key={v}
              role="radio"
              aria-checked={addMe === v}
              class="cell cell-link add-me-option"
              id={'add-me-' + v}
              disabled={addMe === null || busy}
              onClick={() => void choose(v)}
            >
              <span class="cell-main">
                <span class="cell-title">{t(('settings.add_me.' + v) as 'settings.add_me.everyone')}</span>
                <span class="cell-subtitle">{t(('settings.add_me.' + v + '_hint') as 'settings.add_me.everyone_hint')}</span>
              </span>
              <span class="cell-extra">{addMe === v && <CheckIcon size={20} class="language-check" />}</span>
            </button>
          ))}
        </div>
      </CellGroup>
      <CellGroup>
        <Cell
          id="settings-privacy-data"
          href="/me/privacy"
          media={
            <CellIcon color="indigo">
              <ShieldIcon size={20} />
            </CellIcon>
          }
          title={t('settings.privacy.data')}
          subtitle={t('settings.privacy.data_hint')}
          chevron
        />
      </CellGroup>
    </Page>
  );
}
