// Outgoing messages: optimistic bubbles, socket-first sending with an HTTP
// fallback, image upload, retry. A client_id makes every send idempotent, so
// re-sending after a dropped socket can never duplicate a message.
import { ApiError, errorMessage, type Id } from '../api';
import { showToast } from '../toast';
import { t } from '../i18n';
import { chatApi, type Quote } from './api';
import type { Pending } from './merge';
import { chat, receive, updateThread } from './store';
import { sendFrame } from './socket';
import { MAX_FILE_BYTES, uploadMedia, type UploadHandle } from './upload';

export const MAX_TEXT = 4000;
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const ACK_WITHIN = 10_000;

/** client_id → timer for sends that went over the socket and await an ack. */
const awaitingAck = new Map<string, number>();

function newClientId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
}

function addPending(p: Pending): void {
  updateThread(p.conversation_id, (t) => ({ ...t, pending: [...t.pending, p] }));
}

function patchPending(convId: Id, clientId: string, patch: Partial<Pending>): void {
  updateThread(convId, (t) => {
    if (!t.pending.some((p) => p.client_id === clientId)) return t;
    return { ...t, pending: t.pending.map((p) => (p.client_id === clientId ? { ...p, ...patch } : p)) };
  });
}

function findPending(clientId: string): Pending | undefined {
  for (const t of Object.values(chat.get().threads)) {
    const p = t.pending.find((x) => x.client_id === clientId);
    if (p) return p;
  }
  return undefined;
}

export function sendText(convId: Id, text: string, replyTo?: Quote, mentions?: string[]): void {
  const body = text.trim();
  if (!body) return;
  const p: Pending = {
    reply_to: replyTo,
    client_id: newClientId(),
    conversation_id: convId,
    kind: 'text',
    text: body.slice(0, MAX_TEXT),
    mentions: mentions?.length ? mentions : undefined,
    status: 'sending',
    created_at: new Date().toISOString(),
  };
  addPending(p);
  dispatch(p);
}

/** Returns an error sentence when the file can't be sent, else queues it. */
export function sendImage(convId: Id, file: File): string {
  if (!IMAGE_TYPES.includes(file.type)) return t('chat.send.image_type');
  if (file.size > MAX_IMAGE_BYTES) return t('chat.send.image_size');
  const p: Pending = {
    client_id: newClientId(),
    conversation_id: convId,
    kind: 'image',
    text: '',
    file,
    preview_url: URL.createObjectURL(file),
    status: 'sending',
    created_at: new Date().toISOString(),
  };
  addPending(p);
  dispatch(p);
  return '';
}

/** A recorded voice clip: uploaded with progress, then sent as kind voice. */
export function sendVoice(convId: Id, blob: Blob, durationMs: number): void {
  const ext = blob.type.includes('ogg') ? 'ogg' : 'webm';
  const file = new File([blob], 'voice.' + ext, { type: blob.type || 'audio/webm' });
  const p: Pending = {
    client_id: newClientId(),
    conversation_id: convId,
    kind: 'voice',
    text: '',
    file,
    duration_ms: durationMs,
    progress: 0,
    status: 'sending',
    created_at: new Date().toISOString(),
  };
  addPending(p);
  dispatch(p);
}

/** Any file up to 100 MB; returns an error sentence when it can't be sent. */
export function sendFile(convId: Id, file: File): string {
  if (file.size === 0) return t('chat.send.file_empty');
  if (file.size > MAX_FILE_BYTES) return t('chat.send.file_size');
  const p: Pending = {
    client_id: newClientId(),
    conversation_id: convId,
    kind: 'file',
    text: '',
    file,
    name: file.name || 'file',
    size: file.size,
    progress: 0,
    status: 'sending',
    created_at: new Date().toISOString(),
  };
  addPending(p);
  dispatch(p);
  return '';
}

/** Uploads in flight, by client_id, so that their bubble can cancel them. */
const uploading = new Map<string, UploadHandle>();

/** Stops an upload: its bubble goes and nothing is sent. */
export function cancelUpload(convId: Id, clientId: string): void {
  uploading.get(clientId)?.abort();
  uploading.delete(clientId);
  updateThread(convId, (t) => ({ ...t, pending: t.pending.filter((p) => p.client_id !== clientId) }));
}

function isCancelled(convId: Id, clientId: string): boolean {
  return !chat.get().threads[String(convId)]?.pending.some((p) => p.client_id === clientId);
}

async function uploadPending(p: Pending): Promise<Id> {
  if (!p.file) throw new Error('missing file');
  let last = 0;
  const h = uploadMedia(p.file, p.name ?? p.file.name, p.kind === 'voice' ? 'voice' : 'file', (f) => {
    if (f - last < 0.01 && f < 1) return;
    last = f;
    patchPending(p.conversation_id, p.client_id, { progress: f });
  });
  uploading.set(p.client_id, h);
  try {
    const up = await h.done;
    return up.media_id;
  } finally {
    uploading.delete(p.client_id);
  }
}

