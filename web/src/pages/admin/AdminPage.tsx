import type { User } from '../../api';
import { useEffect } from 'preact/hooks';
import { Link } from '../../router';
import { AlertIcon, BackIcon, ShieldIcon, ReceiptIcon, MiniProgramIcon } from '../../components/Icons';
import { EmptyState } from '../../components/EmptyState';
import { PoliciesScreen } from './PoliciesScreen';
import { AuditScreen } from './AuditScreen';
import { AppReviewsScreen, PendingBadge } from './AppReviewsScreen';
import { t, tx, type MessageKey } from '../../i18n';
import { ReviewsTab } from './ReviewsTab';
import { WatchlistTab } from './WatchlistTab';

export type AdminSection = 'policies' | 'audit' | 'reviews' | 'watchlists' | 'app-reviews';

const SECTIONS: { id: AdminSection; label: MessageKey; icon: preact.ComponentChildren; badge?: () => preact.ComponentChildren }[] = [
  { id: 'policies', label: 'admin.nav.policies', icon: <ShieldIcon size={18} /> },
  { id: 'audit', label: 'admin.nav.audit', icon: <ReceiptIcon size={18} /> },
  { id: 'reviews', label: 'admin.nav.reviews', icon: <ShieldIcon size={18} /> },
  { id: 'watchlists', label: 'admin.nav.watchlists', icon: <AlertIcon size={18} /> },
  { id: 'app-reviews', label: 'admin.nav.app_reviews', icon: <MiniProgramIcon size={20} />, badge: () => <PendingBadge /> },
];

function screen(section: AdminSection) {
  if (section === 'audit') return <AuditScreen />;
  if (section === 'app-reviews') return <AppReviewsScreen />;
  if (section === 'reviews') return <ReviewsTab />;
  if (section === 'watchlists') return <WatchlistTab />;
  return <PoliciesScreen />;
}

/** /admin/:section — the operators' console (administrators only). */
export function AdminPage({ user, section }: { user: User; section: string }) {
  const current = SECTIONS.find((s) => s.id === section)?.id ?? 'policies';
  useEffect(() => {
    document.title = t('admin.doc_title', { section: t(SECTIONS.find((s) => s.id === current)?.label ?? 'admin.nav.policies') });
  }, [current]);

  return (
    <section class="page admin-page">
      <header class="admin-top">
        <Link href="/me" class="icon-button back-button" id="admin-back" aria-label={t('common.back')}>
          <BackIcon />
        </Link>
        <div class="admin-brand">
          {t('common.app_name')} <span>{t('admin.console')}</span>
        </div>
        <div class="admin-who">
          {tx('admin.signed_in_as', { name: <strong>{user.username}</strong> })}
        </div>
      </header>
      {!user.is_admin ? (
        <EmptyState icon={<ShieldIcon size={40} />} title={t('admin.only')}>
          <Link href="/me" class="button button-secondary button-small">
            {t('common.back')}
          </Link>
        </EmptyState>
      ) : (
        <div class="admin-body">
          <nav class="admin-nav" aria-label={t('admin.nav.label')}>
            {SECTIONS.map((s) => (
              <Link key={s.id} href={'/admin/' + s.id} id={'admin-nav-' + s.id} class={'admin-nav-item' + (s.id === current ? ' active' : '')}>
                {s.icon}
                <span>{t(s.label)}</span>
                {s.badge?.()}
              </Link>
            ))}
          </nav>
          <div class="admin-main">{screen(current)}</div>
        </div>
      )}
    </section>
  );
}
