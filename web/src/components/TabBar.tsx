import type { FunctionComponent } from 'preact';
import { Link } from '../router';
import type { User } from '../api';
import { t, type MessageKey } from '../i18n';
import { Avatar } from './Avatar';
import { ChatsIcon, ContactsIcon, DiscoverIcon, MeIcon, Svg, WalletIcon } from './Icons';
import { searchHint } from '../shortcuts';

export type TabId = 'chats' | 'contacts' | 'discover' | 'wallet' | 'me';

interface TabDef {
  id: TabId;
  label: MessageKey;
  href: string;
  Icon: FunctionComponent<{ size?: number }>;
}

export const TABS: TabDef[] = [
  { id: 'chats', label: 'shell.tabs.chats', href: '/chats', Icon: ChatsIcon },
  { id: 'contacts', label: 'shell.tabs.contacts', href: '/contacts', Icon: ContactsIcon },
  { id: 'discover', label: 'shell.tabs.discover', href: '/discover', Icon: DiscoverIcon },
  { id: 'wallet', label: 'shell.tabs.wallet', href: '/wallet', Icon: WalletIcon },
  { id: 'me', label: 'shell.tabs.me', href: '/me', Icon: MeIcon },
];

interface TabBarProps {
  active: TabId | null;
  user: User;
  badges?: Partial<Record<TabId, number>>;
}

/**
 * Bottom tab bar on phones; on wide screens the same element is styled as a
 * WeChat-for-PC side rail: the user's avatar on top, the tabs, and a search
 * button (its tooltip names the keyboard shortcuts).
 */
export function TabBar({ active, user, badges = {} }: TabBarProps) {
  return (
    <nav class="tab-bar" aria-label={t('shell.tabs.nav')}>
      <Link href="/me" class="rail-avatar" aria-label={t('shell.rail.profile')} tabIndex={-1}>
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
            title={t(label)}
          >
            <span class="tab-icon">
              <Icon size={26} />
              {n > 0 && (
                <span class="badge tab-badge" aria-label={t('shell.tabs.badge', { count: n })}>
                  {n > 99 ? '99+' : n}
                </span>
              )}
            </span>
            <span class="tab-label">{t(label)}</span>
          </Link>
        );
      })}
      <Link
        href="/search"
        id="rail-search"
        class="rail-search"
        aria-label={t('shell.rail.search')}
        title={searchHint() + '\n' + t('shell.rail.shortcuts')}
        aria-keyshortcuts="Control+F Meta+F /"
      >
        <Svg size={22}>
          <circle cx="11" cy="11" r="6.5" />
          <path d="m20 20-4.2-4.2" />
        </Svg>
      </Link>
    </nav>
  );
}
