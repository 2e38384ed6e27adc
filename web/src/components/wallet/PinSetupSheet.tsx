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
    if (!password) return setError('Enter your account password.');
    if (!PIN_RE.test(pin)) return setError('The payment PIN is exactly 6 digits.');
    if (pin !== confirm) return setError('The two PINs don’t match.');
    setError('');
    setBusy(true);
    try {
      await walletApi.setPin(pin, password);
      markPinSet();
      showToast(change ? 'Payment PIN changed.' : 'Payment PIN set.', 'success');
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
    <Sheet open={open} onClose={onClose} label="Payment PIN" id="pin-setup">
      <div class="sheet-head">
        <h2 class="sheet-title">{change ? 'Change payment PIN' : 'Set up payment PIN'}</h2>
      </div>
      <div class="pin-setup-intro">
        <span class="pin-setup-icon">
          <LockIcon size={26} />
        </span>
        <p>{reason || 'Your 6-digit payment PIN confirms every payment, transfer and red packet. Don’t share it with anyone.'}</p>
      </div>
      <form class="money-form" onSubmit={onSubmit} noValidate>
        <PasswordField label="Account password" id="pin-password" name="password" autoComplete="current-password" placeholder="To confirm it’s you" />
        <PasswordField label="New 6-digit PIN" id="pin-new" name="pin" placeholder="••••••" {...digits} />
        <PasswordField label="Confirm PIN" id="pin-confirm" name="confirm" placeholder="••••••" {...digits} />
        <FormError message={error} />
        <button type="submit" id="pin-setup-submit" class="button button-primary button-block" disabled={busy}>
          {busy ? <span class="button-spinner" aria-hidden="true" /> : null}
          {busy ? 'Saving…' : change ? 'Change PIN' : 'Set PIN'}
        </button>
      </form>
    </Sheet>
  );
}
