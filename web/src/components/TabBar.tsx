import type { FunctionComponent } from 'preact';
import { Link } from '../router';
import type { User } from '../api';
import { Avatar } from './Avatar';
import { ChatsIcon, ContactsIcon, DiscoverIcon, MeIcon, WalletIcon } from './Icons';

export type TabId = 'chats' | 'contacts' | 'discover' | 'wallet' | 'me';

interface TabDef {
  id: TabId;
  label: string;
  href: string;
  Icon: FunctionComponent<{ size?: number }>;
}

export const TABS: TabDef[] = [
  { id: 'chats', label: 'Chats', href: '/chats', Icon: ChatsIcon },
  { id: 'contacts', label: 'Contacts', href: '/contacts', Icon: ContactsIcon },
  { id: 'discover', label: 'Discover', href: '/discover', Icon: DiscoverIcon },
  { id: 'wallet', label: 'Wallet', href: '/wallet', Icon: WalletIcon },
  { id: 'me', label: 'Me', href: '/me', Icon: MeIcon },
];

interface TabBarProps {
  active: TabId | null;
  user: User;
  badges?: Partial<Record<TabId, number>>;
}

/**
 * Bottom tab bar on phones; on wide screens the same element is styled as a
 * WeChat-desktop-like side rail (with the user's avatar on top).
 */
export function TabBar({ active, user, badges = {} }: TabBarProps) {
  return (
    <nav class="tab-bar" aria-label="Main">
      <Link href="/me" class="rail-avatar" aria-label="Your profile" tabIndex={-1}>
        <Avatar username={user.username} name={user.display_name} size="md" />
      </Link>
      {TABS.map(({ id, label, href, Icon }) => {
        const n = badges[id] ?? 0;
        const isActive = id === active;
        return (
          <Link
            key={id}
            href={href}
            data-tab={id}
            class={'tab' + (isActive ? ' active' : '')}
            aria-current={isActive ? 'page' : undefined}
          >
            <span class="tab-icon">
              <Icon size={26} />
              {n > 0 && (
                <span class="badge tab-badge" aria-label={n + ' new'}>
                  {n > 99 ? '99+' : n}
                </span>
              )}
            </span>
            <span class="tab-label">{label}</span>
          </Link>
        );
      })}
    </nav>
  );
}
