import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type User } from './api';
import { createStore } from './store';
import { navigate } from './router';
import { showToast } from './toast';
import { resetContacts } from './contacts';
import { t } from './i18n';
import { errorText } from './i18n/errors';

export type Session =
  | { status: 'loading' }
  | { status: 'anon' }
  | { status: 'error'; message: string }
  | { status: 'authed'; user: User };

export const session = createStore<Session>({ status: 'loading' });

/** Asks the server who we are; also picks up the CSRF token. */
export async function loadSession(): Promise<void> {
  try {
    const me = await api.me();
    setCsrfToken(me.csrf_token);
    session.set({ status: 'authed', user: me.user });
  } catch (err) {
    setCsrfToken('');
    if (err instanceof ApiError && err.status === 401) {
      session.set({ status: 'anon' });
    } else {
      session.set({
        status: 'error',
        message: err instanceof ApiError ? errorText(err) : t('people.session.cannot_start'),
      });
    }
  }
}

/** After signup/login the cookie is set; fetch /me for the user and CSRF token. */
export async function completeLogin(): Promise<void> {
  const me = await api.me();
  setCsrfToken(me.csrf_token);
  resetContacts();
  session.set({ status: 'authed', user: me.user });
}

export async function logout(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Even if the server call fails the user asked to leave: forget locally.
  }
  endSession();
}

function endSession(): void {
  setCsrfToken('');
  resetContacts();
  session.set({ status: 'anon' });
  navigate('/login', { replace: true });
}

// A 401 on an authenticated call means the session cookie expired or was revoked.
setUnauthorizedHandler(() => {
  if (session.get().status !== 'authed') return;
  endSession();
  showToast(t('people.session.ended'));
});
