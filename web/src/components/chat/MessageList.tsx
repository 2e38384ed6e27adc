import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Id } from '../../api';
import type { ComponentChildren } from 'preact';
import type { ChatUser, Conversation, Message } from '../../chat/api';
import { dividerTime, needsDivider } from '../../chat/format';
import { maxSeq, minSeq, sameId } from '../../chat/merge';
import { loadOlder, type Thread } from '../../chat/store';
import { retry } from '../../chat/send';
import { t } from '../../i18n';
import { MessageItem, PendingItem } from './MessageItem';

const NEAR_BOTTOM = 96;
const NEAR_TOP = 160;

interface ListProps {
  c: Conversation;
  thread: Thread;
  me: ChatUser;
  onImage: (src: string) => void;
  onRedPacket?: (id: string) => void;
  /** The read receipt under one of my messages, if any. */
  receiptFor?: (m: Message, lastMine: boolean) => ComponentChildren;
}

/**
 * The scrolling message column. Sticks to the bottom while the reader is
 * near it, keeps the reading position when older pages load on top, and
 * offers a "new messages" pill otherwise.
 */
export function MessageList({ c, thread, me, onImage, onRedPacket, receiptFor }: ListProps) {
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const last = useRef({ first: 0, height: 0, newest: 0, pending: 0 });
  const [unseen, setUnseen] = useState(0);
  const meId: Id = me.id;
  const group = c.type === 'group';

  const toBottom = useCallback(() => {
    const el = box.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    stick.current = true;
    setUnseen(0);
  }, []);

  const onMediaLoad = useCallback(() => {
    const el = box.current;
    if (!el) return;
    if (stick.current) el.scrollTop = el.scrollHeight;
    last.current.height = el.scrollHeight;
  }, []);

  // The column shrinks when the composer grows or its "+" panel opens: stay at the bottom.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    const ro = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const prev = last.current;
    const first = minSeq(thread.items);
    const newest = maxSeq(thread.items);
    const pendingCount = thread.pending.length;
    if (prev.first && first && first < prev.first && newest === prev.newest) {
      el.scrollTop += el.scrollHeight - prev.height; // older page prepended: stay put
    } else if (stick.current || pendingCount > prev.pending || prev.height === 0) {
      el.scrollTop = el.scrollHeight; // near bottom, or we just sent something
      stick.current = true;
    } else if (newest > prev.newest) {
      const fresh = thread.items.filter((m) => m.seq > prev.newest && !sameId(m.sender.id, meId)).length;
      if (fresh) setUnseen((n) => n + fresh);
    }
    last.current = { first, height: el.scrollHeight, newest, pending: pendingCount };
    // Short threads: keep loading until the column fills (or nothing is left).
    if (thread.hasOlder && !thread.loadingOlder && el.scrollHeight <= el.clientHeight + NEAR_TOP) void loadOlder(c.id);
  }, [thread.items, thread.pending, thread.hasOlder, thread.loadingOlder, c.id, meId]);

  function onScroll() {
    const el = box.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM;
    if (stick.current && unseen) setUnseen(0);
    last.current.height = el.scrollHeight;
    if (el.scrollTop < NEAR_TOP && thread.hasOlder && !thread.loadingOlder) void loadOlder(c.id);
  }

  const rows = [];
  let prevAt: string | undefined;
  let prevSender: string | undefined;
  let lastMineSeq = 0;
  for (const m of thread.items) if (sameId(m.sender.id, meId) && m.kind !== 'system') lastMineSeq = m.seq;
  for (const m of thread.items) {
    const divider = needsDivider(prevAt, m.created_at);
    if (divider) rows.push(<Divider key={'d' + m.seq} iso={m.created_at} />);
    const mine = sameId(m.sender.id, meId);
    const sender = String(m.sender.id);
    rows.push(
      <MessageItem
        key={'m' + m.seq}
        m={m}
        mine={mine}
        sender={m.sender}
        showName={group && !mine && (divider || prevSender !== sender)}
        onImage={onImage}
        onMediaLoad={onMediaLoad}
        onRedPacket={onRedPacket}
        receipt={mine && receiptFor ? receiptFor(m, m.seq === lastMineSeq) : undefined}
      />,
    );
    prevAt = m.created_at;
    prevSender = m.kind === 'system' ? undefined : sender;
  }
  for (const p of thread.pending) {
    if (needsDivider(prevAt, p.created_at)) rows.push(<Divider key={'dp' + p.client_id} iso={p.created_at} />);
    rows.push(
      <PendingItem
        key={'p' + p.client_id}
        p={p}
        mine
        sender={me}
        showName={false}
        onImage={onImage}
        onMediaLoad={onMediaLoad}
        onRetry={() => retry(c.id, p.client_id)}
      />,
    );
    prevAt = p.created_at;
  }

  const empty = thread.items.length === 0 && thread.pending.length === 0;

  return (
    <div class="msg-wrap">
      <div class="msg-scroll" ref={box} onScroll={onScroll}>
        <div class="msg-column" role="log" aria-live="polite" aria-label={t('chat.msg.list_label')}>
        {thread.loadingOlder && (
          <div class="msg-older">
            <span class="spinner spinner-small" aria-hidden="true" /> {t('chat.msg.loading_older')}
          </div>
        )}
        {!thread.hasOlder && !empty && thread.items.length > 30 && <div class="msg-older">{t('chat.msg.no_older')}</div>}
        {empty && <p class="msg-empty">{t('chat.msg.say_hello')}</p>}
        {rows}
        </div>
      </div>
      {unseen > 0 && (
        <button type="button" class="msg-unseen" onClick={toBottom}>
          {t('chat.msg.unseen', { count: unseen })} ↓
        </button>
      )}
    </div>
  );
}

function Divider({ iso }: { iso: string }) {
  return (
    <div class="msg-divider" role="separator">
      {dividerTime(iso)}
    </div>
  );
}
