import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage, type User } from '../api';
import { navigate } from '../router';
import { showToast } from '../toast';
import { miniApi, type MiniApp, type TrialInfo } from '../miniapp/api';
import { appOrigin, frameSrc, newNonce, pagePath, rememberApp, trialLabel } from '../miniapp/frame';
import { Bridge, reasonOf, type BridgeHost, type ModalOptions } from '../miniapp/bridge';
import { payApi, type Prepay } from '../pay/api';
import { currencySymbol, formatDigits, formatMoney } from '../wallet/money';
import { afterPayment, refreshWallet } from '../wallet/store';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Sheet } from '../components/Sheet';
import { Spinner } from '../components/Spinner';
import { EmptyState } from '../components/EmptyState';
import { AlertIcon, BackIcon, CloseIcon, MiniProgramIcon, MoreIcon } from '../components/Icons';
import { BlockedByPolicy } from '../components/BlockedByPolicy';
import { trustApi, type Notice } from '../trust/api';
import { noticeActive, noticesFor } from '../trust/format';
import { hostingBlock } from '../trust/schedule';
import { guardApi, refusalText } from '../trust/guard';
import { refreshNotices, useLiveNotices, useTrustEpoch } from '../trust/live';
import { PayGate, type PayRequest } from '../components/wallet/PayGate';
import { t } from '../i18n';

/** A trial being run: its label, the version, and the launch token that opens its pages. */
interface RunningTrial {
  label: string;
  info: TrialInfo;
  launch: string;
}

type Load =
  | { kind: 'loading' }
  | { kind: 'missing' }
  | { kind: 'trial-refused' }
  | { kind: 'error'; message: string }
  | { kind: 'blocked'; message: string; notice?: Notice; name: string }
  | { kind: 'ready'; app: MiniApp; trial: RunningTrial | null };

/** How often a running trial asks for a fresh launch token (they last 10 minutes). */
const LAUNCH_REFRESH_MS = 4 * 60 * 1000;

/**
 * /app/:appid — loads the app's directory entry, then runs it in the host
 * frame. /app/:appid?trial={label} runs that trial instead, only for the
 * app's developer and testers: the server hands out the launch its pages
 * need, and the title bar marks it.
 */
