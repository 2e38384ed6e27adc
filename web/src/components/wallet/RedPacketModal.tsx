import { useEffect, useRef, useState } from 'preact/hooks';
import { useDialogFocus } from '../dialogFocus';
import { ApiError, errorMessage } from '../../api';
import type { ChatUser, Conversation } from '../../chat/api';
import { sameId } from '../../chat/merge';
import { useStore } from '../../store';
import { showToast } from '../../toast';
import { walletApi, type RedPacket } from '../../wallet/api';
import { Attempt } from '../../wallet/attempt';
import type { Money } from '../../wallet/money';
import { afterPayment, loadRedPacket, redPackets, storeRedPacket } from '../../wallet/store';
import { Avatar } from '../Avatar';
import { Spinner } from '../Spinner';
import { CloseIcon } from '../Icons';
import { RedPacketDetails } from './RedPacketDetails';
import { t } from '../../i18n';

type View = 'loading' | 'envelope' | 'details' | 'error';

interface ModalProps {
  id: string;
  c: Conversation;
  me: ChatUser;
  onClose: () => void;
}

/** Whether tapping the packet shows the envelope (can still be opened) or goes straight to details. */
function canOpen(rp: RedPacket, c: Conversation, me: ChatUser): boolean {
  if (rp.my_claim !== null && rp.my_claim !== undefined) return false;
  if (rp.status !== 'active') return false;
  // In a direct chat the packet is for the other person (WeChat's rule).
  return !(c.type === 'direct' && sameId(rp.sender.id ?? '', me.id));
}

/**
 * Tapping a red packet: the red envelope with a gold "Open" coin, then the
 * details (my amount big, who got how much). Already opened, all gone or
 * expired packets go straight to the details.
 */
export function RedPacketModal({ id, c, me, onClose }: ModalProps) {
  const cache = useStore(redPackets);
  const rp = cache[id];
  const [view, setView] = useState<View>(rp ? (canOpen(rp, c, me) ? 'envelope' : 'details') : 'loading');
  const [opening, setOpening] = useState(false);
  const [note, setNote] = useState('');
  const [won, setWon] = useState<Money | null>(null);
  const [error, setError] = useState('');
  const [attempt] = useState(() => new Attempt());
  // Tab stays on the envelope and its close button; focus returns to the packet in the chat.
  const layer = useRef<HTMLDivElement>(null);
  useDialogFocus(layer, view !== 'details');

  useEffect(() => {
    let live = true;
    loadRedPacket(id, { urgent: true }).then(
      (fresh) => {
        if (!live || !fresh) return;
        setView((v) => (v === 'loading' || (v === 'envelope' && !canOpen(fresh, c, me)) ? (canOpen(fresh, c, me) ? 'envelope' : 'details') : v));
      },
      (err) => {
        if (live) setView((v) => (v === 'loading' ? 'error' : v));
        if (live) setError(errorMessage(err));
      },
    );
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      live = false;
      document.removeEventListener('keydown', onKey);
    };
  }, [id]);

  async function open() {
    if (opening) return;
    setOpening(true);
    setNote('');
    const started = Date.now();
    try {
      const got = await attempt.run('claim:' + id, (key) => walletApi.claim(id, key));
      // Let the coin spin for a moment: it's the fun part.
      await new Promise((r) => window.setTimeout(r, Math.max(0, 450 - (Date.now() - started))));
      setWon(got);
      const cur = redPackets.get()[id];
      if (cur) storeRedPacket({ ...cur, my_claim: got.amount });
      setView('details');
      afterPayment();
      if (got.status === 'held') showToast(t('wallet.rp.held_toast'));
      void loadRedPacket(id).catch(() => undefined);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      if (code === 'conflict') {
        // Already ours (another tab or device): show what we got.
        await loadRedPacket(id).catch(() => undefined);
        setView('details');
      } else {
        setNote(errorMessage(err));
        if (code === 'red_packet_empty' || code === 'red_packet_expired') void loadRedPacket(id).catch(() => undefined);
      }
    } finally {
      setOpening(false);
    }
  }

  if (view === 'details' && rp) {
    return <RedPacketDetails rp={rp} won={won} onClose={onClose} />;
  }

  const gone = note !== '';
  return (
    <div class="rp-layer" ref={layer}>
      <div class="rp-backdrop" onClick={onClose} />
      {view === 'loading' && (
        <div class="rp-loading">
          <Spinner label={t('wallet.rp.loading')} />
        </div>
      )}
      {view === 'error' && (
        <div class="rp-envelope rp-envelope-error" role="alertdialog" aria-label={t('wallet.rp.label')}>
          <p class="rp-env-note">{error}</p>
        </div>
      )}
      {view !== 'loading' && view !== 'error' && rp && (
        <div class={'rp-envelope' + (gone ? ' rp-gone' : '')} id="red-packet-open" role="dialog" aria-modal="true" aria-label={t('wallet.rp.label')}>
          <div class="rp-env-top">
            <div class="rp-env-sender">
              <Avatar username={rp.sender.username} name={rp.sender.display_name} size="sm" />
              <span>{t('wallet.rp.whose', { name: rp.sender.display_name || rp.sender.username })}</span>
            </div>
            {gone ? <p class="rp-env-note">{note}</p> : <p class="rp-env-greeting">{rp.greeting || t('wallet.rp.greeting_default')}</p>}
          </div>
          {!gone && (
            <button
              type="button"
              id="red-packet-open-button"
              class={'rp-coin' + (opening ? ' spinning' : '')}
              aria-label={t('wallet.rp.open_aria')}
              onClick={() => void open()}
              disabled={opening}
            >
              <span class="rp-coin-face">{t('wallet.rp.open')}</span>
            </button>
          )}
          <div class="rp-env-bottom">
            {gone && (
              <button type="button" class="rp-env-link" onClick={() => setView('details')}>
                {t('wallet.rp.view_details')}
              </button>
            )}
          </div>
        </div>
      )}
      <button type="button" class="rp-close" aria-label={t('common.close')} onClick={onClose}>
        <CloseIcon size={22} />
      </button>
    </div>
  );
}
