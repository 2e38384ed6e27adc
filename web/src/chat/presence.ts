// Presence and state: who is online (and when others were last seen), who
// is typing where, how far each member has read, and my "show last seen"
// setting. Fed by socket frames (presence, typing, read) and by the REST
// calls GET /presence, GET /conversations/{id}/reads, GET/PUT /me/settings.
import { request, type Id } from '../api';
import { fmtDate, t } from '../i18n';
import { createStore } from '../store';
import { sendFrame } from './socket';

export interface PresenceState {
  online: boolean;
  /** RFC 3339, or null when hidden (or never seen). */
  last_seen: string | null;
}

export interface MemberRead {
  user_id: Id;
  read_seq: number;
  joined_seq: number;
}

export interface Reader {
  id: Id;
  username: string;
  display_name: string;
}

/** Typing shows this long after the last typing frame. */
export const TYPING_SHOWN_MS = 5000;
/** We say we are typing at most this often per conversation. */
export const TYPING_EVERY_MS = 3000;

const k = (id: Id) => String(id);

export const presence = createStore<Record<string, PresenceState>>({});
/** conversation → user → until when (ms) they show as typing. */
export const typing = createStore<Record<string, Record<string, number>>>({});
/** conversation → user → their read position. */
export const reads = createStore<Record<string, Record<string, MemberRead>>>({});
/** null until loaded. */
export const mySettings = createStore<{ show_last_seen: boolean } | null>(null);

const typingTimers = new Map<string, number>();
const lastTypingSent = new Map<string, number>();

export const presenceApi = {
  presence: (ids: Id[]) =>
    request<{ items: ({ user_id: Id } & PresenceState)[] }>('GET', '/api/v1/presence?user_ids=' + ids.map((i) => encodeURIComponent(String(i))).join(',')),
  reads: (conv: Id) => request<{ items: MemberRead[] }>('GET', '/api/v1/conversations/' + encodeURIComponent(String(conv)) + '/reads'),
  messageReads: (conv: Id, seq: number) =>
    request<{ read: Reader[]; unread: Reader[] }>('GET', '/api/v1/conversations/' + encodeURIComponent(String(conv)) + '/messages/' + seq + '/reads'),
  settings: () => request<{ show_last_seen: boolean }>('GET', '/api/v1/me/settings'),
  putSettings: (show_last_seen: boolean) => request<{ show_last_seen: boolean }>('PUT', '/api/v1/me/settings', { body: { show_last_seen } }),
};

// ---------- presence ----------

export function onPresenceFrame(userId: Id, state: PresenceState): void {
  presence.set((p) => ({ ...p, [k(userId)]: { online: !!state.online, last_seen: state.last_seen ?? null } }));
}

/** Asks the server for these users' presence (those it may tell us about). */
export async function refreshPresence(ids: Id[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    const r = await presenceApi.presence(ids);
    presence.set((p) => {
      const next = { ...p };
      for (const it of r.items ?? []) next[k(it.user_id)] = { online: !!it.online, last_seen: it.last_seen ?? null };
      return next;
    });
  } catch {
    // offline or not allowed: show nothing
  }
}

/** "Online", "Last seen 5 min ago" ("在线", "5 分钟前在线"), or '' (hidden, unknown). */
export function presenceLabel(s: PresenceState | undefined, now: number = Date.now()): string {
  if (!s) return '';
  if (s.online) return t('chat.presence.online');
  if (!s.last_seen) return '';
  const at = Date.parse(s.last_seen);
  if (Number.isNaN(at)) return '';
  const mins = Math.floor((now - at) / 60000);
  if (mins < 1) return t('chat.presence.just_now');
  if (mins < 60) return t('chat.presence.minutes', { count: mins });
  const hours = Math.floor(mins / 60);
  if (hours < 24) return t('chat.presence.hours', { count: hours });
  return t('chat.presence.date', { date: fmtDate(at, { month: 'short', day: 'numeric' }) });
}

