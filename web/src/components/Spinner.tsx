export function Spinner({ label = 'Loading…', inline = false }: { label?: string; inline?: boolean }) {
  return (
    <div class={inline ? 'spinner-inline' : 'spinner-block'} role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {!inline && <span class="spinner-label">{label}</span>}
    </div>
  );
}