export function MiniAppPage({ appid, user }: { appid: string; user: User }) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const label = trialLabel(appid);

  async function fetchApp() {
    setLoad({ kind: 'loading' });
    try {
      if (label) {
        const [{ app }, l] = await Promise.all([miniApi.get(appid, label), miniApi.trialLaunch(appid, label)]);
        setLoad({ kind: 'ready', app, trial: { label, info: l.trial, launch: l.launch } });
        return;
      }
      const notices = trustApi.notices().then(
        (r) => noticesFor(r.items ?? [], appid),
        () => [] as Notice[],
      );
      const { app } = await miniApi.get(appid);
      const now = new Date();
      const stop = hostingBlock(await notices, appid, app.developer_id, now);
      if (stop) {
        setLoad({ kind: 'blocked', message: '', notice: stop, name: app.name });
        return;
      }
      rememberApp(user.username, app);
      setLoad({ kind: 'ready', app, trial: null });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'blocked_by_policy') {
        const n = await trustApi.notices().then(
          (r) => noticesFor(r.items ?? [], appid).find((x) => noticeActive(x, new Date())),
          () => undefined,
        );
        setLoad({ kind: 'blocked', message: err.message, notice: n, name: n?.target_name || t('discover.host.this_app') });
        return;
      }
      if (!label && err instanceof ApiError && err.status === 404) {
        const now = new Date();
        const gone = await trustApi.notices().then(
          (r) => noticesFor(r.items ?? [], appid).find((n) => noticeActive(n, now)),
          () => undefined,
        );
        if (gone) {
          setLoad({ kind: 'blocked', message: '', notice: gone, name: gone.target_name || t('discover.host.this_app') });
          return;
        }
      }
      if (label && err instanceof ApiError && (err.status === 404 || err.status === 400)) setLoad({ kind: 'trial-refused' });
      else if (err instanceof ApiError && (err.status === 404 || err.status === 400)) setLoad({ kind: 'missing' });
      else setLoad({ kind: 'error', message: errorMessage(err) });
    }
  }

  useEffect(() => {
    void fetchApp();
  }, [appid, label]);

  // A policy lifted (or landed) while this page shows why the app is not
  // here: look again.
  const epoch = useTrustEpoch();
  const seenEpoch = useRef(epoch);
  useEffect(() => {
    if (seenEpoch.current === epoch) return;
    seenEpoch.current = epoch;
    if (load.kind === 'blocked' || load.kind === 'missing') void fetchApp();
  }, [epoch]);

  if (load.kind === 'ready') return <MiniAppHost app={load.app} user={user} trial={load.trial} />;
  return (
    <Page title={t('discover.host.title')} back="/discover" backId="miniapp-back" class="miniapp-screen">
      {load.kind === 'loading' && <Spinner label={t('discover.host.opening')} />}
      {load.kind === 'missing' && (
        <div id="miniapp-unavailable">
          <EmptyState icon={<MiniProgramIcon size={40} />} title={t('discover.info.unavailable')}>
            {t('discover.host.unavailable_body')}
          </EmptyState>
          <div class="miniapp-center">
            <button type="button" class="button button-secondary" onClick={() => navigate('/discover')}>
              {t('discover.back')}
            </button>
          </div>
        </div>
      )}
      {load.kind === 'trial-refused' && (
        <div id="miniapp-trial-refused">
          <EmptyState icon={<MiniProgramIcon size={40} />} title={t('discover.host.trial_refused')}>
            {t('discover.host.trial_refused_body')}
          </EmptyState>
          <div class="miniapp-center">
            <button type="button" class="button button-secondary" onClick={() => navigate('/discover')}>
              {t('discover.back')}
            </button>
          </div>
        </div>
      )}
      {load.kind === 'blocked' && <BlockedByPolicy appName={load.name} notice={load.notice} message={load.message} region={user.region} />}
      {load.kind === 'error' && (
        <EmptyState icon={<AlertIcon size={40} />} title={t('discover.host.open_failed')}>
          <p>{load.message}</p>
          <button type="button" class="button button-primary" onClick={() => void fetchApp()}>
            {t('common.retry')}
          </button>
        </EmptyState>
      )}
    </Page>
  );
}

interface Entry {
  /** Unique per page load: remounts the iframe (no joint history entries). */
  seq: number;
  src: string;
  title: string;
}

interface ConsentAsk {
  id: string;
  desc: string;
}

interface ModalAsk extends ModalOptions {
  id: string;
}

interface PayAsk {
  id: string;
  prepay: Prepay;
  error: string;
}

let seqCounter = 0;

/** What getSystemInfo answers. */
function systemInfo(frame: HTMLIFrameElement | null) {
  const ua = navigator.userAgent;
  const platform = /iPhone|iPad|iPod/.test(ua) ? 'ios' : /Android/.test(ua) ? 'android' : 'web';
  return {
    platform,
    brand: 'Plaza',
    model: 'web',
    screenWidth: window.screen.width,
    screenHeight: window.screen.height,
    windowWidth: frame?.clientWidth ?? window.innerWidth,
    windowHeight: frame?.clientHeight ?? window.innerHeight,
    pixelRatio: window.devicePixelRatio || 1,
    language: navigator.language,
    version: '1.0.0',
    SDKVersion: '1.0.0',
  };
}

/** A manifest colour, or '' when it is not a plain hex colour. */
function hexColor(c: unknown): string {
  return typeof c === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : '';
}

/** The manifest's navigationBarTextStyle, or '' when unset or unknown. */
function textStyle(s: unknown): '' | 'white' | 'black' {
  return s === 'white' || s === 'black' ? s : '';
}

