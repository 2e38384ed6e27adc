import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../api';
import { contactsState, pendingIncoming, refreshAll } from '../contacts';
import { useStore } from '../store';
import { Link } from '../router';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Cell, CellGroup, CellIcon } from '../components/Cell';
import { EmptyState } from '../components/EmptyState';
import { Spinner } from '../components/Spinner';
import { ContactsIcon, UserPlusIcon } from '../components/Icons';
import { navigate } from '../router';
import { profilePath } from '../people/api';
import { collator, t } from '../i18n';
import { groupByLetter, LETTERS, type PinyinReader, type Section } from '../people/index-letters';
import { usePinyin } from '../people/pinyin';
import { SideIndex, TOP } from '../people/SideIndex';

/** The name a contact is filed and shown under: the remark, else their name. */
const shown = (u: User) => u.remark || u.display_name || u.username;

/** Contacts in WeChat's A–Z sections (Chinese names by pinyin, see index-letters.ts). */
export function groupContacts(users: User[], reader?: PinyinReader | null): Section<User>[] {
  const c = collator();
  return groupByLetter(users, shown, { compare: c.compare, reader, tiebreak: (a, b) => a.username.localeCompare(b.username) });
}

export function ContactsPage() {
  const { contacts, requests, error } = useStore(contactsState);
  const names = useMemo(() => contacts?.map(shown) ?? null, [contacts]);
  // undefined while pinyin-pro loads for Chinese names: the list waits for
  // it rather than showing them under "#" and then moving them.
  const reader = usePinyin(names);
  const waiting = reader === undefined;
  const sections = useMemo(() => (contacts && !waiting ? groupContacts(contacts, reader) : []), [contacts, reader, waiting]);
  const pending = pendingIncoming(requests);

  const body = useRef<HTMLDivElement>(null);
  const [current, setCurrent] = useState('');

  function sectionEls(): HTMLElement[] {
    return Array.from(body.current?.querySelectorAll<HTMLElement>('.contact-section') ?? []);
  }

  // Highlights the letter whose section is at the top of the list.
  function onScroll() {
    const el = body.current;
    if (!el) return;
    let at = '';
    for (const s of sectionEls()) if (s.offsetTop <= el.scrollTop + 1) at = s.dataset.letter ?? '';
    setCurrent(at);
  }
  useEffect(onScroll, [sections]);

  function jump(item: string) {
    const el = body.current;
    if (!el) return;
    if (item === TOP) {
      el.scrollTop = 0;
      return;
    }
    // A letter with no contacts goes to the next one that has some.
    const want = LETTERS.indexOf(item);
    const els = sectionEls();
    const target = els.find((s) => LETTERS.indexOf(s.dataset.letter ?? '') >= want) ?? els[els.length - 1];
    if (target) el.scrollTop = target.offsetTop;
  }

  return (
    <Page
      title={t('people.contacts.title')}
      bare
      class="contacts-page"
      action={
        <Link href="/contacts/new" class="icon-button" aria-label={t('people.contacts.add')}>
          <UserPlusIcon />
        </Link>
      }
    >
      <div class="contacts-pane">
        <div class="page-body contacts-body" id="contacts-body" ref={body} onScroll={onScroll}>
          <CellGroup>
            <Cell
              id="new-friends"
              href="/contacts/new"
              media={
                <CellIcon color="orange">
                  <UserPlusIcon size={20} />
                </CellIcon>
              }
              title={t('people.contacts.new_friends')}
              extra={
                pending > 0 ? (
                  <span class="badge" id="requests-badge" aria-label={t('people.contacts.pending', { count: pending })}>
                    {pending > 99 ? '99+' : pending}
                  </span>
                ) : undefined
              }
              chevron
            />
          </CellGroup>

          {((contacts === null && !error) || (contacts !== null && waiting)) && <Spinner label={t('people.contacts.loading')} />}
          {contacts === null && error && (
            <div class="inline-error">
              <p>{error}</p>
              <button type="button" class="button button-secondary button-small" onClick={() => void refreshAll()}>
                {t('common.retry')}
              </button>
            </div>
          )}

          {contacts !== null && contacts.length === 0 && (
            <EmptyState icon={<ContactsIcon size={56} />} title={t('people.contacts.empty_title')}>
              <p>{t('people.contacts.empty_body')}</p>
            </EmptyState>
          )}

          {sections.map((s) => (
            <section class="contact-section" key={s.letter} data-letter={s.letter} aria-labelledby={'contact-letter-' + s.letter}>
              <h2 class="section-letter" id={'contact-letter-' + s.letter}>
                {s.letter}
              </h2>
              <div class="cell-group-body">
                {s.items.map((u) => (
                  <Cell
                    key={u.username}
                    data-contact={u.username}
                    media={<Avatar username={u.username} name={u.display_name} src={u.avatar_url ?? null} />}
                    title={shown(u)}
                    subtitle={u.remark ? u.display_name + ' · @' + u.username : '@' + u.username}
                    onClick={() => navigate(profilePath(u.id))}
                  />
                ))}
              </div>
            </section>
          ))}

          {sections.length > 0 && contacts && (
            <p class="list-footer">{t('people.contacts.count', { count: contacts.length })}</p>
          )}
        </div>
        {sections.length > 0 && <SideIndex current={current} onJump={jump} />}
      </div>
    </Page>
  );
}
