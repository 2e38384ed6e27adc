import { useState } from 'preact/hooks';
import { api, errorMessage, type ContactRequest } from '../api';
import { refreshContacts, upsertRequest } from '../contacts';
import { showToast } from '../toast';
import { Avatar } from './Avatar';

/** One friend request: the other person, their greeting and its state. */
export function RequestRow({ req }: { req: ContactRequest }) {
  const [busy, setBusy] = useState<'' | 'accept' | 'decline'>('');
  const other = req.direction === 'incoming' ? req.from : req.to;

  async function act(kind: 'accept' | 'decline') {
    if (busy) return;
    setBusy(kind);
    try {
      const { request } = kind === 'accept' ? await api.acceptRequest(req.id) : await api.declineRequest(req.id);
      upsertRequest(request);
      if (kind === 'accept') {
        showToast(other.display_name + ' is now in your contacts.', 'success');
        void refreshContacts();
      }
    } catch (err) {
      showToast(errorMessage(err), 'error');
    } finally {
      setBusy('');
    }
  }

  let extra;
  if (req.status === 'pending' && req.direction === 'incoming') {
    extra = (
      <span class="request-actions">
        <button
          type="button"
          class="button button-primary button-small accept-request"
          disabled={busy !== ''}
          onClick={() => act('accept')}
        >
          {busy === 'accept' ? 'Adding…' : 'Accept'}
        </button>
        <button
          type="button"
          class="button button-secondary button-small decline-request"
          disabled={busy !== ''}
          onClick={() => act('decline')}
        >
          {busy === 'decline' ? '…' : 'Decline'}
        </button>
      </span>
    );
  } else if (req.status === 'pending') {
    extra = <span class="request-state">Pending</span>;
  } else if (req.status === 'accepted') {
    extra = <span class="request-state">Added</span>;
  } else {
    extra = <span class="request-state">Declined</span>;
  }

  const subtitle = req.message || (req.direction === 'outgoing' ? 'You sent a friend request' : 'Wants to be your friend');

  return (
    <div
      class="cell request-row"
      data-request-id={String(req.id)}
      data-status={req.status}
      data-direction={req.direction}
    >
      <span class="cell-media">
        <Avatar username={other.username} name={other.display_name} />
      </span>
      <span class="cell-main">
        <span class="cell-title">
          {other.display_name}
          <span class="request-handle"> @{other.username}</span>
        </span>
        <span class="cell-subtitle">{subtitle}</span>
      </span>
      <span class="cell-extra">{extra}</span>
    </div>
  );
}
