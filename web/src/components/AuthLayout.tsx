import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Logo } from './Logo';

interface AuthLayoutProps {
  title: string;
  subtitle: string;
  children: ComponentChildren;
  footer: ComponentChildren;
}

/** Centered card with the Plaza mark, used by Login and Signup. */
export function AuthLayout({ title, subtitle, children, footer }: AuthLayoutProps) {
  useEffect(() => {
    document.title = title + ' · Plaza';
  }, [title]);

  return (
    <main class="auth-screen">
      <div class="auth-card">
        <div class="auth-brand">
          <Logo size={60} />
          <span class="auth-brand-name">Plaza</span>
        </div>
        <h1 class="auth-title">{title}</h1>
        <p class="auth-subtitle">{subtitle}</p>
        {children}
        <p class="auth-switch">{footer}</p>
      </div>
      <p class="auth-legal">Chat, pay and discover mini programs — all in one place.</p>
    </main>
  );
}
