import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage, type User } from '../api';
import type { ChatUser, Conversation } from '../chat/api';
import { addGroupMembers, conversationPath, leaveGroup } from '../chat/actions';
import { peer } from '../chat/format';
import {
  canRemove,
  clearHistory,
  groupsApi,
  isStaff,
  removeMember,
  renameGroup,
  roleOf,
  setAnnouncement,
  setRole,
  transferOwnership,
  updateSettings,
  type Invite,
} from '../chat/groups';
import { sameId } from '../chat/merge';
import { chat, openThread } from '../chat/store';
import { useStore } from '../store';
import { Link } from '../router';
import { showToast } from '../toast';
import { Page } from '../components/Page';
import { Spinner } from '../components/Spinner';
import { Avatar } from '../components/Avatar';
import { Cell, CellGroup } from '../components/Cell';
import { Sheet } from '../components/Sheet';
import { FormError } from '../components/Field';
import { PlusIcon } from '../components/Icons';
import { ContactPicker } from '../components/chat/ContactPicker';
import { QrImage } from '../components/QrImage';

type SheetName = '' | 'name' | 'announce' | 'qr' | 'add' | 'remove' | 'admins' | 'clear' | 'leave';

const userPath = (u: ChatUser) => '/users/' + encodeURIComponent(String(u.id));

/** Chat info, as a page: members, name, QR code, announcement, mute, pin, clear, leave. */
export function ConversationInfoPage({ id, user }: { id: string; user: User }) {
  const { conversations } = useStore(chat);
  const c = conversations?.find((x) => sameId(x.id, id));
  useEffect(() => {
    if (!c) void openThread(id);
  }, [id, !c]);

  const back = conversationPath(id);
  if (!c) {
    return (
      <Page title="Chat info" back={back}>
        {conversations !== null && !c ? <p class="groups-empty">This chat isn’t available any more.</p> : <Spinner label="Loading…" />}
      </Page>
    );
  }
  const title = c.type === 'group' ? 'Chat info (' + c.members.length + ')' : 'Chat info';
  return (
    <Page title={title} back={back} backId="info-back" class="info-page">
      <InfoBody c={c} user={user} />
    </Page>
  );
}

