import { Link } from '../router';
import { Page } from '../components/Page';
import { EmptyState } from '../components/EmptyState';
import { DiscoverIcon } from '../components/Icons';

export function NotFoundPage() {
  return (
    <Page title="Not found">
      <EmptyState icon={<DiscoverIcon size={56} />} title="This page doesn’t exist">
        <p>The link may be old, or the page has moved.</p>
        <Link href="/chats" class="button button-primary button-small">
          Back to Chats
        </Link>
      </EmptyState>
    </Page>
  );
}
