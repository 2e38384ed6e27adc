import { ApiError } from '../api';
import { errorText } from '../i18n/errors';
import { locale, t } from '../i18n';

/**
 * The sentence for a refusal: a policy's refusal ("<name> is not available
 * in your region: <reason>") keeps its reason — the server's own sentence in
 * English, the catalogue's with the reason otherwise; any other error as
 * errorText says it.
 */
export function refusalText(err: unknown): string {
  if (err instanceof ApiError && err.code === 'blocked_by_policy' && err.message) {
    if (locale.get() === 'en') return err.message;
    const i = err.message.indexOf(': ');
    if (i >= 0) return t('discover.policy_refused', { reason: err.message.slice(i + 2) });
  }
  return errorText(err);
}

/** Whether err is the server refusing a call because a policy withholds the app (403 blocked_by_policy). */
export function isHostingBlock(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 403 && err.code === 'blocked_by_policy';
}

/**
 * A copy of api whose promise-returning methods also tell onBlocked when
 * the server refuses them with 403 blocked_by_policy (the caller still
 * gets the rejection). The open app's page uses it on its bridge calls, so
 * a block that lands while the app runs replaces the app at the first
 * refused call, even before the notice arrives.
 */
export function guardApi<T extends object>(api: T, onBlocked: (err: ApiError) => void): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(api)) {
    out[k] =
      typeof v === 'function'
        ? (...args: unknown[]) => {
            const r: unknown = (v as (...a: unknown[]) => unknown).apply(api, args);
            if (!(r instanceof Promise)) return r;
            return r.catch((e: unknown) => {
              if (isHostingBlock(e)) onBlocked(e);
              throw e;
            });
          }
        : v;
  }
  return out as T;
}
