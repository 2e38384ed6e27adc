import type { ComponentChildren } from 'preact';
import type { Id } from '../../api';
import type { ChatUser, Message, Quote } from '../../chat/api';
import { openMenu, reEdit, reEditText, selection, toggleSelected } from '../../chat/actions';
import { useStore } from '../../store';
import { t } from '../../i18n';
import { systemText } from '../../chat/format';
import { LinkedText } from './LinkedText';
import { useMessageGestures } from './MessageMenu';
import { BubbleQuote } from './Quote';
import type { Pending } from '../../chat/merge';
import { Avatar } from '../Avatar';
import { Link } from '../../router';
import { profilePath } from '../../people/api';
import { ShownName } from '../../people/ShownName';
import { RedPacketBubble } from '../wallet/Bubbles';
import { TransferCard } from '../wallet/TransferCard';
import { RedPacketOpenedNote } from '../wallet/RedPacketOpenedNote';
import { CheckIcon } from '../Icons';
import { cancelUpload } from '../../chat/send';
import { FileBubble } from './FileBubble';
import { VoiceBubble } from './VoiceBubble';

interface Common {
  mine: boolean;
  sender: ChatUser;
  /** Show the sender's name above the bubble (others, in groups). */
  showName: boolean;
  onImage: (src: string) => void;
  /** Re-stick to the bottom once an image knows its size. */
  onMediaLoad: () => void;
  /** Tapped a red packet. */
  onRedPacket?: (id: string) => void;
  /** Under the bubble: "Sent" / "Read" / "Read by N" (ReadReceipts.tsx). */
  receipt?: ComponentChildren;
}

/** One server message: a bubble with an avatar, or a grey system pill. */
export function MessageItem({ m, ...rest }: Common & { m: Message }) {
  if (m.kind === 'hidden') return null; // deleted for me: the seq stays, nothing shows
  if (m.kind === 'recalled') return <RecalledNote m={m} mine={rest.mine} />;
  if (m.kind === 'erased') {
    // The sender erased their account: the seq stays, the content is gone.
    return (
      <div class="msg-system msg-erased" data-seq={m.seq} data-kind="erased">
        <span class="bubble-text">{t('chat.kind.deleted')}</span>
      </div>
    );
  }
  if (m.kind === 'system') {
    return (
      <div class="msg-system" data-seq={m.seq} data-kind="system">
        <span class="bubble-text">{systemText(m, rest.mine)}</span>
      </div>
    );
  }
  if (m.kind === 'red_packet_opened') return <RedPacketOpenedNote m={m} />;
  let body;
  if (m.kind === 'red_packet') body = <RedPacketBubble id={m.red_packet_id} greeting={m.text} onOpen={rest.onRedPacket} />;
  else if (m.kind === 'transfer') body = <TransferCard text={m.text} mine={rest.mine} transactionId={m.transaction_id} />;
  else if (m.kind === 'voice') body = <VoiceBubble id={String(m.id)} src={m.media_url} durationMs={m.duration_ms ?? 0} mine={rest.mine} />;
  else if (m.kind === 'file') body = <FileBubble name={m.name || t('chat.msg.file')} size={m.size ?? 0} type={m.content_type} src={m.media_url} />;
  else body = <Body kind={m.kind} text={m.text} src={m.media_url} onImage={rest.onImage} onMediaLoad={rest.onMediaLoad} />;
  return (
    <Row {...rest} kind={m.kind} attrs={{ 'data-seq': String(m.seq), 'data-kind': m.kind, 'data-id': String(m.id) }} msg={m}>
      {body}
    </Row>
  );
}

/** Our optimistic message: spinner while sending, a red "!" (tap to retry) when it failed. */
export function PendingItem({ p, onRetry, ...rest }: Common & { p: Pending; onRetry: () => void }) {
  const failed = p.status === 'failed';
  const attrs: Record<string, string> = { 'data-pending': 'true', 'data-kind': p.kind, 'data-client-id': p.client_id };
  if (failed) attrs['data-failed'] = 'true';
  const status = failed ? (
    <button type="button" class="msg-failed" aria-label={t('chat.msg.not_sent', { reason: p.error || t('chat.msg.tap_retry_lower') })} title={p.error || t('chat.msg.tap_retry')} onClick={onRetry}>
      !
    </button>
  ) : (
    <span class="msg-sending" role="status" aria-label={t('chat.msg.sending')}>
      <span class="spinner spinner-small" aria-hidden="true" />
    </span>
  );
  return (
    <Row {...rest} kind={p.kind} attrs={attrs} status={status} quote={p.reply_to && { convId: p.conversation_id, q: p.reply_to }}>
      {p.kind === 'voice' ? (
        <VoiceBubble id={p.client_id} durationMs={p.duration_ms ?? 0} mine pending />
      ) : p.kind === 'file' ? (
        <FileBubble
          name={p.name ?? t('chat.msg.file')}
          size={p.size ?? 0}
          progress={failed ? undefined : (p.progress ?? 0)}
          onCancel={failed ? undefined : () => cancelUpload(p.conversation_id, p.client_id)}
        />
      ) : (
        <Body kind={p.kind} text={p.text} src={p.preview_url} onImage={rest.onImage} onMediaLoad={rest.onMediaLoad} />
      )}
    </Row>
  );
}

