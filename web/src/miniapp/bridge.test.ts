import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import type { Prepay } from '../pay/api';
import { Bridge, fromApp, MAX_PAGES, METHODS, replyTarget, type BridgeApi, type BridgeHost } from './bridge';

const APP = 'http://wx1.apps.localhost:8080';
const NONCE = 'N0nce';

interface Posted {
  msg: { plaza: number; id: string; result?: Record<string, unknown>; error?: { errMsg: string } };
  target: string;
}

/** A fake frame window that records what the host posts to it. */
function fakeWindow() {
  const posted: Posted[] = [];
  const win = { postMessage: (msg: Posted['msg'], target: string) => posted.push({ msg, target }) } as unknown as Window;
  return { win, posted };
}

const prepay = (trade_state: string) => ({ prepay_id: 'pr_1', trade_state, amount: { amount: 100, currency: 'CNY' } }) as unknown as Prepay;

function fakeApi() {
  return {
    code: vi.fn(async () => ({ code: 'code-1' })),
    consents: vi.fn(async () => ({ items: [] as string[] | null })),
    grant: vi.fn(async () => undefined),
    profile: vi.fn(async () => ({ nickname: 'Alice', avatar_url: '/a.png' })),
    getItem: vi.fn(async (_a: string, key: string) => ({ key, value: { n: 1 } as unknown })),
    setItem: vi.fn(async () => undefined),
    removeItem: vi.fn(async () => undefined),
    paymentRequest: vi.fn(async () => prepay('NOTPAY')),
  };
}

let api: ReturnType<typeof fakeApi>;
let host: BridgeHost & { [k: string]: unknown };
let frame: ReturnType<typeof fakeWindow>;
let bridge: Bridge;
let depth: number;
let busy: boolean;

beforeEach(() => {
  api = fakeApi();
  frame = fakeWindow();
  depth = 1;
  busy = false;
  host = {
    appid: 'wx1',
    trial: 'wx1--v2--abcdefghijklmnop',
    api: api as unknown as BridgeApi,
    busy: () => busy,
    askConsent: vi.fn(),
    askPayment: vi.fn(),
    showModal: vi.fn(),
    toast: vi.fn(),
    refreshWallet: vi.fn(),
    depth: () => depth,
    pageSrc: vi.fn((url: string) => (url.startsWith('/') ? APP + url + '#plaza_nonce=' + NONCE : null)),
    pushPage: vi.fn(),
    popPages: vi.fn(),
    setTitle: vi.fn(),
    systemInfo: () => ({ platform: 'web', brand: 'Plaza' }),
    openLiveRoom: vi.fn(),
  };
  bridge = new Bridge({ appOrigin: APP, frame: () => frame.win, nonce: () => NONCE, host: () => host });
});

let seq = 0;
const flush = () => new Promise((r) => setTimeout(r, 0));

/** Sends a call as the app's sandboxed frame would and waits for the host. */
async function call(method: string, args: unknown = {}, opts: { origin?: string; source?: Window; nonce?: string; id?: string } = {}) {
  const id = opts.id ?? 'c' + ++seq;
  const before = frame.posted.length;
  bridge.receive({
    origin: opts.origin ?? 'null',
    source: opts.source ?? frame.win,
    data: { plaza: 1, id, method, args, nonce: opts.nonce ?? NONCE },
  } as MessageEvent);
  await flush();
  const answers = frame.posted.slice(before).filter((p) => p.msg.id === id);
  return { id, answers, answer: answers[0]?.msg };
}

const okWith = (method: string, extra: Record<string, unknown> = {}) => ({ errMsg: method + ':ok', ...extra });
const failWith = (method: string, reason: string) => ({ errMsg: method + ':fail ' + reason });

describe('origins', () => {
  it('takes the app origin and the opaque origin of its sandboxed frame, nothing else', () => {
    expect(fromApp(APP, APP)).toBe(true);
    expect(fromApp('null', APP)).toBe(true);
    expect(fromApp('http://localhost:8080', APP)).toBe(false);
    expect(fromApp('http://wx2.apps.localhost:8080', APP)).toBe(false);
    expect(fromApp('https://wx1.apps.localhost:8080', APP)).toBe(false);
  });

  it("answers at the app's origin; the opaque sandboxed frame only by its window", async () => {
    expect(replyTarget(APP, APP)).toBe(APP);
    expect(replyTarget('null', APP)).toBe('*');
    const { answers } = await call('getSystemInfo', {}, { origin: APP });
    expect(answers.map((a) => a.target)).toEqual([APP]);
  });
});

