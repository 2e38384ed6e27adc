import { useEffect, useMemo, useState } from 'preact/hooks';
import type { User } from '../../api';
import { contactsState, refreshContacts } from '../../contacts';
import { useStore } from '../../store';
import { collator, t } from '../../i18n';
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
    const byName = collator();
    const sorted = [...(contacts ?? [])].sort((a, b) => byName.compare(a.display_name, b.display_name));
    const needle = q.trim().toLowerCase();
    if (!needle) return sorted;
    return sorted.filter((u) => u.display_name.toLowerCase().includes(needle) || u.username.toLowerCase().includes(needle));
  }, [contacts, q]);

  if (contacts === null) return error ? <p class="picker-empty">{error}</p> : <Spinner label={t('chat.picker.loading')} />;
  if (contacts.length === 0) {
    return <p class="picker-empty">{t('chat.picker.none')}</p>;
  }

  const allLocked = locked !== undefined && contacts.every((u) => locked.has(u.username));

  return (
    <div class="picker">
      {allLocked && <p class="picker-note">{t('chat.picker.all_here')}</p>}
      {contacts.length > 6 && (
        <input
          type="search"
          class="field-input picker-search"
          placeholder={t('chat.picker.search')}
          aria-label={t('chat.picker.search_label')}
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
        {list.length === 0 && <p class="picker-empty">{t('chat.picker.no_match', { q })}</p>}
      </div>
    </div>
  );
}
