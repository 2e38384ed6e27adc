import { useEffect, useRef, useState } from 'preact/hooks';
import type { Id } from '../../api';
import { sendVoice } from '../../chat/send';
import { showToast } from '../../toast';
import { t } from '../../i18n';

/** A voice message is at most a minute (the server refuses more); stop a little before. */
export const MAX_VOICE_MS = 59_500;
const MIN_VOICE_MS = 1_000;
const COUNTDOWN_FROM_MS = 10_000;
/** How far up a held finger must slide to cancel. */
const CANCEL_SLIDE_PX = 60;

interface Recording {
  started: number;
  finish: () => Promise<{ blob: Blob; ms: number }>;
  discard: () => void;
  /** 0…1 loudness, read each frame for the meter. */
  level: () => number;
}

function recordingType(): string | undefined {
  if (typeof MediaRecorder === 'undefined') return undefined;
  return ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus'].find((t) => MediaRecorder.isTypeSupported(t));
}

async function startRecording(): Promise<Recording> {
  const type = recordingType();
  if (!type || !navigator.mediaDevices?.getUserMedia) throw new Error('unsupported');
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  const mr = new MediaRecorder(stream, { mimeType: type, audioBitsPerSecond: 32_000 });
  const chunks: Blob[] = [];
  mr.ondataavailable = (e) => {
    if (e.data.size) chunks.push(e.data);
  };
  let ctx: AudioContext | undefined;
  let analyser: AnalyserNode | undefined;
  try {
    ctx = new AudioContext();
    analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(stream).connect(analyser);
  } catch {
    analyser = undefined;
  }
  const samples = new Uint8Array(512);
  const release = () => {
    stream.getTracks().forEach((t) => t.stop());
    void ctx?.close().catch(() => undefined);
  };
  mr.start(250);
  const started = performance.now();
  return {
    started,
    finish: () =>
      new Promise((resolve) => {
        const ms = performance.now() - started;
        mr.onstop = () => {
          release();
          resolve({ blob: new Blob(chunks, { type: type.split(';')[0] }), ms });
        };
        mr.stop();
      }),
    discard: () => {
      mr.onstop = release;
      if (mr.state !== 'inactive') mr.stop();
      else release();
    },
    level: () => {
      if (!analyser) return 0.3;
      analyser.getByteTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += (s - 128) * (s - 128);
      return Math.min(1, Math.sqrt(sum / samples.length) / 40);
    },
  };
}

