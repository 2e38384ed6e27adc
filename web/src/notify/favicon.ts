// The favicon with the unread count: the Plaza mark drawn on a canvas with a
// red badge in its corner, set as a data: URL; the plain icon when the
// count is 0.
import { badgeText } from './logic';

const BUBBLE = 'M32 13c-11.6 0-21 7.8-21 17.5 0 5.4 2.9 10.2 7.5 13.4L16.8 51l8.3-4.3c2.2.5 4.5.8 6.9.8 11.6 0 21-7.8 21-17.5S43.6 13 32 13z';
const PLAIN = '/favicon.svg';

function iconLink(): HTMLLinkElement | null {
  return document.querySelector<HTMLLinkElement>('link[rel="icon"]');
}

/** The mark with a badge, as a PNG data: URL ('' when the browser has no canvas). */
export function drawBadgedIcon(count: number): string {
  const text = badgeText(count);
  const c = document.createElement('canvas');
  c.width = c.height = 64;
  const g = c.getContext('2d');
  if (!g || typeof Path2D === 'undefined') return '';
  g.fillStyle = '#07C160';
  g.beginPath();
  g.roundRect(0, 0, 64, 64, 14);
  g.fill();
  g.fillStyle = '#fff';
  g.fill(new Path2D(BUBBLE));
  g.fillStyle = '#07C160';
  for (const x of [23.5, 32, 40.5]) {
    g.beginPath();
    g.arc(x, 30.5, 3, 0, Math.PI * 2);
    g.fill();
  }
  if (text) {
    const w = text.length > 2 ? 46 : text.length > 1 ? 38 : 34;
    g.fillStyle = '#FA5151';
    g.beginPath();
    g.roundRect(64 - w, 0, w, 34, 17);
    g.fill();
    g.fillStyle = '#fff';
    g.font = `bold ${text.length > 2 ? 22 : 26}px system-ui, sans-serif`; // i18n-ignore
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(text, 64 - w / 2, 18);
  }
  return c.toDataURL('image/png');
}

let shown = 0;

/** Shows count on the favicon (restores the plain icon at 0). */
export function setFaviconCount(count: number): void {
  const link = iconLink();
  if (!link) return;
  const n = badgeText(count) === '99+' ? 100 : Math.max(0, Math.floor(count || 0));
  if (n === shown) return;
  shown = n;
  if (n === 0) {
    link.type = 'image/svg+xml';
    link.href = PLAIN;
    return;
  }
  const url = drawBadgedIcon(n);
  if (!url) return;
  link.type = 'image/png';
  link.href = url;
}
