import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { api, ApiError, errorMessage, type User } from '../api';
import { errorText } from '../i18n/errors';
import { refreshAll, upsertRequest } from '../contacts';
import { showToast } from '../toast';
import { normalizeUsername, usernameProblem } from '../validate';
import { Avatar } from './Avatar';
import { FormError } from './Field';
import { t } from '../i18n';

type Preview = { state: 'idle' } | { state: 'loading' } | { state: 'found'; user: User } | { state: 'missing'; username: string };

/** "Add contact": username (+ live preview) and a greeting message. */
export function AddContactForm({ me }: { me: User }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [preview, setPreview] = useState<Preview>({ state: 'idle' });
  const timer = useRef<number | undefined>(undefined);
  const inflight = useRef<AbortController | null>(null);

  useEffect(() => () => cancelLookup(), []);

  function cancelLookup() {
    window.clearTimeout(timer.current);
    inflight.current?.abort();
    inflight.current = null;
  }

  function lookup(raw: string) {
    cancelLookup();
    const username = normalizeUsername(raw);
    if (usernameProblem(username) || username === me.username) {
      setPreview({ state: 'idle' });
      return;
    }
    setPreview({ state: 'loading' });
    timer.current = window.setTimeout(async () => {
      const ctrl = new AbortController();
      inflight.current = ctrl;
      try {
        const { user } = await api.user(username, ctrl.signal);
        if (!ctrl.signal.aborted) setPreview({ state: 'found', user });
      } catch (err) {
        if (ctrl.signal.aborted) return;
        if (err instanceof ApiError && err.status === 404) setPreview({ state: 'missing', username });
        else setPreview({ state: 'idle' });
      }
    }, 350);
  }

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const form = e.currentTarget;
    const input = form.elements.namedItem('username') as HTMLInputElement;
    const username = normalizeUsername(input.value);
    const message = (form.elements.namedItem('message') as HTMLInputElement).value.trim();
    const problem = usernameProblem(username);
    if (problem) {
      setError(problem);
      return;
    }
    setError('');
    setBusy(true);
    try {
      const { request } = await api.sendRequest(username, message);
      upsertRequest(request);
      const who = request.to?.display_name || username;
      if (request.status === 'accepted') showToast(t('people.requests.now_contact', { name: who }), 'success');
      else showToast(t('people.add.sent', { name: who }), 'success');
      input.value = '';
      cancelLookup();
      setPreview({ state: 'idle' });
      void refreshAll();
    } catch (err) {
      // The person chose who may add them (Settings → Privacy).
      const refused = err instanceof ApiError && err.code === 'forbidden' && /contact requests/.test(err.message);
      setError(refused ? errorText(err, { forbidden: 'settings.add_me.refused' }) : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card add-contact" onSubmit={onSubmit} noValidate>
      <h2 class="card-title">{t('people.add.title')}</h2>
      <div class="field">
        <label class="field-label" for="add-contact-username">
          {t('people.add.username')}
        </label>
        <div class="field-prefixed">
          <span class="field-prefix" aria-hidden="true">
            @
          </span>
          <input
            id="add-contact-username"
            name="username"
            class="field-input"
            placeholder={t('people.add.username_placeholder')}
            autoComplete="off"
            autoCapitalize="none"
            autoCorrect="off"
            spellcheck={false}
            maxLength={33}
            onInput={(e) => {
              setError('');
              lookup(e.currentTarget.value);
            }}
          />
        </div>
      </div>
      <UserPreview preview={preview} />
      <div class="field">
        <label class="field-label" for="add-contact-message">
          {t('people.add.greeting')}
        </label>
        <input
          id="add-contact-message"
          name="message"
          class="field-input"
          defaultValue={t('people.add.greeting_default', { name: me.display_name })}
          maxLength={200}
        />
      </div>
      <FormError message={error} />
      <button type="submit" id="add-contact-submit" class="button button-primary button-block" disabled={busy}>
        {busy ? <span class="button-spinner" aria-hidden="true" /> : null}
        {busy ? t('people.add.sending') : t('people.add.send')}
      </button>
    </form>
  );
}

function UserPreview({ preview }: { preview: Preview }) {
  if (preview.state === 'idle') return null;
  if (preview.state === 'loading') {
    return (
      <div class="user-preview user-preview-muted" aria-live="polite">
        <span class="spinner spinner-small" aria-hidden="true" /> {t('people.add.looking_up')}
      </div>
    );
  }
  if (preview.state === 'missing') {
    return (
      <div class="user-preview user-preview-muted" aria-live="polite">
        {t('people.add.missing', { username: preview.username })}
      </div>
    );
  }
  const u = preview.user;
  return (
    <div class="user-preview" aria-live="polite" data-preview={u.username}>
      <Avatar username={u.username} name={u.display_name} size="sm" />
      <span class="user-preview-text">
        <strong>{u.display_name}</strong>
        <span class="muted"> @{u.username}</span>
      </span>
    </div>
  );
}
