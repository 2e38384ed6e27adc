import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, type User } from '../api';
import { t } from '../i18n';
import { contactsState, refreshContacts, refreshRequests } from '../contacts';
import { openDirectChat } from '../chat/actions';
import { useStore } from '../store';
import { regionName, useRegions } from '../regions';
import { Link, navigate } from '../router';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Spinner } from '../components/Spinner';
import { FormError } from '../components/Field';
import { AlertIcon, CheckIcon } from '../components/Icons';
import { qrApi } from '../qr/api';

type View = { kind: 'loading' } | { kind: 'invalid'; message: string } | { kind: 'person'; person: User };

/**
 * /u/<token>: a contact code scanned (or opened by a phone's camera): the
 * person's card with "Add to contacts" (a contact request with a greeting),
 * or "Send message" when they are a contact already.
 */
export function QrContactPage({ token, user }: { token: string; user: User }) {
  const regions = useRegions();
  const { contacts } = useStore(contactsState);
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [greeting, setGreeting] = useState(() => t('wallet.qrcontact.greeting', { name: user.display_name }));
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    void refreshContacts();
    const ctl = new AbortController();
    qrApi.resolve('/u/' + token, ctl.signal).then(
      (r) => setView(r.kind === 'contact' && r.user ? { kind: 'person', person: r.user } : { kind: 'invalid', message: t('wallet.qrcontact.not_contact_code') }),
      (err) => {
        if (err instanceof DOMException && err.name === 'AbortError') return;
        setView({ kind: 'invalid', message: errorMessage(err) });
      },
    );
    return () => ctl.abort();
  }, [token]);

  async function add(person: User) {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await api.sendRequest(person.username, greeting.trim().slice(0, 200));
      setSent(true);
      void refreshRequests();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function message(person: User) {
    setBusy(true);
    try {
      await openDirectChat(person.username);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  let body;
  if (view.kind === 'loading') {
    body = <Spinner label={t('wallet.qr.reading')} />;
  } else if (view.kind === 'invalid') {
    body = (
      <div class="pay-result pay-result-warn">
        <span class="pay-result-icon" aria-hidden="true">
          <AlertIcon size={40} />
        </span>
        <h2 class="pay-result-title">{t('wallet.qrcontact.invalid')}</h2>
        <p class="pay-result-text" id="qr-contact-invalid">
          {view.message}
        </p>
        <div class="pay-result-actions">
          <button type="button" class="button button-secondary pay-done" onClick={() => navigate('/scan')}>
            {t('wallet.qr.scan_again')}
          </button>
        </div>
      </div>
    );
  } else {
    const p = view.person;
    const self = String(p.id) === String(user.id);
    const isContact = !!contacts?.some((c) => String(c.id) === String(p.id));
    body = (
      <>
        <div class="qr-person" id="qr-person" data-username={p.username}>
          <Avatar username={p.username} name={p.display_name} size="xl" />
          <div class="qr-person-text">
            <div class="qr-person-name" id="qr-person-name">
              {p.display_name}
            </div>
            <div class="qr-person-line">{t('wallet.qrcontact.plaza_id', { id: p.username })}</div>
            {p.region && <div class="qr-person-line">{t('wallet.qrcontact.region', { region: regionName(regions, p.region) })}</div>}
          </div>
        </div>
        {self ? (
          <div class="qr-person-actions">
            <p class="qr-person-note">{t('wallet.qrcontact.own')}</p>
            <Link href="/me/qrcode" class="button button-secondary button-block">
              {t('wallet.qrcontact.show_mine')}
            </Link>
          </div>
        ) : isContact ? (
          <div class="qr-person-actions">
            <button type="button" id="qr-person-message" class="button button-primary button-block" disabled={busy} onClick={() => void message(p)}>
              {t('wallet.qrcontact.message')}
            </button>
          </div>
        ) : sent ? (
          <div class="qr-person-actions">
            <p class="qr-person-sent" id="qr-request-sent">
              <CheckIcon size={20} /> {t('wallet.qrcontact.sent', { name: p.display_name })}
            </p>
            <Link href="/contacts" class="button button-secondary button-block">
              {t('wallet.qrcontact.back')}
            </Link>
          </div>
        ) : (
          <div class="qr-person-actions">
            <label class="field-label" for="qr-greeting">
              {t('wallet.qrcontact.request')}
            </label>
            <input id="qr-greeting" class="field-input" value={greeting} maxLength={200} onInput={(e) => setGreeting(e.currentTarget.value)} />
            <FormError message={error} />
            <button type="button" id="qr-add-contact" class="button button-primary button-block" disabled={busy} onClick={() => void add(p)}>
              {t(busy ? 'wallet.qrcontact.sending' : 'wallet.qrcontact.add')}
            </button>
          </div>
        )}
      </>
    );
  }

  return (
    <Page title={t('wallet.qrcontact.title')} back="/scan" class="qr-screen">
      <div class="qr-contact-page" id="qr-contact-page" data-state={view.kind}>
        {body}
      </div>
    </Page>
  );
}
