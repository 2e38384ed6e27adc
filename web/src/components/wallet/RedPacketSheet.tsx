import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { errorMessage } from '../../api';
import type { Conversation } from '../../chat/api';
import { receive } from '../../chat/store';
import { walletApi } from '../../wallet/api';
import { Attempt } from '../../wallet/attempt';
import { currencySymbol, DEFAULT_CURRENCY, formatDigits, formatMoney, maxAmount, normalizeAmountInput, parseAmount } from '../../wallet/money';
import { afterPayment, storeRedPacket } from '../../wallet/store';
import { Sheet } from '../Sheet';
import { FormError } from '../Field';
import { CurrencySelect, formCurrency, formValue, showNormalized } from './AmountField';
import { PayGate, type PayRequest } from './PayGate';
import { t } from '../../i18n';

/** The greeting a packet gets when none is typed, in the sender's language (恭喜发财，大吉大利). */
export const defaultGreeting = () => t('wallet.rp.greeting_default');
const MAX_COUNT = 100;

type Split = 'lucky' | 'equal';

/** Works out the packet from the form's raw values (shared by the live total and submit). */
export type Plan = { ok: true; count: number; total: number } | { ok: false; error: string };

export function planRedPacket(split: Split, rawCount: string, rawAmount: string, currency: string, group: boolean): Plan {
  const countText = group ? normalizeAmountInput(rawCount).trim() : '1';
  if (!/^\d{1,3}$/.test(countText) || Number(countText) < 1) return { ok: false, error: t('wallet.rp.err_count', { max: MAX_COUNT }) };
  const count = Number(countText);
  if (count > MAX_COUNT) return { ok: false, error: t('wallet.rp.err_max_count', { max: MAX_COUNT }) };
  const parsed = parseAmount(rawAmount, currency);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const total = split === 'equal' ? parsed.minor * count : parsed.minor;
  if (total > maxAmount(currency)) return { ok: false, error: t('wallet.rp.err_too_much', { amount: formatMoney(maxAmount(currency), currency) }) };
  if (total < count) return { ok: false, error: t('wallet.rp.err_too_little', { amount: formatMoney(1, currency) }) };
  return { ok: true, count, total };
}