// Every method: a message from another origin, another window or with
// another nonce is ignored — no server call, no prompt, no answer.
describe.each(Object.keys(METHODS))('%s ignores what is not the app', (method) => {
  const args = { key: 'k', url: '/pages/b', title: 't', desc: 'd', package: 'prepay_id=pr_1' };
  it.each([
    ['another origin', { origin: 'https://evil.example' }],
    ["Plaza's own origin", { origin: 'http://localhost:8080' }],
    ["another app's origin", { origin: 'http://wx2.apps.localhost:8080' }],
    ['another window', { source: fakeWindow().win }],
    ['a wrong nonce', { nonce: 'guess' }],
  ])('from %s', async (_name, opts) => {
    depth = 2;
    const { answers } = await call(method, args, opts);
    expect(answers).toEqual([]);
    expect(frame.posted).toEqual([]);
    for (const f of Object.values(api)) expect(f).not.toHaveBeenCalled();
    for (const k of ['askConsent', 'askPayment', 'showModal', 'toast', 'pushPage', 'popPages', 'setTitle'] as const) {
      expect(host[k]).not.toHaveBeenCalled();
    }
  });
});

describe('login', () => {
  it('answers a code for this app and trial', async () => {
    const { answer } = await call('login');
    expect(answer).toEqual({ plaza: 1, id: answer!.id, result: okWith('login', { code: 'code-1' }) });
    expect(api.code).toHaveBeenCalledWith('wx1', host.trial);
  });

  it("fails with the server's reason", async () => {
    api.code.mockRejectedValueOnce(new ApiError(403, 'blocked_by_policy', 'Not available in your region.'));
    expect((await call('login')).answer?.error).toEqual(failWith('login', 'Not available in your region.'));
    api.code.mockRejectedValueOnce(new TypeError('network'));
    expect((await call('login')).answer?.error).toEqual(failWith('login', 'Something went wrong'));
  });
});

describe('getUserProfile', () => {
  it('answers at once when the consent is there', async () => {
    api.consents.mockResolvedValueOnce({ items: ['userInfo'] });
    const { answer } = await call('getUserProfile', { desc: 'to greet you' });
    expect(answer?.result).toEqual(okWith('getUserProfile', { userInfo: { nickName: 'Alice', avatarUrl: '/a.png' } }));
    expect(host.askConsent).not.toHaveBeenCalled();
  });

  it('asks the user, then answers what they chose', async () => {
    const { id, answers } = await call('getUserProfile', { desc: 'to greet you' });
    expect(answers).toEqual([]);
    expect(host.askConsent).toHaveBeenCalledWith(id, 'to greet you');
    expect(bridge.waiting(id)).toBe(true);
    await bridge.profile(id);
    expect(frame.posted.at(-1)?.msg.result).toEqual(okWith('getUserProfile', { userInfo: { nickName: 'Alice', avatarUrl: '/a.png' } }));

    const second = await call('getUserProfile', {});
    bridge.fail(second.id, 'getUserProfile', 'auth deny');
    expect(frame.posted.at(-1)?.msg).toEqual({ plaza: 1, id: second.id, error: failWith('getUserProfile', 'auth deny') });
  });

  it('takes a desc that is not a string as none', async () => {
    const { id } = await call('getUserProfile', { desc: { x: 1 } });
    expect(host.askConsent).toHaveBeenCalledWith(id, '');
  });

  it('refuses while another prompt is open', async () => {
    busy = true;
    expect((await call('getUserProfile')).answer?.error).toEqual(failWith('getUserProfile', 'another request is in progress'));
    expect(api.consents).not.toHaveBeenCalled();
  });
});

