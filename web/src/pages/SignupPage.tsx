import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { api, errorMessage } from '../api';
import { completeLogin } from '../session';
import { Link, navigate, nextPath } from '../router';
import { guessRegion, useRegions } from '../regions';
import { showToast } from '../toast';
import { AuthLayout } from '../components/AuthLayout';
import { Field, FormError, PasswordField } from '../components/Field';
import { displayNameProblem, normalizeUsername, passwordProblem, usernameProblem } from '../validate';

export function SignupPage() {
  const regions = useRegions();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const defaultRegion = regions && regions.length > 0 ? guessRegion(regions) : 'US';

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const form = e.currentTarget;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
    const username = normalizeUsername(value('username'));
    const password = value('password');
    const displayName = value('display_name').trim();
    const region = value('region') || defaultRegion;

    const problem = displayNameProblem(displayName) || usernameProblem(username) || passwordProblem(password);
    if (problem) {
      setError(problem);
      return;
    }
    setError('');
    setBusy(true);
    try {
      await api.signup({ username, password, display_name: displayName, region });
      await completeLogin();
      navigate(nextPath(), { replace: true });
      showToast('Welcome to Plaza, ' + displayName + '!', 'success');
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title="Create account"
      subtitle="Pick a Plaza ID so friends can find you."
      footer={
        <>
          Already have an account?{' '}
          <Link href={"/login" + window.location.search} id="to-login">
            Log in
          </Link>
        </>
      }
    >
      <form class="auth-form" onSubmit={onSubmit} noValidate>
        <Field
          id="signup-display-name"
          name="display_name"
          label="Name"
          placeholder="e.g. Ada Lovelace"
          autoComplete="name"
          maxLength={64}
          autoFocus
        />
        <Field
          id="signup-username"
          name="username"
          label="Username"
          placeholder="e.g. ada_l"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellcheck={false}
          maxLength={32}
          hint="Your Plaza ID: 3–32 characters, a–z, 0–9 and _"
        />
        <PasswordField
          id="signup-password"
          name="password"
          label="Password"
          placeholder="At least 8 characters"
          autoComplete="new-password"
          maxLength={128}
        />
        <div class="field">
          <label class="field-label" for="signup-region">
            Region
          </label>
          <div class="select-wrap">
            <select id="signup-region" name="region" class="field-input field-select">
              {regions === null && <option value={defaultRegion}>Loading regions…</option>}
              {regions !== null && regions.length === 0 && <option value="US">United States</option>}
              {regions?.map((r) => (
                <option key={r.code} value={r.code} selected={r.code === defaultRegion}>
                  {r.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <FormError message={error} />
        <button type="submit" id="signup-submit" class="button button-primary button-block" disabled={busy}>
          {busy ? <span class="button-spinner" aria-hidden="true" /> : null}
          {busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
