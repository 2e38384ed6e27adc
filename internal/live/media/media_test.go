package media_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/live/media"
	"github.com/plaza-dev/plaza/internal/platform/errs"
)

var _ live.Media = (*media.Server)(nil)

func TestPublishAndPlaySingleLayer(t *testing.T) {
	s := newServer(t, nil)
	newHost(t, s, "room1", []string{""}, []int{300_000}, nil)
	if !s.Publishing("room1") {
		t.Fatal("Publishing is false after Publish")
	}
	if s.Publishing("other") {
		t.Fatal("Publishing is true for a room nobody publishes to")
	}
	w := mustWatch(t, s, "room1")
	growing(t, &w.frames, 30, "the viewer receives video frames")
	growing(t, &w.audio, 10, "the viewer receives audio")
	// The join asks the host for a key frame (PLI); on a loaded machine it
	// may come after the first frames, and the host's own every-2-s one
	// bounds the wait.
	for deadline := time.Now().Add(5 * time.Second); w.keys.Load() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the viewer got no key frame in 5 s")
		}
	}
	if g := w.gaps.Load(); g > 2 {
		t.Fatalf("%d sequence gaps on loopback", g)
	}
}

func TestAnswerCarriesTheMediaPortAsCandidate(t *testing.T) {
	s := newServer(t, nil)
	pc, err := peerAPI.NewPeerConnection(webrtcConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	offer := recvOffer(t, pc)
	_ = offer
	h := newHost(t, s, "r", []string{""}, []int{100_000}, nil)
	_ = h
	ans, _, err := s.Play(context.Background(), "r", "v", offer)
	if err != nil {
		t.Fatal(err)
	}
	want := " 127.0.0.1 " + itoa(s.Port()) + " typ host"
	if !strings.Contains(string(ans), want) {
		t.Fatalf("the answer has no candidate %q:\n%s", want, ans)
	}
	if strings.Contains(string(ans), "srflx") || strings.Contains(string(ans), "relay") {
		t.Fatal("the answer has a non-host candidate")
	}
}

func TestSimulcastStartsHighAndDropsOnLoss(t *testing.T) {
	s := newServer(t, nil)
	h := newHost(t, s, "sim", []string{"q", "f", "h"}, []int{100_000, 1_200_000, 400_000}, nil)
	eventually(t, 5*time.Second, "three layers ordered by bitrate", func() bool {
		return slices.Equal(s.LayerRIDs("sim"), []string{"f", "h", "q"})
	})
	w := mustWatch(t, s, "sim")
	growing(t, &w.frames, 20, "frames arrive")
	if l := s.ViewerLayer("sim", w.session); l != "f" {
		t.Fatalf("the viewer starts on layer %q, want f", l)
	}
	plis := h.plis.Load()
	// Two reports with 30% lost: down one layer, at h's next keyframe.
	s.Feedback("sim", w.session, 0.3)
	s.Feedback("sim", w.session, 0.3)
	eventually(t, 5*time.Second, "the viewer moves to layer h", func() bool { return s.ViewerLayer("sim", w.session) == "h" })
	if h.plis.Load() == plis {
		t.Fatal("switching layer asked the host for no keyframe")
	}
	growing(t, &w.frames, 20, "frames keep arriving on h")
	s.Feedback("sim", w.session, 0.5)
	s.Feedback("sim", w.session, 0.5)
	eventually(t, 5*time.Second, "the viewer moves to layer q", func() bool { return s.ViewerLayer("sim", w.session) == "q" })
	growing(t, &w.frames, 20, "frames keep arriving on q")
	s.SetLayer("sim", w.session, 0)
	eventually(t, 5*time.Second, "the viewer goes back to f", func() bool { return s.ViewerLayer("sim", w.session) == "f" })
	growing(t, &w.frames, 20, "frames keep arriving on f")
	// One continuous stream for the decoder: one SSRC, timestamps never
	// going back, sequence numbers without holes at the switches.
	if n := w.ssrcs.Load(); n != 1 {
		t.Fatalf("the viewer saw %d SSRCs", n)
	}
	if n := w.back.Load(); n != 0 {
		t.Fatalf("timestamps went back %d times", n)
	}
	if n := w.gaps.Load(); n > 3 {
		t.Fatalf("%d sequence gaps across three switches", n)
	}
}

func TestViewersKeepReceivingWhileOthersComeAndGo(t *testing.T) {
	s := newServer(t, nil)
	newHost(t, s, "busy", []string{""}, []int{200_000}, nil)
	a := mustWatch(t, s, "busy")
	growing(t, &a.frames, 10, "the first viewer receives")
	for i := 0; i < 4; i++ {
		b := mustWatch(t, s, "busy")
		growing(t, &b.frames, 5, "a joining viewer receives")
		if err := s.Stop(context.Background(), "busy", b.session); err != nil {
			t.Fatal(err)
		}
		b.pc.Close()
	}
	growing(t, &a.frames, 10, "the first viewer still receives")
	if n := s.Viewers("busy"); n != 1 {
		t.Fatalf("%d viewers left, want 1", n)
	}
	if err := s.Stop(context.Background(), "busy", "whep_nosuch"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Stop of an unknown session: %v", err)
	}
}

func TestSecondPublishReplacesTheFirst(t *testing.T) {
	s := newServer(t, nil)
	var gone1, gone2 atomic.Int64
	h1 := newHost(t, s, "swap", []string{""}, []int{200_000}, func() { gone1.Add(1) })
	w := mustWatch(t, s, "swap")
	growing(t, &w.frames, 10, "the viewer receives the first host")
	h2 := newHost(t, s, "swap", []string{""}, []int{200_000}, func() { gone2.Add(1) })
	eventually(t, 10*time.Second, "the first host's connection is closed", func() bool {
		st := h1.pc.ConnectionState().String()
		return st == "closed" || st == "failed" || st == "disconnected"
	})
	growing(t, &w.frames, 30, "the viewer receives the second host")
	if gone1.Load() != 0 || gone2.Load() != 0 {
		t.Fatal("onGone was called for a replaced host")
	}
	if w.back.Load() != 0 {
		t.Fatal("timestamps went back when the host was replaced")
	}
	if err := s.Stop(context.Background(), "swap", h1.session); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Stop of the replaced session: %v", err)
	}
	if err := s.Stop(context.Background(), "swap", h2.session); err != nil {
		t.Fatal(err)
	}
	if s.Publishing("swap") {
		t.Fatal("still publishing after Stop")
	}
	time.Sleep(300 * time.Millisecond)
	if gone2.Load() != 0 {
		t.Fatal("onGone was called after Stop")
	}
}

