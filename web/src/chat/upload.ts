// Uploads with progress and cancel: XMLHttpRequest, since fetch reports
// no upload progress. POST /api/v1/media?kind=image|voice|file.
import { ApiError, currentCsrfToken, type Id } from '../api';
import { t } from '../i18n';

export type UploadKind = 'image' | 'voice' | 'file';

export interface Uploaded {
  media_id: Id;
  url: string;
  content_type: string;
  size: number;
  kind: UploadKind;
  name?: string;
  duration_ms?: number;
}

export interface UploadHandle {
  done: Promise<Uploaded>;
  /** Stops the upload; done rejects with an AbortError. */
  abort: () => void;
}

export const MAX_FILE_BYTES = 100 * 1024 * 1024;

/** Sends blob as the form's file part under name; onProgress gets 0…1. */
export function uploadMedia(blob: Blob, name: string, kind: UploadKind, onProgress?: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Uploaded>((resolve, reject) => {
    xhr.open('POST', '/api/v1/media?kind=' + kind);
    xhr.setRequestHeader('Accept', 'application/json');
    const csrf = currentCsrfToken();
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(Math.min(1, e.loaded / e.total));
    };
    xhr.onload = () => {
      let data: unknown;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300 && data) {
        resolve(data as Uploaded);
        return;
      }
      const e = (data as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
      const fallback = xhr.status === 413 ? t('chat.upload.too_large') : t('chat.upload.failed', { status: String(xhr.status) });
      const code = e?.code ?? (xhr.status === 413 ? 'payload_too_large' : 'http_' + xhr.status);
      reject(new ApiError(xhr.status, code, e?.message ?? fallback, e?.field ?? ''));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', t('errors.network')));
    xhr.onabort = () => reject(new DOMException('cancelled', 'AbortError'));
    const form = new FormData();
    form.append('file', blob, name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

/** "12.5 MB", "830 KB", "120 B". */
export function formatBytes(n: number): string {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(n < 10 * 1024 ? 1 : 0) + ' KB';
  if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0) + ' MB';
  return (n / 1024 / 1024 / 1024).toFixed(1) + ' GB';
}

/** The icon family of a file, from its name (then its type). */
export type FileFamily = 'pdf' | 'doc' | 'xls' | 'ppt' | 'zip' | 'audio' | 'video' | 'image' | 'text' | 'other';

export function fileFamily(name: string, type = ''): FileFamily {
  const ext = (name.includes('.') ? name.split('.').pop() ?? '' : '').toLowerCase();
  const byExt: Record<string, FileFamily> = {
    pdf: 'pdf',
    doc: 'doc', docx: 'doc', odt: 'doc', rtf: 'doc', pages: 'doc',
    xls: 'xls', xlsx: 'xls', ods: 'xls', csv: 'xls', numbers: 'xls',
    ppt: 'ppt', pptx: 'ppt', odp: 'ppt', key: 'ppt',
    zip: 'zip', rar: 'zip', '7z': 'zip', gz: 'zip', tgz: 'zip', tar: 'zip', bz2: 'zip', xz: 'zip',
    mp3: 'audio', m4a: 'audio', wav: 'audio', flac: 'audio', aac: 'audio', ogg: 'audio', opus: 'audio', amr: 'audio',
    mp4: 'video', mov: 'video', m4v: 'video', webm: 'video', mkv: 'video', avi: 'video',
    png: 'image', jpg: 'image', jpeg: 'image', gif: 'image', webp: 'image', heic: 'image', bmp: 'image', svg: 'image',
    txt: 'text', md: 'text', log: 'text', json: 'text', xml: 'text', html: 'text', htm: 'text',
  };
  if (byExt[ext]) return byExt[ext];
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('image/')) return 'image';
  if (type === 'application/pdf') return 'pdf';
  if (type === 'application/zip') return 'zip';
  return 'other';
}
