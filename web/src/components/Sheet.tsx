import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import { t } from '../i18n';
import { useDialogFocus } from './dialogFocus';
import { CloseIcon } from './Icons';

interface SheetProps {
  open: boolean;
  onClose: () => void;
  /** The dialog's name when it shows no heading of its own. */
  label: string;
  id?: string;
  /** Another sheet (e.g. the PIN sheet) is on top: keep this one's state but hide it. */
  covered?: boolean;
  children: ComponentChildren;
}

/**
 * A modal sheet: a bottom sheet over the app column on phones, a centred
 * dialog from 900 px. Focus moves in as it opens (never stealing it from a
 * field inside, such as an autofocused one), Tab stays inside, Esc closes,
 * and focus returns to what opened it.
 */
export function Sheet({ open, onClose, label, id, covered, children }: SheetProps) {
  const panel = useRef<HTMLDivElement>(null);
  useDialogFocus(panel, open && !covered, onClose, label);

  if (!open) return null;
  return (
    <div class={'sheet-layer' + (covered ? ' covered' : '')} aria-hidden={covered ? 'true' : undefined} inert={covered || undefined}>
      <div class="sheet-backdrop" onClick={onClose} />
      <div class="sheet" role="dialog" aria-modal="true" aria-label={label} id={id} ref={panel} tabIndex={-1}>
        <button type="button" class="icon-button sheet-close" aria-label={t('ui.sheet.close')} onClick={onClose}>
          <CloseIcon size={20} />
        </button>
        {children}
      </div>
    </div>
  );
}
