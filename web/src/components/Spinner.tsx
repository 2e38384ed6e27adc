import { t } from '../i18n';

export function Spinner({ label = t('ui.spinner.loading'), inline = false }: { label?: string; inline?: boolean }) {
  return (
    <div class={inline ? 'spinner-inline' : 'spinner-block'} role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {!inline && <span class="spinner-label">{label}</span>}
    </div>
  );
}
