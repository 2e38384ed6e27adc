import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { errorMessage } from '../../api';
import { showToast } from '../../toast';
import { useStore } from '../../store';
import { walletApi } from '../../wallet/api';
import { Attempt } from '../../wallet/attempt';
import { balanceOf, DEFAULT_CURRENCY, formatMoney, parseAmount, toInput } from '../../wallet/money';
import { afterPayment, wallet } from '../../wallet/store';
import { Sheet } from '../Sheet';
import { FormError } from '../Field';
import { CardIcon } from '../Icons';
import { AmountField, formCurrency, formValue } from './AmountField';
import { PayGate, type PayRequest } from './PayGate';
import { t } from '../../i18n';

/** Withdraw to the linked (sandbox) bank card: amount, then the PIN sheet. */
export function WithdrawSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { balances } = useStore(wallet);
  const [currency, setCurrency] = useState(DEFAULT_CURRENCY);
  const [error, setError] = useState('');
  const [req, setReq] = useState<PayRequest | null>(null);
  const [n, setN] = useState(0);
  const [attempt] = useState(() => new Attempt());

  useEffect(() => {
    if (!open) return;
    setError('');
    setReq(null);
    setCurrency(DEFAULT_CURRENCY);
  }, [open]);

  const available = balanceOf(balances, currency);

  function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = e.currentTarget;
    const cur = formCurrency(f, currency);
    const parsed = parseAmount(formValue(f, 'amount'), cur);
    if (!parsed.ok) return setError(parsed.error);
    setError('');
    const amount = parsed.minor;
    setN((x) => x + 1);
    setReq({
      what: t('wallet.withdraw.what'),
      amount,
      currency: cur,
      run: async (pin) => {
        await attempt.run('withdraw:' + cur + ':' + amount, (key) => walletApi.withdraw({ amount, currency: cur }, pin, key));
      },
    });
  }

  function all() {
    const el = document.getElementById('amount-input') as HTMLInputElement | null;
    if (el && available > 0) el.value = toInput(available, currency);
  }

  return (
    <>
      <Sheet open={open} covered={!!req} onClose={onClose} label={t('wallet.action.withdraw')} id="withdraw-sheet">
        <div class="sheet-head">
          <h2 class="sheet-title">{t('wallet.action.withdraw')}</h2>
        </div>
        <div class="money-dest">
          <span class="cell-icon cell-icon-blue">
            <CardIcon size={22} />
          </span>
          <span class="money-dest-text">
            <span class="money-dest-title">{t('wallet.withdraw.bank')}</span>
            <span class="money-dest-sub">{t('wallet.withdraw.eta')}</span>
          </span>
        </div>
        <form class="money-form" onSubmit={onSubmit} noValidate>
          <AmountField
            label={t('wallet.amount')}
            currency={currency}
            pickCurrency
            onCurrency={setCurrency}
            autoFocus
            hint={
              <>
                {t('wallet.withdraw.available', { amount: formatMoney(available, currency) })}
                {available > 0 && (
                  <button type="button" class="link-button" onClick={all}>
                    {t('wallet.withdraw.all')}
                  </button>
                )}
              </>
            }
          />
          <FormError message={error} />
          <button type="submit" id="money-submit" class="button button-primary button-block">
            {t('wallet.action.withdraw')}
          </button>
        </form>
      </Sheet>
      {open && req && (
        <PayGate
          key={n}
          req={req}
          onCancel={() => setReq(null)}
          onFail={(err) => {
            setReq(null);
            setError(errorMessage(err));
          }}
          onDone={() => {
            afterPayment();
            showToast(t('wallet.withdraw.done', { amount: formatMoney(req.amount, req.currency) }), 'success');
            setReq(null);
            onClose();
          }}
        />
      )}
    </>
  );
}
