import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { User } from '../api';
import { fullTitle, peer } from '../chat/format';
import { maxSeq, sameId } from '../chat/merge';
import { chat, markRead, openThread, setVisibleConversation } from '../chat/store';
import { useStore } from '../store';
import { Link } from '../router';
import { Page } from '../components/Page';
import { Spinner } from '../components/Spinner';
import { MoreIcon } from '../components/Icons';
import { ConnectionBar } from '../components/chat/ConnectionBar';
import { MessageList } from '../components/chat/MessageList';
import { Composer } from '../components/chat/Composer';
import { ImageViewer } from '../components/chat/ImageViewer';
import { AnnouncementBanner } from '../components/chat/AnnouncementBanner';
import { isStaff } from '../chat/groups';
import { RedPacketSheet } from '../components/wallet/RedPacketSheet';
import { RedPacketModal } from '../components/wallet/RedPacketModal';
import { TransferSheet } from '../components/wallet/TransferSheet';

export function ConversationPage({ id, user }: { id: string; user: User }) {
  const { conversations, threads } = useStore(chat);
  const c = conversations?.find((x) => sameId(x.id, id));
  const thread = threads[id];
  const [viewing, setViewing] = useState<string | null>(null);
  const closeViewer = useCallback(() => setViewing(null), []);
  const [money, setMoney] = useState<'' | 'red_packet' | 'transfer'>('');
  const closeMoney = useCallback(() => setMoney(''), []);
  const [packet, setPacket] = useState<string | null>(null);

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
  const title = c ? fullTitle(c) : thread?.status === 'error' ? 'Chat' : '';

  let body;
  const gone = conversations !== null && !c && !thread; // we left, or were removed, elsewhere
  if (gone || (thread?.status === 'error' && (!c || thread.items.length === 0))) {
    body = (
      <div class="inline-error">
        <p>{gone ? 'This chat isn’t available any more.' : thread?.error}</p>
        <Link href="/chats" class="button button-secondary button-small">
          Back to Chats
        </Link>
      </div>
    );
  } else if (!c || !thread || (thread.status === 'loading' && thread.items.length === 0)) {
    body = <Spinner label="Loading messages…" />;
  } else {
    body = <MessageList c={c} thread={thread} me={me} onImage={setViewing} onRedPacket={setPacket} />;
  }

  return (
    <Page
      title={title}
      back="/chats"
      backId="conversation-back"
      banner={<ConnectionBar />}
      bare
      class="conversation-page"
      action={
        c ? (
          <Link href={'/chats/' + encodeURIComponent(id) + '/info'} id="conversation-info" class="icon-button" aria-label="Chat info">
            <MoreIcon />
          </Link>
        ) : undefined
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
      </div>
      <ImageViewer src={viewing} onClose={closeViewer} />
      {c && <RedPacketSheet c={c} open={money === 'red_packet'} onClose={closeMoney} />}
      {c && (
        <TransferSheet
          open={money === 'transfer'}
          onClose={closeMoney}
          me={user.username}
          to={c.type === 'direct' ? peer(c, user.id) : undefined}
          choices={c.type === 'group' ? c.members.filter((m) => !sameId(m.id, user.id)) : undefined}
        />
      )}
      {c && packet && <RedPacketModal key={packet} id={packet} c={c} me={me} onClose={() => setPacket(null)} />}
    </Page>
  );
}