describe('requestPayment', () => {
  const params = { timeStamp: '1700000000', nonceStr: 'abc', package: 'prepay_id=pr_1', signType: 'RSA', paySign: 'sig' };

  it('checks the request with the server and opens the payment sheet', async () => {
    const { id, answers } = await call('requestPayment', params);
    expect(api.paymentRequest).toHaveBeenCalledWith('wx1', params, host.trial);
    expect(host.askPayment).toHaveBeenCalledWith(id, prepay('NOTPAY'));
    expect(host.refreshWallet).toHaveBeenCalled();
    expect(answers).toEqual([]); // answered when the user pays or cancels
    bridge.ok(id, 'requestPayment');
    expect(frame.posted.at(-1)?.msg.result).toEqual(okWith('requestPayment'));
  });

  it('sends only the five fields, as strings', async () => {
    await call('requestPayment', { ...params, timeStamp: 1700000000, paySign: { evil: 1 }, extra: 'x' });
    expect(api.paymentRequest).toHaveBeenCalledWith('wx1', { ...params, timeStamp: '1700000000', paySign: '' }, host.trial);
  });

  it('refuses an order that is paid or closed', async () => {
    api.paymentRequest.mockResolvedValueOnce(prepay('SUCCESS'));
    expect((await call('requestPayment', params)).answer?.error).toEqual(failWith('requestPayment', 'order already paid'));
    api.paymentRequest.mockResolvedValueOnce(prepay('REFUND'));
    expect((await call('requestPayment', params)).answer?.error).toEqual(failWith('requestPayment', 'order already paid'));
    api.paymentRequest.mockResolvedValueOnce(prepay('CLOSED'));
    expect((await call('requestPayment', params)).answer?.error).toEqual(failWith('requestPayment', 'order closed'));
    expect(host.askPayment).not.toHaveBeenCalled();
  });

  it("fails with the server's reason for a bad signature", async () => {
    api.paymentRequest.mockRejectedValueOnce(new ApiError(422, 'bad_pay_sign', 'The paySign does not verify.'));
    expect((await call('requestPayment', params)).answer?.error).toEqual(failWith('requestPayment', 'The paySign does not verify.'));
  });

  it('refuses while another prompt is open', async () => {
    busy = true;
    expect((await call('requestPayment', params)).answer?.error).toEqual(failWith('requestPayment', 'another request is in progress'));
    expect(api.paymentRequest).not.toHaveBeenCalled();
  });
});

describe('storage', () => {
  it('setStorage stores the data under the key', async () => {
    const { answer } = await call('setStorage', { key: 'cart', data: [{ sku: 'buds', qty: 2 }] });
    expect(answer?.result).toEqual(okWith('setStorage'));
    expect(api.setItem).toHaveBeenCalledWith('wx1', 'cart', [{ sku: 'buds', qty: 2 }], host.trial);
  });

  it('getStorage answers the data', async () => {
    const { answer } = await call('getStorage', { key: 'cart' });
    expect(answer?.result).toEqual(okWith('getStorage', { data: { n: 1 } }));
    expect(api.getItem).toHaveBeenCalledWith('wx1', 'cart', host.trial);
  });

  it('getStorage of a missing key fails with data not found', async () => {
    api.getItem.mockRejectedValueOnce(new ApiError(404, 'not_found', 'No such key.'));
    expect((await call('getStorage', { key: 'nope' })).answer?.error).toEqual(failWith('getStorage', 'data not found'));
  });

  it('removeStorage succeeds, also for a key already gone', async () => {
    expect((await call('removeStorage', { key: 'cart' })).answer?.result).toEqual(okWith('removeStorage'));
    api.removeItem.mockRejectedValueOnce(new ApiError(404, 'not_found', 'No such key.'));
    expect((await call('removeStorage', { key: 'cart' })).answer?.result).toEqual(okWith('removeStorage'));
    api.removeItem.mockRejectedValueOnce(new ApiError(403, 'forbidden', 'No.'));
    expect((await call('removeStorage', { key: 'cart' })).answer?.error).toEqual(failWith('removeStorage', 'No.'));
  });

  it.each(['setStorage', 'getStorage', 'removeStorage'])('%s refuses a missing or empty key', async (method) => {
    for (const args of [{}, { key: '' }, { key: { x: 1 } }, { key: null }]) {
      expect((await call(method, args)).answer?.error).toEqual(failWith(method, 'invalid key'));
    }
    expect(api.setItem).not.toHaveBeenCalled();
    expect(api.getItem).not.toHaveBeenCalled();
    expect(api.removeItem).not.toHaveBeenCalled();
  });

  it('setStorage passes a server refusal on', async () => {
    api.setItem.mockRejectedValueOnce(new ApiError(413, 'too_large', 'A value is at most 1 MiB.'));
    expect((await call('setStorage', { key: 'big', data: 'x' })).answer?.error).toEqual(failWith('setStorage', 'A value is at most 1 MiB.'));
  });
});

