import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { showToast } from '../../toast';
import { t } from '../../i18n';
import { CloseIcon } from '../Icons';
import { useDialogFocus } from '../dialogFocus';

const MAX_ZOOM = 5;

interface ViewerProps {
  src: string | null;
  onClose: () => void;
  /** Every image of the chat, oldest first: swipe or arrow keys move between them. */
  images?: string[];
}

/**
 * Full-screen image viewer: pinch, wheel or double-tap to zoom, drag to pan
 * a zoomed image, swipe or ←/→ between the chat's images, Save downloads,
 * Escape or a tap on the dark closes.
 */
export function ImageViewer({ src, onClose, images }: ViewerProps) {
  const list = src ? (images && images.includes(src) ? images : [src]) : [];
  const [index, setIndex] = useState(0);
  const [zoom, setZoom] = useState({ s: 1, x: 0, y: 0 });
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const gesture = useRef<{ dist: number; s: number; startX: number; startY: number; x: number; y: number; moved: boolean } | null>(null);
  const lastTap = useRef(0);
  const root = useRef<HTMLDivElement>(null);
  useDialogFocus(root, !!src);

  // Layout effects: the index and the keys are in place before the first paint.
  useLayoutEffect(() => {
    if (src) setIndex(Math.max(0, list.indexOf(src)));
    setZoom({ s: 1, x: 0, y: 0 });
  }, [src]);

  const go = (d: number) => {
    setIndex((i) => Math.min(list.length - 1, Math.max(0, i + d)));
    setZoom({ s: 1, x: 0, y: 0 });
  };

  useLayoutEffect(() => {
    if (!src) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
      else if (e.key === 'ArrowRight') go(1);
      else if (e.key === 'ArrowLeft') go(-1);
      else if (e.key === '+' || e.key === '=') setZoom((z) => ({ ...z, s: Math.min(MAX_ZOOM, z.s * 1.25) }));
      else if (e.key === '-') setZoom((z) => (z.s / 1.25 <= 1 ? { s: 1, x: 0, y: 0 } : { ...z, s: z.s / 1.25 }));
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [src, onClose, list.length]);

  if (!src) return null;
  const current = list[Math.min(index, list.length - 1)];

  function onWheel(e: WheelEvent) {
    e.preventDefault();
    setZoom((z) => {
      const s = Math.min(MAX_ZOOM, Math.max(1, z.s * Math.exp(-e.deltaY * 0.0025)));
      return s === 1 ? { s: 1, x: 0, y: 0 } : { ...z, s };
    });
  }

  function onPointerDown(e: PointerEvent) {
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const pts = [...pointers.current.values()];
    gesture.current = {
      dist: pts.length === 2 ? Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y) : 0,
      s: zoom.s,
      startX: e.clientX,
      startY: e.clientY,
      x: zoom.x,
      y: zoom.y,
      moved: false,
    };
  }

  function onPointerMove(e: PointerEvent) {
    if (!pointers.current.has(e.pointerId) || !gesture.current) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const g = gesture.current;
    const pts = [...pointers.current.values()];
    if (pts.length === 2 && g.dist > 0) {
      const d = Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y);
      const s = Math.min(MAX_ZOOM, Math.max(1, (g.s * d) / g.dist));
      g.moved = true;
      setZoom((z) => (s === 1 ? { s: 1, x: 0, y: 0 } : { ...z, s }));
      return;
    }
    const dx = e.clientX - g.startX;
    const dy = e.clientY - g.startY;
    if (Math.abs(dx) + Math.abs(dy) > 6) g.moved = true;
    if (zoom.s > 1) setZoom((z) => ({ ...z, x: g.x + dx, y: g.y + dy }));
  }

  function onPointerUp(e: PointerEvent) {
    const g = gesture.current;
    pointers.current.delete(e.pointerId);
    if (!g || pointers.current.size > 0) return;
    gesture.current = null;
    const dx = e.clientX - g.startX;
    if (zoom.s === 1 && g.moved && Math.abs(dx) > 60 && Math.abs(dx) > Math.abs(e.clientY - g.startY)) {
      go(dx < 0 ? 1 : -1);
      return;
    }
    if (!g.moved && e.pointerType === 'touch') {
      // Double-tap (a mouse has dblclick on the image).
      const now = Date.now();
      if (now - lastTap.current < 300) {
        lastTap.current = 0;
        setZoom((z) => (z.s > 1 ? { s: 1, x: 0, y: 0 } : { s: 2.5, x: 0, y: 0 }));
      } else {
        lastTap.current = now;
      }
    }
  }

  async function save(e: Event) {
    e.stopPropagation();
    try {
      const res = await fetch(current, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      const ext = (blob.type.split('/')[1] || 'jpg').replace('jpeg', 'jpg');
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'plaza-' + (current.split('/').pop() || 'image') + '.' + ext;
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      showToast(t('chat.viewer.saved'), 'success', 1500);
    } catch {
      showToast(t('chat.viewer.save_failed'), 'error');
    }
  }

  return (
    <div
      id="image-viewer"
      ref={root}
      tabIndex={-1}
      class="image-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={t('chat.viewer.label')}
      data-index={index}
      data-count={list.length}
      data-zoom={zoom.s.toFixed(2)}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
      onWheel={onWheel}
    >
      <div
        class="image-viewer-stage"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onClick={(e) => {
          if (e.target === e.currentTarget && zoom.s === 1) onClose();
        }}
      >
        <img
          src={current}
          alt={t('chat.viewer.alt', { n: index + 1, total: list.length })}
          draggable={false}
          style={{ transform: `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.s})` }}
          onDblClick={() => setZoom((z) => (z.s > 1 ? { s: 1, x: 0, y: 0 } : { s: 2.5, x: 0, y: 0 }))}
        />
      </div>
      {list.length > 1 && (
        <>
          <span class="image-viewer-count">
            {index + 1} / {list.length}
          </span>
          <button type="button" class="image-viewer-nav prev" aria-label={t('chat.viewer.prev')} disabled={index === 0} onClick={() => go(-1)}>
            ‹
          </button>
          <button type="button" class="image-viewer-nav next" aria-label={t('chat.viewer.next')} disabled={index >= list.length - 1} onClick={() => go(1)}>
            ›
          </button>
        </>
      )}
      <button type="button" class="icon-button image-viewer-close" aria-label={t('chat.viewer.close')} onClick={onClose}>
        <CloseIcon size={24} />
      </button>
      <button type="button" id="image-save" class="image-viewer-save" onClick={save}>
        {t('chat.viewer.save')}
      </button>
    </div>
  );
}