export function retry(convId: Id, clientId: string): void {
  const p = chat.get().threads[String(convId)]?.pending.find((x) => x.client_id === clientId);
  if (!p || p.status !== 'failed') return;
  patchPending(convId, clientId, { status: 'sending', error: '' });
  dispatch({ ...p, status: 'sending' });
}

/** Text goes over the socket when it is up; images and everything else over HTTP. */
function dispatch(p: Pending): void {
  if (p.kind === 'text') {
    const sent = sendFrame({
      type: 'send',
      conversation_id: p.conversation_id,
      client_id: p.client_id,
      kind: 'text',
      text: p.text,
      ...(p.reply_to ? { reply_to: p.reply_to.id } : {}),
      ...(p.mentions ? { mentions: p.mentions } : {}),
    });
    if (sent) {
      window.clearTimeout(awaitingAck.get(p.client_id));
      awaitingAck.set(
        p.client_id,
        window.setTimeout(() => {
          awaitingAck.delete(p.client_id);
          void post(p); // no ack in time: the idempotent POST settles it either way
        }, ACK_WITHIN),
      );
      return;
    }
  }
  void post(p);
}

async function post(p: Pending): Promise<void> {
  try {
    let mediaId = p.media_id;
    if (p.kind === 'image' && mediaId === undefined) {
      if (!p.file) throw new Error('missing file');
      mediaId = (await chatApi.upload(p.file)).media_id;
      patchPending(p.conversation_id, p.client_id, { media_id: mediaId });
    }
    if ((p.kind === 'voice' || p.kind === 'file') && mediaId === undefined) {
      mediaId = await uploadPending(p);
      if (isCancelled(p.conversation_id, p.client_id)) return;
      patchPending(p.conversation_id, p.client_id, { media_id: mediaId, progress: 1 });
    }
    const body =
      p.kind === 'image'
        ? { client_id: p.client_id, kind: 'image' as const, media_id: mediaId! }
        : p.kind === 'voice' || p.kind === 'file'
          ? { client_id: p.client_id, kind: p.kind, media_id: mediaId! }
          : { client_id: p.client_id, kind: 'text' as const, text: p.text, ...(p.reply_to ? { reply_to: p.reply_to.id } : {}), ...(p.mentions ? { mentions: p.mentions } : {}) };
    const { message } = await chatApi.send(p.conversation_id, body);
    shedTries.delete(p.client_id);
    receive(p.conversation_id, [message]);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return; // cancelled: the bubble is gone
    if (err instanceof ApiError && err.status === 429 && retryLater(p.client_id)) return;
    // The server refused it (not just unreachable): say why, once.
    if (err instanceof ApiError && err.status > 0) showToast(errorMessage(err), 'error');
    fail(p.conversation_id, p.client_id, errorMessage(err));
  }
}

function fail(convId: Id, clientId: string, error: string): void {
  window.clearTimeout(awaitingAck.get(clientId));
  awaitingAck.delete(clientId);
  patchPending(convId, clientId, { status: 'failed', error });
}

// ---------- socket events ----------

export function onAck(clientId: string): void {
  shedTries.delete(clientId);
  window.clearTimeout(awaitingAck.get(clientId));
  awaitingAck.delete(clientId);
}

/** Sends the server shed (busy: 429 rate_limited) and how often. */
const shedTries = new Map<string, number>();
const MAX_SHED_TRIES = 6;

/**
 * A busy server refused the send and wrote nothing: the bubble stays
 * "sending" and the same client_id goes again after a growing, jittered
 * pause (0.5 s, 1 s, 2 s … up to 6 tries), so a crowd of clients does not
 * come back at once. False once the tries are used up.
 */
function retryLater(clientId: string): boolean {
  const n = (shedTries.get(clientId) ?? 0) + 1;
  if (n > MAX_SHED_TRIES) {
    shedTries.delete(clientId);
    return false;
  }
  shedTries.set(clientId, n);
  window.clearTimeout(awaitingAck.get(clientId));
  awaitingAck.delete(clientId);
  const wait = 500 * 2 ** (n - 1) * (0.75 + Math.random() * 0.5);
  window.setTimeout(() => {
    const p = findPending(clientId);
    if (p && p.status === 'sending') dispatch(p);
  }, wait);
  return true;
}

export function onSendError(clientId: string, message: string, code?: string): void {
  const p = findPending(clientId);
  if (!p) return;
  if (code === 'rate_limited' && retryLater(clientId)) return;
  shedTries.delete(clientId);
  showToast(message, 'error');
  fail(p.conversation_id, clientId, message);
}

/** The socket dropped: whatever was waiting for an ack goes over HTTP now. */
export function onSocketDown(): void {
  const ids = [...awaitingAck.keys()];
  for (const id of ids) {
    window.clearTimeout(awaitingAck.get(id));
    awaitingAck.delete(id);
    const p = findPending(id);
    if (p && p.status === 'sending') void post(p);
  }
}

export function resetSending(): void {
  for (const t of awaitingAck.values()) window.clearTimeout(t);
  awaitingAck.clear();
}
