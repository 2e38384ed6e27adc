import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { User } from '../api';
import type { Conversation } from '../chat/api';
import { conversationPath } from '../chat/actions';
import { listTime, preview } from '../chat/format';
import { chat, loadConversations } from '../chat/store';
import { useStore } from '../store';
import { t } from '../i18n';
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

/** How far the list was scrolled when we last left it (back from a chat lands there again). */
let savedScroll = 0;

export function ChatsPage({ user }: { user: User }) {
  const { conversations, listError } = useStore(chat);
  const [sheet, setSheet] = useState(false);
  const close = useCallback(() => setSheet(false), []);
  const listRef = useRef<HTMLElement>(null);
  const hasList = conversations !== null && conversations.length > 0;
  useLayoutEffect(() => {
    const box = listRef.current?.closest<HTMLElement>('.page-body');
    if (!box) return undefined;
    if (savedScroll) box.scrollTop = savedScroll;
    const onScroll = () => (savedScroll = box.scrollTop);
    box.addEventListener('scroll', onScroll, { passive: true });
    return () => box.removeEventListener('scroll', onScroll);
  }, [hasList]);

  return (
    <Page
      title={t('chat.list.title')}
      banner={<ConnectionBar />}
      action={
        <PlusMenu onNewChat={() => setSheet(true)} />
      }
    >
      <SearchEntry />
      {conversations === null && !listError && <Spinner label={t('chat.list.loading')} />}
      {conversations === null && listError && (
        <div class="inline-error">
          <p>{listError}</p>
          <button type="button" class="button button-secondary button-small" onClick={() => void loadConversations()}>
            {t('common.retry')}
          </button>
        </div>
      )}

      {conversations !== null && conversations.length === 0 && (
        <EmptyState icon={<ChatsIcon size={56} />} title={t('chat.list.empty_title')}>
          <p>{t('chat.list.empty_body')}</p>
          <Link href="/contacts" class="button button-primary button-small">
            {t('chat.list.open_contacts')}
          </Link>
        </EmptyState>
      )}

      {conversations !== null && conversations.length > 0 && (
        <nav ref={listRef} class="chat-list" aria-label={t('chat.list.label')}>
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
            {mentioned && <span class="mention-me">{t('chat.list.mention_me')} </span>}
            {c.muted && unread > 1 && !mentioned ? t('chat.list.muted_count', { count: unread }) + ' ' : ''}
            {text || '\u00a0'}
          </span>
          {c.muted && <MutedIcon />}
        </span>
      </span>
      {/* Read after the visible text, so the row's name starts with what it shows. */}
      {(mentioned || unread > 0) && (
        <span class="sr-only">{(mentioned ? t('chat.list.aria_mentioned') : '') + (unread ? t('chat.list.aria_unread', { count: unread }) : '')}</span>
      )}
    </Link>
  );
}

function MutedIcon() {
  return (
    <svg class="muted-icon" width="15" height="15" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-label={t('chat.list.muted')} role="img">
      <path d="M18 8a6 6 0 0 0-9.33-5M6.26 6.26A6 6 0 0 0 6 8c0 7-3 9-3 9h14" />
      <path d="M13.73 21a2 2 0 0 1-3.46 0M3 3l18 18" />
    </svg>
  );
}
