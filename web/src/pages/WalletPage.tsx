import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api';
import { useStore } from '../store';
import { balanceOf, currencySymbol, DEFAULT_CURRENCY, formatDigits, formatMoney } from '../wallet/money';
import { refreshWallet, wallet } from '../wallet/store';
import { Page } from '../components/Page';
import { ChevronRightIcon, LockIcon, TopUpIcon, TransferIcon, WalletIcon, WithdrawIcon } from '../components/Icons';
import { TxList } from '../components/wallet/TxList';
import { Link } from '../router';
import { ReceiveIcon } from '../qr/icons';
import { TopUpSheet } from '../components/wallet/TopUpSheet';
import { WithdrawSheet } from '../components/wallet/WithdrawSheet';
import { TransferSheet } from '../components/wallet/TransferSheet';
import { PinSetupSheet } from '../components/wallet/PinSetupSheet';
import { t } from '../i18n';

type SheetName = '' | 'topup' | 'withdraw' | 'transfer' | 'pin';

export function WalletPage({ user }: { user: User }) {
  const w = useStore(wallet);
  const [sheet, setSheet] = useState<SheetName>('');
  const close = () => setSheet('');

  useEffect(() => {
    void refreshWallet();
  }, []);

  const cny = balanceOf(w.balances, DEFAULT_CURRENCY);
  const others = (w.balances ?? []).filter((b) => b.currency !== DEFAULT_CURRENCY && b.amount !== 0);

  return (
    <Page title={t('wallet.title')}>
      <div class="wallet-card" id="wallet-card">
        <div class="wallet-card-top">
          <WalletIcon size={20} />
          <span>{t('wallet.balance')}</span>
        </div>
        <div class={'wallet-balance' + (w.balances === null ? ' loading' : '')} id="wallet-balance" aria-live="polite">
          <span class="wallet-balance-symbol">{currencySymbol(DEFAULT_CURRENCY)}</span>
          {formatDigits(cny, DEFAULT_CURRENCY)}
        </div>
        {others.length > 0 && (
          <div class="wallet-others" id="wallet-other-balances">
            {others.map((b) => (
              <span class="wallet-other" data-currency={b.currency}>
                {formatMoney(b.amount, b.currency)}
              </span>
            ))}
          </div>
        )}
        {w.error && w.balances === null && <p class="wallet-error">{w.error}</p>}
        <div class="wallet-actions">
          <button type="button" id="wallet-topup" class="wallet-action" onClick={() => setSheet('topup')}>
            <TopUpIcon size={24} />
            <span>{t('wallet.action.topup')}</span>
          </button>
          <button type="button" id="wallet-withdraw" class="wallet-action" onClick={() => setSheet('withdraw')}>
            <WithdrawIcon size={24} />
            <span>{t('wallet.action.withdraw')}</span>
          </button>
          <button type="button" id="wallet-transfer" class="wallet-action" onClick={() => setSheet('transfer')}>
            <TransferIcon size={24} />
            <span>{t('wallet.action.transfer')}</span>
          </button>
          <Link href="/wallet/receive" id="wallet-receive" class="wallet-action">
            <ReceiveIcon size={24} />
            <span>{t('wallet.action.receive')}</span>
          </Link>
        </div>
      </div>

      {w.pinSet === false && (
        <button type="button" id="pin-setup-banner" class="pin-banner" onClick={() => setSheet('pin')}>
          <span class="cell-icon cell-icon-orange">
            <LockIcon size={22} />
          </span>
          <span class="pin-banner-text">
            <span class="pin-banner-title">{t('wallet.pin_banner.title')}</span>
            <span class="pin-banner-sub">{t('wallet.pin_banner.sub')}</span>
          </span>
          <ChevronRightIcon class="cell-chevron" />
        </button>
      )}

      <div class="cell-group-title">{t('wallet.transactions')}</div>
      <TxList />

      <TopUpSheet open={sheet === 'topup'} onClose={close} />
      <WithdrawSheet open={sheet === 'withdraw'} onClose={close} />
      <TransferSheet open={sheet === 'transfer'} onClose={close} me={user.username} />
      <PinSetupSheet open={sheet === 'pin'} onClose={close} />
    </Page>
  );
}
