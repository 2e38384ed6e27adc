import { Fragment } from 'preact';
import { useEffect } from 'preact/hooks';
import type { User } from './api';
import { loadSession, session } from './session';
import { useStore } from './store';
import { loginPathFor, match, navigate, nextPath, usePath } from './router';
import { ROUTES, PUBLIC_PATHS } from './routes';
import { contactsState, pendingIncoming, refreshRequests, useContactsPolling } from './contacts';
import { chat } from './chat/store';
import { startChat, stopChat } from './chat/live';
import { unreadTotal } from './chat/merge';
import { LoginPage } from './pages/LoginPage';
import { SignupPage } from './pages/SignupPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { TabBar } from './components/TabBar';
import { Toaster } from './components/Toaster';
import { Logo } from './components/Logo';
import { Spinner } from './components/Spinner';
import { currencyState, loadCurrencies } from './wallet/money';
import { t, useLocale } from './i18n';
import { useNotifications } from './notify/useNotifications';
import { NotifyBar } from './notify/NotifyBar';
import { savedUser } from './notify/offline';

function normalize(path: string): string {
  const p = path.replace(/\/+$/, '');
  return p === '' ? '/' : p;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export function App() {
  const s = useStore(session);
  const currencies = useStore(currencyState);
  const path = normalize(usePath());
  // Switching the language re-renders every page in it.
  const loc = useLocale();

  useEffect(() => {
    void loadSession();
    // Money is shown only with the server's currencies (a failure keeps the fallback).
    void loadCurrencies();
  }, []);

  let body;
  if (s.status === 'loading' || !currencies.ready) {
    body = <Splash />;
  } else if (s.status === 'error') {
    // Offline with a saved session: the saved chats (notify/offline.ts).
    const saved = savedUser();
    body = saved ? <Shell user={saved} path={path} /> : <StartupError message={s.message} />;
  } else if (s.status === 'anon') {
    if (path === '/signup') body = <SignupPage />;
    else if (path === '/login') body = <LoginPage />;
    else body = <Redirect to={loginPathFor(path, window.location.search)} />;
  } else if (PUBLIC_PATHS.includes(path) || path === '/') {
    // Back to the page that sent us to log in (e.g. /pay?pr=…), if any.
    body = <Redirect to={path === '/' ? '/chats' : nextPath()} />;
  } else {
    body = <Shell user={s.user} path={path} />;
  }

  return (
    <Fragment key={loc}>
      {body}
      <Toaster />
    </Fragment>
  );
}

/** The signed-in app: current page plus the tab bar (side rail on desktop). */
function Shell({ user, path }: { user: User; path: string }) {
  const { requests } = useStore(contactsState);
  const { conversations } = useStore(chat);
  useNotifications(user);

  // Fetch requests once so the Contacts tab can show its badge right away.
  useEffect(() => {
    void refreshRequests();
  }, [user.username]);

  // Live chat (socket + conversations) for as long as this user is signed in.
  useEffect(() => {
    startChat(user.id);
    return stopChat;
  }, [user.id]);

  let content = null;
  let tab = null;
  let immersive = false;
  let wide = false;
  for (const r of ROUTES) {
    const params = match(r.pattern, path);
    if (params) {
      content = r.render({ user, params });
      tab = r.tab;
      immersive = !!r.immersive;
      wide = !!r.wide;
      break;
    }
  }
  if (!content) content = <NotFoundPage />;

  return (
    <div class={'app-frame' + (immersive ? ' immersive' : '') + (wide ? ' wide' : '')}>
      <TabBar active={tab} user={user} badges={{ chats: unreadTotal(conversations), contacts: pendingIncoming(requests) }} />
      <main class="main-pane">{content}</main>
      {tab === 'contacts' && <ContactsPoller />}
      <NotifyBar me={user.id} active={path === '/chats'} />
    </div>
  );
}

/** Mounted while a Contacts page is showing: refreshes every 5 s. */
function ContactsPoller() {
  useContactsPolling();
  return null;
}

function Splash() {
  return (
    <div class="splash">
      <Logo size={72} />
      <Spinner inline />
    </div>
  );
}

function StartupError({ message }: { message: string }) {
  const retry = () => {
    session.set({ status: 'loading' });
    void loadSession();
  };
  return (
    <div class="splash">
      <Logo size={72} />
      <p class="splash-error">{message}</p>
      <button type="button" class="button button-primary" onClick={retry}>
        {t('common.retry')}
      </button>
    </div>
  );
}
