import { useEffect, useRef, useState } from 'preact/hooks';
import type { User } from '../api';
import { logout, session } from '../session';
import { AvatarCropper } from '../components/AvatarCropper';
import { peopleApi } from '../people/api';
import { rememberAvatar } from '../people/directory';
import { errorMessage } from '../api';
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
  const [busy, setBusy] = useState(false);
  const [pinSheet, setPinSheet] = useState(false);
  const { pinSet } = useStore(wallet);
  const picker = useRef<HTMLInputElement>(null);
  const [cropping, setCropping] = useState<File | null>(null);

  async function uploadAvatar(square: Blob) {
    try {
      const { user: next } = await peopleApi.setAvatar(square);
      rememberAvatar(next);
      session.set({ status: 'authed', user: next });
      setCropping(null);
      showToast('Your new avatar is set.');
    } catch (err) {
      throw new Error(errorMessage(err));
    }
  }

  useEffect(() => {
    void refreshWallet();
  }, []);

  async function onLogout() {
    if (busy) return;
    setBusy(true);
    await logout();
  }

  const soon = (what: string) => () => showToast(what + ' is coming soon.');

  return (
    <Page title="Me">
      <div class="profile-card">
        <button type="button" id="me-avatar" class="me-avatar-button" aria-label="Change avatar" onClick={() => picker.current?.click()}>
          <Avatar username={user.username} name={user.display_name} size="xl" src={user.avatar_url ?? null} large />
          <span class="me-avatar-edit" aria-hidden="true">Edit</span>
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
            Plaza ID: <span id="me-username">{user.username}</span>
          </div>
          <div class="profile-line">
            Region: <span id="me-region">{regionName(regions, user.region)}</span>
          </div>
        </div>
        <Link href="/me/qrcode" id="me-qrcode" class="profile-qr" aria-label="My QR code">
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
          title="Payment PIN"
          extra={pinSet === null ? undefined : <span class={pinSet ? 'muted' : 'pin-missing'}>{pinSet ? 'Set' : 'Not set'}</span>}
          chevron
          onClick={() => setPinSheet(true)}
        />
        <Cell
          id="me-merchants"
          href="/merchants"
          media={
            <CellIcon color="green">
              <StoreIcon size={20} />
            </CellIcon>
          }
          title="Merchant console"
          chevron
        />
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
            title="Admin console"
            extra={<span class="muted">Policies · Audit log</span>}
            chevron
          />
        </CellGroup>
      )}
      <CellGroup>
        <Cell
          id="me-privacy"
          href="/me/privacy"
          media={
            <CellIcon color="blue">
              <ShieldIcon size={20} />
            </CellIcon>
          }
          title="Privacy"
          chevron
        />
        <Cell
          media={
            <CellIcon color="teal">
              <SettingsIcon size={20} />
            </CellIcon>
          }
          title="Settings"
          chevron
          onClick={soon('Settings')}
        />
      </CellGroup>
      <CellGroup>
        <button type="button" id="logout" class="cell cell-link cell-danger" onClick={onLogout} disabled={busy}>
          {busy ? 'Logging out…' : 'Log out'}
        </button>
      </CellGroup>
      <PinSetupSheet open={pinSheet} onClose={() => setPinSheet(false)} />
      <AvatarCropper file={cropping} onClose={() => setCropping(null)} onDone={uploadAvatar} />
    </Page>
  );
}
