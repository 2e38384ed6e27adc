import { createContext, type ComponentChildren, type HTMLAttributes, type TargetedMouseEvent } from 'preact';
import { useContext } from 'preact/hooks';
import { createStore, useStore } from './store';

// Minimal path-based router on top of the History API.

const location = createStore(window.location.pathname);

window.addEventListener('popstate', () => location.set(window.location.pathname));

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search;
  if (to === current) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  location.set(window.location.pathname);
}

/**
 * Where to go after logging in: the `next` query parameter when it is a
 * same-origin path ("/pay?pr=…"), else the default.
 */
export function nextPath(fallback = '/chats'): string {
  const next = new URLSearchParams(window.location.search).get('next') ?? '';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (/^\/(login|signup)(\/|\?|$)/.test(next)) return fallback;
  return next;
}

/** "/login?next=<this page>" for a page that needs a session (keeps the query). */
export function loginPathFor(path: string, search: string): string {
  if (path === '/' || path === '/login' || path === '/signup') return '/login';
  return '/login?next=' + encodeURIComponent(path + search);
}

/** Current pathname; re-renders the caller on navigation. */
export function usePath(): string {
  return useStore(location);
}

export type Params = Record<string, string>;

/**
 * Matches a pattern such as "/chats/:id" against a path.
 * Returns the decoded params, or null when it does not match.
 */
export function match(pattern: string, path: string): Params | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.replace(/\/+$/, '').split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return null;
      }
    } else if (p[i] !== s[i]) {
      return null;
    }
  }
  return params;
}

type LinkProps = Omit<HTMLAttributes<HTMLAnchorElement>, 'href' | 'role'> & {
  href: string;
  replace?: boolean;
  children?: ComponentChildren;
};

/**
 * The path open beside a list (desktop: the item pane's path), provided
 * around the list pane. A Link inside it that leads to that item, or to
 * the item a subpage belongs to (/chats/7 for /chats/7/info), is marked
 * aria-current, which the list styles as the highlighted row.
 */
export const OpenItem = createContext<{ path: string; list: string } | null>(null);

/** Whether a link to href, inside the list at open.list, leads to the open item. */
export function leadsTo(href: string, open: { path: string; list: string } | null): boolean {
  if (!open) return false;
  const h = href.split(/[?#]/)[0].replace(/\/+$/, '');
  if (h === '' || h === open.list) return false;
  return open.path === h || open.path.startsWith(h + '/');
}

/** An <a> that navigates client-side on plain left clicks. */
export function Link({ href, replace, onClick, ...rest }: LinkProps) {
  const open = useContext(OpenItem);
  const current = rest['aria-current'] ?? (leadsTo(href, open) ? 'true' : undefined);
  function handle(e: TargetedMouseEvent<HTMLAnchorElement>) {
    if (typeof onClick === 'function') onClick(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href, { replace });
  }
  return <a href={href} onClick={handle} {...rest} aria-current={current} />;
}
