// What Plaza shows without a network: the conversation list and the newest
// messages of recently opened chats, saved on this device (localStorage,
// bounded) while online and put back into the chat store when loading them
// fails. The socket's reconnect resyncs everything once the network is
// back. Signing out forgets it, so the next person on this browser never
// sees it.
import type { Id, User } from '../api';
import { chat, type ChatState } from '../chat/store';
import { hydrate, parseSaved, snapshot, type Saved } from './saved';
import { createStore } from '../store';
import { loadSession, session } from '../session';
import { registerServiceWorker } from './serviceWorker';

const PREFIX = 'plaza.saved.';
const LAST = PREFIX + 'last';

function load(me: Id): Saved | null {
  try {
    return parseSaved(localStorage.getItem(PREFIX + String(me)));
  } catch {
    return null;
  }
}

/** The person whose data this browser last saved (to open offline without /me). */
export function savedUser(): User | null {
  try {
    const id = localStorage.getItem(LAST);
    return id ? (load(id)?.user ?? null) : null;
  } catch {
    return null;
  }
}

/** Forgets everything saved (signing out). */
export function clearSaved(): void {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (k?.startsWith(PREFIX)) localStorage.removeItem(k);
    }
  } catch {
    // nothing stored
  }
}

/** True while the chat list on screen comes from the device, not the server. */
export const showingSaved = createStore(false);

/** Saves as the chat store changes and hydrates when loading fails; returns the stop. */
export function startOfflineCache(user: User): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    timer = undefined;
    if (showingSaved.get()) return; // nothing new to keep
    const snap = snapshot(user, chat.get());
    if (!snap) return;
    try {
      localStorage.setItem(PREFIX + String(user.id), JSON.stringify(snap));
      localStorage.setItem(LAST, String(user.id));
    } catch {
      // full or private: the next save tries again
    }
  };
  const onChat = (s: ChatState) => {
    if (s.listError && (s.conversations === null || showingSaved.get())) {
      const saved = load(user.id);
      if (saved) {
        showingSaved.set(true);
        const next = hydrate(s, saved);
        if (next !== s) chat.set(next);
      }
      return;
    }
    if (!s.listError && s.conversations !== null && showingSaved.get()) showingSaved.set(false);
    if (!showingSaved.get() && timer === undefined) timer = setTimeout(save, 1000);
  };
  onChat(chat.get());
  const stop = chat.subscribe(onChat);
  return () => {
    stop();
    if (timer !== undefined) clearTimeout(timer);
    showingSaved.set(false);
  };
}

// Signed out (here, elsewhere, or expired): forget this person's data.
session.subscribe((s) => {
  if (s.status === 'anon') clearSaved();
});

// Opened offline with a saved session: ask the server again once the network is back.
if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    if (session.get().status === 'error') void loadSession();
  });
}

registerServiceWorker();