describe('navigation', () => {
  it('navigateTo answers, then opens the page', async () => {
    const { answer } = await call('navigateTo', { url: '/pages/item?id=3', title: 'Item' });
    expect(answer?.result).toEqual(okWith('navigateTo'));
    expect(host.pushPage).toHaveBeenCalledWith(APP + '/pages/item?id=3#plaza_nonce=' + NONCE, 'Item');
  });

  it('openLiveRoom answers, then opens the room', async () => {
    const { answer } = await call('openLiveRoom', { room_id: 'lr_42' });
    expect(answer?.result).toEqual(okWith('openLiveRoom'));
    expect(host.openLiveRoom).toHaveBeenCalledWith('lr_42');
  });

  it('openLiveRoom refuses a bad room id', async () => {
    for (const room_id of ['', '../../admin', 'a/b', 'x'.repeat(65), { id: 1 }]) {
      expect((await call('openLiveRoom', { room_id })).answer?.error).toEqual(failWith('openLiveRoom', 'invalid room_id'));
    }
    expect(host.openLiveRoom).not.toHaveBeenCalled();
  });

  it('navigateTo refuses a url outside the app', async () => {
    expect((await call('navigateTo', { url: 'https://evil.example/' })).answer?.error).toEqual(failWith('navigateTo', 'invalid url'));
    expect((await call('navigateTo', { url: 42 })).answer?.error).toEqual(failWith('navigateTo', 'invalid url'));
    expect(host.pushPage).not.toHaveBeenCalled();
  });

  it('navigateTo stops at the page limit', async () => {
    depth = MAX_PAGES;
    expect((await call('navigateTo', { url: '/pages/b' })).answer?.error).toEqual(failWith('navigateTo', 'webview count limit exceed'));
    expect(host.pushPage).not.toHaveBeenCalled();
  });

  it('navigateBack goes back delta pages', async () => {
    depth = 4;
    expect((await call('navigateBack', { delta: 2.7 })).answer?.result).toEqual(okWith('navigateBack'));
    expect(host.popPages).toHaveBeenLastCalledWith(2);
    await call('navigateBack', { delta: 'two' });
    expect(host.popPages).toHaveBeenLastCalledWith(1);
    await call('navigateBack', { delta: 0 });
    expect(host.popPages).toHaveBeenLastCalledWith(1);
  });

  it('navigateBack refuses on the first page', async () => {
    expect((await call('navigateBack', { delta: 1 })).answer?.error).toEqual(failWith('navigateBack', 'cannot navigate back at first page'));
    expect(host.popPages).not.toHaveBeenCalled();
  });

  it('setNavigationBarTitle sets at most 64 characters', async () => {
    expect((await call('setNavigationBarTitle', { title: 'x'.repeat(80) })).answer?.result).toEqual(okWith('setNavigationBarTitle'));
    expect(host.setTitle).toHaveBeenLastCalledWith('x'.repeat(64));
    await call('setNavigationBarTitle', { title: ['not', 'a', 'string'] });
    expect(host.setTitle).toHaveBeenLastCalledWith('');
  });
});

describe('showToast', () => {
  it('shows the title with its icon and a bounded duration', async () => {
    expect((await call('showToast', { title: 'Added', icon: 'success', duration: 2000 })).answer?.result).toEqual(okWith('showToast'));
    expect(host.toast).toHaveBeenLastCalledWith('Added', 'success', 2000);
    await call('showToast', { title: 'Oops', icon: 'error', duration: 1 });
    expect(host.toast).toHaveBeenLastCalledWith('Oops', 'error', 500);
    await call('showToast', { title: 'Wait', icon: 'loading', duration: 1e9 });
    expect(host.toast).toHaveBeenLastCalledWith('Wait', 'info', 10000);
    await call('showToast', { title: 'Hi', duration: 'long' });
    expect(host.toast).toHaveBeenLastCalledWith('Hi', 'info', 1500);
  });

  it('answers ok without a toast when there is no title', async () => {
    expect((await call('showToast', { icon: 'success' })).answer?.result).toEqual(okWith('showToast'));
    expect(host.toast).not.toHaveBeenCalled();
  });
});

