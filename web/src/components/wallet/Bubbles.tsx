import { useEffect, useState } from 'preact/hooks';
import type { Id } from '../../api';
import { useStore } from '../../store';
import { walletApi, type RedPacket } from '../../wallet/api';
import { loadRedPacket, redPackets } from '../../wallet/store';
import { myId } from '../../chat/store';
import { sameId } from '../../chat/merge';
import { EnvelopeArt, TransferIcon } from '../Icons';
import { t } from '../../i18n';

export type RedPacketState = '' | 'opened' | 'all-claimed' | 'expired';

/** opened, all-claimed, expired — or '' while it can still be opened (the card's data-state). */
export function redPacketState(rp: RedPacket | undefined): RedPacketState {
  if (!rp) return '';
  if (rp.my_claim !== null && rp.my_claim !== undefined) return 'opened';
  // A single-share packet of ours that someone took reads "Opened" (direct chats).
  if (rp.status === 'empty') return rp.count === 1 && sameId(rp.sender.id ?? '', myId()) ? 'opened' : 'all-claimed';
  if (rp.status === 'expired' || rp.status === 'refunded') return 'expired';
  return '';
}

/** "Opened", "All claimed", "Expired" in the reader's language. */
export function redPacketStateText(state: RedPacketState): string {
  if (state === 'opened') return t('wallet.rp.opened');
  if (state === 'all-claimed') return t('wallet.rp.all_claimed');
  if (state === 'expired') return t('wallet.rp.expired');
  return '';
}

/** The red-and-gold red packet card in a conversation; faded once opened or gone. */
export function RedPacketBubble({ id, greeting, onOpen }: { id?: Id; greeting: string; onOpen?: (id: string) => void }) {
  const all = useStore(redPackets);
  const rp = id === undefined ? undefined : all[String(id)];

  useEffect(() => {
    if (id !== undefined && !rp) loadRedPacket(id).catch(() => undefined);
  }, [id]);

  const state = redPacketState(rp);
  const stateText = redPacketStateText(state);
  const shown = greeting || t('wallet.rp.greeting_default');
  return (
    <button
      type="button"
      class={'bubble bubble-money red-packet' + (state ? ' faded' : '')}
      data-red-packet-id={id === undefined ? undefined : String(id)}
      data-state={state || 'new'}
      aria-label={stateText ? t('wallet.rp.aria_state', { greeting: shown, state: stateText }) : t('wallet.rp.aria', { greeting: shown })}
      onClick={() => id !== undefined && onOpen?.(String(id))}
    >
      <span class="bubble-money-top">
        <EnvelopeArt size={38} />
        <span class="bubble-money-texts">
          <span class="bubble-text">{shown}</span>
          {stateText && <span class="bubble-money-sub">{stateText}</span>}
        </span>
      </span>
      <span class="bubble-money-foot">{t('wallet.rp.noun')}</span>
    </button>
  );
}

/** Server text is "¥12.34 · note" or just "¥12.34". */
export function splitTransferText(text: string): { amount: string; note: string } {
  const i = text.indexOf(' · ');
  if (i < 0) return { amount: text.trim(), note: '' };
  return { amount: text.slice(0, i).trim(), note: text.slice(i + 3).trim() };
}

/** WeChat-style orange transfer card: amount, note (or who it went to), "Transfer". */
export function TransferBubble({ text, mine, transactionId }: { text: string; mine: boolean; transactionId?: Id }) {
  const { amount, note } = splitTransferText(text);
  const status = useTransferStatus(transactionId);
  const held = status === 'held';
  const rejected = status === 'rejected';
  const sub = held ? t('wallet.transfer.held') : rejected ? t('wallet.transfer.rejected') : note || t(mine ? 'wallet.transfer.transferred' : 'wallet.transfer.received');
  return (
    <div class={'bubble bubble-money transfer-bubble' + (held ? ' transfer-held' : '') + (rejected ? ' transfer-rejected' : '')} data-status={status || undefined}>
      <span class="bubble-money-top">
        <span class="transfer-coin" aria-hidden="true">
          <TransferIcon size={24} />
        </span>
        <span class="bubble-money-texts">
          <span class="bubble-text transfer-amount">{amount || t('wallet.transfer.noun')}</span>
          <span class="bubble-money-sub transfer-note">{sub}</span>
        </span>
      </span>
      <span class="bubble-money-foot">{t('wallet.transfer.noun')}</span>
    </div>
  );
}

// The statuses of transfers shown in chat, by transaction id: a held one is
// asked again every 10 s while its bubble is on screen.
const transferStatus = new Map<string, string>();

function useTransferStatus(id?: Id): string {
  const [status, setStatus] = useState(() => (id ? transferStatus.get(String(id)) ?? '' : ''));
  useEffect(() => {
    if (!id) return undefined;
    const key = String(id);
    let live = true;
    let timer = 0;
    const ask = () => {
      walletApi.transaction(id).then(
        (r) => {
          if (!live) return;
          transferStatus.set(key, r.transaction.status);
          setStatus(r.transaction.status);
          if (r.transaction.status === 'held') timer = window.setTimeout(ask, 10_000);
        },
        () => undefined, // not ours to see (a group member's), or offline: show the message as it is
      );
    };
    const known = transferStatus.get(key);
    if (known && known !== 'held') setStatus(known);
    else ask();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [id]);
  return status;
}
