// Finds links, e-mail addresses and phone numbers in message text, safely:
// a link is only ever http: or https: (a bare "www." gets https://), an
// address only mailto:, a number only tel: with digits and "+". Nothing a
// message says can become javascript:, data: or any other scheme; the
// renderer opens links with rel="noopener noreferrer" in a new tab.

export type Segment =
  | { type: 'text'; text: string }
  | { type: 'url' | 'email' | 'phone'; text: string; href: string };

const MAX_SCAN = 8000; // characters of one message looked at

// One pass over the text: URLs first (an address inside a URL stays part
// of it), then e-mail addresses, then phone numbers.
const PATTERN =
  /\b(?:https?:\/\/|www\.)[^\s<>"'`\u0000-\u001f\u007f]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}|(?<![\w+])\+?\d(?:[\d ().-]{5,18})\d(?!\w)/gi;

const TRAILING = /[.,;:!?'"’”)\]}>]+$/;

function trimUrl(raw: string): string {
  let s = raw;
  for (;;) {
    const m = TRAILING.exec(s);
    if (!m) return s;
    // Keep a closing parenthesis that closes one inside the URL (Wikipedia).
    const cut = m[0];
    if (cut.startsWith(')') && (s.match(/\(/g)?.length ?? 0) >= (s.match(/\)/g)?.length ?? 0)) return s;
    s = s.slice(0, s.length - (cut.startsWith(')') ? 1 : cut.length));
    if (!cut.startsWith(')')) continue;
  }
}

/** The href for a URL the text shows, or "" when it is not a safe http(s) URL. */
export function safeUrl(text: string): string {
  const withScheme = /^www\./i.test(text) ? 'https://' + text : text;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return '';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return '';
  if (!u.hostname || u.username || u.password) return '';
  return u.href;
}

function phoneHref(text: string): string {
  const digits = text.replace(/[^\d+]/g, '');
  const n = digits.replace(/\+/g, '').length;
  if (n < 7 || n > 15 || digits.lastIndexOf('+') > 0) return '';
  return 'tel:' + digits;
}

/** Splits text into plain runs and safe links. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  if (!text) return out;
  const scan = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  let at = 0;
  const push = (t: string) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last && last.type === 'text') last.text += t;
    else out.push({ type: 'text', text: t });
  };
  PATTERN.lastIndex = 0;
  for (let m = PATTERN.exec(scan); m; m = PATTERN.exec(scan)) {
    const raw = m[0];
    const start = m.index;
    let seg: Segment | null = null;
    let used = raw;
    if (/^(?:https?:\/\/|www\.)/i.test(raw)) {
      used = trimUrl(raw);
      const href = safeUrl(used);
      if (href) seg = { type: 'url', text: used, href };
    } else if (raw.includes('@')) {
      used = raw.replace(/\.+$/, '');
      if (!used.startsWith('.') && !used.includes('..')) seg = { type: 'email', text: used, href: 'mailto:' + used };
    } else {
      used = raw.trim();
      const href = phoneHref(used);
      if (href) seg = { type: 'phone', text: used, href };
    }
    if (!seg) continue;
    push(text.slice(at, start));
    out.push(seg);
    at = start + used.length;
    PATTERN.lastIndex = at;
  }
  push(text.slice(at));
  return out;
}
