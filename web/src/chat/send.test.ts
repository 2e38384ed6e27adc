import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The socket and the toasts are the edges of sending: the socket takes
// every frame, and a toast is what the person would see.
const frames: Array<{ client_id: string }> = [];
vi.mock('./socket', () => ({
  sendFrame: (f: { client_id: string }) => {
    frames.push(f);
    return true;
  },
}));
const toasts: string[] = [];
vi.mock('../toast', () => ({ showToast: (m: string) => toasts.push(m) }));

vi.stubGlobal('window', globalThis);

const { sendText, onSendError, onAck } = await import('./send');
const { chat } = await import('./store');

/** An open, loaded thread of conversation id, for sends to land in. */
function openThread(id: string) {
  chat.set((s) => ({
    ...s,
    threads: { ...s.threads, [id]: { items: [], pending: [], status: 'ready', error: '', hasOlder: false, loadingOlder: false } },
  }));
}

function pendingOf(clientId: string) {
  for (const t of Object.values(chat.get().threads)) {
    const p = t.pending.find((x) => x.client_id === clientId);
    if (p) return p;
  }
  return undefined;
}

describe('a send the server shed (429 rate_limited)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    frames.length = 0;
    toasts.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('goes again with the same client_id after a jittered 0.5 s·2^n pause, six times, then fails', () => {
    openThread('c_shed');
    sendText('c_shed', 'hello');
    expect(frames).toHaveLength(1);
    const id = frames[0].client_id;
    for (let n = 1; n <= 6; n++) {
      onSendError(id, 'busy', 'rate_limited');
      const wait = 500 * 2 ** (n - 1);
      vi.advanceTimersByTime(wait * 0.75 - 1);
      expect(frames, `try ${n} resent before ${wait * 0.75} ms`).toHaveLength(n);
      vi.advanceTimersByTime(wait * 0.5 + 2);
      expect(frames, `try ${n} not resent within ${wait * 1.25} ms`).toHaveLength(n + 1);
      expect(frames[n].client_id).toBe(id);
      expect(pendingOf(id)?.status).toBe('sending');
    }
    expect(toasts).toEqual([]);
    onSendError(id, 'busy', 'rate_limited'); // the seventh: give up
    expect(pendingOf(id)?.status).toBe('failed');
    expect(toasts).toEqual(['busy']);
    vi.advanceTimersByTime(60_000);
    expect(frames).toHaveLength(7);
  });

  it('starts its pauses over once a send is acknowledged', () => {
    openThread('c_shed2');
    sendText('c_shed2', 'again');
    const id = frames[0].client_id;
    onSendError(id, 'busy', 'rate_limited');
    vi.advanceTimersByTime(625);
    onSendError(id, 'busy', 'rate_limited');
    vi.advanceTimersByTime(1250);
    expect(frames).toHaveLength(3);
    onAck(id);
    sendText('c_shed2', 'next');
    const next = frames[3].client_id;
    onSendError(next, 'busy', 'rate_limited');
    vi.advanceTimersByTime(625); // the first pause again, not the third
    expect(frames).toHaveLength(5);
    expect(frames[4].client_id).toBe(next);
  });

  it('fails at once, with a toast, on any other error', () => {
    openThread('c_shed3');
    sendText('c_shed3', 'nope');
    const id = frames[0].client_id;
    onSendError(id, 'You were blocked.', 'forbidden');
    expect(pendingOf(id)?.status).toBe('failed');
    expect(toasts).toEqual(['You were blocked.']);
    vi.advanceTimersByTime(60_000);
    expect(frames).toHaveLength(1);
  });
});
