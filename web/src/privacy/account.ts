// Me → Privacy: downloading one's data (GET /api/v1/me/export, a zip
// streamed by the server) and erasing the account (DELETE /api/v1/me).
import { ApiError, errorMessage, request } from '../api';
import { createStore } from '../store';
import { locale, t } from '../i18n';

/** "1.4 MB", "820 KB", "12 B": a download's size so far. */
export function formatBytes(n: number): string {
  if (n < 1000) return n + ' B';
  if (n < 1_000_000) return Math.round(n / 1000) + ' KB';
  if (n < 1_000_000_000) return (n / 1_000_000).toFixed(1) + ' MB';
  return (n / 1_000_000_000).toFixed(2) + ' GB';
}

/** The file name a Content-Disposition header gives, or a fallback. */
export function filenameFrom(disposition: string | null, fallback = 'plaza-export.zip'): string {
  const m = /filename="?([^";]+)"?/i.exec(disposition ?? '');
  const name = m?.[1]?.trim() ?? '';
  // Never a path: the last segment only, and something to save.
  const base = name.split(/[\\/]/).pop() ?? '';
  return base || fallback;
}

/**
 * Downloads the export, reporting the bytes received as they arrive, and
 * returns it with the server's file name. The server streams it (its size
 * is not known in advance).
 */
export async function downloadExport(onProgress: (bytes: number) => void, signal?: AbortSignal): Promise<{ blob: Blob; name: string }> {
  let res: Response;
  try {
    res = await fetch('/api/v1/me/export', { credentials: 'same-origin', headers: { Accept: 'application/zip' }, signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', t('errors.network'));
  }
  if (!res.ok) {
    let code = 'http_' + res.status;
    let message = t('settings.privacy_page.export_failed');
    try {
      const e = (await res.json())?.error;
      if (e?.code) code = e.code;
      if (e?.message) message = e.message;
    } catch {
      // not JSON: keep the fallback
    }
    throw new ApiError(res.status, code, message);
  }
  const chunks: BlobPart[] = [];
  let received = 0;
  const reader = res.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress(received);
    }
  } else {
    const buf = await res.arrayBuffer();
    chunks.push(buf);
    onProgress(buf.byteLength);
  }
  const type = res.headers.get('Content-Type') ?? 'application/zip';
  return { blob: new Blob(chunks, { type }), name: filenameFrom(res.headers.get('Content-Disposition')) };
}

/** Hands a downloaded file to the browser to save. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Erases the signed-in account (the password confirms it). */
export function eraseAccount(password: string): Promise<void> {
  return request<void>('DELETE', '/api/v1/me', { body: { password } });
}

/**
 * What to tell someone whose erasure was refused: for money still held
 * (409 balance_not_zero) the server's sentence names it ("Withdraw your
 * balance of ¥12.30 first."), shown as the reason.
 */
export function erasureRefusal(err: unknown): { message: string; moneyHeld: boolean } {
  if (err instanceof ApiError) {
    // The server's sentence names the amount; in another language the catalogue's.
    if (err.code === 'balance_not_zero') return { message: locale.get() === 'en' ? err.message : errorMessage(err), moneyHeld: true };
    if (err.code === 'wrong_password') return { message: t('settings.privacy_page.wrong_password'), moneyHeld: false };
    return { message: errorMessage(err), moneyHeld: false };
  }
  return { message: t('common.generic_error'), moneyHeld: false };
}

/**
 * The export in progress or last finished, kept outside the page so that
 * leaving Me → Privacy (or the page re-rendering) mid-download loses
 * neither the download nor its "saved" line.
 */
export interface ExportState {
  /** Bytes received so far, or null when no download runs. */
  downloaded: number | null;
  /** What the last download saved ("Your data is saved (1.4 MB)."). */
  saved: string;
  error: string;
}

export const exportState = createStore<ExportState>({ downloaded: null, saved: '', error: '' });

/** Starts the export (once at a time); resolves with the saved line or '' on failure. */
export async function startExport(): Promise<string> {
  if (exportState.get().downloaded !== null) return '';
  exportState.set({ downloaded: 0, saved: '', error: '' });
  try {
    const { blob, name } = await downloadExport((n) => exportState.set((s) => ({ ...s, downloaded: n })));
    saveFile(blob, name);
    const done = t('settings.privacy_page.saved', { size: formatBytes(blob.size) });
    exportState.set({ downloaded: null, saved: done, error: '' });
    return done;
  } catch (err) {
    exportState.set({ downloaded: null, saved: '', error: errorMessage(err) });
    return '';
  }
}
