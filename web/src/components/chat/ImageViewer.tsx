import { useEffect } from 'preact/hooks';
import { CloseIcon } from '../Icons';

/** Full-screen image overlay; tap anywhere or press Escape to close. */
export function ImageViewer({ src, onClose }: { src: string | null; onClose: () => void }) {
  useEffect(() => {
    if (!src) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [src, onClose]);

  if (!src) return null;
  return (
    <div id="image-viewer" class="image-viewer" role="dialog" aria-modal="true" aria-label="Image" onClick={onClose}>
      <img src={src} alt="Full-size image" />
      <button type="button" class="icon-button image-viewer-close" aria-label="Close" onClick={onClose}>
        <CloseIcon size={24} />
      </button>
    </div>
  );
}
