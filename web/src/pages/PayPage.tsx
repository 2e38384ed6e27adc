import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { fmtDate, fmtTime, locale, t } from '../i18n';
import { navigate } from '../router';
import { useStore } from '../store';
import { payApi, safeRedirect, type Prepay } from '../pay/api';
import { balanceOf, currencySymbol, formatDigits, formatMoney } from '../wallet/money';
import { afterPayment, refreshWallet, wallet } from '../wallet/store';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Spinner } from '../components/Spinner';
import { AlertIcon, CheckIcon, WalletIcon } from '../components/Icons';
import { PayGate, type PayRequest } from '../components/wallet/PayGate';
import { TopUpSheet } from '../components/wallet/TopUpSheet';

type View =
  | { kind: 'loading' }
  | { kind: 'invalid' }
  | { kind: 'error'; message: string }
  | { kind: 'confirm'; prepay: Prepay }
  | { kind: 'paid'; prepay: Prepay; already: boolean }
  | { kind: 'closed'; prepay: Prepay | null };

const REDIRECT_MS = 2000;

function viewFor(p: Prepay): View {
  if (p.trade_state === 'SUCCESS' || p.trade_state === 'REFUND') return { kind: 'paid', prepay: p, already: true };
  if (p.trade_state === 'CLOSED') return { kind: 'closed', prepay: p };
  return { kind: 'confirm', prepay: p };
}

function readQuery() {
  const q = new URLSearchParams(window.location.search);
  const h5 = q.get('h5') === '1';
  return { pr: (q.get('pr') ?? '').trim(), returnTo: h5 ? safeRedirect(q.get('redirect_url')) : null };
}

/**
 * /pay?pr=<prepay_id>[&h5=1&redirect_url=…]: where a shop's Native QR code
 * and H5 link land. Shows the order, takes the PIN, confirms the payment.
 */
