import type { ComponentType, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n';
import { Spinner } from './components/Spinner';
import { EmptyState } from './components/EmptyState';
import { Logo } from './components/Logo';

/**
 * A page whose code is a separate chunk, downloaded the first time it is
 * shown (the admin console, the merchant console, the mini-program host):
 * a spinner while it loads, a Retry when it cannot be.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): FunctionComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const fetchOnce = () =>
    (pending ??= load().then(
      (c) => (loaded = c),
      (err) => {
        pending = null; // the next attempt downloads again
        throw err;
      },
    ));

  return function LazyPage(props: P) {
    const [C, setC] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    const [attempt, setAttempt] = useState(0);

    useEffect(() => {
      if (C) return;
      let live = true;
      fetchOnce().then(
        (c) => live && setC(() => c),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, [attempt]);

    if (C) return <C {...props} />;
    if (failed) {
      return (
        <div class="lazy-page lazy-failed" id="lazy-failed">
          <EmptyState icon={<Logo size={56} />} title={t('shell.lazy.failed')}>
            <p>{t('shell.lazy.failed_body')}</p>
            <button
              type="button"
              class="button button-primary button-small"
              id="lazy-retry"
              onClick={() => {
                setFailed(false);
                setAttempt((n) => n + 1);
              }}
            >
              {t('common.retry')}
            </button>
          </EmptyState>
        </div>
      );
    }
    return (
      <div class="lazy-page">
        <Spinner label={t('shell.lazy.loading')} />
      </div>
    );
  };
}
