import { useState } from 'preact/hooks';
import { api, errorMessage, type ContactRequest } from '../api';
import { refreshContacts, upsertRequest } from '../contacts';
import { showToast } from '../toast';
import { Avatar } from './Avatar';
import { t } from '../i18n';

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
        showToast(t('people.requests.now_contact', { name: other.display_name }), 'success');
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
          {busy === 'accept' ? t('people.requests.accepting') : t('people.requests.accept')}
        </button>
        <button
          type="button"
          class="button button-secondary button-small decline-request"
          disabled={busy !== ''}
          onClick={() => act('decline')}
        >
          {busy === 'decline' ? '…' : t('people.requests.decline')}
        </button>
      </span>
    );
  } else if (req.status === 'pending') {
    extra = <span class="request-state">{t('people.requests.pending')}</span>;
  } else if (req.status === 'accepted') {
    extra = <span class="request-state">{t('people.requests.added')}</span>;
  } else {
    extra = <span class="request-state">{t('people.requests.declined')}</span>;
  }

  const subtitle = req.message || (req.direction === 'outgoing' ? t('people.requests.you_asked') : t('people.requests.they_ask'));

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
