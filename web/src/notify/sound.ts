// The new-message sound: two short soft tones made with WebAudio at the
// moment they play (no audio file to ship or fetch, nothing for the CSP).
let ctx: AudioContext | null = null;
let last = 0;

/** Plays the chime, at most once a second; silently nothing when audio is unavailable. */
export function playChime(now = Date.now()): void {
  if (now - last < 1000) return;
  last = now;
  // Counted for the browser tests, which cannot hear.
  const w = window as unknown as { __plazaChimes?: number };
  w.__plazaChimes = (w.__plazaChimes ?? 0) + 1;
  try {
    const AC = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!AC) return;
    ctx ??= new AC();
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    const t0 = ctx.currentTime + 0.01;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const start = t0 + i * 0.09;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.18, start + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.25);
    }
  } catch {
    // no audio (autoplay policy before any click, or none at all)
  }
}
