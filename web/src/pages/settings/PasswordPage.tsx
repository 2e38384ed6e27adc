import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { ApiError, settingsApi } from '../../api';
import { errorText } from '../../i18n/errors';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { showToast } from '../../toast';
import { Page } from '../../components/Page';
import { FormError, PasswordField } from '../../components/Field';

/** Settings → Change password: the current one, the new one twice; every other device is signed out. */
export function PasswordPage() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const f = e.currentTarget;
    const val = (name: string) => (f.elements.namedItem(name) as HTMLInputElement).value;
    const old = val('old');
    const next = val('new');
    if (!old) return setError(t('settings.password.need_old'));
    if ([...next].length < 8) return setError(t('settings.password.too_short'));
    if (next !== val('confirm')) return setError(t('settings.password.mismatch'));
    if (next === old) return setError(t('settings.password.same'));
    setError('');
    setBusy(true);
    try {
      const { sessions_ended: n } = await settingsApi.changePassword(old, next);
      showToast(n > 0 ? t('settings.password.others_signed_out', { count: n }) : t('settings.password.done'), 'success', 5000);
      f.reset();
      navigate('/me/settings');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'wrong_password') setError(t('settings.password.wrong'));
      else setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <Page title={t('settings.password.title')} back="/me/settings" backId="password-back" class="settings-form-page">
      <p class="page-note">{t('settings.password.intro')}</p>
      <form class="money-form settings-form" id="password-form" onSubmit={onSubmit} noValidate>
        <PasswordField label={t('settings.password.old')} id="password-old" name="old" autoComplete="current-password" />
        <PasswordField label={t('settings.password.new')} id="password-new" name="new" autoComplete="new-password" hint={t('settings.password.hint')} />
        <PasswordField label={t('settings.password.confirm')} id="password-confirm" name="confirm" autoComplete="new-password" />
        <FormError message={error} />
        <button type="submit" id="password-submit" class="button button-primary button-block" disabled={busy}>
          {busy ? <span class="button-spinner" aria-hidden="true" /> : null}
          {busy ? t('common.saving') : t('settings.password.submit')}
        </button>
      </form>
    </Page>
  );
}
