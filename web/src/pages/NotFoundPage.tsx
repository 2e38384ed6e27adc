import { Link } from '../router';
import { Page } from '../components/Page';
import { EmptyState } from '../components/EmptyState';
import { DiscoverIcon } from '../components/Icons';
import { t } from '../i18n';

export function NotFoundPage() {
  return (
    <Page title={t('shell.notfound.title')}>
      <EmptyState icon={<DiscoverIcon size={56} />} title={t('shell.notfound.heading')}>
        <p>{t('shell.notfound.body')}</p>
        <Link href="/chats" class="button button-primary button-small">
          {t('shell.notfound.back')}
        </Link>
      </EmptyState>
    </Page>
  );
}
