import { useCallback, useState } from 'preact/hooks';
import type { User } from '../api';
import type { Conversation } from '../chat/api';
import { conversationPath } from '../chat/actions';
import { listTime, preview } from '../chat/format';
import { chat, loadConversations } from '../chat/store';
import { useStore } from '../store';
import { Link } from '../router';
import { Page } from '../components/Page';
import { EmptyState } from '../components/EmptyState';
import { Spinner } from '../components/Spinner';
import { ChatsIcon } from '../components/Icons';
import { PlusMenu } from '../qr/PlusMenu';
import { ConnectionBar } from '../components/chat/ConnectionBar';
import { ConversationAvatar, ConversationName } from '../components/chat/ConversationAvatar';
import { NewChatSheet } from '../components/chat/NewChatSheet';
import { SearchEntry } from './SearchPage';

export function ChatsPage({ user }: { user: User }) {
  const { conversations, listError } = useStore(chat);
  const [sheet, setSheet] = useState(false);
  const close = useCallback(() => setSheet(false), []);

  return (
    <Page
      title="Chats"
      banner={<ConnectionBar />}
      action={
        <PlusMenu onNewChat={() => setSheet(true)} />
      }
    >
      <SearchEntry />
      {conversations === null && !listError && <Spinner label="Loading chats…" />}
      {conversations === null && listError && (
        <div class="inline-error">
          <p>{listError}</p>
          <button type="button" class="button button-secondary button-small" onClick={() => void loadConversations()}>
            Try again
          </button>
        </div>
      )}

      {conversations !== null && conversations.length === 0 && (
        <EmptyState icon={<ChatsIcon size={56} />} title="No chats yet — start one from Contacts">
          <p>Conversations with your friends will show up here.</p>
          <Link href="/contacts" class="button button-primary button-small">
            Open Contacts
          </Link>
        </EmptyState>
      )}

      {conversations !== null && conversations.length > 0 && (
        <nav class="chat-list" aria-label="Conversations">
          {conversations.map((c) => (
            <ChatRow key={String(c.id)} c={c} user={user} />
          ))}
        </nav>
      )}

      <NewChatSheet open={sheet} onClose={close} />
    </Page>
  );
}

function ChatRow({ c, user }: { c: Conversation; user: User }) {
  const unread = Math.max(0, c.unread || 0);
  const text = preview(c, user.id);
  const mentioned = !!c.mentioned && unread > 0;
  return (
    <Link
      href={conversationPath(c.id)}
      class={'chat-row' + (unread > 0 ? ' has-unread' : '') + (c.pinned ? ' is-pinned' : '') + (c.muted ? ' is-muted' : '')}
      data-conversation-id={String(c.id)}
      data-title={c.title}
      aria-label={c.title + (mentioned ? ', mentions you' : '') + (unread ? ', ' + unread + ' unread' : '')}
      data-pinned={c.pinned ? 'true' : undefined}
      data-muted={c.muted ? 'true' : undefined}
    >
      <span class="chat-row-media">
        <ConversationAvatar c={c} meId={user.id} size="lg" />
        {unread > 0 && c.muted && <span class="muted-dot" aria-hidden="true" />}
        {unread > 0 && !c.muted && (
          <span class="badge unread-badge" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </span>
      <span class="chat-row-main">
        <span class="chat-row-top">
          <span class="chat-row-title">
            <ConversationName c={c} meId={user.id} />
          </span>
          <span class="chat-row-time">{listTime(c.last_message?.created_at ?? c.updated_at)}</span>
        </span>
        <span class="chat-row-bottom">
          <span class="chat-row-preview">
            {mentioned && <span class="mention-me">[@me] </span>}
            {c.muted && unread > 1 && !mentioned ? '[' + unread + '] ' : ''}
            {text || '\u00a0'}
          </span>
          {c.muted && <MutedIcon />}
        </span>
      </span>
    </Link>
  );
}

function MutedIcon() {
  return (
    <svg class="muted-icon" width="15" height="15" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-label="Muted" role="img">
      <path d="M18 8a6 6 0 0 0-9.33-5M6.26 6.26A6 6 0 0 0 6 8c0 7-3 9-3 9h14" />
      <path d="M13.73 21a2 2 0 0 1-3.46 0M3 3l18 18" />
    </svg>
  );
}
