package media_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/live/media"
	"github.com/plaza-dev/plaza/internal/platform/errs"
)

var seedOffers = []string{
	"",
	"v=0",
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n",
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:ab\r\na=ice-pwd:cd\r\na=fingerprint:sha-256 00\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\na=rtpmap:96 VP8/90000\r\na=rid:f send\r\na=simulcast:send f;h;q\r\n",
	"v=0\r\nm=video 0 RTP/AVP 96\r\n",
	"<html>",
	"{\"type\":\"offer\"}",
}

// FuzzCheckOffer: the SDP edge never panics, and anything it accepts has
// a video m-line.
func FuzzCheckOffer(f *testing.F) {
	for _, s := range seedOffers {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, offer []byte) {
		d, err := media.CheckOffer(offer, "video")
		if err != nil {
			if !errs.Is(err, errs.InvalidArgument) {
				t.Fatalf("error %v is not invalid_argument", err)
			}
			return
		}
		found := false
		for _, m := range d.MediaDescriptions {
			found = found || m.MediaName.Media == "video"
		}
		if !found {
			t.Fatal("accepted an offer without video")
		}
	})
}

// FuzzPublishOffer: Publish and Play with arbitrary bodies answer or fail
// cleanly, and leave no goroutines behind.
func FuzzPublishOffer(f *testing.F) {
	for _, s := range seedOffers {
		f.Add([]byte(s))
	}
	s, err := media.New(media.Config{Log: quiet})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	base := runtime.NumGoroutine()
	f.Fuzz(func(t *testing.T, offer []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, session, err := s.Publish(ctx, "fuzz", offer, nil)
		if err == nil {
			if err := s.Stop(ctx, "fuzz", session); err != nil {
				t.Fatalf("Stop of an accepted publication: %v", err)
			}
		} else if c := errs.CodeOf(err); c != errs.InvalidArgument && c != errs.Unavailable {
			t.Fatalf("Publish: %v", err)
		}
		if _, _, err := s.Play(ctx, "fuzz", "v", offer); err == nil {
			t.Fatal("Play answered with nobody publishing")
		}
		s.EndRoom("fuzz")
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > base+20 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > base+20 {
			t.Fatalf("%d goroutines, %d before", n, base)
		}
	})
}