describe('showModal', () => {
  it('opens the modal and answers what the user chose', async () => {
    const { id, answers } = await call('showModal', { title: 'Delete?', content: 'Really', confirmText: 'Delete', showCancel: true });
    expect(answers).toEqual([]);
    expect(host.showModal).toHaveBeenCalledWith(id, { title: 'Delete?', content: 'Really', showCancel: true, confirmText: 'Delete', cancelText: 'Cancel' });
    bridge.ok(id, 'showModal', { confirm: true, cancel: false });
    expect(frame.posted.at(-1)?.msg.result).toEqual(okWith('showModal', { confirm: true, cancel: false }));
  });

  it('bounds its texts and defaults its buttons', async () => {
    const { id } = await call('showModal', { title: 't'.repeat(200), confirmText: 'Confirm it now', cancelText: 7, showCancel: 'no' });
    expect(host.showModal).toHaveBeenCalledWith(id, { title: 't'.repeat(100), content: '', showCancel: true, confirmText: 'Confirm ', cancelText: '7' });
  });

  it('refuses while another prompt is open', async () => {
    busy = true;
    expect((await call('showModal', { title: 'x' })).answer?.error).toEqual(failWith('showModal', 'another request is in progress'));
    expect(host.showModal).not.toHaveBeenCalled();
  });
});

describe('getSystemInfo', () => {
  it("answers the host's system info, whatever the args", async () => {
    expect((await call('getSystemInfo', 'junk')).answer?.result).toEqual(okWith('getSystemInfo', { platform: 'web', brand: 'Plaza' }));
  });
});

describe('the table', () => {
  it('answers a method it does not have with not supported', async () => {
    for (const m of ['openLocation', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect((await call(m)).answer?.error).toEqual(failWith(m, 'not supported'));
    }
  });

  it('a repeated id while the first call waits is ignored: the first owns it', async () => {
    await call('showModal', { title: 'first' }, { id: 'same' });
    busy = true; // the modal is open
    const again = await call('showModal', { title: 'second' }, { id: 'same' });
    expect(again.answers).toEqual([]); // not even "another request is in progress"
    expect(host.showModal).toHaveBeenCalledTimes(1);
    bridge.ok('same', 'showModal', { confirm: true, cancel: false });
    bridge.ok('same', 'showModal', { confirm: false, cancel: true });
    expect(frame.posted.map((p) => p.msg.result)).toEqual([okWith('showModal', { confirm: true, cancel: false })]);
  });

  it("drops a page's answers when the host opens another page", async () => {
    const { id } = await call('showModal', { title: 'x' });
    bridge.reset();
    bridge.ok(id, 'showModal', { confirm: true, cancel: false });
    expect(frame.posted).toEqual([]);
  });

  it('answers only the window that asked, if it is still the frame', async () => {
    const { id } = await call('showModal', { title: 'x' });
    const asked = frame;
    frame = fakeWindow(); // the frame now holds another page
    bridge.ok(id, 'showModal', { confirm: true, cancel: false });
    expect(asked.posted).toEqual([]);
    expect(frame.posted).toEqual([]);
  });

  it('stops listening when the app navigates its frame by itself', async () => {
    bridge.loaded(); // the page the host opened
    const { id } = await call('showModal', { title: 'x' });
    bridge.loaded(); // a document the host did not open
    bridge.ok(id, 'showModal', { confirm: true, cancel: false });
    expect((await call('login')).answers).toEqual([]);
    expect(api.code).not.toHaveBeenCalled();
    bridge.reset(); // the host opens a page again
    bridge.loaded();
    expect((await call('login')).answer?.result).toEqual(okWith('login', { code: 'code-1' }));
  });

  it('has every method sdk/js calls, by its name', () => {
    expect(Object.keys(METHODS).sort()).toEqual(
      [
        'getStorage',
        'getSystemInfo',
        'getUserProfile',
        'login',
        'navigateBack',
        'navigateTo',
        'openLiveRoom',
        'removeStorage',
        'requestPayment',
        'setNavigationBarTitle',
        'setStorage',
        'showModal',
        'showToast',
      ].sort(),
    );
  });
});
