import { useEffect } from 'preact/hooks';
import type { Id } from '../../api';
import { useStore } from '../../store';
import { navigate } from '../../router';
import { loadTransfer, transferCardLine, transferCardTitle, transfers } from '../../wallet/transfers';
import { splitTransferText } from './Bubbles';
import { CheckIcon, RefundIcon, TransferIcon } from '../Icons';
import { t } from '../../i18n';

/**
 * The chat's orange transfer card, as WeChat has it: the amount, and under
 * it "Tap to accept" for a payee (headed "Transfer to you"), "Awaiting Bob’s
 * acceptance" for the payer, then "Accepted" or "Returned" on both sides —
 * live, from the `transaction` frames. Tapping opens the details page.
 */
export function TransferCard({ text, mine, transactionId }: { text: string; mine: boolean; transactionId?: Id }) {
  const { amount, note } = splitTransferText(text);
  const all = useStore(transfers);
  const tx = transactionId === undefined ? undefined : all[String(transactionId)];

  useEffect(() => {
    if (transactionId !== undefined && !tx) void loadTransfer(transactionId);
  }, [transactionId]);

  const status = tx?.status ?? '';
  const done = status === 'returned' || status === 'rejected' || (status === 'succeeded' && !!tx?.acceptance);
  const line = transferCardLine(tx, mine, note);
  const title = transferCardTitle(tx, mine);
  const icon = status === 'returned' || status === 'rejected' ? <RefundIcon size={22} /> : done ? <CheckIcon size={22} /> : <TransferIcon size={24} />;
  const open = () => transactionId !== undefined && navigate('/wallet/transactions/' + encodeURIComponent(String(transactionId)) + '?back=' + encodeURIComponent(window.location.pathname));
  return (
    <button
      type="button"
      class={
        'bubble bubble-money transfer-bubble transfer-card' +
        (done ? ' transfer-done' : '') +
        (status === 'held' ? ' transfer-held' : '') +
        (status === 'rejected' ? ' transfer-rejected' : '')
      }
      data-status={status || undefined}
      data-transaction-id={transactionId === undefined ? undefined : String(transactionId)}
      aria-label={line ? t('wallet.transfer.card_aria_line', { amount, line }) : t('wallet.transfer.card_aria', { amount })}
      onClick={open}
    >
      <span class="bubble-money-top">
        <span class="transfer-coin" aria-hidden="true">
          {icon}
        </span>
        <span class="bubble-money-texts">
          {title && <span class="transfer-card-title">{title}</span>}
          <span class="bubble-text transfer-amount">{amount || t('wallet.transfer.noun')}</span>
          <span class="bubble-money-sub transfer-note">{line}</span>
        </span>
      </span>
      <span class="bubble-money-foot">{t('wallet.transfer.noun')}</span>
    </button>
  );
}
