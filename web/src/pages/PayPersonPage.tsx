import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { errorMessage, type User } from '../api';
import { t } from '../i18n';
import { navigate } from '../router';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { Spinner } from '../components/Spinner';
import { FormError } from '../components/Field';
import { AlertIcon, CheckIcon } from '../components/Icons';
import { AmountField, formValue } from '../components/wallet/AmountField';
import { PayGate, type PayRequest } from '../components/wallet/PayGate';
import { isHeld, walletApi } from '../wallet/api';
import { Attempt } from '../wallet/attempt';
import { currencySymbol, formatDigits, formatMoney, parseAmount } from '../wallet/money';
import { afterPayment } from '../wallet/store';
import { qrApi, type QrResolution } from '../qr/api';

type View =
  | { kind: 'loading' }
  | { kind: 'invalid'; message: string }
  | { kind: 'pay'; code: QrResolution }
  | { kind: 'paid'; code: QrResolution; amount: number; currency: string; held: boolean };

/**
 * /r/<token>: a receive-money code scanned (or opened by a phone's camera).
 * Shows whom it pays; the payer types the amount when the code has none,
 * enters the PIN, and it is a transfer like any other.
 */
export function PayPersonPage({ token, user }: { token: string; user: User }) {
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [error, setError] = useState('');
  const [gate, setGate] = useState<PayRequest | null>(null);
  const [n, setN] = useState(0);
  const [attempt] = useState(() => new Attempt());
  // The payment under way: what the success screen shows once the PIN sheet is done.
  const paying = useRef<{ code: QrResolution; amount: number; currency: string; held: boolean } | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    qrApi.resolve('/r/' + token, ctl.signal).then(
      (code) => setView(code.kind === 'receive_money' && code.user ? { kind: 'pay', code } : { kind: 'invalid', message: t('wallet.qrpay.not_receive_code') }),
      (err) => {
        if (err instanceof DOMException && err.name === 'AbortError') return;
        setView({ kind: 'invalid', message: errorMessage(err) });
      },
    );
    return () => ctl.abort();
  }, [token]);

  function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>, code: QrResolution) {
    e.preventDefault();
    const payee = code.user!;
    const currency = code.currency || 'CNY';
    let amount = code.amount ?? 0;
    if (!code.amount) {
      const parsed = parseAmount(formValue(e.currentTarget, 'amount'), currency);
      if (!parsed.ok) return setError(parsed.error);
      amount = parsed.minor;
    }
    const note = formValue(e.currentTarget, 'note').trim().slice(0, 100);
    setError('');
    const pending = { code, amount, currency, held: false };
    paying.current = pending;
    setN((x) => x + 1);
    setGate({
      what: t('wallet.qrpay.what', { name: payee.display_name || '@' + payee.username }),
      amount,
      currency,
      run: async (pin) => {
        const r = await attempt.run(['qr-pay', payee.username, currency, amount, note].join('\u0000'), (key) =>
          walletApi.transfer({ username: payee.username, amount, currency, note, pin }, key),
        );
        pending.held = isHeld(r.transaction);
      },
    });
  }

  let body;
  if (view.kind === 'loading') {
    body = <Spinner label={t('wallet.qr.reading')} />;
  } else if (view.kind === 'invalid') {
    body = (
      <div class="pay-result pay-result-warn">
        <span class="pay-result-icon" aria-hidden="true">
          <AlertIcon size={40} />
        </span>
        <h2 class="pay-result-title">{t('wallet.qrpay.cant_pay')}</h2>
        <p class="pay-result-text" id="pay-person-invalid">
          {view.message}
        </p>
        <div class="pay-result-actions">
          <button type="button" class="button button-secondary pay-done" onClick={() => navigate('/scan')}>
            {t('wallet.qr.scan_again')}
          </button>
        </div>
      </div>
    );
  } else if (view.kind === 'paid') {
    const p = view.code.user!;
    body = (
      <div class="pay-result pay-success" id="pay-person-success">
        <span class="pay-check" aria-hidden="true">
          <CheckIcon size={44} stroke-width={2.6} />
        </span>
        <h2 class="pay-result-title">{t(view.held ? 'wallet.qrpay.held_title' : 'wallet.pay.success')}</h2>
        <p class="pay-result-amount">
          <span class="pay-result-symbol">{currencySymbol(view.currency)}</span>
          {formatDigits(view.amount, view.currency)}
        </p>
        <p class="pay-result-text" id="pay-person-success-text">
          {view.held
            ? t('wallet.qrpay.held_text', { amount: formatMoney(view.amount, view.currency), name: p.display_name })
            : t('wallet.pay.paid_to', { amount: formatMoney(view.amount, view.currency), name: p.display_name })}
        </p>
        <div class="pay-result-actions">
          <button type="button" id="pay-person-done" class="button button-primary pay-done" onClick={() => navigate('/wallet')}>
            {t('common.done')}
          </button>
        </div>
      </div>
    );
  } else {
    const code = view.code;
    const p = code.user!;
    const self = String(p.id) === String(user.id);
    body = (
      <form class="pay-confirm pay-person" onSubmit={(e) => onSubmit(e, code)} noValidate>
        <div class="pay-head">
          <Avatar username={p.username} name={p.display_name} size="xl" class="pay-avatar" />
          <div class="pay-merchant" id="pay-person-name">
            {p.display_name}
          </div>
          <div class="pay-desc">@{p.username}</div>
        </div>
        {code.amount ? (
          <div class="pay-amount" id="pay-person-amount" aria-label={formatMoney(code.amount, code.currency)}>
            <span class="pay-amount-symbol">{currencySymbol(code.currency || 'CNY')}</span>
            {formatDigits(code.amount, code.currency)}
          </div>
        ) : (
          <div class="pay-person-entry">
            <AmountField label={t('wallet.amount')} currency={code.currency || 'CNY'} id="pay-person-input" autoFocus={!self} />
          </div>
        )}
        <div class="pay-person-note">
          <input name="note" id="pay-person-note" class="field-input" placeholder={t('wallet.note_placeholder')} maxLength={100} autoComplete="off" />
        </div>
        <FormError message={self ? t('wallet.qrpay.own_code') : error} />
        <div class="pay-actions">
          <button type="submit" id="pay-person-pay" class="button button-primary button-block pay-button" disabled={!!gate || self}>
            {t('wallet.pay.pay')}
          </button>
          <p class="pay-note">{t('wallet.qrpay.foot')}</p>
        </div>
      </form>
    );
  }

  return (
    <Page title={t('wallet.qrpay.title')} back="/scan" class="pay-screen">
      <div class="pay-page" id="pay-person-page" data-state={view.kind}>
        {body}
        {gate && view.kind === 'pay' && (
          <PayGate
            key={n}
            req={gate}
            onCancel={() => setGate(null)}
            onFail={(err) => {
              setGate(null);
              setError(errorMessage(err));
            }}
            onDone={() => {
              setGate(null);
              afterPayment();
              if (paying.current) setView({ kind: 'paid', ...paying.current });
            }}
          />
        )}
      </div>
    </Page>
  );
}
