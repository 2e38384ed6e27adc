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
import { collator, fmtDate, t } from '../i18n';
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
      <Page title={t('chat.info.title')} back={back}>
        {conversations !== null && !c ? <p class="groups-empty">{t('chat.info.gone')}</p> : <Spinner label={t('chat.info.loading')} />}
      </Page>
    );
  }
  const title = c.type === 'group' ? t('chat.info.title_n', { count: c.members.length }) : t('chat.info.title');
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
  // Owner, then admins, then everyone else; by name within each (pinyin order in Chinese).
  const sortedMembers = useMemo(() => {
    const rank = (m: ChatUser) => ({ owner: 0, admin: 1 })[roleOf(c, m.id) as string] ?? 2;
    const byName = collator();
    return [...c.members].sort((a, b) => rank(a) - rank(b) || byName.compare(a.display_name || a.username, b.display_name || b.username));
  }, [c]);
  const removable = sortedMembers.filter((m) => canRemove(c, user.id, m.id));
  const inviteLink = invite ? location.origin + invite.url : '';

  return (
    <div class="groups-info" id="conversation-info-page" data-conversation-id={String(c.id)}>
      <div class="groups-members">
        <ul class="member-grid groups-grid" aria-label={t('chat.info.members')}>
          {(group ? sortedMembers : other ? [other] : []).map((m) => (
            <li key={String(m.id)} class="member" data-member={m.username}>
              <Link href={userPath(m)} class="groups-member-link" aria-label={m.display_name}>
                <Avatar username={m.username} name={m.display_name} size="lg" />
                {group && roleOf(c, m.id) !== 'member' && (
                  <span class={'groups-role groups-role-' + roleOf(c, m.id)}>{roleOf(c, m.id) === 'owner' ? t('chat.info.owner') : t('chat.info.admin')}</span>
                )}
              </Link>
              <span class="member-name">{sameId(m.id, user.id) ? t('chat.info.you') : m.display_name}</span>
            </li>
          ))}
          {group && (
            <li class="member">
              <button type="button" id="info-add-members" class="member-add" aria-label={t('chat.info.add_members')} onClick={() => open('add')}>
                <PlusIcon size={24} />
              </button>
              <span class="member-name">{t('chat.info.add')}</span>
            </li>
          )}
          {group && removable.length > 0 && (
            <li class="member">
              <button type="button" id="info-remove-members" class="member-add" aria-label={t('chat.info.remove_members')} onClick={() => open('remove')}>
                <span class="groups-minus" aria-hidden="true" />
              </button>
              <span class="member-name">{t('chat.info.remove')}</span>
            </li>
          )}
        </ul>
      </div>

      {group && (
        <CellGroup>
          <Cell
            id="info-name"
            title={t('chat.info.group_name')}
            extra={<span class="groups-extra">{c.title}</span>}
            chevron={staff}
            onClick={staff ? () => open('name', c.title) : undefined}
          />
          <Cell id="info-qr" title={t('chat.info.group_qr')} extra={<span class="groups-qr-glyph" aria-hidden="true" />} chevron onClick={() => void showQr()} />
          <Cell
            id="info-announcement"
            title={t('chat.info.announcement')}
            subtitle={<span class="groups-announcement-preview">{c.announcement || (staff ? t('chat.info.not_set') : t('chat.info.none'))}</span>}
            chevron
            onClick={() => open('announce', c.announcement ?? '')}
          />
          {owner && <Cell id="info-admins" title={t('chat.info.manage_admins')} extra={<span class="groups-extra">{(c.admins ?? []).length}</span>} chevron onClick={() => open('admins')} />}
        </CellGroup>
      )}

      <CellGroup>
        <Cell id="info-mute" title={t('chat.info.mute')} extra={<Switch id="toggle-mute" on={!!c.muted} onClick={() => void toggle('muted')} />} />
        <Cell id="info-pin" title={t('chat.info.pin')} extra={<Switch id="toggle-pin" on={!!c.pinned} onClick={() => void toggle('pinned')} />} />
      </CellGroup>

      <CellGroup>
        <Cell id="info-clear" title={t('chat.info.clear')} chevron onClick={() => open('clear')} />
      </CellGroup>

      {group && (
        <div class="groups-leave">
          <button type="button" id="info-leave" class="button button-ghost-danger button-block" onClick={() => open('leave')}>
            {t('chat.info.leave')}
          </button>
        </div>
      )}

      <Sheet open={sheet === 'name'} onClose={close} label={t('chat.info.group_name')} id="sheet-name">
        <h2 class="sheet-title">{t('chat.info.group_name')}</h2>
        <form
          class="groups-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => renameGroup(c.id, draft), t('chat.info.renamed'));
          }}
        >
          <input id="group-name-input" class="groups-input" value={draft} maxLength={64} onInput={(e) => setDraft(e.currentTarget.value)} onFocus={(e) => e.currentTarget.select()} autoFocus />
          <FormError message={error} />
          <button type="submit" id="group-name-save" class="button button-primary button-block" disabled={busy || !draft.trim()}>
            {busy ? t('chat.info.saving') : t('chat.info.save')}
          </button>
        </form>
      </Sheet>

      <Sheet open={sheet === 'announce'} onClose={close} label={t('chat.info.announcement')} id="sheet-announcement">
        <h2 class="sheet-title">{t('chat.info.announcement')}</h2>
        {staff ? (
          <form
            class="groups-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => setAnnouncement(c.id, draft), draft.trim() ? t('chat.info.announce_posted') : t('chat.info.announce_removed'));
            }}
          >
            <textarea
              id="announcement-input"
              class="groups-input groups-textarea"
              value={draft}
              maxLength={1000}
              rows={6}
              placeholder={t('chat.info.announce_placeholder')}
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
            <span class="groups-count">{draft.length}/1000</span>
            <FormError message={error} />
            <button type="submit" id="announcement-save" class="button button-primary button-block" disabled={busy}>
              {busy ? t('chat.info.posting') : t('chat.info.post')}
            </button>
          </form>
        ) : (
          <p class="groups-announcement-text">{c.announcement || t('chat.info.no_announcement')}</p>
        )}
      </Sheet>

      <Sheet open={sheet === 'qr'} onClose={close} label={t('chat.info.group_qr')} id="sheet-qr">
        <div class="groups-qr">
          <div class="groups-qr-head">
            <span class="groups-qr-title">{c.title}</span>
            <span class="groups-qr-sub">{t('chat.info.member_count', { count: c.members.length })}</span>
          </div>
          {invite ? <QrImage id="group-qr-image" src={'/api/v1/qr.png?payload=' + encodeURIComponent(inviteLink)} size={208} label={t('chat.info.qr_label', { title: c.title })} /> : <Spinner label={t('chat.info.qr_making')} />}
          {invite && (
            <>
              <p class="groups-qr-note">{t('chat.info.qr_note', { date: fmtDate(invite.expires_at) })}</p>
              <a id="invite-link" class="groups-qr-link" href={invite.url}>
                {inviteLink}
              </a>
              <button
                type="button"
                class="button button-secondary button-small"
                onClick={() => {
                  void navigator.clipboard?.writeText(inviteLink).then(
                    () => showToast(t('chat.info.link_copied'), 'success'),
                    () => showToast(t('chat.info.copy_by_hand'), 'error'),
                  );
                }}
              >
                {t('chat.info.copy_link')}
              </button>
            </>
          )}
          <FormError message={error} />
        </div>
      </Sheet>

      <Sheet open={sheet === 'add'} onClose={close} label={t('chat.info.add_members')} id="sheet-add">
        <h2 class="sheet-title">{t('chat.info.add_members')}</h2>
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
            onClick={() => void run(() => addGroupMembers(c.id, [...picked]), picked.size === 1 ? t('chat.info.member_added') : t('chat.info.members_added', { count: picked.size }))}
          >
            {busy ? t('chat.info.adding') : picked.size > 0 ? t('chat.info.add_n', { count: picked.size }) : t('chat.info.add')}
          </button>
        </div>
      </Sheet>

      <Sheet open={sheet === 'remove'} onClose={close} label={t('chat.info.remove_members')} id="sheet-remove">
        <h2 class="sheet-title">{target ? t('chat.info.remove_q', { name: target.display_name }) : t('chat.info.remove_members')}</h2>
        {target ? (
          <div class="sheet-actions">
            <p class="confirm-text">{t('chat.info.remove_body', { name: target.display_name })}</p>
            <FormError message={error} />
            <button
              type="button"
              id="remove-confirm"
              class="button button-danger button-block"
              disabled={busy}
              onClick={() => void run(() => removeMember(c.id, target.id), t('chat.info.removed', { name: target.display_name }))}
            >
              {busy ? t('chat.info.removing') : t('chat.info.remove')}
            </button>
            <button type="button" class="button button-secondary button-block" onClick={() => setTarget(null)}>
              {t('chat.info.cancel')}
            </button>
          </div>
        ) : (
          <ul class="groups-people">
            {removable.map((m) => (
              <li key={String(m.id)}>
                <button type="button" class="groups-person" data-remove={m.username} onClick={() => setTarget(m)}>
                  <Avatar username={m.username} name={m.display_name} />
                  <span class="groups-person-name">{m.display_name}</span>
                  <span class="groups-person-action groups-danger">{t('chat.info.remove')}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </Sheet>

      <Sheet open={sheet === 'admins'} onClose={close} label={t('chat.info.manage_admins')} id="sheet-admins">
        <h2 class="sheet-title">{t('chat.info.manage_admins')}</h2>
        <p class="sheet-sub">{t('chat.info.admins_sub')}</p>
        <ul class="groups-people">
          {sortedMembers
            .filter((m) => !sameId(m.id, user.id))
            .map((m) => {
              const admin = roleOf(c, m.id) === 'admin';
              return (
                <li key={String(m.id)} class="groups-person" data-admin-row={m.username}>
                  <Avatar username={m.username} name={m.display_name} />
                  <span class="groups-person-name">
                    {m.display_name}
                    {admin && <span class="groups-role groups-role-admin groups-role-inline">{t('chat.info.admin')}</span>}
                  </span>
                  <button
                    type="button"
                    class={'button button-small ' + (admin ? 'button-secondary' : 'button-primary')}
                    data-toggle-admin={m.username}
                    disabled={busy}
                    onClick={() => void run(() => setRole(c.id, m.id, admin ? 'member' : 'admin'), admin ? t('chat.info.no_longer_admin', { name: m.display_name }) : t('chat.info.now_admin', { name: m.display_name }))}
                  >
                    {admin ? t('chat.info.remove_admin') : t('chat.info.make_admin')}
                  </button>
                  <button
                    type="button"
                    class="button button-small button-secondary"
                    data-make-owner={m.username}
                    disabled={busy}
                    onClick={() => void run(() => transferOwnership(c.id, m.id), t('chat.info.now_owner', { name: m.display_name }))}
                  >
                    {t('chat.info.make_owner')}
                  </button>
                </li>
              );
            })}
        </ul>
        <FormError message={error} />
      </Sheet>

      <Sheet open={sheet === 'clear'} onClose={close} label={t('chat.info.clear')} id="sheet-clear">
        <h2 class="sheet-title">{t('chat.info.clear_q')}</h2>
        <div class="sheet-actions">
          <p class="confirm-text">{t('chat.info.clear_body')}</p>
          <FormError message={error} />
          <button type="button" id="clear-confirm" class="button button-danger button-block" disabled={busy} onClick={() => void run(() => clearHistory(c.id), t('chat.info.cleared'))}>
            {busy ? t('chat.info.clearing') : t('chat.info.clear_button')}
          </button>
          <button type="button" class="button button-secondary button-block" onClick={close}>
            {t('chat.info.cancel')}
          </button>
        </div>
      </Sheet>

      <Sheet open={sheet === 'leave'} onClose={close} label={t('chat.info.leave')} id="sheet-leave">
        <h2 class="sheet-title">{t('chat.info.leave_q', { title: c.title })}</h2>
        <div class="sheet-actions">
          <p class="confirm-text">
            {t('chat.info.leave_body')}
            {owner ? t('chat.info.leave_owner') : ''}
          </p>
          <FormError message={error} />
          <button type="button" id="leave-confirm" class="button button-danger button-block" disabled={busy} onClick={() => void run(() => leaveGroup(c.id), t('chat.info.left', { title: c.title }))}>
            {busy ? t('chat.info.leaving') : t('chat.info.leave_button')}
          </button>
          <button type="button" class="button button-secondary button-block" onClick={close}>
            {t('chat.info.cancel')}
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
