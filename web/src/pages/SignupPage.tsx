import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { api, ApiError } from '../api';
import { completeLogin } from '../session';
import { Link, navigate, nextPath } from '../router';
import { guessRegion, regionName, useRegions } from '../regions';
import { showToast } from '../toast';
import { AuthLayout } from '../components/AuthLayout';
import { Field, FormError, PasswordField } from '../components/Field';
import { displayNameProblem, normalizeUsername, passwordProblem, usernameProblem } from '../validate';
import { t } from '../i18n';
import { errorText } from '../i18n/errors';

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
      showToast(t('people.signup.welcome', { name: displayName }), 'success');
    } catch (err) {
      // A taken username is the one conflict signup has; say which, in the reader's language.
      if (err instanceof ApiError && err.code === 'conflict') setError(t('people.signup.taken', { username }));
      else setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title={t('people.signup.title')}
      subtitle={t('people.signup.subtitle')}
      footer={
        <>
          {t('people.signup.have_account')}{' '}
          <Link href={'/login' + window.location.search} id="to-login">
            {t('people.signup.to_login')}
          </Link>
        </>
      }
    >
      <form class="auth-form" onSubmit={onSubmit} noValidate>
        <Field
          id="signup-display-name"
          name="display_name"
          label={t('people.signup.name')}
          placeholder={t('people.signup.name_placeholder')}
          autoComplete="name"
          maxLength={64}
          autoFocus
        />
        <Field
          id="signup-username"
          name="username"
          label={t('people.auth.username')}
          placeholder={t('people.signup.username_placeholder')}
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellcheck={false}
          maxLength={32}
          hint={t('people.signup.username_hint')}
        />
        <PasswordField
          id="signup-password"
          name="password"
          label={t('people.auth.password')}
          placeholder={t('people.signup.password_placeholder')}
          autoComplete="new-password"
          maxLength={128}
        />
        <div class="field">
          <label class="field-label" for="signup-region">
            {t('people.signup.region')}
          </label>
          <div class="select-wrap">
            <select id="signup-region" name="region" class="field-input field-select">
              {regions === null && <option value={defaultRegion}>{t('people.signup.regions_loading')}</option>}
              {regions !== null && regions.length === 0 && <option value="US">{regionName(null, 'US')}</option>}
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
          {busy ? t('people.signup.busy') : t('people.signup.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
