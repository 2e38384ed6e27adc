import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { errorMessage } from '../../api';
import { showToast } from '../../toast';
import { useStore } from '../../store';
import { walletApi } from '../../wallet/api';
import { markPinSet, wallet } from '../../wallet/store';
import { Sheet } from '../Sheet';
import { FormError, PasswordField } from '../Field';
import { LockIcon } from '../Icons';
import { t } from '../../i18n';

const PIN_RE = /^\d{6}$/;

/** Set or change the 6-digit payment PIN (confirmed with the account password). */
export function PinSetupSheet({ open, onClose, onDone, reason }: { open: boolean; onClose: () => void; onDone?: () => void; reason?: string }) {
  const { pinSet } = useStore(wallet);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const change = pinSet === true;

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const f = e.currentTarget;
    const val = (name: string) => (f.elements.namedItem(name) as HTMLInputElement).value;
    const password = val('password');
    const pin = val('pin').trim();
    const confirm = val('confirm').trim();
    if (!password) return setError(t('wallet.pin.need_password'));
    if (!PIN_RE.test(pin)) return setError(t('wallet.pin.six_digits'));
    if (pin !== confirm) return setError(t('wallet.pin.mismatch'));
    setError('');
    setBusy(true);
    try {
      await walletApi.setPin(pin, password);
      markPinSet();
      showToast(t(change ? 'wallet.pin.changed' : 'wallet.pin.set_done'), 'success');
      f.reset();
      (onDone ?? onClose)();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const digits = { inputMode: 'numeric' as const, pattern: '[0-9]*', maxLength: 6, autoComplete: 'off' };

  return (
    <Sheet open={open} onClose={onClose} label={t('wallet.pin.label')} id="pin-setup">
      <div class="sheet-head">
        <h2 class="sheet-title">{t(change ? 'wallet.pin.change_title' : 'wallet.pin_banner.title')}</h2>
      </div>
      <div class="pin-setup-intro">
        <span class="pin-setup-icon">
          <LockIcon size={26} />
        </span>
        <p>{reason || t('wallet.pin.intro')}</p>
      </div>
      <form class="money-form" onSubmit={onSubmit} noValidate>
        <PasswordField label={t('wallet.pin.account_password')} id="pin-password" name="password" autoComplete="current-password" placeholder={t('wallet.pin.password_placeholder')} />
        <PasswordField label={t('wallet.pin.new')} id="pin-new" name="pin" placeholder="••••••" {...digits} />
        <PasswordField label={t('wallet.pin.confirm')} id="pin-confirm" name="confirm" placeholder="••••••" {...digits} />
        <FormError message={error} />
        <button type="submit" id="pin-setup-submit" class="button button-primary button-block" disabled={busy}>
          {busy ? <span class="button-spinner" aria-hidden="true" /> : null}
          {t(busy ? 'common.saving' : change ? 'wallet.pin.change' : 'wallet.pin.set')}
        </button>
      </form>
    </Sheet>
  );
}
