// The server's errors in the reader's language. The server answers a code
// and an English sentence (CONTRACT.md's error model); the code picks the
// sentence from the catalogue, and the server's English is the fallback
// only, for a code this client does not know yet.
import { ApiError } from '../api';
import { hasMessage, locale, t, type MessageKey } from '.';

// Codes whose server sentence is more specific than any generic one (it
// names the field or the object). In English the server's own sentence is
// shown for them; in another language the catalogue's.
const SPECIFIC = new Set(['invalid_argument', 'conflict', 'not_found', 'forbidden']);

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
  const special = overrides?.[err.code];
  if (special) return t(special);
  if (err.code === 'invalid_argument' && err.field) {
    if (locale.get() === 'en' && err.message) return err.message;
    const key = 'errors.field.' + err.field;
    if (hasMessage(key)) return t(key);
  }
  if (SPECIFIC.has(err.code) && locale.get() === 'en' && err.message) return err.message;
  const key = 'errors.' + err.code;
  if (hasMessage(key)) return t(key);
  return err.message || t('common.generic_error');
}
