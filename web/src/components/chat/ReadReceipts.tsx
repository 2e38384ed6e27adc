import { useEffect, useState } from 'preact/hooks';
import type { Id } from '../../api';
import { errorMessage } from '../../api';
import { loadSettings, mySettings, presenceApi, readCount, setShowLastSeen, type MemberRead, type Reader } from '../../chat/presence';
import { useStore } from '../../store';
import { t } from '../../i18n';
import { showToast } from '../../toast';
import { CellGroup } from '../Cell';
import { Sheet } from '../Sheet';
import { Avatar } from '../Avatar';
import { Spinner } from '../Spinner';

/** "Sent" / "Read" under my last message in a direct chat. */
export function DirectReceipt({ seq, peerRead }: { seq: number; peerRead: number }) {
  const read = peerRead >= seq;
  return (
    <div class={'msg-receipt' + (read ? ' msg-receipt-read' : '')} data-receipt={read ? 'read' : 'sent'}>
      {read ? t('chat.receipt.read') : t('chat.receipt.sent')}
    </div>
  );
}

/** "Read by N" (or "Unread") under my message in a group; tapping opens who read it. */
export function GroupReceipt({ seq, senderId, conv, members, onOpen }: { seq: number; senderId: Id; conv?: Record<string, MemberRead>; members: number; onOpen: (seq: number) => void }) {
  const n = readCount(conv, seq, senderId);
  const all = members > 1 && n >= members - 1;
  return (
    <div class="msg-receipt-row">
      <button type="button" class={'msg-receipt msg-receipt-link' + (n > 0 ? ' msg-receipt-read' : '')} data-receipt-seq={seq} data-read-count={n} onClick={() => onOpen(seq)}>
        {n === 0 ? t('chat.receipt.unread') : all ? t('chat.receipt.all_read') : t('chat.receipt.read_by', { count: n })}
      </button>
    </div>
  );
}

/** The sheet of who has read a group message, and who has not. */
export function ReadersSheet({ convId, seq, onClose }: { convId: Id; seq: number | null; onClose: () => void }) {
  const [data, setData] = useState<{ read: Reader[]; unread: Reader[] } | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setData(null);
    setError('');
    if (seq === null) return;
    presenceApi.messageReads(convId, seq).then(setData, (err) => setError(errorMessage(err)));
  }, [convId, seq]);
  return (
    <Sheet open={seq !== null} onClose={onClose} label={t('chat.readers.title')} id="readers-sheet">
      <div class="readers">
        <h2 class="sheet-title">{t('chat.readers.title')}</h2>
        {!data && !error && <Spinner label={t('common.loading')} />}
        {error && <p class="form-error">{error}</p>}
        {data && (
          <div class="readers-cols">
            <ReaderList title={t('chat.readers.read', { count: data.read.length })} people={data.read} id="readers-read" empty={t('chat.readers.none_read')} />
            <ReaderList title={t('chat.readers.unread', { count: data.unread.length })} people={data.unread} id="readers-unread" empty={t('chat.readers.all_read')} />
          </div>
        )}
      </div>
    </Sheet>
  );
}

function ReaderList({ title, people, id, empty }: { title: string; people: Reader[]; id: string; empty: string }) {
  return (
    <section class="readers-list" id={id}>
      <h3 class="readers-title">{title}</h3>
      {people.length === 0 ? (
        <p class="readers-empty">{empty}</p>
      ) : (
        <ul class="readers-grid">
          {people.map((p) => (
            <li class="reader" key={String(p.id)} data-reader={p.username}>
              <Avatar username={p.username} name={p.display_name} size="md" />
              <span class="reader-name">{p.display_name || p.username}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Me → Privacy: "Show my last seen" (off: no one sees when I was online, and I see no one's). */
export function LastSeenSetting() {
  const settings = useStore(mySettings);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void loadSettings();
  }, []);
  const on = settings?.show_last_seen ?? true;
  async function toggle() {
    if (busy || !settings) return;
    setBusy(true);
    try {
      await setShowLastSeen(!on);
      showToast(on ? t('chat.lastseen.hidden') : t('chat.lastseen.shown'));
    } catch (err) {
      showToast(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <CellGroup title={t('chat.lastseen.group')} class="last-seen-setting">
      <label class="cell switch-cell" for="show-last-seen">
        <span class="cell-main">
          <span class="cell-title">{t('chat.lastseen.title')}</span>
          <span class="cell-subtitle" id="show-last-seen-hint">
            {on ? t('chat.lastseen.on_hint') : t('chat.lastseen.off_hint')}
          </span>
        </span>
        <span class="cell-extra">
          <input
            type="checkbox"
            role="switch"
            class="switch"
            id="show-last-seen"
            checked={on}
            disabled={!settings || busy}
            aria-describedby="show-last-seen-hint"
            onChange={() => void toggle()}
          />
        </span>
      </label>
    </CellGroup>
  );
}
