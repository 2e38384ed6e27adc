import type { ComponentChildren } from 'preact';

export function EmptyState({ icon, title, children }: { icon: ComponentChildren; title: string; children?: ComponentChildren }) {
  return (
    <div class="empty-state">
      <div class="empty-icon">{icon}</div>
      <p class="empty-title">{title}</p>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}
