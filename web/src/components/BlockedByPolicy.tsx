import type { Notice } from '../trust/api';
import { dateTime, noticeReason, regionLabel } from '../trust/format';
import { useRegions } from '../regions';
import { locale, t } from '../i18n';
import { navigate } from '../router';
import { LockIcon } from './Icons';

/** What the page says, in the reader's language. */
export const BLOCKED_TEXT = {
  title: (name: string) => t('discover.blocked.title', { name }),
  get since() {
    return t('discover.blocked.since');
  },
  get region() {
    return t('discover.blocked.region');
  },
  get reason() {
    return t('discover.blocked.reason');
  },
  get legal() {
    return t('discover.blocked.legal');
  },
  get fallback() {
    return t('discover.blocked.fallback');
  },
  get unaffected() {
    return t('discover.blocked.unaffected');
  },
  get back() {
    return t('discover.back');
  },
};

/**
 * The page shown instead of a mini program a regional policy withholds:
 * why, where, since when, and the way back. The same whether the app was
 * blocked before it was opened or while it ran.
 */
export function BlockedByPolicy({
  appName,
  notice,
  message,
  region,
  live,
}: {
  appName: string;
  /** The caller's notice of the policy, when known. */
  notice?: Notice;
  /** The server's sentence, when there is no notice to quote. */
  message?: string;
  /** The caller's region code. */
  region: string;
  /** The block landed while the app was open. */
  live?: boolean;
}) {
  const regions = useRegions();
  // The server's refusal reads "<name> is not available in your region: <reason>"; the title says the first half.
  const cut = message ? message.indexOf(': ') : -1;
  const reason = notice ? noticeReason(notice) : cut >= 0 ? message!.slice(cut + 2) : '';
  // The server's own sentence is English: shown only to English readers.
  const said = locale.get() === 'en' ? message : '';
  return (
    <div class="blocked-page" id="miniapp-blocked" data-policy={notice?.policy_id} data-live={live ? 'true' : undefined}>
      <div class="blocked-icon">
        <LockIcon size={36} />
      </div>
      <h2 class="blocked-title" id="miniapp-blocked-title">
        {BLOCKED_TEXT.title(appName)}
      </h2>
      <p class="blocked-message" id="miniapp-blocked-message">
        {reason ? reason : said || BLOCKED_TEXT.fallback}
      </p>
      <dl class="blocked-facts" id="miniapp-blocked-facts">
        {region && (
          <>
            <dt>{BLOCKED_TEXT.region}</dt>
            <dd id="miniapp-blocked-region" data-region={region}>
              {regionLabel(regions, region)}
            </dd>
          </>
        )}
        {notice && (
          <>
            <dt>{BLOCKED_TEXT.since}</dt>
            <dd id="miniapp-blocked-since">
              <time dateTime={notice.effective_at}>{dateTime(notice.effective_at)}</time>
            </dd>
          </>
        )}
      </dl>
      <p class="blocked-note">{BLOCKED_TEXT.unaffected}</p>
      <button type="button" class="button button-secondary" id="miniapp-blocked-back" onClick={() => navigate('/discover')}>
        {BLOCKED_TEXT.back}
      </button>
    </div>
  );
}
