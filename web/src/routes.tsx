import type { ComponentChildren } from 'preact';
import type { User } from './api';
import type { TabId } from './components/TabBar';
import { ChatsPage } from './pages/ChatsPage';
import { ConversationPage } from './pages/ConversationPage';
import { SearchPage } from './pages/SearchPage';
import { ConversationInfoPage } from './pages/ConversationInfoPage';
import { JoinGroupPage } from './pages/JoinGroupPage';
import { ContactsPage } from './pages/ContactsPage';
import { NewFriendsPage } from './pages/NewFriendsPage';
import { DiscoverPage } from './pages/DiscoverPage';
import { WalletPage } from './pages/WalletPage';
import { MePage } from './pages/MePage';
import { PayPage } from './pages/PayPage';
import { MiniAppInfoPage } from './pages/MiniAppInfoPage';
import { PrivacyPage } from './pages/PrivacyPage';
import { TransactionPage } from './pages/TransactionPage';
import { ProfilePage } from './pages/ProfilePage';
import { ScanPage } from './pages/ScanPage';
import { MyQrPage } from './pages/MyQrPage';
import { ReceiveMoneyPage } from './pages/ReceiveMoneyPage';
import { PayPersonPage } from './pages/PayPersonPage';
import { QrContactPage } from './pages/QrContactPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { PasswordPage } from './pages/settings/PasswordPage';
import { PinPage } from './pages/settings/PinPage';
import { LanguagePage } from './pages/settings/LanguagePage';
import { PrivacySettingsPage } from './pages/settings/PrivacySettingsPage';
import { SessionsPage } from './pages/settings/SessionsPage';
import { AppearancePage, NotificationsPage } from './pages/settings/SectionPages';
import type { Params } from './router';
import type { MessageKey } from './i18n';
import { lazyPage } from './lazy';

// Separate chunks, downloaded when first shown: a chat user never needs them.
const AdminPage = lazyPage(() => import('./pages/admin/AdminPage').then((m) => m.AdminPage));
const MerchantsPage = lazyPage(() => import('./pages/MerchantsPage').then((m) => m.MerchantsPage));
const MerchantPage = lazyPage(() => import('./pages/MerchantPage').then((m) => m.MerchantPage));
const LiveListPage = lazyPage(() => import('./live').then((m) => m.ListPage));
const LiveRoomPage = lazyPage(() => import('./live').then((m) => m.RoomPage));
const LiveHostPage = lazyPage(() => import('./live').then((m) => m.HostPage));
const MiniAppPage = lazyPage(() => import('./pages/MiniAppPage').then((m) => m.MiniAppPage));

/** The lists the desktop layout shows on the left of an open item. */
export type ListId = 'chats' | 'contacts' | 'discover' | 'wallet' | 'me';

export interface ListDef {
  /** The list's own page (its route shows it with nothing open beside it). */
  path: string;
  render: (ctx: { user: User }) => ComponentChildren;
  /** The sentence of the empty item pane. */
  empty: MessageKey;
  /** With nothing open, the list page takes the whole width (the wallet, Discover). */
  spread?: boolean;
}

export const LISTS: Record<ListId, ListDef> = {
  chats: { path: '/chats', render: ({ user }) => <ChatsPage user={user} />, empty: 'shell.empty.chats' },
  contacts: { path: '/contacts', render: () => <ContactsPage />, empty: 'shell.empty.contacts' },
  discover: { path: '/discover', render: ({ user }) => <DiscoverPage user={user} />, empty: 'shell.empty.other', spread: true },
  wallet: { path: '/wallet', render: ({ user }) => <WalletPage user={user} />, empty: 'shell.empty.other', spread: true },
  me: { path: '/me', render: ({ user }) => <MePage user={user} />, empty: 'shell.empty.me' },
};

// Signed-in routes. Order matters: first match wins, so put literal paths
// (/contacts/new) before parameterised ones.
export interface RouteDef {
  pattern: string;
  tab: TabId | null;
  render: (ctx: { user: User; params: Params }) => ComponentChildren;
  /** Full-screen on phones (no bottom tab bar), like an open conversation. */
  immersive?: boolean;
  /** A wide screen on desktop (the admin console's tables): no list beside it. */
  wide?: boolean;
  /**
   * Desktop: the list on the left of this page. Unset means the tab's list
   * (a route added under Me sits beside the Me menu); null means none.
   */
  list?: ListId | null;
  /** Desktop: shown in a phone-sized window in the middle (a mini-program). */
  stage?: 'phone';
}

/** The list beside route r on desktop, if any. */
export function listOf(r: RouteDef): ListId | null {
  if (r.list !== undefined) return r.list;
  if (r.wide || r.stage) return null;
  return r.tab;
}

