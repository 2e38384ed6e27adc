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
import { MerchantsPage } from './pages/MerchantsPage';
import { MerchantPage } from './pages/MerchantPage';
import { MiniAppPage } from './pages/MiniAppPage';
import { MiniAppInfoPage } from './pages/MiniAppInfoPage';
import { PrivacyPage } from './pages/PrivacyPage';
import { AdminPage } from './pages/admin/AdminPage';
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

// Signed-in routes. Order matters: first match wins, so put literal paths
// (/contacts/new) before parameterised ones.
export interface RouteDef {
  pattern: string;
  tab: TabId | null;
  render: (ctx: { user: User; params: Params }) => ComponentChildren;
  /** Full-screen on phones (no bottom tab bar), like an open conversation. */
  immersive?: boolean;
  /** A wide screen on desktop (the admin console's tables). */
  wide?: boolean;
}

export const ROUTES: RouteDef[] = [
  { pattern: '/chats', tab: 'chats', render: ({ user }) => <ChatsPage user={user} /> },
  { pattern: '/search', tab: 'chats', immersive: true, render: ({ user }) => <SearchPage user={user} /> },
  {
    pattern: '/chats/:id/search',
    tab: 'chats',
    immersive: true,
    render: ({ user, params }) => <SearchPage key={params.id} user={user} convId={params.id} />,
  },
  {
    pattern: '/chats/:id',
    tab: 'chats',
    immersive: true,
    render: ({ user, params }) => <ConversationPage key={params.id} id={params.id} user={user} />,
  },
  {
    pattern: '/chats/:id/info',
    tab: 'chats',
    immersive: true,
    render: ({ user, params }) => <ConversationInfoPage key={params.id} id={params.id} user={user} />,
  },
  // Where a group QR code leads.
  { pattern: '/g/:code', tab: 'chats', immersive: true, render: ({ params }) => <JoinGroupPage key={params.code} code={params.code} /> },
  { pattern: '/contacts', tab: 'contacts', render: () => <ContactsPage /> },
  { pattern: '/contacts/new', tab: 'contacts', render: ({ user }) => <NewFriendsPage user={user} /> },
  {
    pattern: '/users/:id',
    tab: 'contacts',
    render: ({ user, params }) => <ProfilePage key={params.id} id={params.id} me={user} />,
  },
  { pattern: '/discover', tab: 'discover', render: ({ user }) => <DiscoverPage user={user} /> },
  {
    pattern: '/app/:appid',
    tab: 'discover',
    immersive: true,
    render: ({ user, params }) => <MiniAppPage key={params.appid} appid={params.appid} user={user} />,
  },
  {
    pattern: '/discover/app/:appid',
    tab: 'discover',
    render: ({ params }) => <MiniAppInfoPage key={params.appid} appid={params.appid} />,
  },
  { pattern: '/wallet', tab: 'wallet', render: ({ user }) => <WalletPage user={user} /> },
  {
    pattern: '/wallet/transactions/:id',
    tab: 'wallet',
    immersive: true,
    render: ({ user, params }) => <TransactionPage key={params.id} id={params.id} user={user} />,
  },
  { pattern: '/me', tab: 'me', render: ({ user }) => <MePage user={user} /> },
  { pattern: '/me/privacy', tab: 'me', render: () => <PrivacyPage /> },
  // Me → Settings, each part on its own route (the desktop's item pane shows it).
  { pattern: '/me/settings', tab: 'me', render: ({ user }) => <SettingsPage user={user} /> },
  { pattern: '/me/settings/password', tab: 'me', render: () => <PasswordPage /> },
  { pattern: '/me/settings/pin', tab: 'me', render: () => <PinPage /> },
  { pattern: '/me/settings/language', tab: 'me', render: () => <LanguagePage /> },
  { pattern: '/me/settings/privacy', tab: 'me', render: () => <PrivacySettingsPage /> },
  { pattern: '/me/settings/sessions', tab: 'me', render: () => <SessionsPage /> },
  { pattern: '/me/settings/notifications', tab: 'me', render: () => <NotificationsPage /> },
  { pattern: '/me/settings/appearance', tab: 'me', render: () => <AppearancePage /> },
  { pattern: '/merchants', tab: 'me', render: () => <MerchantsPage /> },
  {
    pattern: '/merchants/:mchid',
    tab: 'me',
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
  { pattern: '/scan', tab: null, immersive: true, render: () => <ScanPage /> },
  { pattern: '/me/qrcode', tab: 'me', render: ({ user }) => <MyQrPage user={user} /> },
  { pattern: '/wallet/receive', tab: 'wallet', render: ({ user }) => <ReceiveMoneyPage user={user} /> },
  { pattern: '/u/:token', tab: null, immersive: true, render: ({ user, params }) => <QrContactPage key={params.token} token={params.token} user={user} /> },
  { pattern: '/r/:token', tab: null, immersive: true, render: ({ user, params }) => <PayPersonPage key={params.token} token={params.token} user={user} /> },
  // Where a shop's Native QR code_url and H5 h5_url land.
  { pattern: '/pay', tab: null, immersive: true, render: () => <PayPage /> },
];

/** Paths reachable without a session. */
export const PUBLIC_PATHS = ['/login', '/signup'];
