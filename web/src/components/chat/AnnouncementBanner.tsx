import { useState } from 'preact/hooks';
import type { Conversation } from '../../chat/api';
import { announcementDismissed, announcementStamp, dismissAnnouncement } from '../../chat/groups';
import { Link } from '../../router';
import { t } from '../../i18n';

/** The group announcement, on top of the chat until dismissed (and again when it changes). */
export function AnnouncementBanner({ c }: { c: Conversation }) {
  const [closed, setClosed] = useState('');
  const stamp = announcementStamp(c);
  if (c.type !== 'group' || !c.announcement || closed === stamp || announcementDismissed(c)) return null;
  return (
    <div class="announcement-banner" id="announcement-banner" role="status">
      <span class="announcement-icon" aria-hidden="true">
        <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
          <path d="M3 11v2a1 1 0 0 0 1 1h2l5 4V6L6 10H4a1 1 0 0 0-1 1z" />
          <path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13" />
        </svg>
      </span>
      <Link href={'/chats/' + encodeURIComponent(String(c.id)) + '/info'} class="announcement-text">
        {c.announcement}
      </Link>
      <button
        type="button"
        id="announcement-dismiss"
        class="announcement-close"
        aria-label={t('chat.announcement.dismiss')}
        onClick={() => {
          dismissAnnouncement(c);
          setClosed(stamp);
        }}
      >
        <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round">
          <path d="M6 6l12 12M18 6L6 18" />
        </svg>
      </button>
    </div>
  );
}
