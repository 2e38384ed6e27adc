import type { User } from '../api';
import { contactsState, refreshAll } from '../contacts';
import { useStore } from '../store';
import { Page } from '../components/Page';
import { AddContactForm } from '../components/AddContactForm';
import { RequestRow } from '../components/RequestRow';
import { Spinner } from '../components/Spinner';
import { t } from '../i18n';

export function NewFriendsPage({ user }: { user: User }) {
  const { requests, error } = useStore(contactsState);

  return (
    <Page title={t('people.contacts.new_friends')} back="/contacts">
      <AddContactForm me={user} />

      <div class="cell-group">
        <div class="cell-group-title">{t('people.requests.title')}</div>
        {requests === null && !error && <Spinner label={t('people.requests.loading')} />}
        {requests === null && error && (
          <div class="inline-error">
            <p>{error}</p>
            <button type="button" class="button button-secondary button-small" onClick={() => void refreshAll()}>
              {t('common.retry')}
            </button>
          </div>
        )}
        {requests !== null && requests.length === 0 && (
          <p class="list-empty">{t('people.requests.empty')}</p>
        )}
        {requests !== null && requests.length > 0 && (
          <div class="cell-group-body" id="request-list">
            {requests.map((r) => (
              <RequestRow key={String(r.id)} req={r} />
            ))}
          </div>
        )}
      </div>
    </Page>
  );
}