function Row({
  mine,
  sender,
  showName,
  kind,
  attrs,
  status,
  children,
  msg,
  quote,
  receipt,
}: Omit<Common, 'onImage' | 'onMediaLoad' | 'onRedPacket'> & {
  kind: string;
  attrs: Record<string, string>;
  status?: ComponentChildren;
  children: ComponentChildren;
  /** A server message: it has the action menu, multi-select and its quote. */
  msg?: Message;
  quote?: { convId: Id; q: Quote };
  /** Read state under my own message (presence). */
  receipt?: ComponentChildren;
}) {
  const gestures = useMessageGestures(msg);
  const sel = useStore(selection);
  const selecting = !!msg && !!sel && sel.convId === String(msg.conversation_id);
  const ticked = selecting && sel!.ids.includes(String(msg!.id));
  const q = quote ?? (msg?.reply_to ? { convId: msg.conversation_id, q: msg.reply_to } : undefined);
  return (
    <div
      class={'msg' + (mine ? ' msg-mine' : ' msg-theirs') + ' msg-' + kind + (selecting ? ' msg-selecting' : '') + (ticked ? ' msg-ticked' : '')}
      {...attrs}
      {...(msg ? gestures : {})}
      onClickCapture={
        selecting
          ? (e: MouseEvent) => {
              e.preventDefault();
              e.stopPropagation();
              toggleSelected(msg!.id);
            }
          : undefined
      }
    >
      {selecting && (
        <span
          class={'msg-check' + (ticked ? ' on' : '')}
          role="checkbox"
          aria-checked={ticked}
          aria-label={t('chat.msg.select')}
          tabIndex={0}
          onKeyDown={(e: KeyboardEvent) => {
            if (e.key === ' ' || e.key === 'Enter') {
              e.preventDefault();
              toggleSelected(msg!.id);
            }
          }}
        >
          {ticked && <CheckIcon size={14} stroke-width={3} />}
        </span>
      )}
      <Link href={profilePath(sender.id)} class="msg-avatar-link" aria-label={t('chat.msg.profile_of', { name: sender.display_name || sender.username })}>
        <Avatar username={sender.username} name={sender.display_name} size="md" class="msg-avatar" />
      </Link>
      <div class="msg-body">
        {showName && (
          <Link href={profilePath(sender.id)} class="msg-name">
            <ShownName u={sender} />
          </Link>
        )}
        <div class="msg-line">
          {children}
          {status}
          {msg && !selecting && (
            <button
              type="button"
              class="msg-more"
              aria-label={t('chat.msg.actions')}
              onClick={(e) => {
                e.stopPropagation();
                const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
                openMenu(msg, r.left + r.width / 2, r.top);
              }}
            >
              ⋯
            </button>
          )}
        </div>
        {q && <BubbleQuote convId={q.convId} q={q.q} />}
        {receipt}
      </div>
    </div>
  );
}

/** "Alice recalled a message"; ours says "You" and, for a little while, offers Re-edit. */
function RecalledNote({ m, mine }: { m: Message; mine: boolean }) {
  const text = mine ? reEditText(m.id) : undefined;
  return (
    <div class="msg-system msg-recalled" data-seq={m.seq} data-kind="recalled" data-id={String(m.id)}>
      <span class="bubble-text">{mine ? t('chat.system.recalled_me') : t('chat.system.recalled', { name: m.sender.display_name || m.sender.username })}</span>
      {text !== undefined && (
        <button type="button" class="msg-reedit" onClick={() => reEdit(text)}>
          {t('chat.system.reedit')}
        </button>
      )}
    </div>
  );
}

function Body({
  kind,
  text,
  src,
  onImage,
  onMediaLoad,
}: {
  kind: string;
  text: string;
  src?: string;
  onImage: (src: string) => void;
  onMediaLoad: () => void;
}) {
  if (kind === 'image') {
    return (
      <button type="button" class="bubble-image" aria-label={t('chat.msg.view_image')} onClick={() => src && onImage(src)}>
        {src ? <img src={src} alt={t('chat.msg.image')} loading="lazy" decoding="async" onLoad={onMediaLoad} /> : <span class="bubble-image-missing">{t('chat.kind.image')}</span>}
      </button>
    );
  }
  return (
    <div class="bubble">
      <LinkedText text={text} />
    </div>
  );
}
