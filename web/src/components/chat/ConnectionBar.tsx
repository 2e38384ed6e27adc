import { connection } from '../../chat/socket';
import { useStore } from '../../store';
import { t } from '../../i18n';

/** Thin yellow bar under the title bar while the live connection is down. */
export function ConnectionBar() {
  const state = useStore(connection);
  if (state !== 'connecting' && state !== 'reconnecting') return null;
  return (
    <div id="connection-status" class="connection-bar" data-state={state} role="status" aria-live="polite">
      <span class="spinner spinner-small connection-spinner" aria-hidden="true" />
      {state === 'connecting' ? t('chat.connection.connecting') : t('chat.connection.reconnecting')}
    </div>
  );
}
