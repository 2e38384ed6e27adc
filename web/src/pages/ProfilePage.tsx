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
      <Page title="Profile" back="/contacts">
        {error ? <div class="inline-error"><p>{error}</p></div> : <Spinner label="Loading profile…" />}
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
      .map((t) => t.trim())
      .filter(Boolean);
    void run(() => peopleApi.setNote(u.id, { remark: String(f.get('remark') ?? ''), tags: tagList }), 'Saved.');
  }

  function addContact(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void run(() => api.sendRequest(u.username, String(f.get('message') ?? '')), 'Request sent to ' + u.display_name + '.');
  }

  return (
    <Page title="" back="/contacts" class="profile-page">
      <div class="person-card" id="profile" data-profile={u.username} data-user-id={String(u.id)}>
        <button
          type="button"
          class="person-avatar"
          id="profile-avatar"
          aria-label="View avatar"
          onClick={() => u.avatar_url && setViewing(largeAvatar(u.avatar_url))}
        >
          <Avatar username={u.username} name={u.display_name} size="xl" src={u.avatar_url ?? null} large />
        </button>
        <div class="person-text">
          <div class="person-name" id="profile-name">
            {shown}
            {p.blocked && <span class="person-blocked">Blocked</span>}
          </div>
          {remark && <div class="person-line">Name: <span id="profile-display-name">{u.display_name}</span></div>}
          <div class="person-line">
            Plaza ID: <span id="profile-username">{u.username}</span>
          </div>
          {u.region && (
            <div class="person-line" id="profile-region">
              Region: {regionName(regions, u.region)} <span class="person-flag">{u.region}</span>
            </div>
          )}
        </div>
      </div>

      {p.is_contact && (
        <CellGroup>
          <Cell
            id="profile-note"
            title="Remark and tags"
            subtitle={
              tags.length > 0 ? (
                <span class="person-tags" id="profile-tags">
                  {tags.map((t) => (
                    <span class="person-tag" key={t}>{t}</span>
                  ))}
                </span>
              ) : undefined
            }
            extra={<span class="muted">{remark || 'Not set'}</span>}
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
                <MessageIcon size={20} /> Message
              </button>
              <button type="button" id="profile-transfer" class="person-action" onClick={() => setSheet('transfer')}>
                <TransferIcon size={20} /> Transfer
              </button>
            </>
          ) : (
            <button type="button" id="profile-add" class="person-action" onClick={() => setSheet('add')}>
              <UserPlusIcon size={20} /> Add to Contacts
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
              onClick={() => void run(() => peopleApi.unblock(u.id), shown + ' is unblocked.')}
            >
              Unblock
            </button>
          ) : (
            <button type="button" id="profile-block" class="person-action person-action-plain" onClick={() => setSheet('block')}>
              Block
            </button>
          )}
          {p.is_contact && (
            <button type="button" id="profile-remove" class="person-action person-action-danger" onClick={() => setSheet('remove')}>
              Remove contact
            </button>
          )}
        </div>
      )}

      <ImageViewer src={viewing} onClose={() => setViewing(null)} />

      <Sheet open={sheet === 'note'} onClose={close} label="Remark and tags" id="note-sheet">
        <form class="sheet-form" onSubmit={saveNote}>
          <h2 class="sheet-title">Remark and tags</h2>
          <Field label="Remark" id="note-remark" name="remark" defaultValue={remark} maxLength={32} placeholder={u.display_name} autoComplete="off" />
          <Field
            label="Tags"
            id="note-tags"
            name="tags"
            defaultValue={tags.join(', ')}
            placeholder="Family, Work"
            autoComplete="off"
            hint="Separate tags with commas (up to 10)."
          />
          <FormError message={sheetError} />
          <button type="submit" id="note-save" class="button button-primary button-block" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </form>
      </Sheet>

      <Sheet open={sheet === 'remove'} onClose={close} label="Remove contact" id="remove-sheet">
        <div class="sheet-actions">
          <p class="confirm-text">
            Remove <strong>{shown}</strong> from your contacts? You will also disappear from theirs, and your remark and tags are
            deleted.
          </p>
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
              }, shown + ' was removed from your contacts.')
            }
          >
            {busy ? 'Removing…' : 'Remove'}
          </button>
        </div>
      </Sheet>

      <Sheet open={sheet === 'block'} onClose={close} label="Block" id="block-sheet">
        <div class="sheet-actions">
          <p class="confirm-text">
            Block <strong>{shown}</strong>? They won’t be able to message you in your chat or add you as a contact. They are not told.
          </p>
          <FormError message={sheetError} />
          <button
            type="button"
            id="profile-block-confirm"
            class="button button-danger button-block"
            disabled={busy}
            onClick={() => void run(() => peopleApi.block(u.id), shown + ' is blocked.')}
          >
            {busy ? 'Blocking…' : 'Block'}
          </button>
        </div>
      </Sheet>

      <Sheet open={sheet === 'add'} onClose={close} label="Add to contacts" id="add-sheet">
        <form class="sheet-form" onSubmit={addContact}>
          <h2 class="sheet-title">Add {u.display_name}</h2>
          <Field label="Greeting" id="add-message" name="message" defaultValue={'Hi, I’m ' + me.display_name} maxLength={200} />
          <FormError message={sheetError} />
          <button type="submit" id="add-send" class="button button-primary button-block" disabled={busy}>
            {busy ? 'Sending…' : 'Send request'}
          </button>
        </form>
      </Sheet>

      {p.is_contact && <TransferSheet open={sheet === 'transfer'} onClose={close} me={me.username} to={u} />}
    </Page>
  );
}
