import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { conversationPath } from '../chat/actions';
import { groupsApi, joinByInvite, type InvitePreview } from '../chat/groups';
import { Link } from '../router';
import { fmtDate, t } from '../i18n';
import { Page } from '../components/Page';
import { Spinner } from '../components/Spinner';
import { Avatar } from '../components/Avatar';
import { FormError } from '../components/Field';
import { GroupIcon } from '../components/Icons';

/** /g/:code — where a group QR code leads: the group, its members, "Join group". */
export function JoinGroupPage({ code }: { code: string }) {
  const [invite, setInvite] = useState<InvitePreview | null>(null);
  const [problem, setProblem] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    groupsApi.preview(code).then(
      (r) => live && setInvite(r.invite),
      (err) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 410) setProblem(t('chat.join.expired'));
        else if (err instanceof ApiError && err.status === 404) setProblem(t('chat.join.invalid'));
        else setProblem(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [code]);

  async function join() {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await joinByInvite(code);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  let body;
  if (problem) {
    body = (
      <div class="groups-join groups-join-problem" id="join-problem">
        <span class="groups-join-icon">
          <GroupIcon size={40} />
        </span>
        <p>{problem}</p>
        <Link href="/chats" class="button button-secondary button-small">
          {t('chat.join.back')}
        </Link>
      </div>
    );
  } else if (!invite) {
    body = <Spinner label={t('chat.join.opening')} />;
  } else {
    const more = invite.member_count - invite.members_preview.length;
    body = (
      <div class="groups-join" id="join-group" data-conversation-id={String(invite.conversation_id)}>
        <div class="groups-join-faces" aria-hidden="true">
          {invite.members_preview.map((m) => (
            <Avatar key={String(m.id)} username={m.username} name={m.display_name} size="lg" />
          ))}
          {more > 0 && <span class="groups-join-more">+{more}</span>}
        </div>
        <h2 class="groups-join-title" id="join-title">
          {invite.title}
        </h2>
        <p class="groups-join-sub">
          {t('chat.join.members', { count: invite.member_count })}
          {invite.invited_by?.display_name ? t('chat.join.shared_by', { name: invite.invited_by.display_name }) : ''}
        </p>
        <FormError message={error} />
        {invite.joined ? (
          <Link href={conversationPath(invite.conversation_id)} id="join-open" class="button button-primary groups-join-button">
            {t('chat.join.open')}
          </Link>
        ) : (
          <button type="button" id="join-submit" class="button button-primary groups-join-button" disabled={busy} onClick={() => void join()}>
            {busy ? t('chat.join.joining') : t('chat.join.join')}
          </button>
        )}
        <p class="groups-join-note">{t('chat.join.valid_until', { date: fmtDate(invite.expires_at) })}</p>
      </div>
    );
  }
  return (
    <Page title={t('chat.join.title')} back="/chats" class="join-page">
      {body}
    </Page>
  );
}
