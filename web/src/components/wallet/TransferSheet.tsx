import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { api, ApiError, errorMessage } from '../../api';
import { contactsState, refreshContacts } from '../../contacts';
import { showToast } from '../../toast';
import { useStore } from '../../store';
import { normalizeUsername, usernameProblem } from '../../validate';
import { isHeld, walletApi, type Party } from '../../wallet/api';
import { Attempt } from '../../wallet/attempt';
import { DEFAULT_CURRENCY, formatMoney, parseAmount } from '../../wallet/money';
import { afterPayment } from '../../wallet/store';
import { Avatar } from '../Avatar';
import { Sheet } from '../Sheet';
import { FormError } from '../Field';
import { AmountField, formCurrency, formValue } from './AmountField';
import { PayGate, type PayRequest } from './PayGate';
import { t } from '../../i18n';

interface TransferProps {
  open: boolean;
  onClose: () => void;
  me: string;
  /** Fixed recipient (the other person in a direct chat). */
  to?: Party;
  /** Quick picks (group members); contacts when not given. */
  choices?: Party[];
  /** The payee accepts it (a chat's transfer, as WeChat does): accept_required. */
  acceptRequired?: boolean;
}

/** Transfer to a person: recipient, amount, note, then the PIN sheet. */
export function TransferSheet({ open, onClose, me, to, choices, acceptRequired }: TransferProps) {
  const { contacts } = useStore(contactsState);
  const [currency, setCurrency] = useState(DEFAULT_CURRENCY);
  const [error, setError] = useState('');
  const [req, setReq] = useState<PayRequest | null>(null);
  const [n, setN] = useState(0);
  const [picked, setPicked] = useState<Party | null>(null);
  const [attempt] = useState(() => new Attempt());
  const userInput = useRef<HTMLInputElement>(null);
  const lookupSeq = useRef(0);
  const held = useRef(false);
  const pendingAccept = useRef(false);
  /** Whom the payment under way goes to, for the toast after it. */
  const payee = useRef('');
  const payeeUsername = useRef('');

  useEffect(() => {
    if (!open) return;
    setError('');
    setReq(null);
    setPicked(null);
    setCurrency(DEFAULT_CURRENCY);
    if (!to && !choices) void refreshContacts();
  }, [open]);

  const quick = useMemo(() => {
    const list: Party[] = choices ?? contacts ?? [];
    return list.filter((u) => u.username !== me).slice(0, 12);
  }, [choices, contacts, me]);

  /** Best display name we know for a username (contacts, group members, last lookup). */
  function known(username: string): Party | null {
    if (to && to.username === username) return to;
    if (picked && picked.username === username) return picked;
    return [...(choices ?? []), ...(contacts ?? [])].find((u) => u.username === username) ?? null;
  }

  function pick(u: Party) {
    if (userInput.current) userInput.current.value = u.username;
    setPicked(u);
    setError('');
    (document.getElementById('amount-input') as HTMLInputElement | null)?.focus();
  }

  function onUsername(raw: string) {
    const username = normalizeUsername(raw);
    const k = known(username);
    setPicked(k);
    if (k || usernameProblem(username) || username === me) return;
    const seq = ++lookupSeq.current;
    window.setTimeout(async () => {
      if (seq !== lookupSeq.current) return;
      try {
        const { user } = await api.user(username);
        if (seq === lookupSeq.current) setPicked(user);
      } catch {
        // unknown yet; the server will say so on submit
      }
    }, 350);
  }

  const [checking, setChecking] = useState(false);

  async function onSubmit(e: TargetedSubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (checking) return;
    const f = e.currentTarget;
    const username = to ? to.username : normalizeUsername(formValue(f, 'username'));
    const problem = usernameProblem(username);
    if (problem) return setError(to ? problem : t('wallet.transfer.choose_who', { problem }));
    if (username === me) return setError(t('wallet.transfer.not_yourself'));
    const cur = formCurrency(f, currency);
    const parsed = parseAmount(formValue(f, 'amount'), cur);
    if (!parsed.ok) return setError(parsed.error);
    const note = formValue(f, 'note').trim().slice(0, 100);
    setError('');
    const amount = parsed.minor;
    let who = known(username);
    if (!who) {
      // Typed faster than the preview: look the person up now, so the PIN
      // sheet names them (and a typo is caught before the PIN).
      setChecking(true);
      try {
        who = (await api.user(username)).user;
        setPicked(who);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          setChecking(false);
          return setError(t('wallet.transfer.no_user', { username }));
        }
      }
      setChecking(false);
    }
    const name = who?.display_name || '@' + username;
    payee.current = name;
    payeeUsername.current = username;
    setN((x) => x + 1);
    setReq({
      what: t('wallet.transfer.what', { name }),
      amount,
      currency: cur,
      run: async (pin) => {
        const r = await attempt.run(['transfer', username, cur, amount, note, acceptRequired ? 'accept' : ''].join('\u0000'), (key) =>
          walletApi.transfer(acceptRequired ? { username, amount, currency: cur, note, pin, accept_required: true } : { username, amount, currency: cur, note, pin }, key),
        );
        pendingAccept.current = r.transaction.status === 'pending_acceptance';
        held.current = isHeld(r.transaction);
      },
    });
  }

  const shown = to ?? picked;

  return (
    <>
      <Sheet open={open} covered={!!req} onClose={onClose} label={t('wallet.action.transfer')} id="transfer-sheet">
        <div class="sheet-head">
          <h2 class="sheet-title">{t('wallet.action.transfer')}</h2>
        </div>
        <form class="money-form" onSubmit={onSubmit} noValidate>
          {to ? (
            <div class="payee">
              <Avatar username={to.username} name={to.display_name} size="lg" />
              <span class="payee-text">
                <span class="payee-name">{t('wallet.transfer.what', { name: to.display_name || to.username })}</span>
                <span class="payee-handle">@{to.username}</span>
              </span>
            </div>
          ) : (
            <div class="field">
              <label class="field-label" for="transfer-username">
                {t('wallet.transfer.to')}
              </label>
              {quick.length > 0 && (
                <div class="payee-chips" aria-label={t('wallet.transfer.quick_picks')}>
                  {quick.map((u) => (
                    <button
                      type="button"
                      class={'payee-chip' + (picked?.username === u.username ? ' on' : '')}
                      data-pick-payee={u.username}
                      onClick={() => pick(u)}
                    >
                      <Avatar username={u.username} name={u.display_name} size="md" />
                      <span>{(u.display_name || u.username).split(/\s+/)[0]}</span>
                    </button>
                  ))}
                </div>
              )}
              <div class="field-prefixed">
                <span class="field-prefix">@</span>
                <input
                  id="transfer-username"
                  ref={userInput}
                  name="username"
                  class="field-input"
                  placeholder={t('wallet.transfer.username')}
                  autoComplete="off"
                  autoCapitalize="none"
                  spellcheck={false}
                  onInput={(e) => onUsername(e.currentTarget.value)}
                />
              </div>
              {shown && (
                <div class="user-preview">
                  <Avatar username={shown.username} name={shown.display_name} size="sm" />
                  <span class="user-preview-text">
                    {shown.display_name} <span class="muted">@{shown.username}</span>
                  </span>
                </div>
              )}
            </div>
          )}
          <AmountField label={t('wallet.amount')} currency={currency} pickCurrency onCurrency={setCurrency} autoFocus={!!to} />
          <div class="field">
            <label class="field-label" for="transfer-note">
              {t('wallet.transfer.note')}
            </label>
            <input id="transfer-note" name="note" class="field-input" placeholder={t('wallet.note_placeholder')} maxLength={100} autoComplete="off" />
          </div>
          <FormError message={error} />
          <button type="submit" id="money-submit" class="button button-primary button-block" disabled={checking}>
            {t('wallet.action.transfer')}
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
            // The one thing a transfer can fail to find is its payee: name them.
            setError(err instanceof ApiError && err.code === 'not_found' ? t('wallet.transfer.no_user', { username: payeeUsername.current }) : errorMessage(err));
          }}
          onDone={() => {
            afterPayment();
            const amount = formatMoney(req.amount, req.currency);
            if (held.current) showToast(t('wallet.transfer.held_toast', { amount }));
            else if (pendingAccept.current) showToast(t('wallet.transfer.pending_toast', { amount, name: payee.current }), 'success');
            else showToast(t('wallet.transfer.done_toast', { amount, name: payee.current }), 'success');
            setReq(null);
            onClose();
          }}
        />
      )}
    </>
  );
}
