// Client-side checks mirroring the server's rules, so people get instant,
// specific feedback. The server remains the authority.

export const USERNAME_RE = /^[a-z0-9_]{3,32}$/;

export function normalizeUsername(raw: string): string {
  return raw.trim().replace(/^@/, '').toLowerCase();
}

export function usernameProblem(username: string): string {
  if (!username) return 'Enter a username.';
  if (username.length < 3) return 'Usernames are at least 3 characters.';
  if (username.length > 32) return 'Usernames are at most 32 characters.';
  if (!USERNAME_RE.test(username)) return 'Usernames use only letters a–z, digits 0–9 and _.';
  return '';
}

export function passwordProblem(password: string): string {
  const n = Array.from(password).length;
  if (n === 0) return 'Enter a password.';
  if (n < 8) return 'Passwords need at least 8 characters.';
  if (n > 128) return 'Passwords can be at most 128 characters.';
  return '';
}

export function displayNameProblem(name: string): string {
  const n = Array.from(name.trim()).length;
  if (n === 0) return 'Enter the name people will see.';
  if (n > 64) return 'Names can be at most 64 characters.';
  return '';
}
