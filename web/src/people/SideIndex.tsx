// WeChat's side index: ↑ A … Z # down the right edge of the contact list.
// Tap a letter, or drag over the column, to jump to its section; while a
// finger (or the mouse) is down a large bubble shows the letter under it.
// From the keyboard it is one tab stop: ↑/↓, Home and End move along it,
// Enter or Space jumps.
import { useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { LETTERS } from './index-letters';

/** The index entry that scrolls back to the top of the list. */
export const TOP = '↑';
const ITEMS = [TOP, ...LETTERS];

interface SideIndexProps {
  /** The letter of the section at the top of the list now (highlighted). */
  current: string;
  onJump: (item: string) => void;
}

export function SideIndex({ current, onJump }: SideIndexProps) {
  const list = useRef<HTMLDivElement>(null);
  const [bubble, setBubble] = useState<{ item: string; y: number } | null>(null);
  const [focusItem, setFocusItem] = useState(ITEMS[1]);
  const pointer = useRef<number | null>(null);

  function itemAt(clientY: number): { item: string; y: number } | null {
    const el = list.current;
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const step = r.height / ITEMS.length;
    const i = Math.max(0, Math.min(ITEMS.length - 1, Math.floor((clientY - r.top) / step)));
    return { item: ITEMS[i], y: (i + 0.5) * step };
  }

  function track(clientY: number) {
    const at = itemAt(clientY);
    if (!at) return;
    if (at.item !== bubble?.item) onJump(at.item);
    setBubble(at);
  }

  function end() {
    pointer.current = null;
    setBubble(null);
  }

  function onKeyDown(e: KeyboardEvent) {
    const i = ITEMS.indexOf(focusItem);
    let next = i;
    if (e.key === 'ArrowDown') next = Math.min(ITEMS.length - 1, i + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, i - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = ITEMS.length - 1;
    else return;
    e.preventDefault();
    setFocusItem(ITEMS[next]);
    list.current?.querySelectorAll<HTMLButtonElement>('button')[next]?.focus();
  }

  return (
    <div class="side-index" id="side-index">
      <div
        ref={list}
        class="side-index-list"
        role="toolbar"
        aria-orientation="vertical"
        aria-label={t('people.contacts.index')}
        onKeyDown={onKeyDown}
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          e.preventDefault(); // no text selection, no focus ring from a tap
          pointer.current = e.pointerId;
          (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
          track(e.clientY);
        }}
        onPointerMove={(e) => {
          if (pointer.current === e.pointerId) track(e.clientY);
        }}
        onPointerUp={end}
        onPointerCancel={end}
      >
        {ITEMS.map((item) => (
          <button
            type="button"
            key={item}
            class={'side-index-item' + (item === current ? ' active' : '') + (item === bubble?.item ? ' pressed' : '')}
            data-letter={item}
            tabIndex={item === focusItem ? 0 : -1}
            aria-label={item === TOP ? t('people.contacts.jump_top') : t('people.contacts.jump', { letter: item })}
            onFocus={() => setFocusItem(item)}
            // A pointer press jumps on pointerdown; this is Enter and Space.
            onClick={(e) => e.detail === 0 && onJump(item)}
          >
            <span aria-hidden="true">{item}</span>
          </button>
        ))}
      </div>
      {bubble && (
        <div class="side-index-bubble" id="side-index-bubble" aria-hidden="true" style={{ top: bubble.y + 'px' }}>
          <span>{bubble.item}</span>
        </div>
      )}
    </div>
  );
}
