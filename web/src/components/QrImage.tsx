import { useState } from 'preact/hooks';
import { Spinner } from './Spinner';
import { t } from '../i18n';

interface QrImageProps {
  /** The code's PNG (the url of a QR answer); null while it loads. */
  src: string | null;
  /** What the code is, for screen readers ("Alice's QR code"). */
  label: string;
  id?: string;
  size?: number;
}

/**
 * A QR code image on a white tile, with a quiet placeholder while loading
 * and, if the image cannot be had, a sentence and a Retry button.
 */
export function QrImage({ src, label, id, size = 232 }: QrImageProps) {
  const [loaded, setLoaded] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const broken = !!src && failed === src;
  const url = src && attempt > 0 ? src + (src.includes('?') ? '&' : '?') + 'retry=' + attempt : src;
  return (
    <div class={'qr-image' + (src && loaded === src ? ' loaded' : '')} style={{ width: size + 'px', height: size + 'px' }}>
      {src && !broken && (
        <img
          id={id}
          src={url!}
          alt={label}
          width={size}
          height={size}
          onLoad={() => setLoaded(src)}
          onError={() => setFailed(src)}
          draggable={false}
        />
      )}
      {broken ? (
        <span class="qr-image-wait qr-image-failed" role="alert">
          {t('wallet.qrimage.failed')}
          <button
            type="button"
            class="button button-secondary"
            onClick={() => {
              setFailed(null);
              setAttempt((n) => n + 1);
            }}
          >
            {t('wallet.qrimage.retry')}
          </button>
        </span>
      ) : (
        (!src || loaded !== src) && (
          <span class="qr-image-wait">
            <Spinner inline label={t('wallet.qrimage.loading')} />
          </span>
        )
      )}
    </div>
  );
}
