import type { User } from '../../api';
import { useEffect } from 'preact/hooks';
import { Link } from '../../router';
import { AlertIcon, BackIcon, ShieldIcon, ReceiptIcon, MiniProgramIcon } from '../../components/Icons';
import { EmptyState } from '../../components/EmptyState';
import { PoliciesScreen } from './PoliciesScreen';
import { AuditScreen } from './AuditScreen';
import { AppReviewsScreen, PendingBadge, REVIEW_TEXT } from './AppReviewsScreen';
import { ReviewsTab } from './ReviewsTab';
import { WatchlistTab } from './WatchlistTab';

export type AdminSection = 'policies' | 'audit' | 'reviews' | 'watchlists' | 'app-reviews';

const SECTIONS: { id: AdminSection; label: string; icon: preact.ComponentChildren; badge?: () => preact.ComponentChildren }[] = [
  { id: 'policies', label: 'Policies', icon: <ShieldIcon size={18} /> },
  { id: 'audit', label: 'Audit log', icon: <ReceiptIcon size={18} /> },
  { id: 'reviews', label: 'Payment reviews', icon: <ShieldIcon size={18} /> },
  { id: 'watchlists', label: 'Watch lists', icon: <AlertIcon size={18} /> },
  { id: 'app-reviews', label: REVIEW_TEXT.nav, icon: <MiniProgramIcon size={20} />, badge: () => <PendingBadge /> },
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
    document.title = 'Admin · ' + (SECTIONS.find((s) => s.id === current)?.label ?? 'Policies') + ' · Plaza';
  }, [current]);

  return (
    <section class="page admin-page">
      <header class="admin-top">
        <Link href="/me" class="icon-button back-button" id="admin-back" aria-label="Back">
          <BackIcon />
        </Link>
        <div class="admin-brand">
          Plaza <span>Admin console</span>
        </div>
        <div class="admin-who">
          Signed in as <strong>{user.username}</strong>
        </div>
      </header>
      {!user.is_admin ? (
        <EmptyState icon={<ShieldIcon size={40} />} title="Administrators only">
          <Link href="/me" class="button button-secondary button-small">
            Back
          </Link>
        </EmptyState>
      ) : (
        <div class="admin-body">
          <nav class="admin-nav" aria-label="Admin sections">
            {SECTIONS.map((s) => (
              <Link key={s.id} href={'/admin/' + s.id} id={'admin-nav-' + s.id} class={'admin-nav-item' + (s.id === current ? ' active' : '')}>
                {s.icon}
                <span>{s.label}</span>
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
