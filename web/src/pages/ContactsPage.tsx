import { useMemo } from 'preact/hooks';
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

interface Section {
  letter: string;
  users: User[];
}

function sectionLetter(u: User): string {
  const first = Array.from((u.remark || u.display_name || u.username).trim())[0] ?? '#';
  const base = first.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase();
  return /^[A-Z]$/.test(base) ? base : '#';
}

export function groupContacts(users: User[]): Section[] {
  const sorted = [...users].sort(
    (a, b) =>
      (a.remark || a.display_name).localeCompare(b.remark || b.display_name, undefined, { sensitivity: 'base' }) ||
      a.username.localeCompare(b.username),
  );
  const map = new Map<string, User[]>();
  for (const u of sorted) {
    const l = sectionLetter(u);
    if (!map.has(l)) map.set(l, []);
    map.get(l)!.push(u);
  }
  return [...map.entries()]
    .sort(([a], [b]) => (a === '#' ? 1 : b === '#' ? -1 : a.localeCompare(b)))
    .map(([letter, list]) => ({ letter, users: list }));
}

export function ContactsPage() {
  const { contacts, requests, error } = useStore(contactsState);

  const sections = useMemo(() => (contacts ? groupContacts(contacts) : []), [contacts]);
  const pending = pendingIncoming(requests);

  return (
    <Page
      title="Contacts"
      action={
        <Link href="/contacts/new" class="icon-button" aria-label="Add contact">
          <UserPlusIcon />
        </Link>
      }
    >
      <CellGroup>
        <Cell
          id="new-friends"
          href="/contacts/new"
          media={
            <CellIcon color="orange">
              <UserPlusIcon size={20} />
            </CellIcon>
          }
          title="New Friends"
          extra={
            pending > 0 ? (
              <span class="badge" id="requests-badge" aria-label={pending + ' pending requests'}>
                {pending > 99 ? '99+' : pending}
              </span>
            ) : undefined
          }
          chevron
        />
      </CellGroup>

      {contacts === null && !error && <Spinner label="Loading contacts…" />}
      {contacts === null && error && (
        <div class="inline-error">
          <p>{error}</p>
          <button type="button" class="button button-secondary button-small" onClick={() => void refreshAll()}>
            Try again
          </button>
        </div>
      )}

      {contacts !== null && contacts.length === 0 && (
        <EmptyState icon={<ContactsIcon size={56} />} title="No contacts yet">
          <p>Add friends by their Plaza ID in New Friends — they’ll show up here once they accept.</p>
        </EmptyState>
      )}

      {sections.map((s) => (
        <div class="contact-section" key={s.letter}>
          <div class="section-letter">{s.letter}</div>
          <div class="cell-group-body">
            {s.users.map((u) => (
              <Cell
                key={u.username}
                data-contact={u.username}
                media={<Avatar username={u.username} name={u.display_name} src={u.avatar_url ?? null} />}
                title={u.remark || u.display_name}
                subtitle={u.remark ? u.display_name + ' · @' + u.username : '@' + u.username}
                onClick={() => navigate(profilePath(u.id))}
              />
            ))}
          </div>
        </div>
      ))}

      {contacts !== null && contacts.length > 0 && (
        <p class="list-footer">
          {contacts.length} {contacts.length === 1 ? 'contact' : 'contacts'}
        </p>
      )}
    </Page>
  );
}
