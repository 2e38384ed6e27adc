package media_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plaza-dev/plaza/internal/node/browsertest"
)

// page is the host's and the viewer's tiny client: WHIP with three
// simulcast layers from the fake camera, or WHEP into a <video>.
const page = `<!doctype html><meta charset="utf-8"><video id="v" autoplay muted playsinline></video>
<script>
async function gather(pc) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise(r => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
}
async function signal(pc, url) {
  await pc.setLocalDescription(await pc.createOffer());
  await gather(pc);
  const res = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/sdp'}, body: pc.localDescription.sdp});
  if (res.status !== 201) throw new Error(res.status + ' ' + await res.text());
  await pc.setRemoteDescription({type: 'answer', sdp: await res.text()});
}
window.publish = async () => {
  const s = await navigator.mediaDevices.getUserMedia({video: {width: 1280, height: 720, frameRate: 30}, audio: true});
  const pc = window.pc = new RTCPeerConnection();
  pc.addTransceiver(s.getVideoTracks()[0], {direction: 'sendonly', sendEncodings: [
    {rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000},
    {rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000},
    {rid: 'f', maxBitrate: 1500000}]});
  pc.addTransceiver(s.getAudioTracks()[0], {direction: 'sendonly'});
  await signal(pc, '/whip');
  return 'ok';
};
window.play = async () => {
  const pc = window.pc = new RTCPeerConnection();
  pc.addTransceiver('video', {direction: 'recvonly'});
  pc.addTransceiver('audio', {direction: 'recvonly'});
  pc.ontrack = e => { document.getElementById('v').srcObject = e.streams[0] || new MediaStream([e.track]); };
  await signal(pc, '/whep');
  return 'ok';
};
window.decoded = async () => {
  let n = 0;
  (await pc.getStats()).forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded || 0; });
  return n;
};
window.sentLayers = async () => {
  let n = 0;
  (await pc.getStats()).forEach(r => { if (r.type === 'outbound-rtp' && r.kind === 'video' && r.framesEncoded > 0) n++; });
  return n;
};
</script>`

// TestChromiumPublishesSimulcastAndAnotherPlays: Chromium's fake camera
// publishes with three layers through WHIP, a second browser context
// plays through WHEP and decodes frames. PLAZA_MEDIA_CHROMIUM=1 runs it.
func TestChromiumPublishesSimulcastAndAnotherPlays(t *testing.T) {
	if os.Getenv("PLAZA_MEDIA_CHROMIUM") != "1" {
		t.Skip("PLAZA_MEDIA_CHROMIUM=1 runs the browser test")
	}
	s := newServer(t, nil)
	var viewerSession atomic.Value
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, page)
	})
	sdpHandler := func(fn func(ctx context.Context, offer []byte) ([]byte, error)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			offer, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			ans, err := fn(r.Context(), offer)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/sdp")
			w.WriteHeader(http.StatusCreated)
			w.Write(ans)
		}
	}
	mux.HandleFunc("/whip", sdpHandler(func(ctx context.Context, offer []byte) ([]byte, error) {
		a, _, err := s.Publish(ctx, "chrome", offer, nil)
		return a, err
	}))
	mux.HandleFunc("/whep", sdpHandler(func(ctx context.Context, offer []byte) ([]byte, error) {
		a, session, err := s.Play(ctx, "chrome", "viewer", offer)
		viewerSession.Store(session)
		return a, err
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	alloc := browsertest.Allocator(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	host := browsertest.New(t, alloc, "host", browsertest.Desktop)
	viewer := browsertest.New(t, alloc, "viewer", browsertest.Desktop)
	host.Run("open", chromedp.Navigate(srv.URL))
	if _, err := chromedp.Run(host.Ctx, chromedp.Evaluate[string](`publish()`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("publish: %v", err)
	}
	eventually(t, 20*time.Second, "the server sees the host's video", func() bool { return len(s.LayerRIDs("chrome")) > 0 })
	viewer.Run("open", chromedp.Navigate(srv.URL))
	if _, err := chromedp.Run(viewer.Ctx, chromedp.Evaluate[string](`play()`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("play: %v", err)
	}
	var frames int
	eventually(t, 30*time.Second, "the viewer decodes frames", func() bool {
		frames, _ = chromedp.Run(viewer.Ctx, chromedp.Evaluate[int](`decoded()`, chromedp.EvalAwaitPromise))
		return frames > 30
	})
	// The browser's decoder keeps going across layer switches.
	session := viewerSession.Load().(string)
	for _, c := range []struct {
		i   int
		rid string
	}{{2, "q"}, {0, "f"}} {
		s.SetLayer("chrome", session, c.i)
		eventually(t, 15*time.Second, "the viewer switches to "+c.rid, func() bool { return s.ViewerLayer("chrome", session) == c.rid })
		from := frames
		eventually(t, 15*time.Second, "frames keep decoding on "+c.rid, func() bool {
			frames, _ = chromedp.Run(viewer.Ctx, chromedp.Evaluate[int](`decoded()`, chromedp.EvalAwaitPromise))
			return frames > from+30
		})
		w, _ := chromedp.Run(viewer.Ctx, chromedp.Evaluate[int](`(async () => { let w = 0; (await pc.getStats()).forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') w = r.frameWidth || 0; }); return w; })()`, chromedp.EvalAwaitPromise))
		t.Logf("on layer %s: %d frames decoded, width %d", c.rid, frames, w)
	}
	layers, _ := chromedp.Run(host.Ctx, chromedp.Evaluate[int](`sentLayers()`, chromedp.EvalAwaitPromise))
	t.Logf("viewer decoded %d frames; the host encodes %d layers; the server has layers %v", frames, layers, s.LayerRIDs("chrome"))
}
