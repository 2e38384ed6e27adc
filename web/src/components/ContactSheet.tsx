import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, type User } from '../api';
import { refreshAll, removeContactLocally } from '../contacts';
import { openDirectChat } from '../chat/actions';
import { regionName, useRegions } from '../regions';
import { showToast } from '../toast';
import { Avatar } from './Avatar';
import { Sheet } from './Sheet';
import { FormError } from './Field';
import { MessageIcon } from './Icons';
import { t, tx } from '../i18n';

interface ContactSheetProps {
  user: User | null;
  onClose: () => void;
}

/** Profile of a contact with "Message" and "Remove contact". */
export function ContactSheet({ user, onClose }: ContactSheetProps) {
  const regions = useRegions();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [opening, setOpening] = useState(false);

  useEffect(() => {
    setConfirming(false);
    setBusy(false);
    setOpening(false);
    setError('');
  }, [user?.username]);

  async function message() {
    if (!user || opening) return;
    setOpening(true);
    setError('');
    try {
      await openDirectChat(user.username);
    } catch (err) {
      setError(errorMessage(err));
      setOpening(false);
    }
  }

  async function remove() {
    if (!user || busy) return;
    setBusy(true);
    setError('');
    try {
      await api.removeContact(user.username);
      removeContactLocally(user.username);
      showToast(t('people.profile.removed_toast', { name: user.display_name }));
      onClose();
      void refreshAll();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Sheet open={user !== null} onClose={onClose} label={t('people.profile.contact_sheet')} id="contact-sheet">
      {user && (
        <div class="contact-profile" data-profile={user.username}>
          <div class="contact-profile-head">
            <Avatar username={user.username} name={user.display_name} size="xl" />
            <div class="profile-text">
              <div class="profile-name" id="profile-display-name">
                {user.display_name}
              </div>
              <div class="profile-line">
                {tx('people.profile.plaza_id', { id: <span id="profile-username">{user.username}</span> })}
              </div>
              {user.region && <div class="profile-line">{t('people.profile.region', { region: regionName(regions, user.region) })}</div>}
            </div>
          </div>

          {!confirming ? (
            <div class="sheet-actions">
              <FormError message={error} />
              <button
                type="button"
                id="profile-message"
                class="button button-primary button-block"
                onClick={message}
                disabled={opening}
              >
                {opening ? <span class="button-spinner" aria-hidden="true" /> : <MessageIcon size={20} />}
                {t('people.profile.message')}
              </button>
              <button
                type="button"
                id="profile-remove"
                class="button button-ghost-danger button-block"
                onClick={() => setConfirming(true)}
              >
                {t('people.profile.remove')}
              </button>
            </div>
          ) : (
            <div class="sheet-actions">
              <p class="confirm-text">{tx('people.profile.remove_confirm_short', { name: <strong>{user.display_name}</strong> })}</p>
              <FormError message={error} />
              <button
                type="button"
                id="profile-remove-confirm"
                class="button button-danger button-block"
                onClick={remove}
                disabled={busy}
              >
                {busy ? t('people.profile.removing') : t('people.profile.remove_button')}
              </button>
              <button
                type="button"
                class="button button-secondary button-block"
                onClick={() => setConfirming(false)}
                disabled={busy}
              >
                {t('common.cancel')}
              </button>
            </div>
          )}
        </div>
      )}
    </Sheet>
  );
}
