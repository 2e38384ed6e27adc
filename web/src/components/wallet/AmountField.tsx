import type { ComponentChildren } from 'preact';
import { currencySymbol, DEFAULT_CURRENCY, isCurrency, normalizeAmountInput, useCurrencies } from '../../wallet/money';
import { t } from '../../i18n';

interface AmountFieldProps {
  label: string;
  currency: string;
  onCurrency?: (c: string) => void;
  /** Show the currency select (#currency-select). */
  pickCurrency?: boolean;
  onAmount?: (raw: string) => void;
  id?: string;
  name?: string;
  hint?: ComponentChildren;
  autoFocus?: boolean;
}

/** Big WeChat-style amount entry: "¥ 12.34" with an optional currency select. */
export function AmountField({ label, currency, onCurrency, pickCurrency, onAmount, id = 'amount-input', name = 'amount', hint, autoFocus }: AmountFieldProps) {
  return (
    <div class="amount-field">
      <div class="amount-label-row">
        <label class="field-label" for={id}>
          {label}
        </label>
        {pickCurrency && <CurrencySelect onChange={onCurrency} />}
      </div>
      <div class="amount-row">
        <span class="amount-symbol" aria-hidden="true">
          {currencySymbol(currency)}
        </span>
        <input
          id={id}
          name={name}
          class="amount-input"
          inputMode="decimal"
          autoComplete="off"
          placeholder="0.00"
          maxLength={14}
          autoFocus={autoFocus}
          onInput={(e) => onAmount?.(e.currentTarget.value)}
          onBlur={(e) => showNormalized(e.currentTarget, onAmount)}
        />
      </div>
      {hint && <div class="amount-hint">{hint}</div>}
    </div>
  );
}

/**
 * Shows what a Chinese keyboard typed ("１２。５") as the amount it is
 * ("12.5") once the field is left: not while typing, which would break an
 * input method's composition. parseAmount reads either.
 */
export function showNormalized(el: HTMLInputElement, onChange?: (raw: string) => void): void {
  const v = normalizeAmountInput(el.value);
  if (v === el.value) return;
  el.value = v;
  onChange?.(v);
}

/** Uncontrolled (re-renders never undo a value set from outside); reports changes. */
export function CurrencySelect({ initial = DEFAULT_CURRENCY, onChange }: { initial?: string; onChange?: (c: string) => void }) {
  const currencies = useCurrencies();
  return (
    <span class="currency-pill">
      <select
        id="currency-select"
        name="currency"
        aria-label={t('wallet.currency')}
        onChange={(e) => onChange?.(e.currentTarget.value)}
      >
        {currencies.map((c) => (
          <option value={c.code} selected={c.code === initial}>
            {c.code} {c.symbol}
          </option>
        ))}
      </select>
    </span>
  );
}

/** Reads the chosen currency from a form (works when scripts set the value directly). */
export function formCurrency(form: HTMLFormElement, fallback: string): string {
  const el = form.elements.namedItem('currency') as HTMLSelectElement | null;
  const v = el?.value ?? '';
  return isCurrency(v) ? v : fallback;
}

export function formValue(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name) as HTMLInputElement | null;
  return el?.value ?? '';
}
