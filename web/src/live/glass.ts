// The viewer's side of the glass-to-glass measurement (?stamp=1): each
// frame the video shows, its stamp is read back and now − stamp recorded in
// window.__plazaGlass (ms; both browsers on one machine share the clock).
import { readStamp, stampArea } from './stamp';

declare global {
  interface Window {
    __plazaGlass?: number[];
    __plazaLive?: { pc: RTCPeerConnection | null };
  }
}

type FrameVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: () => void) => number;
  cancelVideoFrameCallback?: (id: number) => void;
};

/** Starts reading stamps off video; returns the stop. */
export function readGlass(video: HTMLVideoElement): () => void {
  const v = video as FrameVideo;
  const out = (window.__plazaGlass ??= []);
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let last = 0;
  let stopped = false;
  let handle = 0;
  const tick = () => {
    if (stopped || !ctx) return;
    const w = v.videoWidth;
    if (w > 0) {
      const area = stampArea(w);
      canvas.width = area.w;
      canvas.height = area.h;
      ctx.drawImage(v, 0, 0, area.w, area.h, 0, 0, area.w, area.h);
      const stamp = readStamp(ctx.getImageData(0, 0, area.w, area.h), w);
      if (stamp !== null && stamp !== last) {
        last = stamp;
        out.push(Date.now() - stamp);
        if (out.length > 10_000) out.splice(0, out.length - 10_000);
      }
    }
    next();
  };
  const next = () => {
    if (stopped) return;
    handle = v.requestVideoFrameCallback ? v.requestVideoFrameCallback(tick) : requestAnimationFrame(tick);
  };
  next();
  return () => {
    stopped = true;
    if (v.cancelVideoFrameCallback) v.cancelVideoFrameCallback(handle);
    else cancelAnimationFrame(handle);
  };
}
