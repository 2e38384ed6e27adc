import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';

/** The one clip playing in the app: starting another stops it (WeChat plays one at a time). */
let current: HTMLAudioElement | null = null;

const PLAYED_KEY = 'plaza.voice.played';

function playedSet(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(PLAYED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

function markPlayed(id: string): void {
  const s = playedSet();
  s.add(id);
  try {
    localStorage.setItem(PLAYED_KEY, JSON.stringify([...s].slice(-500)));
  } catch {
    /* private mode: the dot comes back next time */
  }
}

/** Bar heights (0.25…1) for a clip, the same every time for the same id. */
function bars(id: string, n: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ (h >>> 13), 1274126177);
    const v = ((h >>> 0) % 1000) / 1000;
    // Louder in the middle, as speech tends to be.
    const shape = Math.sin(((i + 0.5) / n) * Math.PI);
    out.push(0.25 + 0.75 * Math.min(1, 0.35 * v + 0.65 * shape * (0.5 + v / 2)));
  }
  return out;
}

export const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));

interface VoiceBubbleProps {
  /** Message id (played state), or client_id while sending. */
  id: string;
  src?: string;
  durationMs: number;
  mine: boolean;
  pending?: boolean;
}

/** A voice message: width grows with its length, bars, seconds; tap plays it inline. */
export function VoiceBubble({ id, src, durationMs, mine, pending }: VoiceBubbleProps) {
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [unplayed, setUnplayed] = useState(() => !mine && !pending && !playedSet().has(id));
  const [progress, setProgress] = useState(0);
  const secs = seconds(durationMs);
  // 30 % of the room for a 1 s clip, all of it for a minute.
  const width = 'calc(var(--voice-min) + (var(--voice-max) - var(--voice-min)) * ' + Math.min(1, (secs - 1) / 59).toFixed(3) + ')';
  const n = Math.round(8 + Math.min(1, (secs - 1) / 59) * 14);

  useEffect(
    () => () => {
      if (current === audio.current) current = null;
      audio.current?.pause();
    },
    [],
  );

  function toggle() {
    const el = audio.current;
    if (!el || !src) return;
    if (!el.paused) {
      el.pause();
      el.currentTime = 0;
      return;
    }
    if (current && current !== el) {
      current.pause();
      current.currentTime = 0;
    }
    current = el;
    void el.play().catch(() => setPlaying(false));
    if (unplayed) {
      markPlayed(id);
      setUnplayed(false);
    }
  }

  const heights = bars(id, n);
  return (
    <div class={'voice-wrap' + (mine ? ' mine' : '')}>
      <button
        type="button"
        class={'bubble bubble-voice' + (playing ? ' playing' : '')}
        style={{ width }}
        aria-label={playing ? t('chat.voice.stop', { count: secs }) : t('chat.voice.play', { count: secs })}
        aria-pressed={playing}
        disabled={!src}
        onClick={toggle}
      >
        <span class="voice-bars" aria-hidden="true">
          {heights.map((h, i) => (
            <span key={i} class={'voice-bar' + (i / n < progress ? ' done' : '')} style={{ height: Math.round(h * 100) + '%' }} />
          ))}
        </span>
        <span class="voice-secs">{secs}″</span>
        {src && (
          <audio
            ref={audio}
            src={src}
            preload="none"
            onPlay={() => setPlaying(true)}
            onPause={() => setPlaying(false)}
            onEnded={() => {
              setPlaying(false);
              setProgress(0);
            }}
            onTimeUpdate={(e) => {
              const el = e.currentTarget;
              setProgress(el.currentTime / Math.max(0.5, durationMs / 1000));
            }}
          />
        )}
      </button>
      {unplayed && <span class="voice-unplayed" aria-label={t('chat.voice.unplayed')} />}
    </div>
  );
}
