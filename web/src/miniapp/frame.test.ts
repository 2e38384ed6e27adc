import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appOrigin, bridgeCall, frameSrc, newNonce, pagePath, recentApps, rememberApp, str, trialLabel } from './frame';

// frame.ts reads the page's location, <meta name="plaza-apps"> and localStorage:
// each test sets them up (vitest runs in Node, without a DOM).
function page(opts: { url?: string; apps?: string | null } = {}) {
  const url = new URL(opts.url ?? 'http://localhost:8080/app/wx1');
  vi.stubGlobal('window', { location: { protocol: url.protocol, port: url.port, search: url.search } });
  vi.stubGlobal('document', {
    querySelector: (sel: string) =>
      sel === 'meta[name="plaza-apps"]' && opts.apps != null ? { getAttribute: (a: string) => (a === 'content' ? opts.apps : null) } : null,
  });
}

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, String(v)),
    removeItem: (k: string) => void m.delete(k),
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('newNonce', () => {
  it('is 32 letters and digits, fresh each time', () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(newNonce()).not.toBe(a);
  });
});

describe('appOrigin', () => {
  it('follows this page under the apps domain by default', () => {
    page({ url: 'http://localhost:8080/' });
    expect(appOrigin('WX1ab')).toBe('http://wx1ab.apps.localhost:8080');
  });

  it('uses <meta name="plaza-apps"> when the server sets it', () => {
    page({ apps: 'https://apps.example.com' });
    expect(appOrigin('wx1')).toBe('https://wx1.apps.example.com');
  });

  it('ignores a meta that is not a URL', () => {
    page({ url: 'http://localhost:8080/', apps: 'not a url' });
    expect(appOrigin('wx1')).toBe('http://wx1.apps.localhost:8080');
  });

  it('runs a trial under its label when it belongs to the app', () => {
    const label = 'wx1--v2--abcdefghijklmnop';
    page({ url: 'http://localhost:8080/app/wx1?trial=' + label });
    expect(trialLabel('wx1')).toBe(label);
    expect(appOrigin('wx1')).toBe('http://' + label + '.apps.localhost:8080');
    expect(trialLabel('wx2')).toBe(''); // another app's label
  });

  it('refuses a malformed trial label', () => {
    page({ url: 'http://localhost:8080/app/wx1?trial=wx1--v0--abc' });
    expect(trialLabel('wx1')).toBe('');
    expect(appOrigin('wx1')).toBe('http://wx1.apps.localhost:8080');
  });
});

describe('frameSrc', () => {
  beforeEach(() => page());

  it('puts the nonce in the hash', () => {
    expect(frameSrc('wx1', '/', 'N')).toBe('http://wx1.apps.localhost:8080/#plaza_nonce=N');
    expect(frameSrc('wx1', '/pages/item?id=3', 'N')).toBe('http://wx1.apps.localhost:8080/pages/item?id=3#plaza_nonce=N');
  });

  it('resolves a relative page against the current one', () => {
    expect(frameSrc('wx1', 'cart', 'N', '/pages/item?id=3')).toBe('http://wx1.apps.localhost:8080/pages/cart#plaza_nonce=N');
    expect(frameSrc('wx1', '../x', 'N', 'no-slash')).toBe('http://wx1.apps.localhost:8080/x#plaza_nonce=N');
  });

  it('refuses to leave the app', () => {
    expect(frameSrc('wx1', 'https://evil.example/', 'N')).toBeNull();
    expect(frameSrc('wx1', '//wx2.apps.localhost:8080/', 'N')).toBeNull();
    expect(frameSrc('wx1', 'javascript:alert(1)', 'N')).toBeNull();
    expect(frameSrc('wx1', 'http://wx1.apps.localhost:9090/', 'N')).toBeNull();
  });

  it("carries a trial's launch token in the query", () => {
    const src = frameSrc('wx1', '/pages/a?x=1', 'N', '/', 'L1');
    expect(src).toBe('http://wx1.apps.localhost:8080/pages/a?x=1&plaza_launch=L1#plaza_nonce=N');
    expect(pagePath(src!)).toBe('/pages/a?x=1');
  });

  it('pagePath falls back to / for what is not a URL', () => {
    expect(pagePath('::')).toBe('/');
  });
});

describe('bridgeCall', () => {
  const frame = {} as Window;
  const other = {} as Window;
  const ev = (data: unknown, source: unknown = frame) => ({ data, source }) as MessageEvent;
  const good = { plaza: 1, id: 'c1', method: 'login', args: { a: 1 }, nonce: 'N' };

  it('takes a well-formed call from the frame with the nonce', () => {
    expect(bridgeCall(ev(good), frame, 'N')).toEqual({ id: 'c1', method: 'login', args: { a: 1 } });
  });

  it('ignores another window, no frame, or a wrong nonce', () => {
    expect(bridgeCall(ev(good, other), frame, 'N')).toBeNull();
    expect(bridgeCall(ev(good, null), null, 'N')).toBeNull();
    expect(bridgeCall(ev(good), frame, 'M')).toBeNull();
    expect(bridgeCall(ev({ ...good, nonce: undefined }), frame, 'N')).toBeNull();
  });

  it('ignores what is not a bridge call', () => {
    for (const d of [null, 'login', { ...good, plaza: 2 }, { ...good, id: '' }, { ...good, id: 7 }, { ...good, id: 'x'.repeat(101) }, { ...good, method: '' }]) {
      expect(bridgeCall(ev(d), frame, 'N')).toBeNull();
    }
  });

  it('makes bad args an empty object', () => {
    expect(bridgeCall(ev({ ...good, args: [1, 2] }), frame, 'N')?.args).toEqual({});
    expect(bridgeCall(ev({ ...good, args: 'x' }), frame, 'N')?.args).toEqual({});
  });
});

describe('str', () => {
  it('reads strings and numbers, else empty', () => {
    expect(str({ a: 'x', b: 3, c: true, d: null }, 'a')).toBe('x');
    expect(str({ b: 3 }, 'b')).toBe('3');
    expect(str({ c: true }, 'c')).toBe('');
    expect(str({}, 'missing')).toBe('');
  });
});

describe('recent apps', () => {
  beforeEach(() => vi.stubGlobal('localStorage', memoryStorage()));

  it('keeps the newest first, once each, per user, at most 8', () => {
    for (let i = 1; i <= 9; i++) rememberApp('alice', { appid: 'wx' + i, name: 'App ' + i });
    rememberApp('alice', { appid: 'wx5', name: 'App 5' });
    const list = recentApps('alice');
    expect(list.map((a) => a.appid)).toEqual(['wx5', 'wx9', 'wx8', 'wx7', 'wx6', 'wx4', 'wx3', 'wx2']);
    expect(recentApps('bob')).toEqual([]);
  });

  it('survives garbage in storage', () => {
    localStorage.setItem('plaza.miniapps.recent.alice', '{not json');
    expect(recentApps('alice')).toEqual([]);
    localStorage.setItem('plaza.miniapps.recent.alice', JSON.stringify([{ appid: 'wx1', name: 'A' }, { appid: 3 }, null]));
    expect(recentApps('alice')).toEqual([{ appid: 'wx1', name: 'A' }]);
  });
});
