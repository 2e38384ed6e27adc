// Reading QR codes: the browser's BarcodeDetector where it has one, else
// jsQR (pure JavaScript) on the pixels of a canvas.
import jsQR from 'jsqr';

interface Detector {
  detect(source: CanvasImageSource | ImageData): Promise<{ rawValue: string }[]>;
}

let detector: Promise<Detector | null> | null = null;

/** The native detector when it reads QR codes here; null otherwise. */
function nativeDetector(): Promise<Detector | null> {
  if (!detector) {
    detector = (async () => {
      const BD = (window as unknown as { BarcodeDetector?: { new (o: { formats: string[] }): Detector; getSupportedFormats?: () => Promise<string[]> } }).BarcodeDetector;
      if (!BD) return null;
      try {
        const formats = (await BD.getSupportedFormats?.()) ?? [];
        return formats.includes('qr_code') ? new BD({ formats: ['qr_code'] }) : null;
      } catch {
        return null;
      }
    })();
  }
  return detector;
}

/** Decodes the first QR code in the canvas's pixels; null when there is none. */
export async function decodeCanvas(canvas: HTMLCanvasElement): Promise<string | null> {
  const native = await nativeDetector();
  if (native) {
    try {
      const found = await native.detect(canvas);
      if (found.length > 0 && found[0].rawValue) return found[0].rawValue;
    } catch {
      // fall through to jsQR
    }
  }
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx || canvas.width === 0 || canvas.height === 0) return null;
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const code = jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
  return code?.data || null;
}

/** Largest side an image is drawn at for decoding (phone photos are huge). */
const MAX_SIDE = 1200;

/** Draws source (width×height) onto canvas, scaled down to MAX_SIDE, on white. */
export function drawScaled(canvas: HTMLCanvasElement, source: CanvasImageSource, width: number, height: number): void {
  const k = Math.min(1, MAX_SIDE / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * k));
  canvas.height = Math.max(1, Math.round(height * k));
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
}

/** Decodes a QR code from a picture file; null when none is found. Rejects when the file is not an image. */
export async function decodeFile(file: File): Promise<string | null> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    drawScaled(canvas, img, img.naturalWidth, img.naturalHeight);
    return await decodeCanvas(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}
