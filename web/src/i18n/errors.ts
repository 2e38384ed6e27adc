// The server's errors in the reader's language. The server answers a code
// and an English sentence (CONTRACT.md's error model); the code picks the
// sentence from the catalogue, and the server's English is the fallback
// only, for a code this client does not know yet.
import { ApiError } from '../api';
import { hasMessage, locale, t, type MessageKey } from '.';

// In English the server's own sentence is shown: it is written for people
// and is often more specific than any generic one (it names the field, the
// object, the region's reason, the tries left). In another language the
// catalogue's sentence for the code is shown, and the server's English only
// for a code this client does not know yet.

/**
 * errorText turns anything thrown by a request into a sentence in the
 * current language. overrides map a code to a sentence fitting the screen
 * ({ conflict: 'people.username_taken' }).
 */
export function errorText(err: unknown, overrides?: Partial<Record<string, MessageKey>>): string {
  if (!(err instanceof ApiError)) {
    if (err instanceof TypeError) return t('errors.network');
    return t('common.generic_error');
  }
  // A request that never reached Plaza (api.ts answers status 0).
  if (err.code === 'network_error' || err.status === 0) return t('errors.network');
  const special = overrides?.[err.code];
  if (special) return t(special);
  if (locale.get() === 'en' && err.message) return err.message;
  if (err.code === 'invalid_argument' && err.field) {
    const key = 'errors.field.' + err.field;
    if (hasMessage(key)) return t(key);
  }
  const key = 'errors.' + err.code;
  if (hasMessage(key)) return t(key);
  return err.message || t('common.generic_error');
}
