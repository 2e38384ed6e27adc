import { toasts } from '../toast';
import { useStore } from '../store';

export function Toaster() {
  const list = useStore(toasts);
  return (
    <div class="toaster" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={'toast toast-' + t.kind}>
          {t.text}
        </div>
      ))}
    </div>
  );
}
