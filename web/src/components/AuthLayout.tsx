import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { setLocale, t, useLocale, type Locale } from '../i18n';
import { Logo } from './Logo';

interface AuthLayoutProps {
  title: string;
  subtitle: string;
  children: ComponentChildren;
  footer: ComponentChildren;
}

// Each language is named in itself, whichever is chosen, as WeChat's login
// screen does.
const LANGUAGES: { locale: Locale; name: string; id: string }[] = [
  { locale: 'zh-CN', name: '中文', id: 'auth-lang-zh' }, // i18n-ignore: a language's own name
  { locale: 'en', name: 'English', id: 'auth-lang-en' },
];

/** Centered card with the Plaza mark, used by Login and Signup. */
export function AuthLayout({ title, subtitle, children, footer }: AuthLayoutProps) {
  const current = useLocale();
  useEffect(() => {
    document.title = title + ' · Plaza';
  }, [title]);

  return (
    <main class="auth-screen">
      <div class="auth-lang" role="group" aria-label={t('people.auth.language')}>
        {LANGUAGES.map((l) => (
          <button
            type="button"
            key={l.locale}
            id={l.id}
            lang={l.locale}
            class={'auth-lang-option' + (l.locale === current ? ' active' : '')}
            aria-pressed={l.locale === current}
            onClick={() => l.locale !== current && setLocale(l.locale)}
          >
            {l.name}
          </button>
        ))}
      </div>
      <div class="auth-card">
        <div class="auth-brand">
          <Logo size={60} />
          <span class="auth-brand-name">{t('common.app_name')}</span>
        </div>
        <h1 class="auth-title">{title}</h1>
        <p class="auth-subtitle">{subtitle}</p>
        {children}
        <p class="auth-switch">{footer}</p>
      </div>
      <p class="auth-legal">{t('people.auth.tagline')}</p>
    </main>
  );
}
