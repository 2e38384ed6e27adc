import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { api, errorMessage } from '../api';
import { completeLogin } from '../session';
import { Link, navigate, nextPath } from '../router';
import { AuthLayout } from '../components/AuthLayout';
import { Field, FormError, PasswordField } from '../components/Field';
import { normalizeUsername } from '../validate';

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
      setError('Enter your username and password.');
      return;
    }
    setError('');
    setBusy(true);
    try {
      await api.login({ username, password });
      await completeLogin();
      navigate(nextPath(), { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title="Log in"
      subtitle="Welcome back. Log in with your Plaza ID."
      footer={
        <>
          New to Plaza?{' '}
          <Link href={"/signup" + window.location.search} id="to-signup">
            Create an account
          </Link>
        </>
      }
    >
      <form class="auth-form" onSubmit={onSubmit} noValidate>
        <Field
          id="login-username"
          name="username"
          label="Username"
          placeholder="Your username"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellcheck={false}
          autoFocus
        />
        <PasswordField
          id="login-password"
          name="password"
          label="Password"
          placeholder="Password"
          autoComplete="current-password"
        />
        <FormError message={error} />
        <button type="submit" id="login-submit" class="button button-primary button-block" disabled={busy}>
          {busy ? <span class="button-spinner" aria-hidden="true" /> : null}
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthLayout>
  );
}