/** Phones hold to talk; a desktop with a mouse clicks to start and stop. */
function useHoldToTalk(): boolean {
  const q = '(pointer: coarse), (max-width: 719px)';
  const [hold, setHold] = useState(() => typeof matchMedia !== 'undefined' && matchMedia(q).matches);
  useEffect(() => {
    if (typeof matchMedia === 'undefined') return;
    const m = matchMedia(q);
    const on = () => setHold(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return hold;
}

type Phase = 'idle' | 'starting' | 'recording';

/** Takes the text box's place when the composer is in voice mode. */
export function VoiceRecorder({ convId }: { convId: Id }) {
  const hold = useHoldToTalk();
  const [phase, setPhase] = useState<Phase>('idle');
  const [elapsed, setElapsed] = useState(0);
  const [level, setLevel] = useState(0);
  const [cancelling, setCancelling] = useState(false);
  const rec = useRef<Recording | null>(null);
  const released = useRef(false);
  const startY = useRef(0);

  useEffect(() => () => rec.current?.discard(), [convId]);

  useEffect(() => {
    if (phase !== 'recording') return;
    let frame = 0;
    const tick = () => {
      const r = rec.current;
      if (!r) return;
      const ms = performance.now() - r.started;
      setElapsed(ms);
      setLevel(r.level());
      if (ms >= MAX_VOICE_MS) {
        void stop(true);
        return;
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [phase]);

  async function start() {
    if (phase !== 'idle') return;
    released.current = false;
    setPhase('starting');
    setCancelling(false);
    setElapsed(0);
    try {
      const r = await startRecording();
      if (released.current) {
        r.discard();
        setPhase('idle');
        showToast(t('chat.voice.hold_hint'), 'info');
        return;
      }
      rec.current = r;
      setPhase('recording');
    } catch (err) {
      setPhase('idle');
      const denied = err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
      showToast(
        denied ? t('chat.voice.mic_denied') : t('chat.voice.unsupported'),
        'error',
      );
    }
  }

  async function stop(send: boolean) {
    const r = rec.current;
    rec.current = null;
    setPhase('idle');
    setCancelling(false);
    if (!r) {
      released.current = true; // still asking for the microphone
      return;
    }
    if (!send) {
      r.discard();
      return;
    }
    const { blob, ms } = await r.finish();
    if (ms < MIN_VOICE_MS || blob.size === 0) {
      showToast(t('chat.voice.too_short'), 'info');
      return;
    }
    sendVoice(convId, blob, Math.min(ms, 60_000));
  }

  const left = Math.max(0, MAX_VOICE_MS - elapsed);
  const clock = formatClock(elapsed);
  const recording = phase === 'recording';

  if (!hold) {
    return (
      <div class={'voice-desk' + (recording ? ' recording' : '')}>
        {recording ? (
          <>
            <span class="voice-rec-dot" aria-hidden="true" />
            <span class="voice-desk-clock" role="timer" aria-live="off">
              {clock}
            </span>
            <Meter level={level} />
            {left <= COUNTDOWN_FROM_MS && <span class="voice-countdown">{t('chat.voice.left', { count: Math.ceil(left / 1000) })}</span>}
            <button type="button" class="voice-desk-cancel" onClick={() => void stop(false)}>
              {t('chat.voice.cancel')}
            </button>
            <button type="button" id="voice-send" class="voice-desk-send" onClick={() => void stop(true)}>
              {t('chat.voice.send')}
            </button>
          </>
        ) : (
          <button type="button" id="voice-record" class="voice-desk-start" disabled={phase === 'starting'} onClick={() => void start()}>
            <MicIcon size={18} /> {phase === 'starting' ? t('chat.voice.starting') : t('chat.voice.click_to_record')}
          </button>
        )}
      </div>
    );
  }

  return (
    <>
      <button
        type="button"
        id="voice-hold"
        class={'voice-hold' + (phase !== 'idle' ? ' held' : '')}
        onPointerDown={(e) => {
          e.preventDefault();
          (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
          startY.current = e.clientY;
          void start();
        }}
        onPointerMove={(e) => {
          if (phase === 'idle') return;
          setCancelling(startY.current - e.clientY > CANCEL_SLIDE_PX);
        }}
        onPointerUp={() => void stop(!cancelling)}
        onPointerCancel={() => void stop(false)}
        onContextMenu={(e) => e.preventDefault()}
      >
        {phase === 'idle' ? t('chat.voice.hold') : t('chat.voice.release')}
      </button>
      {phase !== 'idle' && (
        <div class={'voice-overlay' + (cancelling ? ' cancelling' : '')} role="status" aria-live="polite">
          <div class="voice-overlay-card">
            {cancelling ? (
              <CancelIcon />
            ) : left <= COUNTDOWN_FROM_MS && recording ? (
              <span class="voice-overlay-count">{Math.ceil(left / 1000)}</span>
            ) : (
              <span class="voice-overlay-mic">
                <MicIcon size={40} />
                <Meter level={level} />
              </span>
            )}
            <span class="voice-overlay-clock">{recording ? clock : ' '}</span>
            <span class="voice-overlay-hint">{cancelling ? t('chat.voice.release_cancel') : t('chat.voice.slide_cancel')}</span>
          </div>
        </div>
      )}
    </>
  );
}

function formatClock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

function Meter({ level }: { level: number }) {
  return (
    <span class="voice-meter" aria-hidden="true">
      {[0.35, 0.55, 0.75, 1].map((t, i) => (
        <span key={i} class={'voice-meter-bar' + (level >= t * 0.6 ? ' on' : '')} />
      ))}
    </span>
  );
}

export function MicIcon({ size = 24 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width={1.7} stroke-linecap="round" aria-hidden="true">
      <rect x="9" y="3" width="6" height="11" rx="3" />
      <path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M8.5 21h7" />
    </svg>
  );
}

export function KeyboardIcon({ size = 24 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width={1.7} stroke-linecap="round" aria-hidden="true">
      <rect x="2.5" y="6" width="19" height="12" rx="2.5" />
      <path d="M6 9.5h.01M9.3 9.5h.01M12.6 9.5h.01M15.9 9.5h.01M18 9.5h.01M6 12.5h.01M18 12.5h.01M9 15h6" />
    </svg>
  );
}

function CancelIcon() {
  return (
    <svg width="44" height="44" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width={1.8} stroke-linecap="round" aria-hidden="true">
      <path d="M9 14l-4-4 4-4" />
      <path d="M5 10h9a5 5 0 0 1 0 10h-2" />
    </svg>
  );
}
