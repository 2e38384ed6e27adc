import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { ApiError, settingsApi } from '../../api';
import { errorText } from '../../i18n/errors';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { showToast } from '../../toast';
import { useStore } from '../../store';
import { refreshWallet, wallet } from '../../wallet/store';
import { Page } from '../../components/Page';
import { Spinner } from '../../components/Spinner';
import { FormError, PasswordField } from '../../components/Field';
import { LockIcon } from '../../components/Icons';
import { PinSetupSheet } from '../../components/wallet/PinSetupSheet';

const PIN_RE = /^\d{6}$/;

/**
 * Settings → Change payment PIN: the current PIN, then the new one twice
 * (a wrong current PIN counts toward the PIN lockout, as a payment's
 * does). Without a PIN yet, or having forgotten it, the account password
 * sets one (the wallet's PIN sheet).
 */
export function PinPage() {
  const { pinSet } = useStore(wallet);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [sheet, setSheet] = useState(false);

  useEffect(() => {
    void refreshWallet();
  }, []);

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const f = e.currentTarget;
    const val = (name: string) => (f.elements.namedItem(name) as HTMLInputElement).value.trim();
    const old = val('old');
    const pin = val('pin');
    if (!PIN_RE.test(old) || !PIN_RE.test(pin)) return setError(t('settings.pin.digits'));
    if (pin !== val('confirm')) return setError(t('settings.pin.mismatch'));
    if (pin === old) return setError(t('settings.pin.same'));
    setError('');
    setBusy(true);
    try {
      await settingsApi.changePin(old, pin);
      showToast(t('settings.pin.done'), 'success');
      f.reset();
      navigate('/me/settings');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'wrong_pin') (f.elements.namedItem('old') as HTMLInputElement).value = '';
      setError(errorText(err));
      setBusy(false);
    }
  }

  const digits = { inputMode: 'numeric' as const, pattern: '[0-9]*', maxLength: 6, autoComplete: 'off', placeholder: '••••••' };

  return (
    <Page title={pinSet === false ? t('settings.pin.set_title') : t('settings.pin.title')} back="/me/settings" backId="pin-back" class="settings-form-page">
      {pinSet === null && <Spinner label={t('common.loading')} />}
      {pinSet === false && (
        <div class="pin-setup-intro settings-pin-empty">
          <span class="pin-setup-icon">
            <LockIcon size={26} />
          </span>
          <p>{t('settings.pin.not_set')}</p>
          <button type="button" id="settings-pin-setup" class="button button-primary button-block" onClick={() => setSheet(true)}>
            {t('settings.pin.set_title')}
          </button>
        </div>
      )}
      {pinSet === true && (
        <>
          <p class="page-note">{t('settings.pin.intro')}</p>
          <form class="money-form settings-form" id="pin-change-form" onSubmit={onSubmit} noValidate>
            <PasswordField label={t('settings.pin.old')} id="pin-old" name="old" {...digits} />
            <PasswordField label={t('settings.pin.new')} id="pin-change-new" name="pin" {...digits} />
            <PasswordField label={t('settings.pin.confirm')} id="pin-change-confirm" name="confirm" {...digits} />
            <FormError message={error} />
            <button type="submit" id="pin-change-submit" class="button button-primary button-block" disabled={busy}>
              {busy ? <span class="button-spinner" aria-hidden="true" /> : null}
              {busy ? t('common.saving') : t('settings.pin.submit')}
            </button>
          </form>
          <button type="button" id="pin-forgot" class="link-button settings-pin-forgot" onClick={() => setSheet(true)}>
            {t('settings.pin.forgot')}
          </button>
        </>
      )}
      <PinSetupSheet open={sheet} onClose={() => setSheet(false)} onDone={() => { setSheet(false); navigate('/me/settings'); }} />
    </Page>
  );
}
