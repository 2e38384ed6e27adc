import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { CloseIcon } from './Icons';

interface SheetProps {
  open: boolean;
  onClose: () => void;
  label: string;
  id?: string;
  /** Another sheet (e.g. the PIN sheet) is on top: keep this one's state but hide it. */
  covered?: boolean;
  children: ComponentChildren;
}

/** Bottom sheet over the app column (a centred card on wide screens). */
export function Sheet({ open, onClose, label, id, covered, children }: SheetProps) {
  const panel = useRef<HTMLDivElement>(null);

  // Layout effect: focus moves in before anyone can start typing, and never
  // steals it from a field inside the sheet (autofocus, a fast typist).
  useLayoutEffect(() => {
    if (!open || covered) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    const el = panel.current;
    if (el && !el.contains(document.activeElement)) el.focus();
    return () => document.removeEventListener('keydown', onKey);
  }, [open, onClose, covered]);

  if (!open) return null;
  return (
    <div class={'sheet-layer' + (covered ? ' covered' : '')} aria-hidden={covered ? 'true' : undefined}>
      <div class="sheet-backdrop" onClick={onClose} />
      <div class="sheet" role="dialog" aria-modal="true" aria-label={label} id={id} ref={panel} tabIndex={-1}>
        <button type="button" class="icon-button sheet-close" aria-label="Close" onClick={onClose}>
          <CloseIcon size={20} />
        </button>
        {children}
      </div>
    </div>
  );
}
