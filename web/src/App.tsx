import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { User } from './api';
import { loadSession, session } from './session';
import { useStore } from './store';
import { loginPathFor, match, navigate, nextPath, OpenItem, usePath } from './router';
import { LISTS, ROUTES, PUBLIC_PATHS, listOf, type RouteDef } from './routes';
import { EmptyPane, ListResizer, Pane, listWidth, useDesktop } from './desktop';
import { installShortcuts } from './shortcuts';
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
  const desktop = useDesktop();
  const width = useStore(listWidth);

  // Fetch requests once so the Contacts tab can show its badge right away.
  useEffect(() => {
    void refreshRequests();
  }, [user.username]);

  // Live chat (socket + conversations) for as long as this user is signed in.
  useEffect(() => {
    startChat(user.id);
    return stopChat;
  }, [user.id]);

  let route: RouteDef | null = null;
  let content = null;
  for (const r of ROUTES) {
    const params = match(r.pattern, path);
    if (params) {
      route = r;
      content = r.render({ user, params });
      break;
    }
  }
  if (!content) content = <NotFoundPage />;
  const tab = route?.tab ?? null;

  const tabBar = (
    <TabBar key="rail" active={tab} user={user} badges={{ chats: unreadTotal(conversations), contacts: pendingIncoming(requests) }} />
  );
  const poller = tab === 'contacts' && <ContactsPoller />;

  // From 900 px wide, WeChat for PC's arrangement: the rail, the route's
  // list (routes.tsx LISTS) and the open item side by side. A list page on
  // its own shows an empty item pane, or takes the whole width when it
  // spreads (the wallet, Discover); a mini-program opens in a phone-sized
  // window; the admin console and pages outside the tabs have the width to
  // themselves. Phones (and narrow windows) show one page at a time, as
  // always. The tree keeps its shape across the two (keys), so resizing the
  // window past 900 px keeps the open page's state.
  const listId = desktop && route ? listOf(route) : null;
  const list = listId ? LISTS[listId] : null;
  const atList = !!list && route?.pattern === list.path;
  const layout = !desktop
    ? null
    : list
      ? atList && list.spread
        ? 'spread'
        : 'split'
      : route?.stage
        ? 'stage'
        : route?.wide
          ? 'wide'
          : 'solo';
  const split = layout === 'split' && list ? list : null;
  const itemOpen = !!split && !atList;

  // The shortcuts read the latest state through this ref.
  const now = useRef({ path, closeTo: null as string | null });
  now.current = { path, closeTo: itemOpen && split ? split.path : null };
  useEffect(() => {
    if (!desktop) return undefined;
    return installShortcuts({
      conversations: () => chat.get().conversations,
      openConversation: () => match('/chats/:id', now.current.path)?.id ?? null,
      closeTarget: () => now.current.closeTo,
      navigate: (to) => navigate(to),
    });
  }, [desktop]);

  const cls = layout
    ? 'app-frame desktop layout-' + layout + (route?.wide ? ' wide' : '')
    : 'app-frame' + (route?.immersive ? ' immersive' : '') + (route?.wide ? ' wide' : '');
  return (
    <div class={cls} style={layout ? { '--list-w': width + 'px' } : undefined}>
      {tabBar}
      {split && (
        <aside class="list-pane" id="list-pane" data-list={listId} key={'list-' + listId}>
          <Pane.Provider value={{ pane: 'list', listPath: split.path, itemOpen }}>
            <OpenItem.Provider value={itemOpen ? { path, list: split.path } : null}>{split.render({ user })}</OpenItem.Provider>
          </Pane.Provider>
        </aside>
      )}
      {split && <ListResizer key="resizer" />}
      <main
        key="main"
        class={layout ? 'main-pane item-pane' : 'main-pane'}
        id={layout ? 'item-pane' : undefined}
        data-open={itemOpen ? 'true' : undefined}
      >
        <Pane.Provider value={split ? { pane: 'item', listPath: split.path } : SINGLE}>
          {split && !itemOpen ? <EmptyPane text={split.empty} /> : content}
        </Pane.Provider>
      </main>
      {poller}
      <NotifyBar key="notify" me={user.id} active={path === '/chats'} />
    </div>
  );
}

const SINGLE = { pane: 'single' } as const;

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
