package media_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// twoBuses are two nodes' connections to the NATS at PLAZA_TEST_NATS
// (nats://127.0.0.1:4222 by default) under one fresh prefix; without it
// both nodes share one embedded bus.
func twoBuses(t *testing.T) (*bus.Bus, *bus.Bus) {
	url := os.Getenv("PLAZA_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	prefix := "tmedia" + strings.ToLower(ids.Token(6))
	a, err := bus.Open(context.Background(), bus.Config{URL: url, Prefix: prefix, Name: "media-a", Log: quiet})
	if err != nil {
		t.Logf("NATS at %s unreachable (%v): both nodes share an embedded bus", url, err)
		e, err := bus.Open(context.Background(), bus.Config{DataDir: t.TempDir(), Prefix: prefix, Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Close)
		return e, e
	}
	t.Cleanup(a.Close)
	b, err := bus.Open(context.Background(), bus.Config{URL: url, Prefix: prefix, Name: "media-b", Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return a, b
}

func TestPlayOnAnotherNodeIsAnsweredByTheOwner(t *testing.T) {
	ba, bb := twoBuses(t)
	owner, other := newServer(t, ba), newServer(t, bb)
	if _, err := newWatcher(t, other, "xroom"); !errs.Is(err, live.NotLive) {
		t.Fatalf("Play before anyone publishes: %v", err)
	}
	newHost(t, owner, "xroom", []string{""}, []int{200_000}, nil)
	if other.Publishing("xroom") || !owner.Publishing("xroom") {
		t.Fatal("Publishing should be true on the owner only")
	}
	w := mustWatch(t, other, "xroom")
	sdp := w.pc.RemoteDescription().SDP
	if !strings.Contains(sdp, " "+itoa(owner.Port())+" typ host") || strings.Contains(sdp, " "+itoa(other.Port())+" typ host") {
		t.Fatalf("the answer should carry the owner's media port %d, not %d:\n%s", owner.Port(), other.Port(), sdp)
	}
	growing(t, &w.frames, 20, "the viewer on the other node receives the owner's video")
	if owner.Viewers("xroom") != 1 {
		t.Fatalf("the owner forwards to %d viewers, want 1", owner.Viewers("xroom"))
	}
	// Stop on the node that relayed the Play reaches the owner.
	if err := other.Stop(context.Background(), "xroom", w.session); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the owner drops the viewer", func() bool { return owner.Viewers("xroom") == 0 })
	// EndRoom on a non-owner ends it on the owner.
	w2 := mustWatch(t, other, "xroom")
	growing(t, &w2.frames, 5, "a second remote viewer receives")
	other.EndRoom("xroom")
	eventually(t, 5*time.Second, "the owner ends the room", func() bool { return !owner.Publishing("xroom") })
}
