import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { errorMessage, type User } from '../api';
import { t } from '../i18n';
import { useStore } from '../store';
import { Page } from '../components/Page';
import { Sheet } from '../components/Sheet';
import { FormError } from '../components/Field';
import { QrImage } from '../components/QrImage';
import { Avatar } from '../components/Avatar';
import { AmountField, formCurrency, formValue } from '../components/wallet/AmountField';
import { DEFAULT_CURRENCY, currencySymbol, formatDigits, formatMoney, parseAmount } from '../wallet/money';
import { history, loadMoreHistory } from '../wallet/store';
import type { Transaction } from '../wallet/api';
import { qrApi, type QrCode } from '../qr/api';
import { ReceiveIcon } from '../qr/icons';

/**
 * Wallet → Receive money: my receive code, open (the payer types the
 * amount) or for an amount I set. Payments that arrive while it is open
 * show under it, live (the wallet socket frame refreshes the history).
 */
export function ReceiveMoneyPage({ user }: { user: User }) {
  const [fixed, setFixed] = useState<{ amount: number; currency: string } | null>(null);
  const [code, setCode] = useState<QrCode | null>(null);
  const [error, setError] = useState('');
  const [sheet, setSheet] = useState(false);
  const [formError, setFormError] = useState('');
  const [currency, setCurrency] = useState(DEFAULT_CURRENCY);
  const h = useStore(history);
  // Transactions already there when the page opened: only newer ones are "received here".
  const before = useRef<Set<string> | null>(null);

  useEffect(() => {
    if (h.items === null) void loadMoreHistory();
  }, []);
  if (before.current === null && h.items !== null) before.current = new Set(h.items.map((x) => String(x.id)));

  useEffect(() => {
    let live = true;
    setCode(null);
    setError('');
    qrApi.receive(fixed?.amount ?? null, fixed?.currency ?? DEFAULT_CURRENCY).then(
      (c) => live && setCode(c),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [fixed?.amount, fixed?.currency]);

  function onSetAmount(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = e.currentTarget;
    const cur = formCurrency(f, currency);
    const parsed = parseAmount(formValue(f, 'amount'), cur);
    if (!parsed.ok) return setFormError(parsed.error);
    setFormError('');
    setFixed({ amount: parsed.minor, currency: cur });
    setSheet(false);
  }

  const received: Transaction[] =
    before.current === null
      ? []
      : (h.items ?? []).filter((x) => x.direction === 'in' && x.kind === 'transfer' && !before.current!.has(String(x.id)));

  return (
    <Page title={t('wallet.receive.title')} back="/wallet" class="qr-screen receive-screen">
      <div class="receive-card" id="receive-card" data-payload={code?.payload ?? ''} data-amount={fixed ? String(fixed.amount) : ''}>
        <div class="receive-card-top">
          <ReceiveIcon size={20} />
          <span>{t('wallet.receive.title')}</span>
        </div>
        <div class="receive-card-body">
          <p class="receive-card-hint">{t(fixed ? 'wallet.receive.hint_fixed' : 'wallet.receive.hint_open')}</p>
          {fixed && (
            <p class="receive-card-amount" id="receive-amount">
              <span class="receive-card-symbol">{currencySymbol(fixed.currency)}</span>
              {formatDigits(fixed.amount, fixed.currency)}
            </p>
          )}
          {error ? (
            <p class="form-error">{error}</p>
          ) : (
            <QrImage id="receive-qr-image" src={code?.url ?? null} label={t('wallet.receive.code_label', { name: user.display_name })} size={220} />
          )}
          <p class="receive-card-name">
            <Avatar username={user.username} name={user.display_name} size="sm" /> {user.display_name}
          </p>
          <div class="receive-card-links">
            {fixed ? (
              <button type="button" class="link-button" id="receive-clear-amount" onClick={() => setFixed(null)}>
                {t('wallet.receive.clear_amount')}
              </button>
            ) : (
              <button type="button" class="link-button" id="receive-set-amount" onClick={() => setSheet(true)}>
                {t('wallet.receive.set_amount')}
              </button>
            )}
            {code && (
              <a class="link-button" id="receive-save" href={code.url} download={'plaza-' + user.username + '-receive.png'}>
                {t('wallet.qr.save_image')}
              </a>
            )}
          </div>
        </div>
      </div>

      {received.length > 0 && (
        <div class="cell-group receive-list" id="receive-list">
          <div class="cell-group-title">{t('wallet.receive.received')}</div>
          <div class="cell-group-body">
            {received.map((x) => (
              <div class="cell receive-row" data-tx={String(x.id)}>
                <span class="cell-media">
                  <Avatar username={x.counterparty?.username ?? '?'} name={x.counterparty?.display_name} size="md" />
                </span>
                <span class="cell-main">
                  <span class="cell-title">{x.counterparty?.display_name || x.counterparty?.username || t('wallet.receive.someone')}</span>
                  <span class="cell-subtitle">{x.note || t('wallet.receive.transfer_received')}</span>
                </span>
                <span class="cell-extra receive-row-amount">+{formatMoney(x.amount, x.currency)}</span>
              </div>
            ))}
          </div>
        </div>
      )}

      <Sheet open={sheet} onClose={() => setSheet(false)} label={t('wallet.receive.set_amount')} id="receive-amount-sheet">
        <div class="sheet-head">
          <h2 class="sheet-title">{t('wallet.receive.set_amount')}</h2>
        </div>
        <form class="money-form" onSubmit={onSetAmount} noValidate>
          <AmountField label={t('wallet.amount')} currency={currency} pickCurrency onCurrency={setCurrency} id="receive-amount-input" autoFocus />
          <FormError message={formError} />
          <button type="submit" id="receive-amount-ok" class="button button-primary button-block">
            {t('common.ok')}
          </button>
        </form>
      </Sheet>
    </Page>
  );
}
