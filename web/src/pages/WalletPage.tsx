import { Page } from '../components/Page';
import { Cell, CellGroup, CellIcon } from '../components/Cell';
import { CardIcon, ReceiptIcon, WalletIcon } from '../components/Icons';

export function WalletPage() {
  return (
    <Page title="Wallet">
      <div class="wallet-card" id="wallet-card">
        <div class="wallet-card-top">
          <WalletIcon size={22} />
          <span>Balance</span>
        </div>
        <div class="wallet-balance" id="wallet-balance">
          ¥0.00
        </div>
        <div class="wallet-card-foot">
          <span class="wallet-soon">Coming soon</span>
          <span>Send money to friends and pay in mini programs.</span>
        </div>
      </div>
      <CellGroup>
        <Cell
          media={
            <CellIcon color="orange">
              <ReceiptIcon size={20} />
            </CellIcon>
          }
          title="Transactions"
          extra={<span class="muted">Coming soon</span>}
        />
        <Cell
          media={
            <CellIcon color="blue">
              <CardIcon size={20} />
            </CellIcon>
          }
          title="Cards"
          extra={<span class="muted">Coming soon</span>}
        />
      </CellGroup>
    </Page>
  );
}
