import { useEffect, useRef, useState } from 'preact/hooks';
import type { User } from '../api';
import { session } from '../session';
import { AvatarCropper } from '../components/AvatarCropper';
import { peopleApi } from '../people/api';
import { rememberAvatar } from '../people/directory';
import { errorMessage } from '../api';
import { t, tx } from '../i18n';
import { refreshMerchantOwnership, useOwnsMerchant } from './settings/merchants';
import { regionName, useRegions } from '../regions';
import { showToast } from '../toast';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Cell, CellGroup, CellIcon } from '../components/Cell';
import { ChevronRightIcon, LockIcon, SettingsIcon, ShieldIcon, StoreIcon } from '../components/Icons';
import { Link } from '../router';
import { QrIcon } from '../qr/icons';
import { PinSetupSheet } from '../components/wallet/PinSetupSheet';
import { useStore } from '../store';
import { refreshWallet, wallet } from '../wallet/store';

export function MePage({ user }: { user: User }) {
  const regions = useRegions();
  const [pinSheet, setPinSheet] = useState(false);
  const { pinSet } = useStore(wallet);
  const picker = useRef<HTMLInputElement>(null);
  const [cropping, setCropping] = useState<File | null>(null);
  const ownsMerchant = useOwnsMerchant(user.id);

  async function uploadAvatar(square: Blob) {
    try {
      const { user: next } = await peopleApi.setAvatar(square);
      rememberAvatar(next);
      session.set({ status: 'authed', user: next });
      setCropping(null);
      showToast(t('settings.me.avatar_set'));
    } catch (err) {
      throw new Error(errorMessage(err));
    }
  }

  useEffect(() => {
    void refreshWallet();
    void refreshMerchantOwnership(user.id);
  }, [user.id]);

  return (
    <Page title={t('settings.me.title')}>
      <div class="profile-card">
        <button type="button" id="me-avatar" class="me-avatar-button" aria-label={t('settings.me.change_avatar')} onClick={() => picker.current?.click()}>
          <Avatar username={user.username} name={user.display_name} size="xl" src={user.avatar_url ?? null} large />
          <span class="me-avatar-edit" aria-hidden="true">
            {t('settings.me.edit')}
          </span>
        </button>
        <input
          ref={picker}
          type="file"
          id="me-avatar-file"
          accept="image/jpeg,image/png,image/webp"
          hidden
          onChange={(e) => {
            const f = (e.currentTarget as HTMLInputElement).files?.[0] ?? null;
            (e.currentTarget as HTMLInputElement).value = '';
            if (f) setCropping(f);
          }}
        />
        <div class="profile-text">
          <div class="profile-name" id="me-display-name">
            {user.display_name}
          </div>
          <div class="profile-line">
            {tx('settings.me.plaza_id', { id: <span id="me-username">{user.username}</span> })}
          </div>
          <div class="profile-line">
            {tx('settings.me.region', { region: <span id="me-region">{regionName(regions, user.region)}</span> })}
          </div>
        </div>
        <Link href="/me/qrcode" id="me-qrcode" class="profile-qr" aria-label={t('settings.me.my_qr')}>
          <QrIcon size={20} />
          <ChevronRightIcon size={18} />
        </Link>
      </div>
      <CellGroup>
        <Cell
          id="me-payment-pin"
          media={
            <CellIcon color="orange">
              <LockIcon size={20} />
            </CellIcon>
          }
          title={t('settings.me.payment_pin')}
          extra={pinSet === null ? undefined : <span class={pinSet ? 'muted' : 'pin-missing'}>{pinSet ? t('settings.me.pin_set') : t('settings.me.pin_not_set')}</span>}
          chevron
          onClick={() => setPinSheet(true)}
        />
        {ownsMerchant && (
          <Cell
            id="me-merchants"
            href="/merchants"
            media={
              <CellIcon color="green">
                <StoreIcon size={20} />
              </CellIcon>
            }
            title={t('settings.me.merchants')}
            chevron
          />
        )}
      </CellGroup>
      {user.is_admin && (
        <CellGroup>
          <Cell
            id="me-admin"
            href="/admin/policies"
            media={
              <CellIcon color="indigo">
                <ShieldIcon size={20} />
              </CellIcon>
            }
            title={t('settings.me.admin')}
            extra={<span class="muted">{t('settings.me.admin_extra')}</span>}
            chevron
          />
        </CellGroup>
      )}
      <CellGroup>
        <Cell
          id="me-settings"
          href="/me/settings"
          media={
            <CellIcon color="teal">
              <SettingsIcon size={20} />
            </CellIcon>
          }
          title={t('settings.me.settings')}
          chevron
        />
      </CellGroup>
      <PinSetupSheet open={pinSheet} onClose={() => setPinSheet(false)} />
      <AvatarCropper file={cropping} onClose={() => setCropping(null)} onDone={uploadAvatar} />
    </Page>
  );
}