export const ROUTES: RouteDef[] = [
  { pattern: '/chats', tab: 'chats', list: 'chats', render: LISTS.chats.render },
  { pattern: '/search', tab: 'chats', list: 'chats', immersive: true, render: ({ user }) => <SearchPage user={user} /> },
  {
    pattern: '/chats/:id/search',
    tab: 'chats',
    list: 'chats',
    immersive: true,
    render: ({ user, params }) => <SearchPage key={params.id} user={user} convId={params.id} />,
  },
  {
    pattern: '/chats/:id',
    tab: 'chats',
    list: 'chats',
    immersive: true,
    render: ({ user, params }) => <ConversationPage key={params.id} id={params.id} user={user} />,
  },
  {
    pattern: '/chats/:id/info',
    tab: 'chats',
    list: 'chats',
    immersive: true,
    render: ({ user, params }) => <ConversationInfoPage key={params.id} id={params.id} user={user} />,
  },
  // Where a group QR code leads.
  { pattern: '/g/:code', tab: 'chats', list: 'chats', immersive: true, render: ({ params }) => <JoinGroupPage key={params.code} code={params.code} /> },
  { pattern: '/contacts', tab: 'contacts', list: 'contacts', render: LISTS.contacts.render },
  { pattern: '/contacts/new', tab: 'contacts', list: 'contacts', render: ({ user }) => <NewFriendsPage user={user} /> },
  {
    pattern: '/users/:id',
    tab: 'contacts',
    list: 'contacts',
    render: ({ user, params }) => <ProfilePage key={params.id} id={params.id} me={user} />,
  },
  { pattern: '/discover', tab: 'discover', list: 'discover', render: LISTS.discover.render },
  {
    pattern: '/app/:appid',
    tab: 'discover',
    immersive: true,
    stage: 'phone',
    render: ({ user, params }) => <MiniAppPage key={params.appid} appid={params.appid} user={user} />,
  },
  // Discover → Live: the list, a room (full screen on phones; video beside the chat on desktop), the host's page.
  { pattern: '/live', tab: 'discover', list: 'discover', render: ({ user }) => <LiveListPage user={user} /> },
  {
    pattern: '/live/:id',
    tab: 'discover',
    immersive: true,
    wide: true,
    render: ({ user, params }) => <LiveRoomPage key={params.id} id={params.id} user={user} />,
  },
  {
    pattern: '/live/:id/host',
    tab: 'discover',
    immersive: true,
    wide: true,
    render: ({ user, params }) => <LiveHostPage key={params.id} id={params.id} user={user} />,
  },
  {
    pattern: '/discover/app/:appid',
    tab: 'discover',
    list: 'discover',
    render: ({ params }) => <MiniAppInfoPage key={params.appid} appid={params.appid} />,
  },
  { pattern: '/wallet', tab: 'wallet', list: 'wallet', render: LISTS.wallet.render },
  {
    pattern: '/wallet/transactions/:id',
    tab: 'wallet',
    list: 'wallet',
    immersive: true,
    render: ({ user, params }) => <TransactionPage key={params.id} id={params.id} user={user} />,
  },
  { pattern: '/me', tab: 'me', list: 'me', render: LISTS.me.render },
  { pattern: '/me/privacy', tab: 'me', list: 'me', render: () => <PrivacyPage /> },
  { pattern: '/merchants', tab: 'me', list: 'me', render: () => <MerchantsPage /> },
  // Me → Settings, each part on its own route (the desktop's item pane shows it).
  { pattern: '/me/settings', tab: 'me', list: 'me', render: ({ user }) => <SettingsPage user={user} /> },
  { pattern: '/me/settings/password', tab: 'me', list: 'me', render: () => <PasswordPage /> },
  { pattern: '/me/settings/pin', tab: 'me', list: 'me', render: () => <PinPage /> },
  { pattern: '/me/settings/language', tab: 'me', list: 'me', render: () => <LanguagePage /> },
  { pattern: '/me/settings/privacy', tab: 'me', list: 'me', render: () => <PrivacySettingsPage /> },
  { pattern: '/me/settings/sessions', tab: 'me', list: 'me', render: () => <SessionsPage /> },
  { pattern: '/me/settings/notifications', tab: 'me', list: 'me', render: () => <NotificationsPage /> },
  { pattern: '/me/settings/appearance', tab: 'me', list: 'me', render: () => <AppearancePage /> },
  {
    pattern: '/merchants/:mchid',
    tab: 'me',
    list: 'me',
    render: ({ params }) => <MerchantPage key={params.mchid} mchid={params.mchid} />,
  },
  { pattern: '/admin', tab: 'me', wide: true, immersive: true, render: ({ user }) => <AdminPage user={user} section="policies" /> },
  {
    pattern: '/admin/:section',
    tab: 'me',
    wide: true,
    immersive: true,
    render: ({ user, params }) => <AdminPage user={user} section={params.section} />,
  },
  // QR codes: Scan, my codes, and where Plaza's codes land (a phone's camera opens them too).
  { pattern: '/scan', tab: null, list: null, immersive: true, render: () => <ScanPage /> },
  { pattern: '/me/qrcode', tab: 'me', list: 'me', render: ({ user }) => <MyQrPage user={user} /> },
  { pattern: '/wallet/receive', tab: 'wallet', list: 'wallet', render: ({ user }) => <ReceiveMoneyPage user={user} /> },
  { pattern: '/u/:token', tab: null, list: null, immersive: true, render: ({ user, params }) => <QrContactPage key={params.token} token={params.token} user={user} /> },
  { pattern: '/r/:token', tab: null, list: null, immersive: true, render: ({ user, params }) => <PayPersonPage key={params.token} token={params.token} user={user} /> },
  // Where a shop's Native QR code_url and H5 h5_url land.
  { pattern: '/pay', tab: null, list: null, immersive: true, render: () => <PayPage /> },
];

/** Paths reachable without a session. */
export const PUBLIC_PATHS = ['/login', '/signup'];
