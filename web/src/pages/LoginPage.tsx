import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { api } from '../api';
import { completeLogin } from '../session';
import { Link, navigate, nextPath } from '../router';
import { AuthLayout } from '../components/AuthLayout';
import { Field, FormError, PasswordField } from '../components/Field';
import { normalizeUsername } from '../validate';
import { t } from '../i18n';
import { errorText } from '../i18n/errors';

export function LoginPage() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    // Read straight from the form so autofill and scripted input both count.
    const form = e.currentTarget;
    const username = normalizeUsername((form.elements.namedItem('username') as HTMLInputElement).value);
    const password = (form.elements.namedItem('password') as HTMLInputElement).value;
    if (!username || !password) {
      setError(t('people.login.missing'));
      return;
    }
    setError('');
    setBusy(true);
    try {
      await api.login({ username, password });
      await completeLogin();
      navigate(nextPath(), { replace: true });
    } catch (err) {
      // The server says unauthenticated for a wrong name or password alike.
      setError(errorText(err, { unauthenticated: 'people.login.wrong' }));
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title={t('people.login.title')}
      subtitle={t('people.login.subtitle')}
      footer={
        <>
          {t('people.login.new_here')}{' '}
          <Link href={'/signup' + window.location.search} id="to-signup">
            {t('people.login.to_signup')}
          </Link>
        </>
      }
    >
      <form class="auth-form" onSubmit={onSubmit} noValidate>
        <Field
          id="login-username"
          name="username"
          label={t('people.auth.username')}
          placeholder={t('people.login.username_placeholder')}
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellcheck={false}
          autoFocus
        />
        <PasswordField
          id="login-password"
          name="password"
          label={t('people.auth.password')}
          placeholder={t('people.login.password_placeholder')}
          autoComplete="current-password"
        />
        <FormError message={error} />
        <button type="submit" id="login-submit" class="button button-primary button-block" disabled={busy}>
          {busy ? <span class="button-spinner" aria-hidden="true" /> : null}
          {busy ? t('people.login.busy') : t('people.login.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
