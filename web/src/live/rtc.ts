// WebRTC for live rooms: WHEP (viewers: recvonly) and WHIP (the host:
// sendonly with three simulcast layers), each one offer → wait for ICE
// gathering → POST the SDP → set the answer. No trickle: loopback and LAN
// candidates are gathered in milliseconds.
import { deleteSession, postSdp } from './api';
import { drawStamp } from './stamp';

const ICE_WAIT_MS = 3000;

/** Resolves when the connection has gathered its candidates (or after ms). */
export function iceGathered(pc: RTCPeerConnection, ms = ICE_WAIT_MS): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      window.clearTimeout(timer);
      resolve();
    };
    const timer = window.setTimeout(() => {
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    }, ms);
    pc.addEventListener('icegatheringstatechange', done);
  });
}

/** A negotiated connection and the session URL to DELETE when leaving. */
export interface Session {
  pc: RTCPeerConnection;
  location: string;
  close(): void;
}

function session(pc: RTCPeerConnection, location: string): Session {
  let closed = false;
  return {
    pc,
    location,
    close() {
      if (closed) return;
      closed = true;
      deleteSession(location);
      pc.close();
    },
  };
}

async function negotiate(pc: RTCPeerConnection, url: string): Promise<Session> {
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    const answer = await postSdp(url, pc.localDescription?.sdp ?? '');
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    return session(pc, answer.location);
  } catch (err) {
    pc.close();
    throw err;
  }
}

/** Watches a room: the stream arrives through onStream. */
export function watch(roomId: string, onStream: (s: MediaStream) => void): Promise<Session> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.ontrack = (e) => {
    stream.addTrack(e.track);
    onStream(stream);
  };
  return negotiate(pc, '/api/v1/live/rooms/' + encodeURIComponent(roomId) + '/whep');
}

/** The simulcast layers the host sends: quarter, half and full resolution. */
export const SIMULCAST: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', maxBitrate: 1_500_000 },
];

/** Publishes a camera stream to a room. */
export function publish(roomId: string, stream: MediaStream): Promise<Session> {
  const pc = new RTCPeerConnection();
  for (const track of stream.getVideoTracks()) {
    pc.addTransceiver(track, { direction: 'sendonly', streams: [stream], sendEncodings: SIMULCAST.map((e) => ({ ...e })) });
  }
  for (const track of stream.getAudioTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  return negotiate(pc, '/api/v1/live/rooms/' + encodeURIComponent(roomId) + '/whip');
}

/**
 * Glass-to-glass: the camera drawn into a canvas with Date.now() stamped on
 * each frame; the canvas's stream (30 fps) plus the camera's audio.
 */
export function stampedStream(camera: MediaStream): { stream: MediaStream; stop(): void } {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = camera;
  void video.play().catch(() => undefined);
  const canvas = document.createElement('canvas');
  canvas.width = 1280;
  canvas.height = 720;
  const ctx = canvas.getContext('2d')!;
  let running = true;
  const draw = () => {
    if (!running) return;
    if (video.readyState >= 2) ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    drawStamp(ctx, Date.now(), canvas.width);
  };
  // Timers as well as frames: a background window's rAF may pause.
  const timer = window.setInterval(draw, 1000 / 30);
  const out = canvas.captureStream(30);
  for (const a of camera.getAudioTracks()) out.addTrack(a);
  return {
    stream: out,
    stop() {
      running = false;
      window.clearInterval(timer);
      out.getVideoTracks().forEach((t) => t.stop());
    },
  };
}
