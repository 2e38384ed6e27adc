// The mini-program bridge: what a running mini program may ask of Plaza
// (sdk/js/plaza.js sends the calls), as a table of methods. MiniAppHost
// (pages/MiniAppPage.tsx) keeps the UI and gives the bridge a BridgeHost;
// every method gets the call and a BridgeContext, and answers it once.
//
// The wire (kept exactly; the SDK relies on it):
//   call   frame → host  {plaza: 1, id, method, args, nonce}
//   answer host → frame  {plaza: 1, id, result: {errMsg: "<method>:ok", …}}
//                     or {plaza: 1, id, error: {errMsg: "<method>:fail <reason>"}}
//
// Who is answered: only calls that come from the app's frame window, from the
// app's origin, with this launch's nonce (frame.ts bridgeCall); each id once,
// and only while the page that asked is still the frame's document. Answers go
// to the window that asked, at the app's origin — see replyTarget for the one
// case where no origin string can name it.

import { ApiError } from '../api';
import type { Prepay } from '../pay/api';
import type { miniApi } from './api';
import { bridgeCall, str, type BridgeCall } from './frame';
import { t } from '../i18n';

/** The server calls the bridge makes (miniApi, or a fake in tests). */
export type BridgeApi = Pick<typeof miniApi, 'code' | 'consents' | 'grant' | 'profile' | 'getItem' | 'setItem' | 'removeItem' | 'paymentRequest'>;

export type ToastKind = 'info' | 'success' | 'error';

/** What showModal asks the host to show; answered by Bridge.ok(id, 'showModal', {confirm, cancel}). */
export interface ModalOptions {
  title: string;
  content: string;
  showCancel: boolean;
  confirmText: string;
  cancelText: string;
}

/** What the host gives the bridge: its services, its navigation and the prompts it opens. */
export interface BridgeHost {
  appid: string;
  /** The trial label running ('' for the released version); every server call names it. */
  trial: string;
  api: BridgeApi;
  /** A prompt (consent, modal, payment) is open: another one must wait. */
  busy(): boolean;
  /** Opens the consent sheet for call id (answered later through Bridge.profile or Bridge.fail). */
  askConsent(id: string, desc: string): void;
  /** Opens the payment sheet, then the PIN sheet, for call id. */
  askPayment(id: string, prepay: Prepay): void;
  /** Opens a modal for call id. */
  showModal(id: string, modal: ModalOptions): void;
  toast(text: string, kind: ToastKind, ms: number): void;
  refreshWallet(): void;
  /** Pages on the stack (1: the start page). */
  depth(): number;
  /** The frame src of url resolved against the current page; null when it leaves the app. */
  pageSrc(url: string): string | null;
  pushPage(src: string, title: string): void;
  popPages(delta: number): void;
  setTitle(title: string): void;
  systemInfo(): Record<string, unknown>;
  /** Leaves the app for a live room's page (/live/{id}). */
  openLiveRoom(roomId: string): void;
}

/** A method's view of its call: the host, and the call's one answer. */
export interface BridgeContext extends BridgeHost {
  /** Resolves the SDK's promise with {errMsg: '<method>:ok', ...result}. */
  ok(result?: Record<string, unknown>): void;
  /** Rejects it with {errMsg: '<method>:fail <reason>'}. */
  fail(reason: string): void;
  /** The call still awaits its answer (false once answered, or once its page is gone). */
  waiting(): boolean;
}

export type BridgeMethod = (call: BridgeCall, ctx: BridgeContext) => void;

/** WeChat's limit on the page stack. */
export const MAX_PAGES = 10;

/** A failure's words for the app: the server's message, else a plain one. */
export function reasonOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong'; // i18n-ignore: an errMsg for the app, not for people
}