func TestOnGoneWhenTheHostCloses(t *testing.T) {
	s := newServer(t, nil)
	gone := make(chan struct{}, 2)
	h := newHost(t, s, "vanish", []string{""}, []int{100_000}, func() { gone <- struct{}{} })
	w := mustWatch(t, s, "vanish")
	growing(t, &w.frames, 5, "the viewer receives")
	h.close()
	select {
	case <-gone:
	case <-time.After(15 * time.Second):
		t.Fatal("onGone was not called after the host closed")
	}
	if s.Publishing("vanish") {
		t.Fatal("still publishing after the host vanished")
	}
	select {
	case <-gone:
		t.Fatal("onGone was called twice")
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := newWatcher(t, s, "vanish"); !errs.Is(err, live.NotLive) {
		t.Fatalf("Play after the host vanished: %v", err)
	}
}

func TestEndRoomStopsViewers(t *testing.T) {
	s := newServer(t, nil)
	var gone atomic.Int64
	newHost(t, s, "end", []string{""}, []int{100_000}, func() { gone.Add(1) })
	a, b := mustWatch(t, s, "end"), mustWatch(t, s, "end")
	growing(t, &a.frames, 5, "viewer a receives")
	growing(t, &b.frames, 5, "viewer b receives")
	s.EndRoom("end")
	if s.Publishing("end") {
		t.Fatal("still publishing after EndRoom")
	}
	time.Sleep(500 * time.Millisecond)
	na, nb := a.video.Load(), b.video.Load()
	time.Sleep(500 * time.Millisecond)
	if a.video.Load() != na || b.video.Load() != nb {
		t.Fatal("viewers still receive after EndRoom")
	}
	if gone.Load() != 0 {
		t.Fatal("onGone was called after EndRoom")
	}
	if _, err := newWatcher(t, s, "end"); !errs.Is(err, live.NotLive) {
		t.Fatalf("Play after EndRoom: %v", err)
	}
}

func TestPlayWithoutHostIsNotLive(t *testing.T) {
	s := newServer(t, nil)
	if _, err := newWatcher(t, s, "empty"); !errs.Is(err, live.NotLive) {
		t.Fatalf("Play of an empty room: %v", err)
	}
}

func TestBadOffersAreRejectedBeforeAnyPeerConnection(t *testing.T) {
	s := newServer(t, nil)
	audioOnly := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n"
	for name, offer := range map[string]string{
		"empty":      "",
		"json":       `{"sdp":"v=0"}`,
		"html":       "<html>hello</html>",
		"garbage":    "v=0\r\nthis is not sdp\r\n",
		"audio only": audioOnly,
		"oversize":   "v=0\r\n" + strings.Repeat("a=x\r\n", 20000),
	} {
		if _, _, err := s.Publish(context.Background(), "r", []byte(offer), nil); !errs.Is(err, errs.InvalidArgument) {
			t.Errorf("Publish %s: %v, want invalid_argument", name, err)
		} else if e := err.(*errs.Error); e.Message == "" || !strings.HasSuffix(e.Message, ".") {
			t.Errorf("Publish %s: message %q is not a sentence", name, e.Message)
		}
		if _, _, err := s.Play(context.Background(), "r", "v", []byte(offer)); !errs.Is(err, errs.InvalidArgument) {
			t.Errorf("Play %s: %v, want invalid_argument", name, err)
		}
	}
	if n := s.PeerConnections(); n != 0 {
		t.Fatalf("%d PeerConnections created for bad offers", n)
	}
	if s.Publishing("r") {
		t.Fatal("a bad offer left a publication")
	}
}

func TestH264IsForwardedToo(t *testing.T) {
	s := newServer(t, nil)
	newHostCodec(t, s, "h264", "video/H264", []string{""}, []int{300_000}, nil)
	w := mustWatch(t, s, "h264")
	growing(t, &w.frames, 30, "the viewer receives H.264 frames")
	if mime := w.videoMime(); mime != "video/H264" {
		t.Fatalf("the viewer's track is %s", mime)
	}
}
