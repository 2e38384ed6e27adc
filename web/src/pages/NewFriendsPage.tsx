import type { User } from '../api';
import { contactsState, refreshAll } from '../contacts';
import { useStore } from '../store';
import { Page } from '../components/Page';
import { AddContactForm } from '../components/AddContactForm';
import { RequestRow } from '../components/RequestRow';
import { Spinner } from '../components/Spinner';

export function NewFriendsPage({ user }: { user: User }) {
  const { requests, error } = useStore(contactsState);

  return (
    <Page title="New Friends" back="/contacts">
      <AddContactForm me={user} />

      <div class="cell-group">
        <div class="cell-group-title">Friend requests</div>
        {requests === null && !error && <Spinner label="Loading requests…" />}
        {requests === null && error && (
          <div class="inline-error">
            <p>{error}</p>
            <button type="button" class="button button-secondary button-small" onClick={() => void refreshAll()}>
              Try again
            </button>
          </div>
        )}
        {requests !== null && requests.length === 0 && (
          <p class="list-empty">No friend requests yet. Requests you send or receive appear here.</p>
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
