import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Id } from '../../api';
import type { Message } from '../../chat/api';
import {
  canForward,
  canRecall,
  closeMenu,
  copyText,
  forwarding,
  hideMessages,
  messageMenu,
  openMenu,
  recallMessage,
  selection,
  setReply,
  startSelecting,
  stopSelecting,
} from '../../chat/actions';
import { sameId } from '../../chat/merge';
import { chat } from '../../chat/store';
import { useStore } from '../../store';
import { showToast } from '../../toast';
import { t } from '../../i18n';

const LONG_PRESS_MS = 450;
const MOVE_SLOP = 10;

/** Where a message's menu opens: long-press (touch), right-click, or the "…" button. */
export function useMessageGestures(m: Message | undefined) {
  const timer = useRef(0);
  const start = useRef<{ x: number; y: number } | null>(null);
  const fired = useRef(false);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const cancel = () => {
    window.clearTimeout(timer.current);
    start.current = null;
  };
  return {
    onContextMenu: (e: MouseEvent) => {
      if (!m || (e.target as HTMLElement).closest('a')) return; // the link's own menu
      e.preventDefault();
      if (selection.get()) return;
      openMenu(m, e.clientX, e.clientY);
    },
    onTouchStart: (e: TouchEvent) => {
      if (!m || e.touches.length !== 1 || selection.get()) return;
      const t = e.touches[0];
      start.current = { x: t.clientX, y: t.clientY };
      fired.current = false;
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => {
        const s = start.current;
        if (!s || !m) return;
        fired.current = true;
        navigator.vibrate?.(10);
        openMenu(m, s.x, s.y);
      }, LONG_PRESS_MS);
    },
    onTouchMove: (e: TouchEvent) => {
      const s = start.current;
      const t = e.touches[0];
      if (s && t && Math.hypot(t.clientX - s.x, t.clientY - s.y) > MOVE_SLOP) cancel();
    },
    onTouchEnd: (e: TouchEvent) => {
      cancel();
      if (fired.current) e.preventDefault(); // no click after a long-press
    },
    onTouchCancel: cancel,
  };
}

interface Item {
  id: string;
  label: string;
  run: () => void | Promise<unknown>;
}

/** The action menu of one message (dark, WeChat-style), near where it was asked for. */
export function MessageMenu({ meId, convId }: { meId: Id; convId: Id }) {
  const menu = useStore(messageMenu);
  const box = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);

  useLayoutEffect(() => {
    setPos(null);
    if (!menu || !box.current) return;
    const r = box.current.getBoundingClientRect();
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const left = Math.min(Math.max(8, menu.x - r.width / 2), vw - r.width - 8);
    const above = menu.y - r.height - 14;
    const top = above > 56 ? above : Math.min(menu.y + 14, vh - r.height - 8);
    setPos({ left, top });
  }, [menu]);

  useLayoutEffect(() => {
    if (!menu) return undefined;
    // In place before the menu is painted (an Esc at once closes it).
    // The layer under the menu takes the pointer, so the list cannot
    // scroll away from it; Escape or a tap outside closes it.
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && closeMenu();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menu]);

  if (!menu || !sameId(menu.m.conversation_id, convId)) return null;
  const m = menu.m;
  const mine = sameId(m.sender.id, meId);
  const items: Item[] = [];
  if (m.kind === 'text')
    items.push({
      id: 'copy',
      label: t('chat.menu.copy'),
      run: async () => showToast((await copyText(m.text)) ? t('chat.menu.copied') : t('chat.menu.copy_failed'), 'info', 1500),
    });
  items.push({
    id: 'quote',
    label: t('chat.menu.quote'),
    run: () => {
      setReply(convId, m);
      document.getElementById('composer-input')?.focus();
    },
  });
  if (canForward(m)) items.push({ id: 'forward', label: t('chat.menu.forward'), run: () => forwarding.set([m]) });
  if (mine && canRecall(m)) items.push({ id: 'recall', label: t('chat.menu.recall'), run: () => recallMessage(m) });
  items.push({ id: 'delete', label: t('chat.menu.delete'), run: () => hideMessages([m]) });
  items.push({ id: 'select', label: t('chat.menu.select'), run: () => startSelecting(m) });

  return (
    <div class="msg-menu-layer" onClick={closeMenu} onContextMenu={(e) => (e.preventDefault(), closeMenu())}>
      <div
        ref={box}
        id="message-menu"
        class="msg-menu"
        role="menu"
        aria-label={t('chat.msg.actions')}
        data-message-id={String(m.id)}
        style={pos ? { left: pos.left + 'px', top: pos.top + 'px' } : { visibility: 'hidden', left: '0', top: '0' }}
        onClick={(e) => e.stopPropagation()}
      >
        {items.map((it) => (
          <button
            key={it.id}
            type="button"
            role="menuitem"
            class="msg-menu-item"
            data-action={it.id}
            onClick={() => {
              closeMenu();
              void it.run();
            }}
          >
            <MenuGlyph id={it.id} />
            <span>{it.label}</span>
          </button>
        ))}
      </div>
    </div>
  );
}

function MenuGlyph({ id }: { id: string }) {
  const paths: Record<string, string> = {
    copy: 'M8 8h11v12H8zM5 16V4h11',
    quote: 'M7 7h4v4c0 3-1.5 5-4 6M14 7h4v4c0 3-1.5 5-4 6',
    forward: 'M13 5l7 7-7 7M20 12H9c-3 0-5 2-5 6',
    recall: 'M9 14L4 9l5-5M4 9h10a6 6 0 010 12h-3',
    delete: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13',
    select: 'M4 12l5 5L20 6',
  };
  return (
    <svg class="msg-menu-glyph" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d={paths[id]} />
    </svg>
  );
}

/** Multi-select's bottom bar: Forward and Delete what is ticked. */
export function SelectBar({ convId }: { convId: Id }) {
  const sel = useStore(selection);
  const { threads } = useStore(chat);
  if (!sel || sel.convId !== String(convId)) return null;
  const items = threads[sel.convId]?.items ?? [];
  const picked = sel.ids.map((id) => items.find((m) => String(m.id) === id)).filter((m): m is Message => !!m);
  const n = picked.length;
  return (
    <div class="select-bar" id="select-bar" role="toolbar" aria-label={t('chat.select.label')}>
      <button type="button" class="select-bar-cancel" onClick={stopSelecting}>
        {t('chat.select.cancel')}
      </button>
      <span class="select-bar-count" aria-live="polite">
        {t('chat.select.count', { count: n })}
      </span>
      <button
        type="button"
        id="select-forward"
        class="select-bar-action"
        disabled={n === 0}
        onClick={() => {
          const ok = picked.filter(canForward);
          if (ok.length < n) showToast(t('chat.select.not_forwardable'));
          if (ok.length) forwarding.set(ok);
        }}
      >
        {t('chat.select.forward')}
      </button>
      <button
        type="button"
        id="select-delete"
        class="select-bar-action danger"
        disabled={n === 0}
        onClick={async () => {
          const done = await hideMessages(picked);
          if (done === n) {
            stopSelecting();
            showToast(t('chat.select.deleted', { count: done }), 'info', 1500);
          }
        }}
      >
        {t('chat.select.delete')}
      </button>
    </div>
  );
}
