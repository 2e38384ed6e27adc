import { useState } from 'preact/hooks';
import { Spinner } from './Spinner';

interface QrImageProps {
  /** The code's PNG (the url of a QR answer); null while it loads. */
  src: string | null;
  /** What the code is, for screen readers ("Alice's QR code"). */
  label: string;
  id?: string;
  size?: number;
}

/** A QR code image on a white tile, with a quiet placeholder while loading. */
export function QrImage({ src, label, id, size = 232 }: QrImageProps) {
  const [loaded, setLoaded] = useState<string | null>(null);
  return (
    <div class={'qr-image' + (src && loaded === src ? ' loaded' : '')} style={{ width: size + 'px', height: size + 'px' }}>
      {src && <img id={id} src={src} alt={label} width={size} height={size} onLoad={() => setLoaded(src)} draggable={false} />}
      {(!src || loaded !== src) && (
        <span class="qr-image-wait">
          <Spinner inline label="Loading code…" />
        </span>
      )}
    </div>
  );
}