function InfoBody({ c, user }: { c: Conversation; user: User }) {
  const [sheet, setSheet] = useState<SheetName>('');
  const [target, setTarget] = useState<ChatUser | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [draft, setDraft] = useState('');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [invite, setInvite] = useState<Invite | null>(null);
  const close = useCallback(() => {
    setSheet('');
    setTarget(null);
    setError('');
  }, []);
  const group = c.type === 'group';
  const staff = isStaff(c, user.id);
  const owner = roleOf(c, user.id) === 'owner';
  const other = group ? undefined : peer(c, user.id);

  function open(s: SheetName, init = '') {
    setError('');
    setBusy(false);
    setDraft(init);
    setPicked(new Set());
    setSheet(s);
  }

  async function run(fn: () => Promise<unknown>, done?: string) {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await fn();
      if (done) showToast(done, 'success');
      setSheet('');
      setTarget(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function toggle(key: 'muted' | 'pinned') {
    try {
      await updateSettings(c.id, { [key]: !c[key] });
    } catch (err) {
      showToast(errorMessage(err), 'error');
    }
  }

  async function showQr() {
    open('qr');
    if (invite && Date.parse(invite.expires_at) > Date.now() + 60_000) return;
    try {
      setInvite((await groupsApi.invite(c.id)).invite);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const memberNames = useMemo(() => new Set(c.members.map((m) => m.username)), [c.members]);
  const removable = c.members.filter((m) => canRemove(c, user.id, m.id));
  const inviteLink = invite ? location.origin + invite.url : '';

  return (
    <div class="groups-info" id="conversation-info-page" data-conversation-id={String(c.id)}>
      <div class="groups-members">
        <ul class="member-grid groups-grid" aria-label="Members">
          {(group ? c.members : other ? [other] : []).map((m) => (
            <li key={String(m.id)} class="member" data-member={m.username}>
              <Link href={userPath(m)} class="groups-member-link" aria-label={m.display_name}>
                <Avatar username={m.username} name={m.display_name} size="lg" />
                {group && roleOf(c, m.id) !== 'member' && (
                  <span class={'groups-role groups-role-' + roleOf(c, m.id)}>{roleOf(c, m.id) === 'owner' ? 'Owner' : 'Admin'}</span>
                )}
              </Link>
              <span class="member-name">{sameId(m.id, user.id) ? 'You' : m.display_name}</span>
            </li>
          ))}
          {group && (
            <li class="member">
              <button type="button" id="info-add-members" class="member-add" aria-label="Add members" onClick={() => open('add')}>
                <PlusIcon size={24} />
              </button>
              <span class="member-name">Add</span>
            </li>
          )}
          {group && removable.length > 0 && (
            <li class="member">
              <button type="button" id="info-remove-members" class="member-add" aria-label="Remove members" onClick={() => open('remove')}>
                <span class="groups-minus" aria-hidden="true" />
              </button>
              <span class="member-name">Remove</span>
            </li>
          )}
        </ul>
      </div>

      {group && (
        <CellGroup>
          <Cell
            id="info-name"
            title="Group name"
            extra={<span class="groups-extra">{c.title}</span>}
            chevron={staff}
            onClick={staff ? () => open('name', c.title) : undefined}
          />
          <Cell id="info-qr" title="Group QR code" extra={<span class="groups-qr-glyph" aria-hidden="true" />} chevron onClick={() => void showQr()} />
          <Cell
            id="info-announcement"
            title="Group announcement"
            subtitle={<span class="groups-announcement-preview">{c.announcement || (staff ? 'Not set' : 'None')}</span>}
            chevron
            onClick={() => open('announce', c.announcement ?? '')}
          />
          {owner && <Cell id="info-admins" title="Manage admins" extra={<span class="groups-extra">{(c.admins ?? []).length}</span>} chevron onClick={() => open('admins')} />}
        </CellGroup>
      )}

      <CellGroup>
        <Cell id="info-mute" title="Mute notifications" extra={<Switch id="toggle-mute" on={!!c.muted} onClick={() => void toggle('muted')} />} />
        <Cell id="info-pin" title="Pin chat" extra={<Switch id="toggle-pin" on={!!c.pinned} onClick={() => void toggle('pinned')} />} />
      </CellGroup>

      <CellGroup>
        <Cell id="info-clear" title="Clear chat history" chevron onClick={() => open('clear')} />
      </CellGroup>

      {group && (
        <div class="groups-leave">
          <button type="button" id="info-leave" class="button button-ghost-danger button-block" onClick={() => open('leave')}>
            Leave group
          </button>
        </div>
      )}

      <Sheet open={sheet === 'name'} onClose={close} label="Group name" id="sheet-name">
        <h2 class="sheet-title">Group name</h2>
        <form
          class="groups-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => renameGroup(c.id, draft), 'Group renamed.');
          }}
        >
          <input id="group-name-input" class="groups-input" value={draft} maxLength={64} onInput={(e) => setDraft(e.currentTarget.value)} onFocus={(e) => e.currentTarget.select()} autoFocus />
          <FormError message={error} />
          <button type="submit" id="group-name-save" class="button button-primary button-block" disabled={busy || !draft.trim()}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </form>
      </Sheet>

      <Sheet open={sheet === 'announce'} onClose={close} label="Group announcement" id="sheet-announcement">
        <h2 class="sheet-title">Group announcement</h2>
        {staff ? (
          <form
            class="groups-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => setAnnouncement(c.id, draft), draft.trim() ? 'Announcement posted.' : 'Announcement removed.');
            }}
          >
            <textarea
              id="announcement-input"
              class="groups-input groups-textarea"
              value={draft}
              maxLength={1000}
              rows={6}
              placeholder="Tell everyone in the group…"
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
            <span class="groups-count">{draft.length}/1000</span>
            <FormError message={error} />
            <button type="submit" id="announcement-save" class="button button-primary button-block" disabled={busy}>
              {busy ? 'Posting…' : 'Post'}
            </button>
          </form>
        ) : (
          <p class="groups-announcement-text">{c.announcement || 'There is no announcement yet. Only the owner and admins can post one.'}</p>
        )}
      </Sheet>

      <Sheet open={sheet === 'qr'} onClose={close} label="Group QR code" id="sheet-qr">
        <div class="groups-qr">
          <div class="groups-qr-head">
            <span class="groups-qr-title">{c.title}</span>
            <span class="groups-qr-sub">{c.members.length} members</span>
          </div>
          {invite ? <QrImage id="group-qr-image" src={'/api/v1/qr.png?payload=' + encodeURIComponent(inviteLink)} size={208} label={'QR code to join ' + c.title} /> : <Spinner label="Making the code…" />}
          {invite && (
            <>
              <p class="groups-qr-note">Scan to join. Valid until {new Date(invite.expires_at).toLocaleDateString()}.</p>
              <a id="invite-link" class="groups-qr-link" href={invite.url}>
                {inviteLink}
              </a>
              <button
                type="button"
                class="button button-secondary button-small"
                onClick={() => {
                  void navigator.clipboard?.writeText(inviteLink).then(
                    () => showToast('Link copied.', 'success'),
                    () => showToast('Copy the link by hand.', 'error'),
                  );
                }}
              >
                Copy link
              </button>
            </>
          )}
          <FormError message={error} />
        </div>
      </Sheet>

      <Sheet open={sheet === 'add'} onClose={close} label="Add members" id="sheet-add">
        <h2 class="sheet-title">Add members</h2>
        <div class="group-form">
          <ContactPicker
            mode="multi"
            selected={picked}
            locked={memberNames}
            onPick={(u) =>
              setPicked((s) => {
                const n = new Set(s);
                if (n.has(u.username)) n.delete(u.username);
                else n.add(u.username);
                return n;
              })
            }
          />
          <FormError message={error} />
          <button
            type="button"
            id="add-members-submit"
            class="button button-primary button-block"
            disabled={busy || picked.size === 0}
            onClick={() => void run(() => addGroupMembers(c.id, [...picked]), picked.size === 1 ? 'Member added.' : picked.size + ' members added.')}
          >
            {busy ? 'Adding…' : picked.size > 0 ? 'Add (' + picked.size + ')' : 'Add'}
          </button>
        </div>
      </Sheet>

      <Sheet open={sheet === 'remove'} onClose={close} label="Remove members" id="sheet-remove">
        <h2 class="sheet-title">{target ? 'Remove ' + target.display_name + '?' : 'Remove members'}</h2>
        {target ? (
          <div class="sheet-actions">
            <p class="confirm-text">{target.display_name} will no longer get this group’s messages.</p>
            <FormError message={error} />
            <button
              type="button"
              id="remove-confirm"
              class="button button-danger button-block"
              disabled={busy}
              onClick={() => void run(() => removeMember(c.id, target.id), target.display_name + ' removed.')}
            >
              {busy ? 'Removing…' : 'Remove'}
            </button>
            <button type="button" class="button button-secondary button-block" onClick={() => setTarget(null)}>
              Cancel
            </button>
          </div>
        ) : (
          <ul class="groups-people">
            {removable.map((m) => (
              <li key={String(m.id)}>
                <button type="button" class="groups-person" data-remove={m.username} onClick={() => setTarget(m)}>
                  <Avatar username={m.username} name={m.display_name} />
                  <span class="groups-person-name">{m.display_name}</span>
                  <span class="groups-person-action groups-danger">Remove</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </Sheet>

      <Sheet open={sheet === 'admins'} onClose={close} label="Manage admins" id="sheet-admins">
        <h2 class="sheet-title">Manage admins</h2>
        <p class="sheet-sub">Admins can rename the group, post the announcement and remove members.</p>
        <ul class="groups-people">
          {c.members
            .filter((m) => !sameId(m.id, user.id))
            .map((m) => {
              const admin = roleOf(c, m.id) === 'admin';
              return (
                <li key={String(m.id)} class="groups-person" data-admin-row={m.username}>
                  <Avatar username={m.username} name={m.display_name} />
                  <span class="groups-person-name">
                    {m.display_name}
                    {admin && <span class="groups-role groups-role-admin groups-role-inline">Admin</span>}
                  </span>
                  <button
                    type="button"
                    class={'button button-small ' + (admin ? 'button-secondary' : 'button-primary')}
                    data-toggle-admin={m.username}
                    disabled={busy}
                    onClick={() => void run(() => setRole(c.id, m.id, admin ? 'member' : 'admin'), admin ? m.display_name + ' is no longer an admin.' : m.display_name + ' is now an admin.')}
                  >
                    {admin ? 'Remove admin' : 'Make admin'}
                  </button>
                  <button
                    type="button"
                    class="button button-small button-secondary"
                    data-make-owner={m.username}
                    disabled={busy}
                    onClick={() => void run(() => transferOwnership(c.id, m.id), m.display_name + ' now owns the group.')}
                  >
                    Make owner
                  </button>
                </li>
              );
            })}
        </ul>
        <FormError message={error} />
      </Sheet>

      <Sheet open={sheet === 'clear'} onClose={close} label="Clear chat history" id="sheet-clear">
        <h2 class="sheet-title">Clear chat history?</h2>
        <div class="sheet-actions">
          <p class="confirm-text">The messages disappear from this chat for you only; others keep theirs.</p>
          <FormError message={error} />
          <button type="button" id="clear-confirm" class="button button-danger button-block" disabled={busy} onClick={() => void run(() => clearHistory(c.id), 'Chat history cleared.')}>
            {busy ? 'Clearing…' : 'Clear'}
          </button>
          <button type="button" class="button button-secondary button-block" onClick={close}>
            Cancel
          </button>
        </div>
      </Sheet>

      <Sheet open={sheet === 'leave'} onClose={close} label="Leave group" id="sheet-leave">
        <h2 class="sheet-title">Leave “{c.title}”?</h2>
        <div class="sheet-actions">
          <p class="confirm-text">
            You won’t get its messages any more.{owner ? ' An admin, or the member who joined first, becomes the owner.' : ''}
          </p>
          <FormError message={error} />
          <button type="button" id="leave-confirm" class="button button-danger button-block" disabled={busy} onClick={() => void run(() => leaveGroup(c.id), 'You left “' + c.title + '”.')}>
            {busy ? 'Leaving…' : 'Leave'}
          </button>
          <button type="button" class="button button-secondary button-block" onClick={close}>
            Cancel
          </button>
        </div>
      </Sheet>
    </div>
  );
}

function Switch({ id, on, onClick }: { id: string; on: boolean; onClick: () => void }) {
  return (
    <button type="button" id={id} role="switch" aria-checked={on} class={'groups-switch' + (on ? ' on' : '')} onClick={onClick}>
      <span class="groups-switch-knob" />
    </button>
  );
}
