// Keyboard behaviour every modal surface shares (sheets, the PIN pad, the
// image viewer, confirm dialogs): focus moves in as it opens, Tab and
// Shift+Tab stay inside, Esc closes, and focus goes back to whatever opened
// it when it closes.
import type { RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), iframe, [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

/** The elements Tab can reach inside root, in order, that are showing. */
export function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.closest('[hidden], [inert], [aria-hidden="true"]') && el.getClientRects().length > 0,
  );
}

/** Keeps Tab inside root: from the last element to the first and back. */
export function trapTab(e: KeyboardEvent, root: HTMLElement): void {
  if (e.key !== 'Tab') return;
  const els = focusables(root);
  if (els.length === 0) {
    e.preventDefault();
    root.focus();
    return;
  }
  const first = els[0];
  const last = els[els.length - 1];
  const active = document.activeElement as HTMLElement | null;
  const inside = !!active && root.contains(active);
  if (e.shiftKey && (!inside || active === first || active === root)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (!inside || active === last)) {
    e.preventDefault();
    first.focus();
  }
}

/** Names the dialog by its visible title (its first heading), when it has one. */
export function labelByTitle(panel: HTMLElement, fallback?: string): void {
  if (!/^(alert)?dialog$/.test(panel.getAttribute('role') ?? '')) return;
  const title = panel.querySelector<HTMLElement>('h1, h2, h3, .sheet-title, [data-dialog-title]');
  if (title && title.textContent?.trim()) {
    if (!title.id) title.id = 'dlg-title-' + Math.random().toString(36).slice(2, 9);
    panel.setAttribute('aria-labelledby', title.id);
    panel.removeAttribute('aria-label');
  } else if (fallback) {
    panel.setAttribute('aria-label', fallback);
    panel.removeAttribute('aria-labelledby');
  }
}

/**
 * useDialogFocus gives the panel at ref a dialog's keyboard behaviour while
 * active: focus in (unless something inside already has it, e.g. an
 * autofocused field), Tab trapped, Esc calls onClose, and on deactivation
 * focus returns to the element that had it before.
 */
export function useDialogFocus(ref: RefObject<HTMLElement | null>, active: boolean, onClose?: () => void, label?: string): void {
  const close = useRef(onClose);
  close.current = onClose;
  useLayoutEffect(() => {
    if (!active) return undefined;
    const panel = ref.current;
    if (!panel) return undefined;
    const opener = document.activeElement as HTMLElement | null;
    labelByTitle(panel, label);
    if (!panel.contains(document.activeElement)) {
      if (!panel.hasAttribute('tabindex')) panel.tabIndex = -1;
      panel.focus({ preventScroll: true });
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && close.current) {
        e.preventDefault();
        e.stopPropagation();
        close.current();
      } else if (e.key === 'Tab') {
        trapTab(e, panel);
      }
    };
    // Capture, on the document: Esc and Tab belong to the topmost dialog
    // even when focus has wandered (a click on the backdrop).
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      // Back to the opener, if it is still on the page and nothing else
      // (a page change, another dialog) has taken focus meanwhile.
      const now = document.activeElement;
      if (opener && opener !== document.body && opener.isConnected && (!now || now === document.body || panel.contains(now) || !now.isConnected)) {
        opener.focus({ preventScroll: true });
      }
    };
  }, [active, ref, label]);
}

/**
 * activatable makes a non-button element that acts on a click reachable and
 * usable from the keyboard: a tab stop with the button role, Enter and
 * Space run it. Spread it on the element: <div {...activatable(open)}>.
 */
export function activatable(run: () => void) {
  return {
    role: 'button',
    tabIndex: 0,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.target !== e.currentTarget) return;
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        run();
      }
    },
  } as const;
}
