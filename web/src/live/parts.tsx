import { Svg, type IconProps } from '../components/Icons';
import { t } from '../i18n';
import type { Room } from './api';

export function HeartIcon(p: IconProps) {
  return (
    <Svg {...p}>
      <path
        fill="currentColor"
        stroke="none"
        d="M12 20.5s-7.5-4.6-9.3-9.2C1.4 8 3.3 4.5 6.8 4.5c2 0 3.4 1.1 4.2 2.4l1 1.5 1-1.5c.8-1.3 2.2-2.4 4.2-2.4 3.5 0 5.4 3.5 4.1 6.8-1.8 4.6-9.3 9.2-9.3 9.2z"
      />
    </Svg>
  );
}

/** The red "LIVE" badge. */
export function LiveBadge() {
  return <span class="live-badge">{t('live.badge')}</span>;
}

/** A room's cover, or its title's first letter on a gradient when it has none. */
export function Cover({ room }: { room: Room }) {
  if (room.cover_url) return <img class="live-cover" src={room.cover_url} alt={t('live.cover', { title: room.title })} loading="lazy" />;
  return (
    <span class="live-cover live-cover-blank" aria-hidden="true">
      {Array.from(room.title || room.merchant_name || '·')[0]}
    </span>
  );
}
