import { useState } from 'preact/hooks';
import { errorMessage, type Id } from '../../api';
import { forwarding, forwardMessages, quoteLine, stopSelecting, toQuote } from '../../chat/actions';
import { fullTitle } from '../../chat/format';
import { chat } from '../../chat/store';
import { useStore } from '../../store';
import { t } from '../../i18n';
import { showToast } from '../../toast';
import { Sheet } from '../Sheet';
import { CheckIcon } from '../Icons';
import { ConversationAvatar } from './ConversationAvatar';

/** Pick one or more chats, confirm, and the messages are forwarded there. */
export function ForwardSheet({ meId }: { meId: Id }) {
  const ms = useStore(forwarding);
  const { conversations } = useStore(chat);
  const [picked, setPicked] = useState<string[]>([]);
  const [q, setQ] = useState('');
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState('');
  const open = ms !== null && ms.length > 0;

  function close() {
    forwarding.set(null);
    setPicked([]);
    setQ('');
    setKey('');
  }

  function toggle(id: string) {
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= 10 ? p : [...p, id]));
  }

  async function send() {
    if (!ms || picked.length === 0) return;
    setBusy(true);
    // One key per confirmation: a retry after a failure posts nothing twice.
    const k = key || (typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : String(Date.now()) + Math.random());
    setKey(k);
    try {
      await forwardMessages(ms, picked, k);
      showToast(picked.length === 1 ? t('chat.forward.done') : t('chat.forward.done_many', { count: picked.length }), 'success', 1800);
      stopSelecting();
      close();
    } catch (err) {
      showToast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  }

  const needle = q.trim().toLowerCase();
  const list = (conversations ?? []).filter((c) => !needle || fullTitle(c).toLowerCase().includes(needle));
  const first = ms?.[0];

  return (
    <Sheet open={open} onClose={close} label={t('chat.forward.title')} id="forward-sheet">
      <div class="sheet-head">
        <h2 class="sheet-title">{t('chat.forward.title')}</h2>
      </div>
      {first && (
        <p class="forward-what">
          {ms!.length === 1 ? quoteLine(toQuote(first)) : t('chat.forward.many', { count: ms!.length })}
        </p>
      )}
      <input
        type="search"
        class="field-input forward-search"
        placeholder={t('chat.forward.search')}
        aria-label={t('chat.forward.search')}
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
      />
      <div class="forward-list" role="listbox" aria-multiselectable="true">
        {list.map((c) => {
          const on = picked.includes(String(c.id));
          return (
            <button
              type="button"
              key={String(c.id)}
              role="option"
              aria-selected={on}
              class={'forward-row' + (on ? ' picked' : '')}
              data-forward-id={String(c.id)}
              data-forward-title={c.title}
              onClick={() => toggle(String(c.id))}
            >
              <span class={'picker-check' + (on ? ' on' : '')} aria-hidden="true">
                {on && <CheckIcon size={14} stroke-width={3} />}
              </span>
              <ConversationAvatar c={c} meId={meId} />
              <span class="forward-name">{fullTitle(c)}</span>
            </button>
          );
        })}
        {list.length === 0 && <p class="picker-empty">{t('chat.forward.none')}</p>}
      </div>
      <button type="button" id="forward-send" class="button button-primary forward-send" disabled={picked.length === 0 || busy} onClick={send}>
        {busy ? t('chat.forward.sending') : picked.length > 1 ? t('chat.forward.send_to', { count: picked.length }) : t('chat.forward.send')}
      </button>
    </Sheet>
  );
}
