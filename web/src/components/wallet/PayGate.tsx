import { useState } from 'preact/hooks';
import { wallet } from '../../wallet/store';
import { PinSheet } from './PinSheet';
import { PinSetupSheet } from './PinSetupSheet';
import { t } from '../../i18n';

export interface PayRequest {
  what: string;
  amount: number;
  currency: string;
  /** Sends the payment with the PIN; rejects with the server's error. */
  run: (pin: string) => Promise<void>;
}

interface GateProps {
  req: PayRequest;
  onDone: () => void;
  onCancel: () => void;
  onFail: (err: unknown) => void;
}

/**
 * The PIN step of every payment. Mount it (with a fresh key) per payment:
 * when there is no PIN yet it first asks to set one up, then shows the PIN sheet.
 */
export function PayGate({ req, onDone, onCancel, onFail }: GateProps) {
  const [stage, setStage] = useState<'pin' | 'setup'>(() => (wallet.get().pinSet === false ? 'setup' : 'pin'));
  if (stage === 'setup') {
    return (
      <PinSetupSheet
        open
        onClose={onCancel}
        onDone={() => setStage('pin')}
        reason={t('wallet.gate.setup_reason')}
      />
    );
  }
  return (
    <PinSheet
      what={req.what}
      amount={req.amount}
      currency={req.currency}
      submit={req.run}
      onDone={onDone}
      onCancel={onCancel}
      onFail={onFail}
      onSetup={() => setStage('setup')}
    />
  );
}