/** "+" → Red Packet: Lucky/Equal (groups), quantity, amount, greeting, then the PIN. */
export function RedPacketSheet({ c, open, onClose }: { c: Conversation; open: boolean; onClose: () => void }) {
  const group = c.type === 'group';
  const [split, setSplit] = useState<Split>('lucky');
  const [currency, setCurrency] = useState(DEFAULT_CURRENCY);
  const [raw, setRaw] = useState({ count: '', amount: '' });
  const [error, setError] = useState('');
  const [req, setReq] = useState<PayRequest | null>(null);
  const [n, setN] = useState(0);
  const [attempt] = useState(() => new Attempt());

  useEffect(() => {
    if (!open) return;
    setError('');
    setReq(null);
    setSplit('lucky');
    setCurrency(DEFAULT_CURRENCY);
    setRaw({ count: '', amount: '' });
  }, [open]);

  const live = planRedPacket(split, raw.count || '1', raw.amount, currency, group);
  const shownTotal = live.ok ? live.total : 0;

  function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = e.currentTarget;
    const cur = formCurrency(f, currency);
    const plan = planRedPacket(group ? split : 'equal', formValue(f, 'count'), formValue(f, 'amount'), cur, group);
    if (!plan.ok) return setError(plan.error);
    const greeting = formValue(f, 'greeting').trim().slice(0, 60) || defaultGreeting();
    const body = { total: plan.total, count: plan.count, currency: cur, greeting, split: group ? split : ('equal' as Split) };
    setError('');
    setN((x) => x + 1);
    setReq({
      what: group
        ? t('wallet.rp.what_group', { count: plan.count, title: c.title || t('wallet.rp.group_chat') })
        : t('wallet.rp.what_direct', { name: c.title }),
      amount: plan.total,
      currency: cur,
      run: async (pin) => {
        const out = await attempt.run(JSON.stringify(body), (key) => walletApi.sendRedPacket(c.id, { ...body, pin }, key));
        storeRedPacket(out.red_packet);
        if (out.message) receive(out.message.conversation_id ?? c.id, [out.message]);
      },
    });
  }

  const amountLabel = t(group && split === 'equal' ? 'wallet.rp.amount_each' : group ? 'wallet.rp.total' : 'wallet.amount');

  return (
    <>
      <Sheet open={open} covered={!!req} onClose={onClose} label={t('wallet.rp.noun')} id="red-packet-sheet">
        <div class="sheet-head">
          <h2 class="sheet-title">{t('wallet.rp.send')}</h2>
        </div>
        <form class="rp-form" onSubmit={onSubmit} noValidate>
          {group && (
            <div class="rp-split" role="radiogroup" aria-label={t('wallet.rp.split')}>
              <button type="button" id="rp-split-lucky" role="radio" aria-checked={split === 'lucky'} class={split === 'lucky' ? 'on' : ''} onClick={() => setSplit('lucky')}>
                {t('wallet.rp.lucky')}
              </button>
              <button type="button" id="rp-split-equal" role="radio" aria-checked={split === 'equal'} class={split === 'equal' ? 'on' : ''} onClick={() => setSplit('equal')}>
                {t('wallet.rp.equal')}
              </button>
            </div>
          )}
          {group && (
            <label class="rp-row" for="rp-count">
              <span class="rp-row-label">{t('wallet.rp.quantity')}</span>
              <input
                id="rp-count"
                name="count"
                class="rp-input"
                inputMode="numeric"
                placeholder={t('wallet.rp.enter_number')}
                autoComplete="off"
                maxLength={3}
                onInput={(e) => setRaw((r) => ({ ...r, count: e.currentTarget.value }))}
                onBlur={(e) => showNormalized(e.currentTarget, (count) => setRaw((r) => ({ ...r, count })))}
              />
              <span class="rp-row-unit">{t('wallet.rp.unit')}</span>
            </label>
          )}
          {group && <p class="rp-note">{t('wallet.rp.members', { count: c.members.length })}</p>}
          <label class="rp-row" for="rp-total">
            <span class="rp-row-label">
              {amountLabel}
            </span>
            <input
              id="rp-total"
              name="amount"
              class="rp-input"
              inputMode="decimal"
              placeholder="0.00"
              autoComplete="off"
              maxLength={14}
              autoFocus={!group}
              onInput={(e) => setRaw((r) => ({ ...r, amount: e.currentTarget.value }))}
              onBlur={(e) => showNormalized(e.currentTarget, (amount) => setRaw((r) => ({ ...r, amount })))}
            />
            <span class="rp-row-unit">{currencySymbol(currency)}</span>
          </label>
          {group && (
            <p class="rp-note">{t(split === 'lucky' ? 'wallet.rp.random' : 'wallet.rp.same')}</p>
          )}
          <label class="rp-row rp-row-greeting" for="rp-greeting">
            <input id="rp-greeting" name="greeting" class="rp-input rp-greeting" placeholder={defaultGreeting()} maxLength={60} autoComplete="off" />
          </label>
          <div class="rp-currency">
            <span>{t('wallet.currency')}</span>
            <CurrencySelect onChange={setCurrency} />
          </div>
          <p class="rp-big" aria-live="polite">
            <span class="rp-big-symbol">{currencySymbol(currency)}</span>
            {formatDigits(shownTotal, currency)}
          </p>
          <FormError message={error} />
          <button type="submit" id="rp-submit" class="button button-block rp-submit">
            {t('wallet.rp.prepare')}
          </button>
          <p class="rp-foot">{t('wallet.rp.foot')}</p>
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
            setReq(null);
            onClose();
          }}
        />
      )}
    </>
  );
}
