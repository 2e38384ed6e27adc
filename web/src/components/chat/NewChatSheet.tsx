import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, type User } from '../../api';
import { createGroupChat, openDirectChat } from '../../chat/actions';
import { contactsState } from '../../contacts';
import { Sheet } from '../Sheet';
import { t } from '../../i18n';
import { FormError } from '../Field';
import { BackIcon, ChevronRightIcon, GroupIcon, MessageIcon } from '../Icons';
import { ContactPicker } from './ContactPicker';

type Step = 'menu' | 'direct' | 'group';

/** "+" in the Chats title bar: start a direct chat or create a group. */
export function NewChatSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [step, setStep] = useState<Step>('menu');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const titleRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    setStep('menu');
    setPicked(new Set());
    setBusy('');
    setError('');
  }, [open]);

  async function pickDirect(u: User) {
    if (busy) return;
    setBusy(u.username);
    setError('');
    try {
      await openDirectChat(u.username);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy('');
    }
  }

  function toggle(u: User) {
    setPicked((s) => {
      const n = new Set(s);
      if (n.has(u.username)) n.delete(u.username);
      else n.add(u.username);
      return n;
    });
  }

  async function createGroup(e: Event) {
    e.preventDefault();
    if (busy) return;
    const usernames = [...picked];
    if (usernames.length === 0) {
      setError(t('chat.new.pick_one'));
      return;
    }
    let title = (titleRef.current?.value ?? '').trim();
    if (!title) {
      const names = (contactsState.get().contacts ?? []).filter((u) => picked.has(u.username)).map((u) => u.display_name.split(/\s+/)[0]);
      title = names.slice(0, 3).join(t('chat.new.title_sep')) + (names.length > 3 ? '…' : '');
    }
    setBusy('group');
    setError('');
    try {
      await createGroupChat(title.slice(0, 64), usernames);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy('');
    }
  }

  const heading = step === 'menu' ? t('chat.new.heading') : step === 'direct' ? t('chat.new.direct') : t('chat.new.group');

  return (
    <Sheet open={open} onClose={onClose} label={heading} id="new-chat-sheet">
      <div class="sheet-head">
        {step !== 'menu' && (
          <button type="button" class="icon-button sheet-back" aria-label={t('chat.new.back')} onClick={() => setStep('menu')}>
            <BackIcon size={20} />
          </button>
        )}
        <h2 class="sheet-title">{heading}</h2>
      </div>

      {step === 'menu' && (
        <div class="cell-group-body sheet-menu">
          <button type="button" id="new-direct" class="cell cell-link" onClick={() => setStep('direct')}>
            <span class="cell-media">
              <span class="cell-icon cell-icon-green">
                <MessageIcon size={22} />
              </span>
            </span>
            <span class="cell-main">
              <span class="cell-title">{t('chat.new.direct')}</span>
              <span class="cell-subtitle">{t('chat.new.direct_sub')}</span>
            </span>
            <ChevronRightIcon class="cell-chevron" />
          </button>
          <button type="button" id="new-group" class="cell cell-link" onClick={() => setStep('group')}>
            <span class="cell-media">
              <span class="cell-icon cell-icon-blue">
                <GroupIcon size={22} />
              </span>
            </span>
            <span class="cell-main">
              <span class="cell-title">{t('chat.new.group')}</span>
              <span class="cell-subtitle">{t('chat.new.group_sub')}</span>
            </span>
            <ChevronRightIcon class="cell-chevron" />
          </button>
        </div>
      )}

      {step === 'direct' && (
        <>
          <FormError message={error} />
          <ContactPicker mode="single" onPick={pickDirect} busy={busy} />
        </>
      )}

      {step === 'group' && (
        <form class="group-form" onSubmit={createGroup}>
          <input
            id="group-title"
            ref={titleRef}
            class="field-input"
            placeholder={t('chat.new.group_name')}
            aria-label={t('chat.new.group_name_label')}
            maxLength={64}
            autoComplete="off"
          />
          <ContactPicker mode="multi" selected={picked} onPick={toggle} />
          <FormError message={error} />
          <button type="submit" id="create-group" class="button button-primary button-block" disabled={busy === 'group'}>
            {busy === 'group' ? t('chat.new.creating') : picked.size > 0 ? t('chat.new.create_n', { count: picked.size + 1 }) : t('chat.new.create')}
          </button>
        </form>
      )}
    </Sheet>
  );
}
