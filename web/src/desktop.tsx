// The desktop layout (from 900 px wide, like WeChat for PC): the tab rail,
// the list pane and the open item side by side. This file holds its parts:
// whether the window is wide enough, the list pane's width (resizable,
// remembered on this device), the separator that resizes it, and the calm
// pane shown when nothing is open.
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { createStore, useStore } from './store';
import { t, type MessageKey } from './i18n';
import { Logo } from './components/Logo';

export const DESKTOP_QUERY = '(min-width: 900px)';

const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(DESKTOP_QUERY) : null;
const desktopState = createStore(!!media?.matches);
media?.addEventListener('change', (e) => desktopState.set(e.matches));

/** Whether the desktop layout is showing; re-renders on crossing 900 px. */
export function useDesktop(): boolean {
  return useStore(desktopState);
}

export const isDesktop = () => desktopState.get();

// ---------- the list pane's width ----------

export const LIST_MIN = 240;
export const LIST_MAX = 480;
export const LIST_DEFAULT = 300;
const WIDTH_KEY = 'plaza.listWidth';

export function clampWidth(n: number): number {
  if (!Number.isFinite(n)) return LIST_DEFAULT;
  return Math.round(Math.min(LIST_MAX, Math.max(LIST_MIN, n)));
}

function storedWidth(): number {
  try {
    const v = localStorage.getItem(WIDTH_KEY);
    return v === null ? LIST_DEFAULT : clampWidth(Number(v));
  } catch {
    return LIST_DEFAULT;
  }
}

export const listWidth = createStore(storedWidth());

export function setListWidth(n: number, save = true): void {
  const w = clampWidth(n);
  listWidth.set(w);
  if (!save) return;
  try {
    localStorage.setItem(WIDTH_KEY, String(w));
  } catch {
    // private mode: the width lasts for this visit
  }
}

/**
 * The handle between the list and the item: drag it (pointer events), or
 * focus it and use the arrow keys (Shift for bigger steps, Home/End for the
 * limits). A window-splitter separator in ARIA terms.
 */
export function ListResizer() {
  const width = useStore(listWidth);
  const drag = useRef<{ x: number; w: number } | null>(null);
  const [dragging, setDragging] = useState(false);

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, w: listWidth.get() };
    setDragging(true);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!drag.current) return;
    setListWidth(drag.current.w + e.clientX - drag.current.x, false);
  };
  const onPointerUp = (e: PointerEvent) => {
    if (!drag.current) return;
    drag.current = null;
    setDragging(false);
    (e.currentTarget as HTMLElement).releasePointerCapture?.(e.pointerId);
    setListWidth(listWidth.get());
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.shiftKey ? 40 : 10;
    let next: number | null = null;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') next = width - step;
    else if (e.key === 'ArrowRight' || e.key === 'ArrowUp') next = width + step;
    else if (e.key === 'Home') next = LIST_MIN;
    else if (e.key === 'End') next = LIST_MAX;
    if (next === null) return;
    e.preventDefault();
    setListWidth(next);
  };

  useEffect(() => {
    document.body.classList.toggle('resizing-list', dragging);
    return () => document.body.classList.remove('resizing-list');
  }, [dragging]);

  return (
    <div
      class={'list-resizer' + (dragging ? ' dragging' : '')}
      id="list-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label={t('shell.list.resize')}
      aria-controls="list-pane"
      aria-valuenow={width}
      aria-valuemin={LIST_MIN}
      aria-valuemax={LIST_MAX}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
}

/** What the item pane shows when nothing is open: the mark and a sentence. */
export function EmptyPane({ text }: { text: MessageKey }) {
  return (
    <div class="empty-pane" id="empty-pane">
      <Logo size={72} />
      <p>{t(text)}</p>
    </div>
  );
}

// ---------- which pane a page is in ----------

/**
 * The pane a Page renders in: 'single' on phones and for full-width pages,
 * 'list' in the desktop list pane, 'item' in the pane beside it (whose
 * list lives at listPath, so its back link to the list is redundant).
 */
export interface PaneInfo {
  pane: 'single' | 'list' | 'item';
  listPath?: string;
  /** In the list pane: whether an item is open beside it (its title wins). */
  itemOpen?: boolean;
}

export const Pane = createContext<PaneInfo>({ pane: 'single' });

export const usePane = () => useContext(Pane);