// ---------- typing ----------

export function onTypingFrame(convId: Id, userId: Id, now: number = Date.now()): void {
  const c = k(convId);
  const u = k(userId);
  typing.set((t) => ({ ...t, [c]: { ...(t[c] ?? {}), [u]: now + TYPING_SHOWN_MS } }));
  const key = c + '/' + u;
  window.clearTimeout(typingTimers.get(key));
  typingTimers.set(
    key,
    window.setTimeout(() => clearTyping(convId, userId), TYPING_SHOWN_MS),
  );
}

/** A message from them ends their typing at once. */
export function clearTyping(convId: Id, userId: Id): void {
  const c = k(convId);
  const u = k(userId);
  typingTimers.delete(c + '/' + u);
  typing.set((t) => {
    if (!t[c]?.[u]) return t;
    const rest = { ...t[c] };
    delete rest[u];
    return { ...t, [c]: rest };
  });
}

/** Who is typing in a conversation now. */
export function typingIn(state: Record<string, Record<string, number>>, convId: Id, now: number = Date.now()): string[] {
  const m = state[k(convId)] ?? {};
  return Object.keys(m).filter((u) => m[u] > now);
}

/** The composer changed: tell the others we type, at most every 3 s, and never for an empty box. */
export function noteTyping(convId: Id, text: string, now: number = Date.now()): boolean {
  if (text.trim() === '') return false;
  const c = k(convId);
  if (now - (lastTypingSent.get(c) ?? -Infinity) < TYPING_EVERY_MS) return false;
  if (!sendFrame({ type: 'typing', conversation_id: convId })) return false;
  lastTypingSent.set(c, now);
  return true;
}

// ---------- read state ----------

export async function loadReads(convId: Id): Promise<void> {
  try {
    const r = await presenceApi.reads(convId);
    const m: Record<string, MemberRead> = {};
    for (const it of r.items ?? []) m[k(it.user_id)] = it;
    reads.set((s) => {
      // Frames that came while we asked are newer: keep the higher seq.
      const cur = s[k(convId)] ?? {};
      for (const u of Object.keys(cur)) if (m[u]) m[u] = { ...m[u], read_seq: Math.max(m[u].read_seq, cur[u].read_seq) };
      return { ...s, [k(convId)]: m };
    });
  } catch {
    // not a member any more, or offline
  }
}

export function onReadFrame(convId: Id, userId: Id, seq: number): void {
  const c = k(convId);
  const u = k(userId);
  reads.set((s) => {
    const conv = s[c];
    if (!conv) return s; // not loaded: the next load has it
    const cur = conv[u] ?? { user_id: userId, read_seq: 0, joined_seq: 0 };
    if (cur.read_seq >= seq) return s;
    return { ...s, [c]: { ...conv, [u]: { ...cur, read_seq: seq } } };
  });
}

/** How many members other than the sender have read seq (of those who could see it). */
export function readCount(conv: Record<string, MemberRead> | undefined, seq: number, senderId: Id): number {
  if (!conv) return 0;
  let n = 0;
  for (const r of Object.values(conv)) {
    if (k(r.user_id) === k(senderId) || r.joined_seq > seq) continue;
    if (r.read_seq >= seq) n++;
  }
  return n;
}

// ---------- settings ----------

export async function loadSettings(): Promise<void> {
  try {
    mySettings.set(await presenceApi.settings());
  } catch {
    // keep what we had
  }
}

export async function setShowLastSeen(show: boolean): Promise<void> {
  mySettings.set(await presenceApi.putSettings(show));
  // Reciprocal: what we may see of others changed.
  const ids = Object.keys(presence.get());
  presence.set({});
  await refreshPresence(ids);
}

export function resetPresence(): void {
  for (const t of typingTimers.values()) window.clearTimeout(t);
  typingTimers.clear();
  lastTypingSent.clear();
  presence.set({});
  typing.set({});
  reads.set({});
  mySettings.set(null);
}
