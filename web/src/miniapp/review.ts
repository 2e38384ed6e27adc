import { request } from '../api';
import { fmtDate, t } from '../i18n';

// The administrators' mini-program review queue:
// GET /api/v1/admin/miniapp-reviews?state=&limit=&cursor= and the
// approve/reject calls of CONTRACT.md "Mini-programs".

export type ReviewState = 'pending' | 'approved' | 'rejected';

export interface AppReview {
  appid: string;
  app_name: string;
  developer: { id: string; username: string; display_name: string };
  version: number;
  state: ReviewState;
  submitted_at: string;
  reviewed_at: string | null;
  /** Who decided (an administrator's username or id); '' while pending. */
  reviewed_by: string;
  /** The administrator who decided, when one did. */
  reviewer?: { id: string; username: string; display_name: string } | null;
  reason: string;
  /** The package's size in bytes. */
  size: number;
  description: string;
}

export interface ReviewPage {
  items: AppReview[];
  next_cursor?: string;
}

const enc = encodeURIComponent;

/** How many pending reviews the badge counts before it says "99+". */
export const BADGE_MAX = 99;

export const reviewApi = {
  list: (state: ReviewState, cursor = '', limit = 50) =>
    request<ReviewPage>(
      'GET',
      '/api/v1/admin/miniapp-reviews?state=' + enc(state) + '&limit=' + limit + (cursor ? '&cursor=' + enc(cursor) : ''),
    ),
  approve: (appid: string, version: number, reason = '') =>
    request<unknown>('POST', '/api/v1/admin/miniapps/' + enc(appid) + '/versions/' + version + '/approve', { body: { reason } }),
  reject: (appid: string, version: number, reason: string) =>
    request<unknown>('POST', '/api/v1/admin/miniapps/' + enc(appid) + '/versions/' + version + '/reject', { body: { reason } }),
};

/** A review's key: one version of one app. */
export function reviewKey(r: Pick<AppReview, 'appid' | 'version'>): string {
  return r.appid + '@' + r.version;
}

/** "0 B", "812 B", "14.2 KB", "3.4 MB" (1 KB = 1024 B). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return Math.round(bytes) + ' B';
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (v < 10 ? v.toFixed(1) : String(Math.round(v))) + ' ' + units[i];
}

/** The pending badge: '' for none, the count, or "99+" when more are queued than shown. */
export function badgeText(count: number, more: boolean): string {
  if (count <= 0 && !more) return '';
  if (count > BADGE_MAX || (more && count >= BADGE_MAX)) return BADGE_MAX + '+';
  return String(count) + (more ? '+' : '');
}

/** The queue's order: pending oldest first (first come, first reviewed); history newest decision first. */
export function sortReviews(items: AppReview[], state: ReviewState): AppReview[] {
  const t = (s: string | null) => (s ? new Date(s).getTime() || 0 : 0);
  const out = [...items];
  if (state === 'pending') out.sort((a, b) => t(a.submitted_at) - t(b.submitted_at));
  else out.sort((a, b) => t(b.reviewed_at) - t(a.reviewed_at));
  return out;
}

/** Adds a page to a list, once per app version (a page may repeat an item that moved). */
export function mergePage(have: AppReview[], page: AppReview[]): AppReview[] {
  const seen = new Set(have.map(reviewKey));
  return [...have, ...page.filter((r) => !seen.has(reviewKey(r)))];
}

/** The rejection reason's problem, or '' when it will do. */
export function rejectReasonError(reason: string): string {
  const r = reason.trim();
  if (!r) return t('admin.appreviews.reason_missing');
  if (r.length > 1000) return t('admin.appreviews.reason_long', { max: 1000 });
  return '';
}

/** "2 min ago", "3 h ago", "5 days ago"; the date beyond a month. */
export function ago(iso: string | null, now: Date, locale?: string): string {
  if (!iso) return '—';
  const at = new Date(iso).getTime();
  if (isNaN(at)) return '—';
  const s = Math.max(0, Math.round((now.getTime() - at) / 1000));
  if (s < 60) return t('admin.ago.now');
  if (s < 3600) return t('admin.ago.min', { count: Math.round(s / 60) });
  if (s < 86400) return t('admin.ago.h', { count: Math.round(s / 3600) });
  if (s < 30 * 86400) return t('admin.ago.days', { count: Math.round(s / 86400) });
  return locale ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(at)) : fmtDate(at, { dateStyle: 'medium' });
}
