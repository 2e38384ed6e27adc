// Keyboard shortcuts of the desktop layout (installed by the Shell while the
// window is at least 900 px wide):
//
//   Ctrl/⌘+F, /        search (focuses the search field, opening /search)
//   Alt+↓ / Alt+↑      the next / previous chat with unread messages
//   Esc                closes the open item (back to the list's empty pane)
//
// While typing in a field only Esc, Ctrl/⌘+F and (except on a Mac, where
// Option+arrows move the caret) Alt+↑/↓ work; Esc leaves an open dialog,
// sheet or menu to close itself.
import type { Conversation } from './chat/api';
import { sameId } from './chat/merge';
import { t } from './i18n';

export interface ShortcutHost {
  /** The conversations in list order (null before they load). */
  conversations: () => Conversation[] | null;
  /** The id of the open conversation, if one is open. */
  openConversation: () => string | null;
  /** Where Esc goes: the open item's list, or null when nothing is open. */
  closeTarget: () => string | null;
  navigate: (to: string) => void;
}

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** The search button's tooltip, naming the shortcut of this platform. */
export function searchHint(): string {
  return isMac() ? t('shell.rail.search_hint_mac') : t('shell.rail.search_hint');
}

/** Something open on top of the page that closes itself on Esc. */
export const OVERLAY = '[role="dialog"], [role="alertdialog"], [role="menu"], .sheet-layer, .select-bar';

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(target.type);
  }
  return false;
}

/**
 * The chat with unread messages after (dir 1) or before (dir -1) the open
 * one in list order, wrapping around; muted chats count only when they
 * mention me, as in the unread total. Null when there is none.
 */
export function nextUnread(list: Conversation[] | null, openId: string | null, dir: 1 | -1): Conversation | null {
  if (!list || list.length === 0) return null;
  const unread = (c: Conversation) => (c.unread || 0) > 0 && (!c.muted || !!c.mentioned);
  const at = openId == null ? -1 : list.findIndex((c) => sameId(c.id, openId));
  const n = list.length;
  for (let step = 1; step <= n; step++) {
    const i = at === -1 ? (dir === 1 ? step - 1 : n - step) : (((at + dir * step) % n) + n) % n;
    if (i === at) continue;
    if (unread(list[i])) return list[i];
  }
  return null;
}

/** Focuses the search field on this page, or opens search. */
export function focusSearch(navigate: (to: string) => void): void {
  const field = document.querySelector<HTMLInputElement>('#search-input');
  if (field) {
    field.focus();
    field.select();
    return;
  }
  navigate('/search');
}

/** Listens for the shortcuts on window; returns the function that stops it. */
export function installShortcuts(host: ShortcutHost): () => void {
  // Whether an overlay was open when the key went down: its own Esc handler
  // may have removed it (and re-rendered) before this bubbles up to window.
  let overlayOpen = false;
  const onCapture = (e: KeyboardEvent) => {
    overlayOpen = e.key === 'Escape' && !!document.querySelector(OVERLAY);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    if (mod && !e.altKey && !e.shiftKey && key.toLowerCase() === 'f') {
      e.preventDefault();
      focusSearch(host.navigate);
      return;
    }
    if (key === 'Escape' && !mod && !e.altKey && !e.shiftKey) {
      if (overlayOpen || document.querySelector(OVERLAY)) return;
      const to = host.closeTarget();
      if (to) {
        e.preventDefault();
        if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
        host.navigate(to);
      }
      return;
    }
    const typing = typingIn(e.target);
    if (key === '/' && !mod && !e.altKey && !typing) {
      e.preventDefault();
      focusSearch(host.navigate);
      return;
    }
    // Alt+↑/↓ edits no text except on a Mac (Option+arrows move the caret),
    // so it works from the composer too, as Slack's does.
    if (e.altKey && !mod && !e.shiftKey && (key === 'ArrowDown' || key === 'ArrowUp') && (!typing || !isMac())) {
      const next = nextUnread(host.conversations(), host.openConversation(), key === 'ArrowDown' ? 1 : -1);
      if (next) {
        e.preventDefault();
        host.navigate('/chats/' + encodeURIComponent(String(next.id)));
      }
    }
  };
  window.addEventListener('keydown', onCapture, true);
  window.addEventListener('keydown', onKey);
  return () => {
    window.removeEventListener('keydown', onCapture, true);
    window.removeEventListener('keydown', onKey);
  };
}