/** The bridge methods, by the names sdk/js calls them. */
export const METHODS: Readonly<Record<string, BridgeMethod>> = Object.freeze({
  login(_c, ctx) {
    ctx.api.code(ctx.appid, ctx.trial).then(
      (r) => ctx.ok({ code: r.code }),
      (e) => ctx.fail(reasonOf(e)),
    );
  },

  getUserProfile(c, ctx) {
    if (ctx.busy()) return ctx.fail('another request is in progress');
    const desc = str(c.args, 'desc');
    ctx.api.consents(ctx.appid, ctx.trial).then(
      (r) => {
        if ((r.items ?? []).includes('userInfo')) void sendProfile(ctx);
        else if (ctx.waiting()) ctx.askConsent(c.id, desc);
      },
      (e) => ctx.fail(reasonOf(e)),
    );
  },

  requestPayment(c, ctx) {
    if (ctx.busy()) return ctx.fail('another request is in progress');
    const params = {
      timeStamp: str(c.args, 'timeStamp'),
      nonceStr: str(c.args, 'nonceStr'),
      package: str(c.args, 'package'),
      signType: str(c.args, 'signType'),
      paySign: str(c.args, 'paySign'),
    };
    ctx.api.paymentRequest(ctx.appid, params, ctx.trial).then(
      (p) => {
        if (!ctx.waiting()) return;
        if (p.trade_state === 'SUCCESS' || p.trade_state === 'REFUND') return ctx.fail('order already paid');
        if (p.trade_state === 'CLOSED') return ctx.fail('order closed');
        ctx.refreshWallet();
        ctx.askPayment(c.id, p);
      },
      (e) => ctx.fail(reasonOf(e)),
    );
  },

  setStorage(c, ctx) {
    const key = str(c.args, 'key');
    if (!key) return ctx.fail('invalid key');
    ctx.api.setItem(ctx.appid, key, c.args.data, ctx.trial).then(
      () => ctx.ok(),
      (e) => ctx.fail(reasonOf(e)),
    );
  },

  getStorage(c, ctx) {
    const key = str(c.args, 'key');
    if (!key) return ctx.fail('invalid key');
    ctx.api.getItem(ctx.appid, key, ctx.trial).then(
      (r) => ctx.ok({ data: r.value }),
      (e) => ctx.fail(e instanceof ApiError && e.status === 404 ? 'data not found' : reasonOf(e)),
    );
  },

  removeStorage(c, ctx) {
    const key = str(c.args, 'key');
    if (!key) return ctx.fail('invalid key');
    ctx.api.removeItem(ctx.appid, key, ctx.trial).then(
      () => ctx.ok(),
      // Already gone is what was asked for.
      (e) => (e instanceof ApiError && e.status === 404 ? ctx.ok() : ctx.fail(reasonOf(e))),
    );
  },

  navigateTo(c, ctx) {
    const src = ctx.pageSrc(str(c.args, 'url'));
    if (!src) return ctx.fail('invalid url');
    if (ctx.depth() >= MAX_PAGES) return ctx.fail('webview count limit exceed');
    ctx.ok();
    ctx.pushPage(src, str(c.args, 'title'));
  },

  navigateBack(c, ctx) {
    if (ctx.depth() <= 1) return ctx.fail('cannot navigate back at first page');
    const d = c.args.delta;
    const delta = typeof d === 'number' && d >= 1 ? Math.floor(d) : 1;
    ctx.ok();
    ctx.popPages(delta);
  },

  setNavigationBarTitle(c, ctx) {
    ctx.setTitle(str(c.args, 'title').slice(0, 64));
    ctx.ok();
  },

  showToast(c, ctx) {
    const icon = str(c.args, 'icon');
    const text = str(c.args, 'title').slice(0, 200);
    const d = c.args.duration;
    const ms = typeof d === 'number' ? Math.min(Math.max(d, 500), 10000) : 1500;
    if (text) ctx.toast(text, icon === 'error' ? 'error' : icon === 'success' ? 'success' : 'info', ms);
    ctx.ok();
  },

  showModal(c, ctx) {
    if (ctx.busy()) return ctx.fail('another request is in progress');
    ctx.showModal(c.id, {
      title: str(c.args, 'title').slice(0, 100),
      content: str(c.args, 'content').slice(0, 1000),
      showCancel: c.args.showCancel !== false,
      confirmText: str(c.args, 'confirmText').slice(0, 8) || t('common.ok'),
      cancelText: str(c.args, 'cancelText').slice(0, 8) || t('common.cancel'),
    });
  },

  getSystemInfo(_c, ctx) {
    ctx.ok(ctx.systemInfo());
  },

  // A mini program opens its shop's live room (Discover → Live's room page).
  openLiveRoom(c, ctx) {
    const id = str(c.args, 'room_id');
    if (!LIVE_ROOM_ID.test(id)) return ctx.fail('invalid room_id');
    if (ctx.busy()) return ctx.fail('another request is in progress');
    ctx.ok();
    ctx.openLiveRoom(id);
  },
});

/** What a live room id may look like (the server's ids: letters, digits, - and _). */
const LIVE_ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Answers getUserProfile with the profile (after the consent was found or granted). */
async function sendProfile(ctx: Pick<BridgeContext, 'api' | 'appid' | 'trial' | 'ok' | 'fail'>): Promise<void> {
  try {
    const p = await ctx.api.profile(ctx.appid, ctx.trial);
    ctx.ok({ userInfo: { nickName: p.nickname, avatarUrl: p.avatar_url } });
  } catch (e) {
    ctx.fail(reasonOf(e));
  }
}

