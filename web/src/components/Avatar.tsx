// Rounded-square avatar: the user's photo, or initials on a colour derived
// from the username when they have none (or it fails to load).
import { useState } from 'preact/hooks';
import { largeAvatar } from '../people/api';
import { directory } from '../people/directory';
import { useStore } from '../store';

// Keep in sync with .avatar-cN in styles/components.css.
const PALETTE = [
  '#FA9D3B', // orange
  '#10AEFF', // sky
  '#6467F0', // indigo
  '#FA5151', // red
  '#07C160', // green
  '#15BDB3', // teal
  '#A26BE0', // violet
  '#E5679A', // pink
  '#576B95', // slate blue
  '#C39A5E', // amber brown
];

function hash(s: string): number {
  // FNV-1a, stable across sessions and browsers.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Index into the palette; the colours live in CSS as .avatar-c0 … .avatar-c9. */
export function avatarColorIndex(username: string): number {
  return hash(username.toLowerCase()) % PALETTE.length;
}

export function avatarColor(username: string): string {
  return PALETTE[avatarColorIndex(username)];
}

export function initials(name: string, fallback = '?'): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return fallback;
  const first = Array.from(words[0])[0] ?? '';
  // Latin-style names get two letters ("Ada Lovelace" → "AL"); others one.
  if (words.length > 1 && /^[A-Za-z]/.test(first)) {
    const last = Array.from(words[words.length - 1])[0] ?? '';
    return (first + last).toUpperCase();
  }
  return first.toUpperCase();
}

interface AvatarProps {
  username: string;
  name?: string;
  size?: 'sm' | 'md' | 'lg' | 'xl';
  class?: string;
  /** The avatar_url; when not given, what the directory knows of username. */
  src?: string | null;
  /** Ask for the large (480 px) image (profiles, the Me card). */
  large?: boolean;
}

export function Avatar({ username, name, size = 'md', class: cls, src, large }: AvatarProps) {
  const people = useStore(directory);
  const url = src === undefined ? people[username]?.avatar_url : src;
  const [failed, setFailed] = useState('');
  const label = initials(name || username, username.slice(0, 1).toUpperCase());
  if (url && failed !== url) {
    return (
      <span class={'avatar avatar-' + size + ' avatar-photo' + (cls ? ' ' + cls : '')} aria-hidden="true" data-avatar={username}>
        <img src={large ? largeAvatar(url) : url} alt="" loading="lazy" draggable={false} onError={() => setFailed(url)} />
      </span>
    );
  }
  return (
    <span
      class={
        'avatar avatar-' + size + ' avatar-c' + avatarColorIndex(username) + (label.length > 1 ? ' avatar-two' : '') + (cls ? ' ' + cls : '')
      }
      aria-hidden="true"
      data-initials={label}
    />
  );
}
