import type { Notice } from '../trust/api';
import { noticeActive, noticeText } from '../trust/format';
import { useLiveNotices, useTrustEpoch } from '../trust/live';
import { AlertIcon } from './Icons';

/**
 * The caller's trust notices (GET /api/v1/notices), kept current without a
 * reload (trust/live.ts); [] until loaded or when it fails.
 */
export function useNotices(): Notice[] {
  useTrustEpoch(); // re-render when a notice takes effect: its wording changes
  return useLiveNotices();
}

/** Banners warning that an app (or merchant) is, or soon will be, unavailable in the user's region. */
export function NoticeBanners({ items, id }: { items: Notice[]; id?: string }) {
  if (items.length === 0) return null;
  const now = new Date();
  return (
    <div class="trust-notices" id={id} role="status">
      {items.map((n) => (
        <div
          key={n.policy_id}
          class={'trust-notice' + (noticeActive(n, now) ? ' active' : '')}
          data-policy={n.policy_id}
          data-target={n.target_id}
          data-active={noticeActive(n, now) ? 'true' : 'false'}
        >
          <AlertIcon size={18} />
          <span class="trust-notice-text">{noticeText(n, now)}</span>
        </div>
      ))}
    </div>
  );
}
