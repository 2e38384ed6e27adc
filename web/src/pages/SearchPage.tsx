import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, type User } from '../api';
import type { Conversation } from '../chat/api';
import { conversationPath, openDirectChat } from '../chat/actions';
import { fullTitle } from '../chat/format';
import { sameId } from '../chat/merge';
import { hitPath, MAX_QUERY, searchApi, snippetParts, type NameHit, type SearchHit } from '../chat/search';
import { chat, findConversation, upsertLocal } from '../chat/store';
import { useStore } from '../store';
import { fmtDate, fmtTime, locale, t } from '../i18n';
import { Link, navigate } from '../router';
import { Avatar } from '../components/Avatar';
import { Spinner } from '../components/Spinner';
import { ConversationAvatar } from '../components/chat/ConversationAvatar';
import type { ComponentChildren, SVGAttributes } from 'preact';

type IconProps = SVGAttributes<SVGSVGElement> & { size?: number };

export function SearchIcon({ size = 16, ...rest }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true" {...rest}>
      <circle cx="11" cy="11" r="7" />
      <path d="M20 20l-3.6-3.6" />
    </svg>
  );
}

/** The search entry at the top of the chat list (WeChat's). */
export function SearchEntry() {
  return (
    <div class="search-entry-bar">
      <Link href="/search" id="chats-search" class="search-entry" aria-label={t('chat.search.entry')}>
        <SearchIcon /> <span>{t('chat.search.entry')}</span>
      </Link>
    </div>
  );
}

const DEBOUNCE_MS = 250;

interface Results {
  q: string;
  names: NameHit[];
  hits: SearchHit[];
  next: string;
  error: string;
}

const EMPTY: Results = { q: '', names: [], hits: [], next: '', error: '' };

/**
 * Search across everything (/search: contacts, group chats, chat history)
 * or inside one conversation (/chats/{id}/search: its history only).
 */
export function SearchPage({ user, convId }: { user: User; convId?: string }) {
  const { conversations } = useStore(chat);
  const conv = convId ? conversations?.find((c) => sameId(c.id, convId)) : undefined;
  const [q, setQ] = useState('');
  const [res, setRes] = useState<Results>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [more, setMore] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const seq = useRef(0);

  useEffect(() => {
    input.current?.focus();
    document.title = t('chat.search.title');
  }, []);

  useEffect(() => {
    const query = q.trim();
    const mine = ++seq.current;
    if (!query) {
      setRes(EMPTY);
      setBusy(false);
      return undefined;
    }
    setBusy(true);
    const timer = setTimeout(async () => {
      try {
        const [names, hits] = await Promise.all([
          convId ? Promise.resolve({ items: [] as NameHit[] }) : searchApi.names(query),
          searchApi.messages(query, { conversation_id: convId }),
        ]);
        if (mine !== seq.current) return;
        setRes({ q: query, names: names.items ?? [], hits: hits.items ?? [], next: hits.next_cursor ?? '', error: '' });
      } catch (err) {
        if (mine !== seq.current) return;
        setRes({ ...EMPTY, q: query, error: errorMessage(err) });
      } finally {
        if (mine === seq.current) setBusy(false);
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q, convId]);

  async function loadMore() {
    if (!res.next || more) return;
    const mine = seq.current;
    setMore(true);
    try {
      const page = await searchApi.messages(res.q, { conversation_id: convId, cursor: res.next });
      if (mine !== seq.current) return;
      setRes((r) => ({ ...r, hits: [...r.hits, ...(page.items ?? [])], next: page.next_cursor ?? '' }));
    } catch (err) {
      setRes((r) => ({ ...r, error: errorMessage(err) }));
    } finally {
      setMore(false);
    }
  }

  const contacts = res.names.filter((n) => n.type === 'contact' && n.user);
  const groups = res.names.filter((n) => n.type === 'conversation' && n.conversation);
  const nothing = res.q && !busy && !res.error && contacts.length === 0 && groups.length === 0 && res.hits.length === 0;
  const back = convId ? conversationPath(convId) : '/chats';

  return (
    <section class="page search-page" data-scope={convId ? 'conversation' : 'all'}>
      <header class="search-bar">
        <label class="search-field">
          <SearchIcon />
          <input
            ref={input}
            id="search-input"
            type="search"
            enterKeyHint="search"
            autocomplete="off"
            maxLength={MAX_QUERY}
            placeholder={conv ? t('chat.search.in_conv', { title: fullTitle(conv) }) : convId ? t('chat.search.in_chat') : t('chat.search.all')}
            value={q}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          />
          {q && (
            <button type="button" class="search-clear" aria-label={t('chat.search.clear')} onClick={() => (setQ(''), input.current?.focus())}>
              ×
            </button>
          )}
        </label>
        <Link href={back} id="search-cancel" class="search-cancel">
          {t('chat.search.cancel')}
        </Link>
      </header>
      <div class="page-body search-body" id="search-results" data-query={res.q} data-busy={busy ? 'true' : 'false'}>
        {!q.trim() && (
          <p class="search-hint">{convId ? t('chat.search.hint_chat') : t('chat.search.hint_all')}</p>
        )}
        {busy && res.q !== q.trim() && <Spinner label={t('chat.search.searching')} />}
        {res.error && <p class="inline-error search-error">{res.error}</p>}
        {nothing && (
          <p class="search-none" id="search-none">
            {t('chat.search.none', { q: res.q })}
          </p>
        )}

        {contacts.length > 0 && (
          <Section title={t('chat.search.contacts')} id="search-contacts">
            {contacts.map((n) => (
              <ContactRow key={String(n.user!.id)} n={n} q={res.q} />
            ))}
          </Section>
        )}
        {groups.length > 0 && (
          <Section title={t('chat.search.groups')} id="search-groups">
            {groups.map((n) => (
              <GroupRow key={String(n.conversation!.id)} c={n.conversation!} meId={user.id} q={res.q} />
            ))}
          </Section>
        )}
        {res.hits.length > 0 && (
          <Section title={convId ? t('chat.search.messages') : t('chat.search.history')} id="search-history">
            {res.hits.map((h) => (
              <HitRow key={String(h.message.id)} h={h} meId={user.id} inChat={!!convId} />
            ))}
            {res.next && (
              <button type="button" class="search-more" id="search-more" onClick={() => void loadMore()} disabled={more}>
                {more ? t('chat.search.loading') : t('chat.search.more')}
              </button>
            )}
          </Section>
        )}
      </div>
    </section>
  );
}

function Section({ title, id, children }: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section class="search-section" id={id} aria-label={title}>
      <h2 class="search-section-title">{title}</h2>
      <div class="search-section-list">{children}</div>
    </section>
  );
}

/** name with the first case-insensitive occurrence of q marked. */
function Marked({ text, q }: { text: string; q: string }) {
  const i = q ? text.toLowerCase().indexOf(q.toLowerCase()) : -1;
  if (i < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, i)}
      <mark>{text.slice(i, i + q.length)}</mark>
      {text.slice(i + q.length)}
    </>
  );
}

