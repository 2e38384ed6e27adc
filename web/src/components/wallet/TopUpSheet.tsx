import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { ApiError, errorMessage } from '../../api';
import { showToast } from '../../toast';
import { walletApi } from '../../wallet/api';
import { Attempt } from '../../wallet/attempt';
import { DEFAULT_CURRENCY, formatMoney, parseAmount, toInput } from '../../wallet/money';
import { afterPayment } from '../../wallet/store';
import { Sheet } from '../Sheet';
import { FormError } from '../Field';
import { AmountField, formCurrency, formValue } from './AmountField';
import { t } from '../../i18n';

const QUICK = [5000, 10000, 20000, 50000];

/** Top up from the sandbox bank: amount + currency, no PIN. */
export function TopUpSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [currency, setCurrency] = useState(DEFAULT_CURRENCY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [canRetry, setCanRetry] = useState(false);
  const [attempt] = useState(() => new Attempt());

  useEffect(() => {
    if (!open) return;
    setError('');
    setCanRetry(false);
    setCurrency(DEFAULT_CURRENCY);
  }, [open]);

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (busy) return;
    const f = e.currentTarget;
    const cur = formCurrency(f, currency);
    const parsed = parseAmount(formValue(f, 'amount'), cur);
    if (!parsed.ok) return setError(parsed.error);
    setError('');
    setCanRetry(false);
    setBusy(true);
    try {
      await attempt.run('topup:' + cur + ':' + parsed.minor, (key) => walletApi.topup({ amount: parsed.minor, currency: cur }, key));
      afterPayment();
      showToast(t('wallet.topup.done', { amount: formatMoney(parsed.minor, cur) }), 'success');
      f.reset();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setCanRetry(err instanceof ApiError && (err.code === 'rail_failed' || err.status === 0 || err.status >= 500));
    } finally {
      setBusy(false);
    }
  }

  function quick(minor: number) {
    const el = document.getElementById('amount-input') as HTMLInputElement | null;
    if (el) {
      el.value = toInput(minor, currency).replace(/\.00$/, '');
      el.focus();
    }
  }

  return (
    <Sheet open={open} onClose={onClose} label={t('wallet.action.topup')} id="topup-sheet">
      <div class="sheet-head">
        <h2 class="sheet-title">{t('wallet.action.topup')}</h2>
      </div>
      <p class="sheet-sub">{t('wallet.topup.source')}</p>
      <form class="money-form" onSubmit={onSubmit} noValidate>
        <AmountField label={t('wallet.amount')} currency={currency} pickCurrency onCurrency={setCurrency} autoFocus />
        <div class="quick-amounts">
          {QUICK.map((m) => (
            <button type="button" class="quick-amount" onClick={() => quick(m)}>
              {formatMoney(m, currency).replace(/\.00$/, '')}
            </button>
          ))}
        </div>
        <FormError message={error} />
        <button type="submit" id="money-submit" class="button button-primary button-block" disabled={busy}>
          {busy && <span class="button-spinner" aria-hidden="true" />}
          {t(busy ? 'wallet.topup.busy' : canRetry ? 'common.retry' : 'wallet.action.topup')}
        </button>
      </form>
    </Sheet>
  );
}