/** The words a trial's title bar carries: what it is and whether it was reviewed. */
export function trialMarker(info: TrialInfo): string {
  const key =
    info.status === 'rejected' ? 'discover.trial.rejected' : info.status === 'approved' || info.status === 'released' ? 'discover.trial.reviewed' : 'discover.trial.not_reviewed';
  return t(key, { code: String(info.code) });
}

/** The running mini program: host title bar + capsule, the sandboxed frame, and the bridge. */
function MiniAppHost({ app, user, trial }: { app: MiniApp; user: User; trial: RunningTrial | null }) {
  const appid = app.appid;
  /** Every bridge call names the trial running ('' for the released version). */
  const tr = trial?.label ?? '';
  const launch = useRef(trial?.launch ?? '');
  const [nonce, setNonce] = useState(newNonce);
  const [stack, setStack] = useState<Entry[]>(() => [
    { seq: ++seqCounter, src: frameSrc(appid, '/', nonce, '/', launch.current) ?? 'about:blank', title: '' },
  ]);
  const [loaded, setLoaded] = useState(false);
  const [consent, setConsent] = useState<ConsentAsk | null>(null);
  const [consentBusy, setConsentBusy] = useState(false);
  const [modal, setModal] = useState<ModalAsk | null>(null);
  const [pay, setPay] = useState<PayAsk | null>(null);
  const [gate, setGate] = useState<PayRequest | null>(null);
  const [gateKey, setGateKey] = useState(0);
  const [menu, setMenu] = useState(false);
  // A bridge call refused with 403 blocked_by_policy: the app is withheld now.
  const [refused, setRefused] = useState<string | null>(null);
  // Or the caller's notices say so, from the instant the block takes effect
  // (trust/live.ts re-renders this page then).
  useTrustEpoch();
  const stop = hostingBlock(useLiveNotices(), appid, app.developer_id, new Date());
  const blocked = !!stop || refused !== null;

  const frame = useRef<HTMLIFrameElement>(null);
  const bar = useRef<HTMLElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const win = app.window ?? {};
  const barText = textStyle(win.navigation_bar_text_style);
  const barBg = hexColor(win.navigation_bar_background_color);
  const frameBg = hexColor(win.background_color);
  const latest = useRef({ stack, nonce, busy: false });
  latest.current = { stack, nonce, busy: !!(consent || modal || pay) };

  const guarded = useRef<typeof miniApi | null>(null);
  if (!guarded.current) {
    guarded.current = guardApi(miniApi, (err) => {
      setRefused(err.message);
      void refreshNotices(); // for the policy's details (since when)
    });
  }

  const top = stack[stack.length - 1];
  const title = top.title || (typeof win.navigation_bar_title_text === 'string' && win.navigation_bar_title_text.trim()) || app.name;

  // The manifest's window colours, set through the CSSOM (no inline style attributes).
  useEffect(() => {
    const h = bar.current;
    if (h) {
      h.style.backgroundColor = barBg;
      h.style.color = barText === 'white' ? '#ffffff' : barText === 'black' ? '#000000' : '';
    }
    const b = body.current;
    if (b) {
      if (frameBg) b.style.setProperty('--miniapp-bg', frameBg);
      else b.style.removeProperty('--miniapp-bg');
    }
  }, [barBg, barText, frameBg]);

  useEffect(() => {
    document.title = t(trial ? 'discover.host.doc_title_trial' : 'discover.host.doc_title', { title });
  }, [title]);

  // A trial's pages need a launch token; keep a fresh one for the next page.
  useEffect(() => {
    if (!trial) return;
    const timer = setInterval(() => {
      miniApi.trialLaunch(appid, trial.label).then(
        (l) => (launch.current = l.launch),
        () => {
          /* no longer a tester: the next page is refused by the apps host */
        },
      );
    }, LAUNCH_REFRESH_MS);
    return () => clearInterval(timer);
  }, [appid, trial?.label]);

  // --- the bridge (miniapp/bridge.ts): this host gives it the UI it opens ---

  const host: BridgeHost = {
    appid,
    trial: tr,
    api: guarded.current!,
    busy: () => latest.current.busy,
    askConsent: (id, desc) => setConsent({ id, desc }),
    askPayment: (id, prepay) => setPay({ id, prepay, error: '' }),
    showModal: (id, m) => setModal({ id, ...m }),
    toast: showToast,
    refreshWallet: () => void refreshWallet(),
    depth: () => latest.current.stack.length,
    pageSrc: (url) => {
      const { stack: s, nonce: n } = latest.current;
      return frameSrc(appid, url, n, pagePath(s[s.length - 1].src), launch.current);
    },
    pushPage,
    popPages,
    setTitle: (text) => setStack((s) => s.map((e, i) => (i === s.length - 1 ? { ...e, title: text } : e))),
    systemInfo: () => systemInfo(frame.current),
    openLiveRoom: (roomId) => navigate('/live/' + encodeURIComponent(roomId)),
  };
  const hostRef = useRef(host);
  hostRef.current = host;
  const bridge = useRef<Bridge | null>(null);
  if (!bridge.current) {
    bridge.current = new Bridge({
      appOrigin: appOrigin(appid),
      frame: () => frame.current?.contentWindow,
      nonce: () => latest.current.nonce,
      host: () => hostRef.current,
    });
  }
  const br = bridge.current;

  useEffect(() => {
    const onMessage = (event: MessageEvent) => br.receive(event);
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);

  /** A new page replaces the frame: its predecessor's calls and prompts are dropped. */
  function resetPage() {
    br.reset();
    setConsent(null);
    setConsentBusy(false);
    setModal(null);
    setPay(null);
    setGate(null);
    setLoaded(false);
  }

  // The app is withheld: its calls and prompts go with it (the frame is
  // unmounted below), and the page says why instead.
  // Lifted (the policy was cancelled or expired): the app starts afresh, as
  // if opened again.
  const wasBlocked = useRef(false);
  useEffect(() => {
    if (blocked) resetPage();
    else if (wasBlocked.current) restart();
    wasBlocked.current = blocked;
  }, [blocked]);

  function pushPage(src: string, pageTitle: string) {
    resetPage();
    setStack((s) => [...s, { seq: ++seqCounter, src, title: pageTitle }]);
  }

  function popPages(delta: number) {
    resetPage();
    setStack((s) => {
      const keep = Math.max(1, s.length - Math.max(1, delta));
      // A fresh load of the page we return to (each page is its own document).
      return s.slice(0, keep).map((e, i) => (i === keep - 1 ? { ...e, seq: ++seqCounter } : e));
    });
  }

  function back() {
    if (stack.length > 1) popPages(1);
    else navigate('/discover');
  }

  function restart() {
    const n = newNonce();
    resetPage();
    setMenu(false);
    setNonce(n);
    setStack([{ seq: ++seqCounter, src: frameSrc(appid, '/', n, '/', launch.current) ?? 'about:blank', title: '' }]);
  }

  // --- getUserProfile ---

  async function allow() {
    if (!consent || consentBusy) return;
    const { id } = consent;
    setConsentBusy(true);
    try {
      await miniApi.grant(appid, 'userInfo', tr);
      await br.profile(id);
    } catch (e) {
      br.fail(id, 'getUserProfile', reasonOf(e));
    }
    setConsentBusy(false);
    setConsent(null);
  }

  function deny() {
    if (!consent) return;
    br.fail(consent.id, 'getUserProfile', 'auth deny');
    setConsent(null);
    setConsentBusy(false);
  }

  // --- showModal ---

  function closeModal(confirm: boolean) {
    if (!modal) return;
    br.ok(modal.id, 'showModal', { confirm, cancel: !confirm });
    setModal(null);
  }

  // --- requestPayment ---

  function startPay() {
    if (!pay) return;
    const p = pay.prepay;
    setPay({ ...pay, error: '' });
    setGateKey((k) => k + 1);
    setGate({
      what: p.merchant.name,
      amount: p.amount.amount,
      currency: p.amount.currency,
      run: async (pin) => {
        await payApi.confirm(p.prepay_id, pin);
      },
    });
  }

  function closePay() {
    if (!pay) return;
    br.fail(pay.id, 'requestPayment', 'cancel');
    setGate(null);
    setPay(null);
  }

  function payFailed(err: unknown) {
    setGate(null);
    if (!pay) return;
    const code = err instanceof ApiError ? err.code : '';
    if (code === 'order_closed' || code === 'conflict') {
      br.fail(pay.id, 'requestPayment', code === 'conflict' ? 'order already paid' : 'order closed');
      setPay(null);
      showToast(errorMessage(err), 'error');
      return;
    }
    setPay({ ...pay, error: refusalText(err) });
  }

  function paid() {
    setGate(null);
    if (!pay) return;
    afterPayment();
    br.ok(pay.id, 'requestPayment');
    setPay(null);
  }

  if (blocked) {
    return (
      <Page title={app.name} back="/discover" backId="miniapp-back" class="miniapp-screen">
        <BlockedByPolicy appName={app.name} notice={stop} message={refused ?? ''} region={user.region} live />
      </Page>
    );
  }

  return (
    <section class="page miniapp-screen" id="miniapp" data-appid={appid} data-depth={stack.length} data-trial={trial?.info.code}>
      <header ref={bar} class="title-bar miniapp-bar" data-text-style={barText || undefined}>
        <div class="title-bar-side">
          <button type="button" id="miniapp-back" class="icon-button back-button" aria-label={stack.length > 1 ? t('common.back') : t('discover.host.leave')} onClick={back}>
            <BackIcon />
          </button>
        </div>
        <h1 class="title-bar-title" id="miniapp-title">
          {title}
          {trial && (
            <span class="miniapp-trial" id="miniapp-trial" data-status={trial.info.status}>
              {trialMarker(trial.info)}
            </span>
          )}
        </h1>
        <div class="title-bar-side title-bar-right">
          <div class="miniapp-capsule" role="group" aria-label={t('discover.host.capsule')}>
            <button type="button" id="miniapp-more" class="capsule-button" aria-label={t('common.more')} onClick={() => setMenu(true)}>
              <MoreIcon size={20} />
            </button>
            <span class="capsule-divider" aria-hidden="true" />
            <button type="button" id="miniapp-close" class="capsule-button" aria-label={t('discover.host.close')} onClick={() => navigate('/discover')}>
              <span class="capsule-ring" aria-hidden="true" />
            </button>
          </div>
        </div>
      </header>
      <div ref={body} class="miniapp-body">
        <iframe
          key={top.seq}
          ref={frame}
          id="miniapp-frame"
          class="miniapp-frame"
          title={app.name}
          src={top.src}
          sandbox="allow-scripts allow-forms"
          referrerpolicy="no-referrer"
          onLoad={() => {
            bridge.current?.loaded();
            setLoaded(true);
          }}
        />
        {!loaded && (
          <div class="miniapp-loading">
            <Spinner label={t('discover.host.opening_app', { name: app.name })} />
          </div>
        )}
      </div>

      <Sheet open={!!consent} onClose={deny} label={t('discover.consent.label')} id="consent-sheet">
        <div class="consent">
          <div class="consent-app">
            <Avatar username={appid} name={app.name} size="sm" />
            <span class="consent-app-name">{app.name}</span>
          </div>
          <h2 class="consent-title">{t('discover.consent.title')}</h2>
          {consent?.desc && <p class="consent-desc">{consent.desc}</p>}
          <div class="consent-profile">
            <Avatar username={user.username} name={user.display_name} size="md" />
            <div>
              <div class="consent-name">{user.display_name || user.username}</div>
              <div class="consent-sub">{t('discover.consent.profile')}</div>
            </div>
          </div>
          <div class="consent-actions">
            <button type="button" id="consent-deny" class="button button-secondary" onClick={deny} disabled={consentBusy}>
              {t('discover.consent.deny')}
            </button>
            <button type="button" id="consent-allow" class="button button-primary" onClick={() => void allow()} disabled={consentBusy}>
              {t('discover.consent.allow')}
            </button>
          </div>
        </div>
      </Sheet>

      <Sheet open={!!pay} onClose={closePay} label={t('discover.pay.label')} id="miniapp-pay" covered={!!gate}>
        {pay && (
          <div class="miniapp-pay">
            <div class="pay-head">
              <Avatar username={pay.prepay.merchant.mchid} name={pay.prepay.merchant.name} size="lg" class="pay-avatar" />
              <div class="pay-merchant" id="pay-merchant">
                {pay.prepay.merchant.name}
              </div>
              {pay.prepay.description && <div class="pay-desc">{pay.prepay.description}</div>}
            </div>
            <div class="pay-amount" id="pay-amount" aria-label={formatMoney(pay.prepay.amount.amount, pay.prepay.amount.currency)}>
              <span class="pay-amount-symbol">{currencySymbol(pay.prepay.amount.currency)}</span>
              {formatDigits(pay.prepay.amount.amount, pay.prepay.amount.currency)}
            </div>
            <p class="miniapp-pay-via">
              {trial
                ? t('discover.pay.requested_by_trial', { name: app.name, trial: trialMarker(trial.info) })
                : t('discover.pay.requested_by', { name: app.name })}
            </p>
            {pay.error && (
              <p class="form-error" role="alert" id="pay-error">
                {pay.error}
              </p>
            )}
            <button type="button" id="pay-confirm" class="button button-primary button-block" onClick={startPay} disabled={!!gate}>
              {t('discover.pay.pay')}
            </button>
          </div>
        )}
      </Sheet>
      {pay && gate && (
        <PayGate key={gateKey} req={gate} onCancel={() => setGate(null)} onFail={payFailed} onDone={paid} />
      )}

      {modal && (
        <div class="sheet-layer miniapp-modal-layer">
          <div class="sheet-backdrop" />
          <div class="miniapp-modal" id="miniapp-modal" role="alertdialog" aria-modal="true" aria-label={modal.title || app.name}>
            <div class="miniapp-modal-body">
              {modal.title && <h2 class="miniapp-modal-title">{modal.title}</h2>}
              {modal.content && <p class="miniapp-modal-text">{modal.content}</p>}
            </div>
            <div class="miniapp-modal-actions">
              {modal.showCancel && (
                <button type="button" id="modal-cancel" class="miniapp-modal-button" onClick={() => closeModal(false)}>
                  {modal.cancelText}
                </button>
              )}
              <button type="button" id="modal-confirm" class="miniapp-modal-button primary" onClick={() => closeModal(true)}>
                {modal.confirmText}
              </button>
            </div>
          </div>
        </div>
      )}

      <Sheet open={menu} onClose={() => setMenu(false)} label={app.name} id="miniapp-menu">
        <div class="miniapp-about">
          <Avatar username={appid} name={app.name} size="lg" />
          <h2 class="miniapp-about-name">{app.name}</h2>
          {app.description && <p class="miniapp-about-desc">{app.description}</p>}
          <p class="miniapp-about-id">{appid}</p>
        </div>
        <div class="sheet-actions">
          <button type="button" id="miniapp-restart" class="button button-secondary button-block" onClick={restart}>
            {t('discover.host.restart')}
          </button>
          <button type="button" class="button button-secondary button-block" onClick={() => navigate('/discover')}>
            <CloseIcon size={16} /> {t('discover.host.leave_app')}
          </button>
        </div>
      </Sheet>
    </section>
  );
}
