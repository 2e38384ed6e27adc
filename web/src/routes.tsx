import type { ComponentChildren } from 'preact';
import type { User } from './api';
import type { TabId } from './components/TabBar';
import { ChatsPage } from './pages/ChatsPage';
import { ConversationPage } from './pages/ConversationPage';
import { ContactsPage } from './pages/ContactsPage';
import { NewFriendsPage } from './pages/NewFriendsPage';
import { DiscoverPage } from './pages/DiscoverPage';
import { WalletPage } from './pages/WalletPage';
import { MePage } from './pages/MePage';
import type { Params } from './router';

// Signed-in routes. Order matters: first match wins, so put literal paths
// (/contacts/new) before parameterised ones. Later issues add:
//   /app/:appid (mini program), /pay.
export interface RouteDef {
  pattern: string;
  tab: TabId | null;
  render: (ctx: { user: User; params: Params }) => ComponentChildren;
  /** Full-screen on phones (no bottom tab bar), like an open conversation. */
  immersive?: boolean;
}

export const ROUTES: RouteDef[] = [
  { pattern: '/chats', tab: 'chats', render: ({ user }) => <ChatsPage user={user} /> },
  {
    pattern: '/chats/:id',
    tab: 'chats',
    immersive: true,
    render: ({ user, params }) => <ConversationPage key={params.id} id={params.id} user={user} />,
  },
  { pattern: '/contacts', tab: 'contacts', render: () => <ContactsPage /> },
  { pattern: '/contacts/new', tab: 'contacts', render: ({ user }) => <NewFriendsPage user={user} /> },
  { pattern: '/discover', tab: 'discover', render: () => <DiscoverPage /> },
  { pattern: '/wallet', tab: 'wallet', render: ({ user }) => <WalletPage user={user} /> },
  { pattern: '/me', tab: 'me', render: ({ user }) => <MePage user={user} /> },
];

/** Paths reachable without a session. */
export const PUBLIC_PATHS = ['/login', '/signup'];
