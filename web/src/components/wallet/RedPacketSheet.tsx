import { useEffect, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { errorMessage } from '../../api';
import type { Conversation } from '../../chat/api';
import { receive } from '../../chat/store';
import { walletApi } from '../../wallet/api';
import { Attempt } from '../../wallet/attempt';
import { currencySymbol, DEFAULT_CURRENCY, formatDigits, formatMoney, maxAmount, parseAmount } from '../../wallet/money';
import { afterPayment, storeRedPacket } from '../../wallet/store';
import { Sheet } from '../Sheet';
import { FormError } from '../Field';
import { CurrencySelect, formCurrency, formValue } from './AmountField';
import { PayGate, type PayRequest } from './PayGate';

export const DEFAULT_GREETING = 'Best wishes';
const MAX_COUNT = 100;

type Split = 'lucky' | 'equal';

/** Works out the packet from the form's raw values (shared by the live total and submit). */
export type Plan = { ok: true; count: number; total: number } | { ok: false; error: string };

export function planRedPacket(split: Split, rawCount: string, rawAmount: string, currency: string, group: boolean): Plan {
  const countText = group ? rawCount.trim() : '1';
  if (!/^\d{1,3}$/.test(countText) || Number(countText) < 1) return { ok: false, error: 'Enter how many red packets (1–' + MAX_COUNT + ').' };
  const count = Number(countText);
  if (count > MAX_COUNT) return { ok: false, error: 'At most ' + MAX_COUNT + ' red packets at a time.' };
  const parsed = parseAmount(rawAmount, currency);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const total = split === 'equal' ? parsed.minor * count : parsed.minor;
  if (total > maxAmount(currency)) return { ok: false, error: 'That’s more than ' + formatMoney(maxAmount(currency), currency) + ' in total.' };
  if (total < count) return { ok: false, error: 'Each red packet needs at least ' + formatMoney(1, currency) + '.' };
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
    const greeting = formValue(f, 'greeting').trim().slice(0, 60) || DEFAULT_GREETING;
    const body = { total: plan.total, count: plan.count, currency: cur, greeting, split: group ? split : ('equal' as Split) };
    setError('');
    setN((x) => x + 1);
    setReq({
      what: group ? plan.count + (plan.count === 1 ? ' red packet' : ' red packets') + ' · ' + (c.title || 'Group chat') : 'Red Packet for ' + c.title,
      amount: plan.total,
      currency: cur,
      run: async (pin) => {
        const out = await attempt.run(JSON.stringify(body), (key) => walletApi.sendRedPacket(c.id, { ...body, pin }, key));
        storeRedPacket(out.red_packet);
        if (out.message) receive(out.message.conversation_id ?? c.id, [out.message]);
      },
    });
  }

  const amountLabel = group && split === 'equal' ? 'Amount each' : group ? 'Total' : 'Amount';

  return (
    <>
      <Sheet open={open} covered={!!req} onClose={onClose} label="Red Packet" id="red-packet-sheet">
        <div class="sheet-head">
          <h2 class="sheet-title">Send Red Packet</h2>
        </div>
        <form class="rp-form" onSubmit={onSubmit} noValidate>
          {group && (
            <div class="rp-split" role="radiogroup" aria-label="Split">
              <button type="button" id="rp-split-lucky" role="radio" aria-checked={split === 'lucky'} class={split === 'lucky' ? 'on' : ''} onClick={() => setSplit('lucky')}>
                Lucky
              </button>
              <button type="button" id="rp-split-equal" role="radio" aria-checked={split === 'equal'} class={split === 'equal' ? 'on' : ''} onClick={() => setSplit('equal')}>
                Equal
              </button>
            </div>
          )}
          {group && (
            <label class="rp-row" for="rp-count">
              <span class="rp-row-label">Quantity</span>
              <input
                id="rp-count"
                name="count"
                class="rp-input"
                inputMode="numeric"
                placeholder="Enter number"
                autoComplete="off"
                maxLength={3}
                onInput={(e) => setRaw((r) => ({ ...r, count: e.currentTarget.value }))}
              />
              <span class="rp-row-unit">packets</span>
            </label>
          )}
          {group && <p class="rp-note">{c.members.length} members in this group</p>}
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
            />
            <span class="rp-row-unit">{currencySymbol(currency)}</span>
          </label>
          {group && (
            <p class="rp-note">{split === 'lucky' ? 'Each member gets a random amount.' : 'Each member gets the same amount.'}</p>
          )}
          <label class="rp-row rp-row-greeting" for="rp-greeting">
            <input id="rp-greeting" name="greeting" class="rp-input rp-greeting" placeholder={DEFAULT_GREETING} maxLength={60} autoComplete="off" />
          </label>
          <div class="rp-currency">
            <span>Currency</span>
            <CurrencySelect onChange={setCurrency} />
          </div>
          <p class="rp-big" aria-live="polite">
            <span class="rp-big-symbol">{currencySymbol(currency)}</span>
            {formatDigits(shownTotal, currency)}
          </p>
          <FormError message={error} />
          <button type="submit" id="rp-submit" class="button button-block rp-submit">
            Prepare Red Packet
          </button>
          <p class="rp-foot">Unclaimed red packets are refunded after 24 hours.</p>
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
