import type { Notice } from '../trust/api';
import { dateTime, noticeReason } from '../trust/format';
import { regionName, useRegions } from '../regions';
import { navigate } from '../router';
import { LockIcon } from './Icons';

/** What the page says (English; kept together for the translation to come). */
export const BLOCKED_TEXT = {
  title: (name: string) => name + ' is not available in your region',
  since: 'Since',
  region: 'Your region',
  reason: 'Reason',
  legal: 'Legal reference',
  fallback: 'This mini program cannot be opened where you are.',
  unaffected: 'Your data and wallet on Plaza are not affected.',
  back: 'Back to Discover',
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
  return (
    <div class="blocked-page" id="miniapp-blocked" data-policy={notice?.policy_id} data-live={live ? 'true' : undefined}>
      <div class="blocked-icon">
        <LockIcon size={36} />
      </div>
      <h2 class="blocked-title" id="miniapp-blocked-title">
        {BLOCKED_TEXT.title(appName)}
      </h2>
      <p class="blocked-message" id="miniapp-blocked-message">
        {reason ? reason : message || BLOCKED_TEXT.fallback}
      </p>
      <dl class="blocked-facts" id="miniapp-blocked-facts">
        {region && (
          <>
            <dt>{BLOCKED_TEXT.region}</dt>
            <dd id="miniapp-blocked-region" data-region={region}>
              {regionName(regions, region)}
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
