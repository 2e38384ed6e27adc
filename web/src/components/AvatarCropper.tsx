import { useEffect, useRef, useState } from 'preact/hooks';
import { Sheet } from './Sheet';
import { FormError } from './Field';
import { t } from '../i18n';
import { errorText } from '../i18n/errors';
import { ApiError } from '../api';

const OUT = 480; // pixels a side of what is sent (the server's large size)

interface CropperProps {
  file: File | null;
  onClose: () => void;
  /** Gets the chosen square as a JPEG; rejects with a sentence to show. */
  onDone: (square: Blob) => Promise<void>;
}

/**
 * Choose the square of a picture to use as the avatar: drag the picture,
 * zoom with the slider (or the wheel); the server crops the centre of
 * whatever it gets, and this sends an already-square image.
 */
export function AvatarCropper({ file, onClose, onDone }: CropperProps) {
  const view = useRef<HTMLDivElement>(null);
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  const [side, setSide] = useState(280);
  const [zoom, setZoom] = useState(1);
  const [pos, setPos] = useState({ x: 0, y: 0 }); // the picture's top-left, in viewport pixels
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const drag = useRef<{ id: number; x: number; y: number; px: number; py: number } | null>(null);

  useEffect(() => {
    setImg(null);
    setError('');
    setBusy(false);
    setZoom(1);
    if (!file) return undefined;
    const url = URL.createObjectURL(file);
    const el = new Image();
    el.onload = () => setImg(el);
    el.onerror = () => setError(t('people.cropper.unreadable'));
    el.src = url;
    return () => URL.revokeObjectURL(url);
  }, [file]);

  useEffect(() => {
    if (view.current) setSide(view.current.clientWidth || 280);
  }, [img]);

  const base = img ? side / Math.min(img.naturalWidth, img.naturalHeight) : 1;
  const scale = base * zoom;
  const w = img ? img.naturalWidth * scale : side;
  const h = img ? img.naturalHeight * scale : side;
  const clamp = (p: { x: number; y: number }) => ({
    x: Math.min(0, Math.max(side - w, p.x)),
    y: Math.min(0, Math.max(side - h, p.y)),
  });

  // Centre the picture when it loads.
  useEffect(() => {
    if (img) setPos({ x: (side - img.naturalWidth * base) / 2, y: (side - img.naturalHeight * base) / 2 });
  }, [img, side]);

  /** Zooms about the viewport's centre. */
  function setZoomAround(z: number) {
    const nz = Math.min(4, Math.max(1, z));
    const c = side / 2;
    const k = nz / zoom;
    setZoom(nz);
    setPos((p) => {
      const nw = img ? img.naturalWidth * base * nz : side;
      const nh = img ? img.naturalHeight * base * nz : side;
      const q = { x: c - (c - p.x) * k, y: c - (c - p.y) * k };
      return { x: Math.min(0, Math.max(side - nw, q.x)), y: Math.min(0, Math.max(side - nh, q.y)) };
    });
  }

  async function save() {
    if (!img || busy) return;
    setBusy(true);
    setError('');
    try {
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = OUT;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, OUT, OUT);
      const p = clamp(pos);
      ctx.drawImage(img, -p.x / scale, -p.y / scale, side / scale, side / scale, 0, 0, OUT, OUT);
      const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/jpeg', 0.9));
      if (!blob) throw new Error(t('people.cropper.unprepared'));
      await onDone(blob);
    } catch (err) {
      setError(err instanceof Error && !(err instanceof ApiError) ? err.message : errorText(err));
      setBusy(false);
    }
  }

  const p = clamp(pos);
  return (
    <Sheet open={file !== null} onClose={onClose} label={t('people.cropper.label')} id="avatar-cropper">
      <h2 class="sheet-title">{t('people.cropper.title')}</h2>
      <div
        class="cropper-view"
        ref={view}
        onPointerDown={(e) => {
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
          drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY, px: p.x, py: p.y };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d || d.id !== e.pointerId) return;
          setPos(clamp({ x: d.px + e.clientX - d.x, y: d.py + e.clientY - d.y }));
        }}
        onPointerUp={() => (drag.current = null)}
        onPointerCancel={() => (drag.current = null)}
        onWheel={(e) => {
          e.preventDefault();
          setZoomAround(zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1));
        }}
      >
        {img && (
          <img
            src={img.src}
            alt=""
            draggable={false}
            class="cropper-image"
            style={{ width: w + 'px', height: h + 'px', transform: `translate(${p.x}px, ${p.y}px)` }}
          />
        )}
        <div class="cropper-frame" aria-hidden="true" />
      </div>
      <label class="cropper-zoom">
        <span class="muted">{t('people.cropper.zoom')}</span>
        <input
          type="range"
          id="cropper-zoom"
          min="1"
          max="4"
          step="0.01"
          value={zoom}
          onInput={(e) => setZoomAround(Number((e.currentTarget as HTMLInputElement).value))}
        />
      </label>
      <FormError message={error} />
      <div class="sheet-actions">
        <button type="button" id="cropper-save" class="button button-primary button-block" disabled={!img || busy} onClick={save}>
          {busy ? t('people.cropper.uploading') : t('people.cropper.use')}
        </button>
      </div>
    </Sheet>
  );
}
