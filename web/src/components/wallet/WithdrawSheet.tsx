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
      what: 'Withdraw to bank card',
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
      <Sheet open={open} covered={!!req} onClose={onClose} label="Withdraw" id="withdraw-sheet">
        <div class="sheet-head">
          <h2 class="sheet-title">Withdraw</h2>
        </div>
        <div class="money-dest">
          <span class="cell-icon cell-icon-blue">
            <CardIcon size={22} />
          </span>
          <span class="money-dest-text">
            <span class="money-dest-title">Sandbox Bank (0042)</span>
            <span class="money-dest-sub">Arrives within 2 hours</span>
          </span>
        </div>
        <form class="money-form" onSubmit={onSubmit} noValidate>
          <AmountField
            label="Amount"
            currency={currency}
            pickCurrency
            onCurrency={setCurrency}
            autoFocus
            hint={
              <>
                Available {formatMoney(available, currency)}
                {available > 0 && (
                  <button type="button" class="link-button" onClick={all}>
                    Withdraw all
                  </button>
                )}
              </>
            }
          />
          <FormError message={error} />
          <button type="submit" id="money-submit" class="button button-primary button-block">
            Withdraw
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
            showToast('Withdrew ' + formatMoney(req.amount, req.currency) + ' to your bank card.', 'success');
            setReq(null);
            onClose();
          }}
        />
      )}
    </>
  );
}
