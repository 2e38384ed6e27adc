import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useDialogFocus } from '../dialogFocus';
import { ApiError, errorMessage } from '../../api';
import { outcomeUnknown } from '../../wallet/attempt';
import { currencySymbol, formatDigits } from '../../wallet/money';
import { BackspaceIcon, CloseIcon } from '../Icons';
import { t } from '../../i18n';

export const PIN_LENGTH = 6;

export interface PinSheetProps {
  /** What is being paid: "Transfer to Bob Smith". */
  what: string;
  amount: number;
  currency: string;
  /** Sends the payment with this PIN; rejects with the server's ApiError. */
  submit: (pin: string) => Promise<void>;
  onDone: () => void;
  onCancel: () => void;
  /** A definite refusal that isn't about the PIN (insufficient funds, policy…). */
  onFail: (err: unknown) => void;
  /** The server says there is no PIN yet, or the person forgot theirs. */
  onSetup: () => void;
}

const BACK = 'back';
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '', '0', BACK];
/** A keypad key's name for screen readers: the digit, or Delete. */
const keyLabel = (k: string) => (k === BACK ? t('common.delete') : k);

/**
 * "Enter payment PIN": what is paid, six dots and a numeric keypad (keyboard
 * digits work too). Submits on the sixth digit.
 */
export function PinSheet({ what, amount, currency, submit, onDone, onCancel, onFail, onSetup }: PinSheetProps) {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [locked, setLocked] = useState(false);
  /** Set when the outcome is unknown (network): "Try again" resends the same PIN. */
  const [retryPin, setRetryPin] = useState('');
  const [shake, setShake] = useState(0);
  const panel = useRef<HTMLDivElement>(null);
  // Tab stays on the pad; focus returns to the button that asked for the PIN.
  useDialogFocus(panel, true);
  const state = useRef({ pin, busy, locked, retryPin });
  state.current = { pin, busy, locked, retryPin };
  // The keyboard listener is registered once; it calls the latest handlers.
  const latest = useRef({ press: (_k: string) => {}, cancel: onCancel });

  async function send(full: string) {
    state.current.busy = true;
    setBusy(true);
    setError('');
    setRetryPin('');
    try {
      await submit(full);
      onDone();
    } catch (err) {
      setBusy(false);
      const code = err instanceof ApiError ? err.code : '';
      if (code === 'wrong_pin') {
        setPin('');
        setError(errorMessage(err));
        setShake((n) => n + 1);
      } else if (code === 'pin_locked') {
        setPin('');
        setLocked(true);
        setError(errorMessage(err));
      } else if (code === 'pin_not_set') {
        onSetup();
      } else if (outcomeUnknown(err)) {
        setRetryPin(full); // same PIN, same idempotency key: safe to resend
        setError(errorMessage(err));
      } else {
        onFail(err);
      }
    }
  }

  function press(key: string) {
    const s = state.current;
    if (s.busy || s.locked || s.retryPin) return;
    if (key === 'back') {
      s.pin = s.pin.slice(0, -1); // keep the ref current between fast key presses
      setPin(s.pin);
      return;
    }
    if (!/^\d$/.test(key) || s.pin.length >= PIN_LENGTH) return;
    const next = s.pin + key;
    s.pin = next;
    setPin(next);
    setError('');
    if (next.length === PIN_LENGTH) void send(next);
  }

  latest.current = { press, cancel: onCancel };

  // Keyboard: digits, Backspace, Escape. Capture phase so an underlying
  // sheet's Escape handler doesn't close it too. Layout effect: listening
  // from the moment the sheet is on screen, so no early digit is lost.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Escape') {
        e.stopPropagation();
        e.preventDefault();
        if (!state.current.busy) latest.current.cancel();
      } else if (/^\d$/.test(e.key)) {
        e.preventDefault();
        latest.current.press(e.key);
      } else if (e.key === 'Backspace') {
        e.preventDefault();
        latest.current.press('back');
      }
    };
    window.addEventListener('keydown', onKey, true);
    panel.current?.focus();
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  return (
    <div class="sheet-layer pin-layer">
      <div class="sheet-backdrop" onClick={() => !busy && onCancel()} />
      <div class="sheet pin-sheet" id="pin-sheet" role="dialog" aria-modal="true" aria-label={t('wallet.pin.enter')} ref={panel} tabIndex={-1}>
        <div class="pin-head">
          <button type="button" class="icon-button pin-close" aria-label={t('wallet.pin.cancel')} onClick={onCancel} disabled={busy}>
            <CloseIcon size={22} />
          </button>
          <h2 class="pin-title">{t('wallet.pin.enter')}</h2>
        </div>
        <p class="pin-what">{what}</p>
        <p class="pin-amount">
          <span class="pin-amount-symbol">{currencySymbol(currency)}</span>
          {formatDigits(amount, currency)}
        </p>
        <div class={'pin-boxes' + (shake ? ' shake' : '') + (busy ? ' busy' : '')} key={shake} role="img" aria-label={t('wallet.pin.entered', { count: pin.length })}>
          {Array.from({ length: PIN_LENGTH }, (_, i) => (
            <span class={'pin-box' + (i < pin.length ? ' filled' : '')} />
          ))}
        </div>
        <div class="pin-status" role="alert">
          {busy ? (
            <span class="pin-busy">
              <span class="spinner spinner-small" aria-hidden="true" /> {t('wallet.pin.paying')}
            </span>
          ) : error ? (
            <p class="pin-error">{error}</p>
          ) : null}
        </div>
        <div class="pin-links">
          {retryPin ? (
            <button type="button" class="button button-primary button-small" onClick={() => void send(retryPin)}>
              {t('common.retry')}
            </button>
          ) : (
            <button type="button" class="link-button" onClick={onSetup} disabled={busy}>
              {t('wallet.pin.forgot')}
            </button>
          )}
        </div>
        <div class="keypad" role="group" aria-label={t('wallet.pin.keypad')}>
          {KEYS.map((k) =>
            k === '' ? (
              <span class="keypad-key keypad-blank" />
            ) : (
              <button
                type="button"
                class={'keypad-key' + (k === 'back' ? ' keypad-fn' : '')}
                data-key={k}
                aria-label={keyLabel(k)}
                disabled={busy || locked || !!retryPin}
                onClick={() => press(k)}
              >
                {k === 'back' ? <BackspaceIcon size={24} /> : k}
              </button>
            ),
          )}
        </div>
      </div>
    </div>
  );
}
