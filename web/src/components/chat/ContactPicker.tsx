import { useEffect, useMemo, useState } from 'preact/hooks';
import type { User } from '../../api';
import { contactsState, refreshContacts } from '../../contacts';
import { useStore } from '../../store';
import { Avatar } from '../Avatar';
import { Spinner } from '../Spinner';
import { CheckIcon } from '../Icons';

interface PickerProps {
  /** single: tap picks at once; multi: tap toggles a check. */
  mode: 'single' | 'multi';
  selected?: Set<string>;
  /** Usernames shown checked and disabled (already in the group). */
  locked?: Set<string>;
  onPick: (u: User) => void;
  busy?: string;
}

/** Searchable list of contacts; rows carry data-pick-username. */
export function ContactPicker({ mode, selected, locked, onPick, busy }: PickerProps) {
  const { contacts, error } = useStore(contactsState);
  const [q, setQ] = useState('');

  useEffect(() => {
    void refreshContacts();
  }, []);

  const list = useMemo(() => {
    const sorted = [...(contacts ?? [])].sort((a, b) =>
      a.display_name.localeCompare(b.display_name, undefined, { sensitivity: 'base' }),
    );
    const needle = q.trim().toLowerCase();
    if (!needle) return sorted;
    return sorted.filter((u) => u.display_name.toLowerCase().includes(needle) || u.username.toLowerCase().includes(needle));
  }, [contacts, q]);

  if (contacts === null) return error ? <p class="picker-empty">{error}</p> : <Spinner label="Loading contacts…" />;
  if (contacts.length === 0) {
    return <p class="picker-empty">No contacts yet. Add friends in Contacts → New Friends first.</p>;
  }

  const allLocked = locked !== undefined && contacts.every((u) => locked.has(u.username));

  return (
    <div class="picker">
      {allLocked && <p class="picker-note">All your contacts are already here.</p>}
      {contacts.length > 6 && (
        <input
          type="search"
          class="field-input picker-search"
          placeholder="Search"
          aria-label="Search contacts"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      )}
      <div class="picker-list">
        {list.map((u) => {
          const isLocked = locked?.has(u.username) ?? false;
          const isOn = isLocked || (selected?.has(u.username) ?? false);
          return (
            <button
              type="button"
              key={u.username}
              class={'picker-row' + (isOn ? ' picked' : '')}
              data-pick-username={u.username}
              aria-pressed={mode === 'multi' ? isOn : undefined}
              disabled={isLocked || busy === u.username}
              onClick={() => onPick(u)}
            >
              {mode === 'multi' && (
                <span class={'picker-check' + (isOn ? ' on' : '')} aria-hidden="true">
                  {isOn && <CheckIcon size={14} stroke-width={3} />}
                </span>
              )}
              <Avatar username={u.username} name={u.display_name} size="sm" />
              <span class="picker-name">{u.display_name}</span>
              {busy === u.username ? <span class="spinner spinner-small" /> : <span class="picker-handle">@{u.username}</span>}
            </button>
          );
        })}
        {list.length === 0 && <p class="picker-empty">No contacts match “{q}”.</p>}
      </div>
    </div>
  );
}
