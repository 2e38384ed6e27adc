// Client-side checks mirroring the server's rules, so people get instant,
// specific feedback in the reader's language. The server remains the authority.
import { t } from './i18n';

export const USERNAME_RE = /^[a-z0-9_]{3,32}$/;

export function normalizeUsername(raw: string): string {
  return raw.trim().replace(/^@/, '').toLowerCase();
}

export function usernameProblem(username: string): string {
  if (!username) return t('people.check.username_empty');
  if (username.length < 3) return t('people.check.username_short');
  if (username.length > 32) return t('people.check.username_long');
  if (!USERNAME_RE.test(username)) return t('people.check.username_chars');
  return '';
}

export function passwordProblem(password: string): string {
  const n = Array.from(password).length;
  if (n === 0) return t('people.check.password_empty');
  if (n < 8) return t('people.check.password_short');
  if (n > 128) return t('people.check.password_long');
  return '';
}

export function displayNameProblem(name: string): string {
  const n = Array.from(name.trim()).length;
  if (n === 0) return t('people.check.name_empty');
  if (n > 64) return t('people.check.name_long');
  return '';
}
