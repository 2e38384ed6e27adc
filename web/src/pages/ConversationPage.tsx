import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { User } from '../api';
import { fullTitle, peer } from '../chat/format';
import { maxSeq, sameId } from '../chat/merge';
import { chat, markRead, openThread, setVisibleConversation } from '../chat/store';
import { useStore } from '../store';
import { t } from '../i18n';
import { Link } from '../router';
import { Page } from '../components/Page';
import { Spinner } from '../components/Spinner';
import { MoreIcon } from '../components/Icons';
import { ConnectionBar } from '../components/chat/ConnectionBar';
import { MessageList } from '../components/chat/MessageList';
import { Composer } from '../components/chat/Composer';
import { ImageViewer } from '../components/chat/ImageViewer';
import { MessageMenu, SelectBar } from '../components/chat/MessageMenu';
import { ForwardSheet } from '../components/chat/ForwardSheet';
import { closeMenu, stopSelecting } from '../chat/actions';
import { AnnouncementBanner } from '../components/chat/AnnouncementBanner';
import { isStaff } from '../chat/groups';
import { RedPacketSheet } from '../components/wallet/RedPacketSheet';
import { RedPacketModal } from '../components/wallet/RedPacketModal';
import { TransferSheet } from '../components/wallet/TransferSheet';
import { searchPath, useRevealMessage } from '../chat/search';
import { SearchIcon } from './SearchPage';
import { HeaderSubtitle } from '../components/chat/TypingIndicator';
import { DirectReceipt, GroupReceipt, ReadersSheet } from '../components/chat/ReadReceipts';
import { loadReads, reads } from '../chat/presence';
import { connection } from '../chat/socket';
import type { Message } from '../chat/api';
import { directory } from '../people/directory';

export function ConversationPage({ id, user }: { id: string; user: User }) {
  const { conversations, threads } = useStore(chat);
  const c = conversations?.find((x) => sameId(x.id, id));
  const thread = threads[id];
  const [viewing, setViewing] = useState<string | null>(null);
  const closeViewer = useCallback(() => setViewing(null), []);
  const [money, setMoney] = useState<'' | 'red_packet' | 'transfer'>('');
  const closeMoney = useCallback(() => setMoney(''), []);
  const [packet, setPacket] = useState<string | null>(null);
  useRevealMessage(id);
  // Read state: each member's read position (receipts), and the "Read by N" sheet.
  const conn = useStore(connection);
  const readState = useStore(reads)[id];
  const [readers, setReaders] = useState<number | null>(null);
  const closeReaders = useCallback(() => setReaders(null), []);
  useEffect(() => {
    if (conn === 'ready') void loadReads(id);
  }, [id, conn]);

  // Layout effect: the thread is marked loading before the first paint.
  useLayoutEffect(() => {
    setVisibleConversation(id);
    void openThread(id);
    const onVisible = () => {
      if (document.visibilityState === 'visible') markRead(id);
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    return () => {
      setVisibleConversation(null);
      stopSelecting();
      closeMenu();
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    };
  }, [id]);

  // Whatever is on screen counts as read.
  const newest = thread ? maxSeq(thread.items) : 0;
  useEffect(() => {
    if (newest > 0) markRead(id);
  }, [id, newest, c?.read_seq]);

  const me = { id: user.id, username: user.username, display_name: user.display_name };
  const peerRead = c?.type === 'direct' ? (Object.values(readState ?? {}).find((r) => !sameId(r.user_id, user.id))?.read_seq ?? 0) : 0;
  const receiptFor = (m: Message, lastMine: boolean) => {
    if (!c || !readState || m.kind === 'system') return undefined;
    if (c.type === 'direct') return lastMine ? <DirectReceipt seq={m.seq} peerRead={peerRead} /> : undefined;
    return <GroupReceipt seq={m.seq} senderId={user.id} conv={readState} members={c.members.length} onOpen={setReaders} />;
  };
  const people = useStore(directory); // a direct chat is titled by the remark we gave the other person
  const remark = c?.type === 'direct' ? people[peer(c, user.id)?.username ?? '']?.remark : '';
  const title = c ? remark || fullTitle(c) : thread?.status === 'error' ? t('chat.title.chat') : '';

  let body;
  const gone = conversations !== null && !c && !thread; // we left, or were removed, elsewhere
  if (gone || (thread?.status === 'error' && (!c || thread.items.length === 0))) {
    body = (
      <div class="inline-error">
        <p>{gone ? t('chat.conv.gone') : thread?.error}</p>
        <Link href="/chats" class="button button-secondary button-small">
          {t('chat.conv.back_to_chats')}
        </Link>
      </div>
    );
  } else if (!c || !thread || (thread.status === 'loading' && thread.items.length === 0)) {
    body = <Spinner label={t('chat.conv.loading')} />;
  } else {
    body = <MessageList c={c} thread={thread} me={me} onImage={setViewing} onRedPacket={setPacket} receiptFor={receiptFor} />;
  }

  return (
    <Page
      title={title}
      back="/chats"
      backId="conversation-back"
      subtitle={c ? <HeaderSubtitle c={c} meId={user.id} /> : undefined}
      banner={<ConnectionBar />}
      bare
      class="conversation-page"
      action={
        <>
          <Link href={searchPath(id)} id="conversation-search" class="icon-button" aria-label={t('chat.conv.search')}>
            <SearchIcon size={20} />
          </Link>
          {c && (
            <Link href={'/chats/' + encodeURIComponent(id) + '/info'} id="conversation-info" class="icon-button" aria-label={t('chat.conv.info')}>
              <MoreIcon />
            </Link>
          )}
        </>
      }
    >
      <div id="conversation" class="conversation" data-conversation-id={id} data-type={c?.type}>
        {c && <AnnouncementBanner c={c} />}
        {body}
        {c && (
          <Composer
            convId={c.id}
            onRedPacket={() => setMoney('red_packet')}
            onTransfer={() => setMoney('transfer')}
            mention={c.type === 'group' ? { members: c.members, me: user.id, allowAll: isStaff(c, user.id) } : undefined}
          />
        )}
        <SelectBar convId={id} />
      </div>
      <ImageViewer src={viewing} onClose={closeViewer} images={thread?.items.filter((m) => m.kind === 'image' && m.media_url).map((m) => m.media_url!)} />
      <MessageMenu meId={user.id} convId={id} />
      <ForwardSheet meId={user.id} />
      {c && <RedPacketSheet c={c} open={money === 'red_packet'} onClose={closeMoney} />}
      {c && (
        <TransferSheet
          open={money === 'transfer'}
          onClose={closeMoney}
          me={user.username}
          acceptRequired
          to={c.type === 'direct' ? peer(c, user.id) : undefined}
          choices={c.type === 'group' ? c.members.filter((m) => !sameId(m.id, user.id)) : undefined}
        />
      )}
      {c?.type === 'group' && <ReadersSheet convId={c.id} seq={readers} onClose={closeReaders} />}
      {c && packet && <RedPacketModal key={packet} id={packet} c={c} me={me} onClose={() => setPacket(null)} />}
    </Page>
  );
}
