import './settings.css';
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../api';
import { logout } from '../../session';
import { localeChosen, t, useLocale } from '../../i18n';
import { Page } from '../../components/Page';
import { Cell, CellGroup, CellIcon } from '../../components/Cell';
import { LockIcon, MessageIcon, SettingsIcon, ShieldIcon, StoreIcon } from '../../components/Icons';
import { useStore } from '../../store';
import { refreshWallet, wallet } from '../../wallet/store';
import { refreshMerchantOwnership, useOwnsMerchant } from './merchants';

/** Me → Settings: WeChat's grouped cells, each leading to its own page. */
export function SettingsPage({ user }: { user: User }) {
  const [busy, setBusy] = useState(false);
  const { pinSet } = useStore(wallet);
  const owner = useOwnsMerchant(user.id);
  const l = useLocale();

  useEffect(() => {
    void refreshWallet();
    void refreshMerchantOwnership(user.id);
  }, [user.id]);

  async function onLogout() {
    if (busy) return;
    setBusy(true);
    await logout();
  }

  const language = localeChosen() ? t(('settings.language.' + l) as 'settings.language.en') : t('settings.language.system');

  return (
    <Page title={t('settings.title')} back="/me" backId="settings-back" class="settings-page">
      <CellGroup title={t('settings.group.account')}>
        <Cell
          id="settings-password"
          href="/me/settings/password"
          media={
            <CellIcon color="blue">
              <LockIcon size={20} />
            </CellIcon>
          }
          title={t('settings.password.title')}
          chevron
        />
        <Cell
          id="settings-pin"
          href="/me/settings/pin"
          media={
            <CellIcon color="orange">
              <LockIcon size={20} />
            </CellIcon>
          }
          title={pinSet === false ? t('settings.pin.set_title') : t('settings.pin.title')}
          extra={pinSet === false ? <span class="pin-missing">{t('settings.me.pin_not_set')}</span> : undefined}
          chevron
        />
        <Cell
          id="settings-sessions"
          href="/me/settings/sessions"
          media={
            <CellIcon color="indigo">
              <ShieldIcon size={20} />
            </CellIcon>
          }
          title={t('settings.sessions.title')}
          chevron
        />
      </CellGroup>
      <CellGroup>
        <Cell
          id="settings-notifications"
          href="/me/settings/notifications"
          media={
            <CellIcon color="green">
              <MessageIcon size={20} />
            </CellIcon>
          }
          title={t('settings.notifications.title')}
          chevron
        />
        <Cell
          id="settings-privacy"
          href="/me/settings/privacy"
          media={
            <CellIcon color="blue">
              <ShieldIcon size={20} />
            </CellIcon>
          }
          title={t('settings.privacy.title')}
          chevron
        />
      </CellGroup>
      <CellGroup title={t('settings.group.general')}>
        <Cell
          id="settings-language"
          href="/me/settings/language"
          media={
            <CellIcon color="teal">
              <SettingsIcon size={20} />
            </CellIcon>
          }
          title={t('settings.language.title')}
          extra={<span class="muted" id="settings-language-current">{language}</span>}
          chevron
        />
        <Cell
          id="settings-appearance"
          href="/me/settings/appearance"
          media={
            <CellIcon color="indigo">
              <SettingsIcon size={20} />
            </CellIcon>
          }
          title={t('settings.appearance.title')}
          chevron
        />
      </CellGroup>
      {owner === false && (
        <CellGroup>
          <Cell
            id="settings-open-shop"
            href="/merchants"
            media={
              <CellIcon color="green">
                <StoreIcon size={20} />
              </CellIcon>
            }
            title={t('settings.shop.open')}
            subtitle={t('settings.shop.hint')}
            chevron
          />
        </CellGroup>
      )}
      <CellGroup>
        <button type="button" id="logout" class="cell cell-link cell-danger" onClick={onLogout} disabled={busy}>
          {busy ? t('settings.logging_out') : t('settings.logout')}
        </button>
      </CellGroup>
    </Page>
  );
}