export function PayPage() {
  const [{ pr, returnTo }] = useState(readQuery);
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [gate, setGate] = useState<PayRequest | null>(null);
  const [n, setN] = useState(0);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [topUp, setTopUp] = useState(false);
  const w = useStore(wallet);

  async function load() {
    if (!pr) return setView({ kind: 'invalid' });
    setView({ kind: 'loading' });
    try {
      setView(viewFor(await payApi.prepay(pr, returnTo)));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) setView({ kind: 'invalid' });
      else setView({ kind: 'error', message: errorMessage(err) });
    }
  }

  useEffect(() => {
    void load();
    void refreshWallet();
  }, [pr]);

  // H5: back to the shop shortly after the payment is done, only to the
  // address the server accepted for this order's merchant.
  const back = view.kind === 'paid' ? safeRedirect(view.prepay.redirect_url ?? null) : null;
  useEffect(() => {
    if (!back) return undefined;
    const timer = window.setTimeout(() => window.location.assign(back), REDIRECT_MS);
    return () => window.clearTimeout(timer);
  }, [back]);

  /** After "already paid" or a retry whose first try went through: show what the server has. */
  async function reloadAfterConflict(p: Prepay) {
    try {
      const fresh = await payApi.prepay(p.prepay_id, returnTo);
      setView(fresh.trade_state === 'NOTPAY' ? { kind: 'paid', prepay: p, already: true } : viewFor(fresh));
    } catch {
      setView({ kind: 'paid', prepay: p, already: true });
    }
  }

  function startPay(p: Prepay) {
    setError(null);
    setN((x) => x + 1);
    setGate({
      what: p.merchant.name,
      amount: p.amount.amount,
      currency: p.amount.currency,
      run: async (pin) => {
        await payApi.confirm(p.prepay_id, pin);
      },
    });
  }

  function onFail(p: Prepay, err: unknown) {
    setGate(null);
    const code = err instanceof ApiError ? err.code : '';
    if (code === 'order_closed') return setView({ kind: 'closed', prepay: p });
    // 409: paid already (perhaps by a retry whose first try went through).
    if (code === 'conflict') return void reloadAfterConflict(p);
    setError({ code, message: refusal(p, err) });
  }

  let body;
  if (view.kind === 'loading') {
    body = <Spinner label={t('wallet.pay.loading')} />;
  } else if (view.kind === 'invalid') {
    body = (
      <Result icon="warn" title={t('wallet.pay.invalid_title')} text={t('wallet.pay.invalid_text')}>
        <button type="button" id="pay-done" class="button button-secondary pay-done" onClick={() => navigate('/chats')}>
          {t('common.close')}
        </button>
      </Result>
    );
  } else if (view.kind === 'error') {
    body = (
      <Result icon="warn" title={t('wallet.pay.load_failed')} text={view.message}>
        <button type="button" class="button button-primary pay-done" onClick={() => void load()}>
          {t('common.retry')}
        </button>
      </Result>
    );
  } else if (view.kind === 'closed') {
    body = (
      <Result icon="closed" title={t('wallet.pay.closed_title')} text={t('wallet.pay.closed_text')}>
        {view.prepay && <MerchantLine prepay={view.prepay} />}
        <button type="button" id="pay-done" class="button button-secondary pay-done" onClick={() => navigate('/chats')}>
          {t('common.close')}
        </button>
      </Result>
    );
  } else if (view.kind === 'paid') {
    const p = view.prepay;
    body = (
      <div class="pay-result pay-success" id="pay-success" data-state={view.already ? 'already-paid' : 'paid'}>
        <span class="pay-check" aria-hidden="true">
          <CheckIcon size={44} stroke-width={2.6} />
        </span>
        <h2 class="pay-result-title">{t(view.already ? 'wallet.pay.already' : 'wallet.pay.success')}</h2>
        <p class="pay-result-amount">
          <span class="pay-result-symbol">{currencySymbol(p.amount.currency)}</span>
          {formatDigits(p.amount.amount, p.amount.currency)}
        </p>
        <p class="pay-result-text" id="pay-success-text">
          {view.already
            ? t('wallet.pay.already_text', { name: p.merchant.name })
            : t('wallet.pay.paid_to', { amount: formatMoney(p.amount.amount, p.amount.currency), name: p.merchant.name })}
        </p>
        <div class="pay-result-actions">
          {back && (
            <>
              <a href={back} id="pay-return" class="button button-primary pay-done">
                {t('wallet.pay.return_to_shop')}
              </a>
              <p class="pay-note">{t('wallet.pay.returning')}</p>
            </>
          )}
          <button
            type="button"
            id="pay-done"
            class={'button pay-done ' + (back ? 'button-secondary' : 'button-primary')}
            onClick={() => navigate('/wallet')}
          >
            {t('common.done')}
          </button>
        </div>
      </div>
    );
  } else {
    const p = view.prepay;
    const bal = w.balances === null ? null : balanceOf(w.balances, p.amount.currency);
    const short = error?.code === 'insufficient_funds' && (bal === null || bal < p.amount.amount);
    body = (
      <div class="pay-confirm">
        <div class="pay-head">
          <Avatar username={p.merchant.mchid} name={p.merchant.name} size="xl" class="pay-avatar" />
          <div class="pay-merchant" id="pay-merchant">
            {p.merchant.name}
          </div>
          {p.description && <div class="pay-desc">{p.description}</div>}
        </div>
        <div class="pay-amount" id="pay-amount" aria-label={formatMoney(p.amount.amount, p.amount.currency)}>
          <span class="pay-amount-symbol">{currencySymbol(p.amount.currency)}</span>
          {formatDigits(p.amount.amount, p.amount.currency)}
        </div>
        <div class="pay-rows">
          <div class="pay-row">
            <span class="pay-row-label">{t('wallet.pay.payee')}</span>
            <span class="pay-row-value">{p.merchant.name}</span>
          </div>
          <div class="pay-row">
            <span class="pay-row-label">{t('wallet.pay.order_no')}</span>
            <span class="pay-row-value pay-mono">{p.out_trade_no}</span>
          </div>
          <div class="pay-row">
            <span class="pay-row-label">{t('wallet.pay.pay_with')}</span>
            <span class="pay-row-value pay-method">
              <WalletIcon size={18} />
              {t('wallet.pay.wallet_balance')}
              {bal !== null && <span class="pay-row-sub">{formatMoney(bal, p.amount.currency)}</span>}
            </span>
          </div>
        </div>
        {error && (
          <div class="pay-alert" role="alert" id="pay-error" data-code={error.code}>
            <p class="form-error">{short ? t('wallet.pay.short') : error.message}</p>
            {short && (
              <button type="button" id="pay-topup" class="button button-secondary button-small" onClick={() => setTopUp(true)}>
                {t('wallet.action.topup')}
              </button>
            )}
          </div>
        )}
        <div class="pay-actions">
          <button type="button" id="pay-confirm" class="button button-primary button-block pay-button" onClick={() => startPay(p)} disabled={!!gate}>
            {t('wallet.pay.pay')}
          </button>
          <p class="pay-note">{expiry(p.expires_at)}</p>
        </div>
        {gate && (
          <PayGate
            key={n}
            req={gate}
            onCancel={() => setGate(null)}
            onFail={(err) => onFail(p, err)}
            onDone={() => {
              setGate(null);
              afterPayment();
              setView({ kind: 'paid', prepay: p, already: false });
            }}
          />
        )}
        <TopUpSheet
          open={topUp}
          onClose={() => {
            setTopUp(false);
            void refreshWallet();
          }}
        />
      </div>
    );
  }

  return (
    <Page title={t('wallet.pay.title')} back="/chats" class="pay-screen">
      <div class="pay-page" id="pay-page" data-state={view.kind}>
        {body}
      </div>
    </Page>
  );
}

function MerchantLine({ prepay }: { prepay: Prepay }) {
  return (
    <p class="pay-result-sub">
      {prepay.merchant.name} · {formatMoney(prepay.amount.amount, prepay.amount.currency)}
    </p>
  );
}

function Result({ icon, title, text, children }: { icon: 'warn' | 'closed'; title: string; text: string; children?: ComponentChildren }) {
  return (
    <div class={'pay-result pay-result-' + icon}>
      <span class="pay-result-icon" aria-hidden="true">
        <AlertIcon size={40} />
      </span>
      <h2 class="pay-result-title">{title}</h2>
      <p class="pay-result-text">{text}</p>
      {children && <div class="pay-result-actions">{children}</div>}
    </div>
  );
}

/** "Plaza Pay · Expires at 14:05" (today) or "… Expires Dec 3, 14:05". */
function expiry(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return t('wallet.pay.title');
  const sameDay = d.toDateString() === new Date().toDateString();
  const time = fmtTime(d);
  return sameDay ? t('wallet.pay.expires_at', { time }) : t('wallet.pay.expires_on', { date: fmtDate(d, { month: 'short', day: 'numeric' }), time });
}

/**
 * Why the payment was refused, in the reader's language. A trust policy's
 * refusal names the shop and the reason an administrator wrote, so in
 * English the server's sentence says it best (as errorText does for codes
 * whose server sentence is specific); elsewhere the shop is named in the
 * reader's language.
 */
function refusal(p: Prepay, err: unknown): string {
  if (err instanceof ApiError && err.code === 'blocked_by_policy') {
    if (locale.get() === 'en' && err.message) return err.message;
    return t('wallet.pay.blocked', { name: p.merchant.name });
  }
  return errorMessage(err);
}
