import { useRef } from 'preact/hooks';
import { useDialogFocus } from '../dialogFocus';
import type { RedPacket } from '../../wallet/api';
import { dividerTime } from '../../chat/format';
import { Link } from '../../router';
import { currencySymbol, formatDigits, formatMoney, type Money } from '../../wallet/money';
import { Avatar } from '../Avatar';
import { BackIcon, CrownIcon } from '../Icons';
import { t } from '../../i18n';

/** Index of the best share: lucky packets, once every share is taken (earliest wins a tie). */
export function bestLuck(rp: RedPacket): number {
  if (rp.split !== 'lucky' || rp.count < 2 || rp.claimed_count < rp.count || rp.claims.length === 0) return -1;
  let best = 0;
  rp.claims.forEach((c, i) => {
    if (c.amount > rp.claims[best].amount) best = i;
  });
  return best;
}

/** "3/3 opened, ¥10.00 / ¥10.00". */
export function summaryText(rp: RedPacket): string {
  return t('wallet.rp.summary', {
    opened: rp.claimed_count,
    count: rp.count,
    claimed: formatMoney(rp.claimed_total, rp.currency),
    total: formatMoney(rp.total, rp.currency),
  });
}

function statusNote(rp: RedPacket): string {
  if (rp.status === 'expired' || rp.status === 'refunded') {
    const left = rp.total - rp.claimed_total;
    return left > 0
      ? t('wallet.rp.expired_returned', { amount: formatMoney(left, rp.currency), name: rp.sender.display_name || rp.sender.username })
      : t('wallet.rp.expired');
  }
  if (rp.status === 'active') {
    const left = rp.count - rp.claimed_count;
    const note = t('wallet.rp.refund_note');
    return left > 0 && rp.count > 1 ? t('wallet.rp.left', { count: left }) + ' · ' + note : note;
  }
  return '';
}

/** Who got how much: the sender, my amount (big), the totals and every claim. */
export function RedPacketDetails({ rp, won, onClose }: { rp: RedPacket; won: Money | null; onClose: () => void }) {
  const mine = won?.amount ?? rp.my_claim ?? null;
  const best = bestLuck(rp);
  const note = statusNote(rp);
  const panel = useRef<HTMLDivElement>(null);
  useDialogFocus(panel, true);
  return (
    <div ref={panel} class="rp-details" id="red-packet-details" role="dialog" aria-modal="true" aria-label={t('wallet.rp.details')}>
      <div class="rp-details-bar">
        <button type="button" class="icon-button" id="red-packet-close" aria-label={t('common.close')} onClick={onClose}>
          <BackIcon />
        </button>
        <span class="rp-details-bar-title">{t('wallet.rp.noun')}</span>
        <span />
      </div>
      <div class="rp-details-scroll">
        <div class="rp-details-cap" aria-hidden="true" />
        <div class="rp-details-head">
          <Avatar username={rp.sender.username} name={rp.sender.display_name} size="lg" />
          <p class="rp-details-from">
            {t('wallet.rp.whose', { name: rp.sender.display_name || rp.sender.username })}
            {rp.split === 'lucky' && rp.count > 1 && <span class="rp-lucky-badge">{t('wallet.rp.lucky_badge')}</span>}
          </p>
          <p class="rp-details-greeting">{rp.greeting || t('wallet.rp.greeting_default')}</p>
          {mine !== null && (
            <>
              <p class="rp-amount" id="red-packet-amount">
                <span class="rp-amount-symbol">{currencySymbol(won?.currency ?? rp.currency)}</span>
                {formatDigits(mine, won?.currency ?? rp.currency)}
              </p>
              <Link href="/wallet" class="rp-deposited">
                {t('wallet.rp.deposited')}
              </Link>
            </>
          )}
        </div>
        <div class="rp-summary-bar">
          <span id="red-packet-summary">{summaryText(rp)}</span>
          {note && <span class="rp-summary-note">{note}</span>}
        </div>
        <div class="rp-claims">
          {rp.claims.length === 0 && <p class="rp-claims-empty">{t('wallet.rp.no_claims')}</p>}
          {rp.claims.map((cl, i) => (
            <div class="rp-claim" data-claim-username={cl.user.username} key={cl.user.username}>
              <Avatar username={cl.user.username} name={cl.user.display_name} size="md" />
              <span class="rp-claim-main">
                <span class="rp-claim-name">{cl.user.display_name || cl.user.username}</span>
                <span class="rp-claim-time">{dividerTime(cl.created_at)}</span>
              </span>
              <span class="rp-claim-side">
                <span class="claim-amount">{formatMoney(cl.amount, rp.currency)}</span>
                {i === best && (
                  <span class="best-luck">
                    <CrownIcon size={13} /> {t('wallet.rp.best_luck')}
                  </span>
                )}
              </span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
