// Outgoing messages: optimistic bubbles, socket-first sending with an HTTP
// fallback, image upload, retry. A client_id makes every send idempotent, so
// re-sending after a dropped socket can never duplicate a message.
import { ApiError, errorMessage, type Id } from '../api';
import { showToast } from '../toast';
import { chatApi } from './api';
import type { Pending } from './merge';
import { chat, receive, updateThread } from './store';
import { sendFrame } from './socket';

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

export function sendText(convId: Id, text: string, mentions?: string[]): void {
  const body = text.trim();
  if (!body) return;
  const p: Pending = {
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
  if (!IMAGE_TYPES.includes(file.type)) return 'Choose a JPEG, PNG, GIF or WebP image.';
  if (file.size > MAX_IMAGE_BYTES) return 'Images can be up to 10 MB.';
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
    const body =
      p.kind === 'image'
        ? { client_id: p.client_id, kind: 'image' as const, media_id: mediaId! }
        : { client_id: p.client_id, kind: 'text' as const, text: p.text, ...(p.mentions ? { mentions: p.mentions } : {}) };
    const { message } = await chatApi.send(p.conversation_id, body);
    receive(p.conversation_id, [message]);
  } catch (err) {
    // The server refused it (not just unreachable): say why, once.
    if (err instanceof ApiError && err.status > 0) showToast(err.message, 'error');
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
  window.clearTimeout(awaitingAck.get(clientId));
  awaitingAck.delete(clientId);
}

export function onSendError(clientId: string, message: string): void {
  const p = findPending(clientId);
  if (!p) return;
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
