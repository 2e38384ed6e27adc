import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { CloseIcon } from './Icons';

interface SheetProps {
  open: boolean;
  onClose: () => void;
  label: string;
  id?: string;
  children: ComponentChildren;
}

/** Bottom sheet over the app column (a centred card on wide screens). */
export function Sheet({ open, onClose, label, id, children }: SheetProps) {
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    panel.current?.focus();
    return () => document.removeEventListener('keydown', onKey);
  }, [open, onClose]);

  if (!open) return null;
  return (
    <div class="sheet-layer">
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
