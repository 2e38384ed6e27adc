// Where a mini program runs, and the rules for the messages it may send.
//
// Each released app is served from its own origin,
// http://{appid}.{APPS_DOMAIN}:{port}/, inside a sandboxed iframe (scripts
// and forms only; never allow-same-origin, so its origin stays opaque).

/** The server's apps domain (plaza serve --apps-domain; default apps.localhost). */
export const APPS_DOMAIN = 'apps.localhost';

const NONCE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 random characters, fresh for every launch. */
export function newNonce(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  let out = '';
  // 248 = 4 × 62: drop the top bytes so every character is equally likely.
  for (let i = 0; out.length < 32; i++) {
    if (i === bytes.length) {
      crypto.getRandomValues(bytes);
      i = 0;
    }
    if (bytes[i] < 248) out += NONCE_CHARS[bytes[i] % 62];
  }
  return out;
}

/** The trial label of /app/{appid}?trial={label} when it is this app's, else ''. */
export function trialLabel(appid: string): string {
  const trial = new URLSearchParams(window.location.search).get('trial');
  const id = appid.toLowerCase();
  if (trial && /^[a-z0-9]+--v[1-9][0-9]{0,9}--[a-z2-7]{16}$/.test(trial) && trial.startsWith(id + '--')) return trial;
  return '';
}

/**
 * The host label an app is served under: its appid, or — when the page was
 * opened as /app/{appid}?trial={label} for an unreleased version — that
 * label, if it belongs to this app.
 */
function hostLabel(appid: string): string {
  return trialLabel(appid) || appid.toLowerCase();
}

/**
 * Where apps are served: {scheme}://{apps-domain}[:port], from the server
 * (<meta name="plaza-apps">, set from --public-url and --apps-domain); else
 * this page's scheme and port under APPS_DOMAIN (the Vite dev server).
 */
function appsBase(): URL {
  const meta = document.querySelector('meta[name="plaza-apps"]')?.getAttribute('content');
  try {
    if (meta) return new URL(meta);
  } catch {
    /* fall through */
  }
  return new URL(window.location.protocol + '//' + APPS_DOMAIN + (window.location.port ? ':' + window.location.port : ''));
}

/** {scheme}://{appid}.{apps-domain}[:port] — the app's own origin. */
export function appOrigin(appid: string): string {
  const base = appsBase();
  return base.protocol + '//' + hostLabel(appid) + '.' + base.host;
}

/**
 * The iframe src for a page of the app ("/" or "/pages/item?id=3"), resolved
 * against the current page; null when it would leave the app's origin.
 * The launch nonce travels in the hash; a trial's launch token (which the
 * apps host requires for its pages) in the query, as plaza_launch.
 */
export function frameSrc(appid: string, path: string, nonce: string, from = '/', launch = ''): string | null {
  const origin = appOrigin(appid);
  let u: URL;
  try {
    u = new URL(path, origin + (from.startsWith('/') ? from : '/'));
  } catch {
    return null;
  }
  if (u.origin !== origin) return null;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (launch) u.searchParams.set('plaza_launch', launch);
  return origin + u.pathname + u.search + '#plaza_nonce=' + nonce;
}

/** Path + query of a frame src (what the page stack keeps). */
export function pagePath(src: string): string {
  try {
    const u = new URL(src);
    u.searchParams.delete('plaza_launch');
    return u.pathname + u.search;
  } catch {
    return '/';
  }
}

export interface BridgeCall {
  id: string;
  method: string;
  args: Record<string, unknown>;
}

/**
 * The bridge message in event, or null when it must be ignored: it has to
 * come from our frame's window, be a {plaza: 1} call and carry this launch's
 * nonce.
 */
export function bridgeCall(event: MessageEvent, frame: Window | null | undefined, nonce: string): BridgeCall | null {
  if (!frame || event.source !== frame) return null;
  const d = event.data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object' || d.plaza !== 1 || d.nonce !== nonce) return null;
  if (typeof d.id !== 'string' || d.id === '' || d.id.length > 100) return null;
  if (typeof d.method !== 'string' || d.method === '') return null;
  const args = d.args && typeof d.args === 'object' && !Array.isArray(d.args) ? (d.args as Record<string, unknown>) : {};
  return { id: d.id, method: d.method, args };
}

/** A string argument ('' when absent or not a string). */
export function str(args: Record<string, unknown>, key: string): string {
  const v = args[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** "Recently used" mini programs, per user, newest first. */
export interface RecentApp {
  appid: string;
  name: string;
}

const RECENT_MAX = 8;
const recentKey = (user: string) => 'plaza.miniapps.recent.' + user;

export function recentApps(user: string): RecentApp[] {
  try {
    const raw = JSON.parse(localStorage.getItem(recentKey(user)) ?? '[]') as unknown;
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((x): x is RecentApp => !!x && typeof x.appid === 'string' && typeof x.name === 'string')
      .slice(0, RECENT_MAX);
  } catch {
    return [];
  }
}

export function rememberApp(user: string, app: RecentApp): void {
  const list = [{ appid: app.appid, name: app.name }, ...recentApps(user).filter((a) => a.appid !== app.appid)];
  try {
    localStorage.setItem(recentKey(user), JSON.stringify(list.slice(0, RECENT_MAX)));
  } catch {
    /* storage full or disabled: not remembered */
  }
}
