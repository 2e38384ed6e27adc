import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { api, errorMessage, type User } from '../api';
import { openDirectChat } from '../chat/actions';
import { refreshAll, removeContactLocally } from '../contacts';
import { peopleApi, largeAvatar, type Profile } from '../people/api';
import { regionName, useRegions } from '../regions';
import { showToast } from '../toast';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Cell, CellGroup } from '../components/Cell';
import { Sheet } from '../components/Sheet';
import { Field, FormError } from '../components/Field';
import { Spinner } from '../components/Spinner';
import { MessageIcon, TransferIcon, UserPlusIcon } from '../components/Icons';
import { ImageViewer } from '../components/chat/ImageViewer';
import { TransferSheet } from '../components/wallet/TransferSheet';
import { t, tx } from '../i18n';

type SheetKind = null | 'note' | 'remove' | 'block' | 'add' | 'transfer';

/** Anyone's profile, opened from an avatar or a name: WeChat's contact card. */
export function ProfilePage({ id, me }: { id: string; me: User }) {
  const regions = useRegions();
  const [p, setP] = useState<Profile | null>(null);
  const [error, setError] = useState('');
  const [sheet, setSheet] = useState<SheetKind>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sheetError, setSheetError] = useState('');

  async function load() {
    try {
      setP(await peopleApi.profile(id));
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  useEffect(() => {
    void load();
  }, [id]);

  const close = () => {
    setSheet(null);
    setSheetError('');
  };

  async function run(what: () => Promise<unknown>, done: string) {
    if (busy) return;
    setBusy(true);
    setSheetError('');
    try {
      await what();
      if (done) showToast(done);
      setSheet(null);
      await load();
      void refreshAll();
    } catch (err) {
      setSheetError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (!p) {
    return (
      <Page title={t('people.profile.title')} back="/contacts">
        {error ? <div class="inline-error"><p>{error}</p></div> : <Spinner label={t('people.profile.loading')} />}
      </Page>
    );
  }

  const u = p.user;
  const self = String(u.id) === String(me.id);
  const remark = p.contact?.remark ?? '';
  const tags = p.contact?.tags ?? [];
  const shown = remark || u.display_name;

  async function message() {
    if (busy) return;
    setBusy(true);
    try {
      await openDirectChat(u.username);
    } catch (err) {
      showToast(errorMessage(err), 'error');
      setBusy(false);
    }
  }

  function saveNote(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const tagList = String(f.get('tags') ?? '')
      .split(/[,，、]/)
      .map((tag) => tag.trim())
      .filter(Boolean);
    void run(() => peopleApi.setNote(u.id, { remark: String(f.get('remark') ?? ''), tags: tagList }), t('people.profile.saved'));
  }

  function addContact(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void run(() => api.sendRequest(u.username, String(f.get('message') ?? '')), t('people.profile.request_sent', { name: u.display_name }));
  }

  return (
    <Page title="" back="/contacts" class="profile-page">
      <div class="person-card" id="profile" data-profile={u.username} data-user-id={String(u.id)}>
        <button
          type="button"
          class="person-avatar"
          id="profile-avatar"
          aria-label={t('people.profile.view_avatar')}
          onClick={() => u.avatar_url && setViewing(largeAvatar(u.avatar_url))}
        >
          <Avatar username={u.username} name={u.display_name} size="xl" src={u.avatar_url ?? null} large />
        </button>
        <div class="person-text">
          <div class="person-name" id="profile-name">
            {shown}
            {p.blocked && <span class="person-blocked">{t('people.profile.blocked')}</span>}
          </div>
          {remark && <div class="person-line">{tx('people.profile.name', { name: <span id="profile-display-name">{u.display_name}</span> })}</div>}
          <div class="person-line">
            {tx('people.profile.plaza_id', { id: <span id="profile-username">{u.username}</span> })}
          </div>
          {u.region && (
            <div class="person-line" id="profile-region">
              {t('people.profile.region', { region: regionName(regions, u.region) })} <span class="person-flag">{u.region}</span>
            </div>
          )}
        </div>
      </div>

      {p.is_contact && (
        <CellGroup>
          <Cell
            id="profile-note"
            title={t('people.profile.note')}
            subtitle={
              tags.length > 0 ? (
                <span class="person-tags" id="profile-tags">
                  {tags.map((tag) => (
                    <span class="person-tag" key={tag}>{tag}</span>
                  ))}
                </span>
              ) : undefined
            }
            extra={<span class="muted">{remark || t('people.profile.not_set')}</span>}
            chevron
            onClick={() => setSheet('note')}
          />
        </CellGroup>
      )}

      {!self && (
        <div class="person-actions">
          {p.is_contact ? (
            <>
              <button type="button" id="profile-message" class="person-action" onClick={message} disabled={busy}>
                <MessageIcon size={20} /> {t('people.profile.message')}
              </button>
              <button type="button" id="profile-transfer" class="person-action" onClick={() => setSheet('transfer')}>
                <TransferIcon size={20} /> {t('people.profile.transfer')}
              </button>
            </>
          ) : (
            <button type="button" id="profile-add" class="person-action" onClick={() => setSheet('add')}>
              <UserPlusIcon size={20} /> {t('people.profile.add')}
            </button>
          )}
        </div>
      )}

      {!self && (
        <div class="person-actions">
          {p.blocked ? (
            <button
              type="button"
              id="profile-unblock"
              class="person-action person-action-plain"
              onClick={() => void run(() => peopleApi.unblock(u.id), t('people.profile.unblocked_toast', { name: shown }))}
            >
              {t('people.profile.unblock')}
            </button>
          ) : (
            <button type="button" id="profile-block" class="person-action person-action-plain" onClick={() => setSheet('block')}>
              {t('people.profile.block')}
            </button>
          )}
          {p.is_contact && (
            <button type="button" id="profile-remove" class="person-action person-action-danger" onClick={() => setSheet('remove')}>
              {t('people.profile.remove')}
            </button>
          )}
        </div>
      )}

      <ImageViewer src={viewing} onClose={() => setViewing(null)} />

      <Sheet open={sheet === 'note'} onClose={close} label={t('people.profile.note')} id="note-sheet">
        <form class="sheet-form" onSubmit={saveNote}>
          <h2 class="sheet-title">{t('people.profile.note')}</h2>
          <Field label={t('people.note.remark')} id="note-remark" name="remark" defaultValue={remark} maxLength={32} placeholder={u.display_name} autoComplete="off" />
          <Field
            label={t('people.note.tags')}
            id="note-tags"
            name="tags"
            defaultValue={tags.join(', ')}
            placeholder={t('people.note.tags_placeholder')}
            autoComplete="off"
            hint={t('people.note.tags_hint')}
          />
          <FormError message={sheetError} />
          <button type="submit" id="note-save" class="button button-primary button-block" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </form>
      </Sheet>

      <Sheet open={sheet === 'remove'} onClose={close} label={t('people.profile.remove')} id="remove-sheet">
        <div class="sheet-actions">
          <p class="confirm-text">{tx('people.profile.remove_confirm', { name: <strong>{shown}</strong> })}</p>
          <FormError message={sheetError} />
          <button
            type="button"
            id="profile-remove-confirm"
            class="button button-danger button-block"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await peopleApi.removeContact(u.id);
                removeContactLocally(u.username);
              }, t('people.profile.removed_toast', { name: shown }))
            }
          >
            {busy ? t('people.profile.removing') : t('people.profile.remove_button')}
          </button>
        </div>
      </Sheet>

      <Sheet open={sheet === 'block'} onClose={close} label={t('people.profile.block')} id="block-sheet">
        <div class="sheet-actions">
          <p class="confirm-text">{tx('people.profile.block_confirm', { name: <strong>{shown}</strong> })}</p>
          <FormError message={sheetError} />
          <button
            type="button"
            id="profile-block-confirm"
            class="button button-danger button-block"
            disabled={busy}
            onClick={() => void run(() => peopleApi.block(u.id), t('people.profile.blocked_toast', { name: shown }))}
          >
            {busy ? t('people.profile.blocking') : t('people.profile.block')}
          </button>
        </div>
      </Sheet>

      <Sheet open={sheet === 'add'} onClose={close} label={t('people.profile.add_sheet')} id="add-sheet">
        <form class="sheet-form" onSubmit={addContact}>
          <h2 class="sheet-title">{t('people.profile.add_title', { name: u.display_name })}</h2>
          <Field label={t('people.add.greeting')} id="add-message" name="message" defaultValue={t('people.add.greeting_default', { name: me.display_name })} maxLength={200} />
          <FormError message={sheetError} />
          <button type="submit" id="add-send" class="button button-primary button-block" disabled={busy}>
            {busy ? t('people.add.sending') : t('people.add.send')}
          </button>
        </form>
      </Sheet>

      {p.is_contact && <TransferSheet open={sheet === 'transfer'} onClose={close} me={me.username} to={u} />}
    </Page>
  );
}
