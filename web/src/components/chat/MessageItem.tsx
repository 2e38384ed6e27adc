import type { ComponentChildren } from 'preact';
import type { ChatUser, Message } from '../../chat/api';
import type { Pending } from '../../chat/merge';
import { Avatar } from '../Avatar';
import { Link } from '../../router';
import { profilePath } from '../../people/api';
import { ShownName } from '../../people/ShownName';
import { RedPacketBubble, TransferBubble } from '../wallet/Bubbles';

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
}

/** One server message: a bubble with an avatar, or a grey system pill. */
export function MessageItem({ m, ...rest }: Common & { m: Message }) {
  if (m.kind === 'erased') {
    // The sender erased their account: the seq stays, the content is gone.
    return (
      <div class="msg-system msg-erased" data-seq={m.seq} data-kind="erased">
        <span class="bubble-text">Message deleted</span>
      </div>
    );
  }
  if (m.kind === 'system') {
    return (
      <div class="msg-system" data-seq={m.seq} data-kind="system">
        <span class="bubble-text">{m.text}</span>
      </div>
    );
  }
  let body;
  if (m.kind === 'red_packet') body = <RedPacketBubble id={m.red_packet_id} greeting={m.text} onOpen={rest.onRedPacket} />;
  else if (m.kind === 'transfer') body = <TransferBubble text={m.text} mine={rest.mine} transactionId={m.transaction_id} />;
  else body = <Body kind={m.kind} text={m.text} src={m.media_url} onImage={rest.onImage} onMediaLoad={rest.onMediaLoad} />;
  return (
    <Row {...rest} kind={m.kind} attrs={{ 'data-seq': String(m.seq), 'data-kind': m.kind }}>
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
    <button type="button" class="msg-failed" aria-label={'Not sent: ' + (p.error || 'tap to retry')} title={p.error || 'Tap to retry'} onClick={onRetry}>
      !
    </button>
  ) : (
    <span class="msg-sending" role="status" aria-label="Sending">
      <span class="spinner spinner-small" aria-hidden="true" />
    </span>
  );
  return (
    <Row {...rest} kind={p.kind} attrs={attrs} status={status}>
      <Body kind={p.kind} text={p.text} src={p.preview_url} onImage={rest.onImage} onMediaLoad={rest.onMediaLoad} />
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
}: Omit<Common, 'onImage' | 'onMediaLoad' | 'onRedPacket'> & { kind: string; attrs: Record<string, string>; status?: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class={'msg' + (mine ? ' msg-mine' : ' msg-theirs') + ' msg-' + kind} {...attrs}>
      <Link href={profilePath(sender.id)} class="msg-avatar-link" aria-label={'Profile of ' + (sender.display_name || sender.username)}>
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
        </div>
      </div>
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
      <button type="button" class="bubble-image" aria-label="View image" onClick={() => src && onImage(src)}>
        {src ? <img src={src} alt="Image" loading="lazy" decoding="async" onLoad={onMediaLoad} /> : <span class="bubble-image-missing">[Image]</span>}
      </button>
    );
  }
  return (
    <div class="bubble">
      <span class="bubble-text">{text}</span>
    </div>
  );
}
