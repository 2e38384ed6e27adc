import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage, type Id, type User } from '../../api';
import type { Conversation } from '../../chat/api';
import { addGroupMembers, leaveGroup } from '../../chat/actions';
import { sameId } from '../../chat/merge';
import { showToast } from '../../toast';
import { Avatar } from '../Avatar';
import { Sheet } from '../Sheet';
import { FormError } from '../Field';
import { BackIcon, PlusIcon } from '../Icons';
import { ContactPicker } from './ContactPicker';

type Step = 'info' | 'add' | 'leave';

/** Group chat info: members, "Add members" from contacts, "Leave group". */
export function GroupInfoSheet({ c, meId, open, onClose }: { c: Conversation; meId: Id; open: boolean; onClose: () => void }) {
  const [step, setStep] = useState<Step>('info');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    if (!open) return;
    setStep('info');
    setPicked(new Set());
    setBusy(false);
    setError('');
  }, [open]);

  const memberNames = useMemo(() => new Set(c.members.map((m) => m.username)), [c.members]);

  function toggle(u: User) {
    setPicked((s) => {
      const n = new Set(s);
      if (n.has(u.username)) n.delete(u.username);
      else n.add(u.username);
      return n;
    });
  }

  async function run(fn: () => Promise<unknown>, done: () => void) {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await fn();
      done();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const add = () =>
    run(
      () => addGroupMembers(c.id, [...picked]),
      () => {
        showToast(picked.size === 1 ? 'Member added.' : picked.size + ' members added.', 'success');
        setPicked(new Set());
        setStep('info');
      },
    );

  const leave = () => run(() => leaveGroup(c.id), () => showToast('You left “' + c.title + '”.'));

  const heading = step === 'add' ? 'Add members' : 'Group info';

  return (
    <Sheet open={open} onClose={onClose} label={heading} id="group-info">
      <div class="sheet-head">
        {step !== 'info' && (
          <button type="button" class="icon-button sheet-back" aria-label="Back" onClick={() => setStep('info')}>
            <BackIcon size={20} />
          </button>
        )}
        <h2 class="sheet-title">{step === 'add' ? heading : c.title}</h2>
      </div>

      {step !== 'add' && (
        <>
          <p class="sheet-sub">{c.members.length} members</p>
          <ul class="member-grid" aria-label="Members">
            {c.members.map((m) => (
              <li key={String(m.id)} class="member" data-member={m.username}>
                <Avatar username={m.username} name={m.display_name} size="lg" />
                <span class="member-name">{sameId(m.id, meId) ? 'You' : m.display_name}</span>
              </li>
            ))}
            <li class="member">
              <button type="button" id="group-add-members" class="member-add" aria-label="Add members" onClick={() => setStep('add')}>
                <PlusIcon size={26} />
              </button>
              <span class="member-name">Add</span>
            </li>
          </ul>
          <FormError message={error} />
          {step === 'info' ? (
            <div class="sheet-actions">
              <button type="button" id="group-leave" class="button button-ghost-danger button-block" onClick={() => setStep('leave')}>
                Leave group
              </button>
            </div>
          ) : (
            <div class="sheet-actions">
              <p class="confirm-text">Leave “{c.title}”? You won’t get its messages any more.</p>
              <button type="button" id="group-leave-confirm" class="button button-danger button-block" disabled={busy} onClick={leave}>
                {busy ? 'Leaving…' : 'Leave'}
              </button>
              <button type="button" class="button button-secondary button-block" disabled={busy} onClick={() => setStep('info')}>
                Cancel
              </button>
            </div>
          )}
        </>
      )}

      {step === 'add' && (
        <div class="group-form">
          <ContactPicker mode="multi" selected={picked} locked={memberNames} onPick={toggle} />
          <FormError message={error} />
          <button
            type="button"
            id="add-members-submit"
            class="button button-primary button-block"
            disabled={busy || picked.size === 0}
            onClick={add}
          >
            {busy ? 'Adding…' : picked.size > 0 ? 'Add (' + picked.size + ')' : 'Add'}
          </button>
        </div>
      )}
    </Sheet>
  );
}
