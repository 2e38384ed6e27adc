import { ApiError } from '../api';

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