/** How a sandboxed frame's origin reads in a MessageEvent: opaque. */
const OPAQUE_ORIGIN = 'null';

/**
 * Whether a message's origin is the app's: its own origin, or — since the
 * frame is sandboxed without allow-same-origin — the opaque origin its
 * document has. Anything else (Plaza's own pages, other sites) is not the app.
 */
export function fromApp(eventOrigin: string, appOrigin: string): boolean {
  return eventOrigin === appOrigin || eventOrigin === OPAQUE_ORIGIN;
}

/**
 * The targetOrigin of an answer to a call that came from eventOrigin: the
 * app's origin. A sandboxed frame (no allow-same-origin, so that the app gets
 * no cookies or storage of its origin) has an opaque origin that no origin
 * string names — the browser drops a message addressed to its app's origin —
 * so an answer to it is addressed to any origin, and it is sent only to the
 * very window that asked, while it still holds the page that asked.
 */
export function replyTarget(eventOrigin: string, appOrigin: string): string {
  return eventOrigin === OPAQUE_ORIGIN ? '*' : appOrigin;
}

export interface BridgeOptions {
  /** {scheme}://{appid}.{apps-domain}[:port] (frame.ts appOrigin). */
  appOrigin: string;
  /** The frame's window now (it changes with every page). */
  frame: () => Window | null | undefined;
  /** This launch's nonce now (it changes on restart). */
  nonce: () => string;
  /** The host, read at each call (its state changes between calls). */
  host: () => BridgeHost;
  /** The method table (tests may pass their own). */
  methods?: Readonly<Record<string, BridgeMethod>>;
}

interface Asked {
  source: Window;
  target: string;
}

/** One running app's end of the bridge. */
export class Bridge {
  private readonly asked = new Map<string, Asked>();
  /** The frame's document is no longer the page the host loaded. */
  private left = false;
  private loads = 0;

  constructor(private readonly opts: BridgeOptions) {}

  /** The window 'message' listener: answers the app's calls, ignores everything else. */
  receive(event: MessageEvent): void {
    if (this.left || !fromApp(event.origin, this.opts.appOrigin)) return;
    const frame = this.opts.frame();
    const call = bridgeCall(event, frame, this.opts.nonce());
    if (!call || !frame) return;
    if (this.asked.has(call.id)) return; // a repeated id: the first call owns it
    this.asked.set(call.id, { source: frame, target: replyTarget(event.origin, this.opts.appOrigin) });
    const run = Object.hasOwn(this.opts.methods ?? METHODS, call.method) ? (this.opts.methods ?? METHODS)[call.method] : null;
    if (!run) return this.fail(call.id, call.method, 'not supported');
    run(call, this.context(call));
  }

  /** The call id still awaits its answer. */
  waiting(id: string): boolean {
    return this.asked.has(id);
  }

  ok(id: string, method: string, result: Record<string, unknown> = {}): void {
    this.answer(id, { result: { errMsg: method + ':ok', ...result } });
  }

  fail(id: string, method: string, reason: string): void {
    this.answer(id, { error: { errMsg: method + ':fail ' + reason } });
  }

  /** Answers getUserProfile call id with the profile (the user just allowed it). */
  profile(id: string): Promise<void> {
    const h = this.opts.host();
    return sendProfile({
      api: h.api,
      appid: h.appid,
      trial: h.trial,
      ok: (r) => this.ok(id, 'getUserProfile', r),
      fail: (why) => this.fail(id, 'getUserProfile', why),
    });
  }

  /** A new page replaces the frame: its predecessor's calls are never answered. */
  reset(): void {
    this.asked.clear();
    this.left = false;
    this.loads = 0;
  }

  /**
   * The frame finished loading a document. The host loads each page once; a
   * second load is the app navigating its frame by itself, to a document the
   * host did not open: the page's calls are dropped and the frame is not
   * listened to until the host opens a page again.
   */
  loaded(): void {
    if (++this.loads > 1) {
      this.asked.clear();
      this.left = true;
    }
  }

  private context(call: BridgeCall): BridgeContext {
    return {
      ...this.opts.host(),
      ok: (result) => this.ok(call.id, call.method, result),
      fail: (reason) => this.fail(call.id, call.method, reason),
      waiting: () => this.waiting(call.id),
    };
  }

  private answer(id: string, body: { result: unknown } | { error: { errMsg: string } }): void {
    const a = this.asked.get(id);
    if (!a) return;
    this.asked.delete(id);
    // Only to the window that asked, if it is still the frame's.
    if (a.source !== this.opts.frame()) return;
    a.source.postMessage({ plaza: 1, id, ...body }, a.target);
  }
}