function ContactRow({ n, q }: { n: NameHit; q: string }) {
  const u = n.user!;
  const [opening, setOpening] = useState(false);
  async function open() {
    if (n.conversation_id) {
      navigate(conversationPath(n.conversation_id));
      return;
    }
    setOpening(true);
    try {
      await openDirectChat(u.username);
    } finally {
      setOpening(false);
    }
  }
  return (
    <button type="button" class="search-row" data-type="contact" data-username={u.username} onClick={() => void open()} disabled={opening}>
      <Avatar username={u.username} name={u.display_name} size="md" />
      <span class="search-row-main">
        <span class="search-row-title">
          <Marked text={u.display_name || u.username} q={q} />
        </span>
        <span class="search-row-sub">
          {t('chat.search.username')} <Marked text={u.username} q={q} />
        </span>
      </span>
    </button>
  );
}

function GroupRow({ c, meId, q }: { c: Conversation; meId: User['id']; q: string }) {
  function open() {
    upsertLocal(c);
    navigate(conversationPath(c.id));
  }
  return (
    <button type="button" class="search-row" data-type="group" data-conversation-id={String(c.id)} onClick={open}>
      <ConversationAvatar c={c} meId={meId} />
      <span class="search-row-main">
        <span class="search-row-title">
          <Marked text={c.title} q={q} />
        </span>
        <span class="search-row-sub">{t('chat.search.members', { count: c.members.length })}</span>
      </span>
    </button>
  );
}

function hitTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return fmtTime(d);
  const month = locale.get() === 'zh-CN' ? 'long' : 'numeric';
  if (d.getFullYear() === now.getFullYear()) return fmtDate(d, { month, day: 'numeric' });
  return fmtDate(d, { year: 'numeric', month, day: 'numeric' });
}

function HitRow({ h, meId, inChat }: { h: SearchHit; meId: User['id']; inChat: boolean }) {
  const c = findConversation(h.conversation_id);
  const sender = h.message.sender;
  const who = sender.display_name || sender.username;
  const title = inChat || !c ? who : fullTitle(c);
  const group = c?.type === 'group';
  return (
    <Link
      href={hitPath(h)}
      class="search-row search-hit"
      data-type="message"
      data-conversation-id={String(h.conversation_id)}
      data-seq={String(h.message.seq)}
    >
      {!inChat && c ? <ConversationAvatar c={c} meId={meId} /> : <Avatar username={sender.username} name={who} size="md" />}
      <span class="search-row-main">
        <span class="search-row-top">
          <span class="search-row-title">{title}</span>
          <span class="search-row-time">{hitTime(h.message.created_at)}</span>
        </span>
        <span class="search-row-sub search-snippet">
          {!inChat && group && <span class="search-snippet-who">{who}: </span>}
          {snippetParts(h.snippet, h.highlights).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : p.text))}
        </span>
      </span>
    </Link>
  );
}
