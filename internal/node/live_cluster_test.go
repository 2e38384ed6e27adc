package node_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// sdpExchange POSTs an SDP offer to path (WHIP or WHEP) and returns the
// answer.
func sdpExchange(t *testing.T, base, token, path string, pc *webrtc.PeerConnection) {
	t.Helper()
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader([]byte(pc.LocalDescription().SDP)))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") == "" {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, answer)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(answer)}); err != nil {
		t.Fatal(err)
	}
}

func loopbackPC(t *testing.T) *webrtc.PeerConnection {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// Two nodes on one PostgreSQL and NATS: the host publishes to node 1, a
// viewer on node 2 is answered by node 1 (over the bus) and receives the
// video straight from it; a purchase on node 2 takes node 1's room's
// stock, and the room's end reaches both.
func TestLiveRoomAcrossTwoNodes(t *testing.T) {
	natsURL := os.Getenv("PLAZA_TEST_NATS")
	if natsURL == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	prefix := "lv" + ids.Token(5)
	n1 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})
	n2 := nodetest.Start(t, nodetest.Options{DBURL: db, NATS: natsURL, Prefix: prefix})

	host := nodetest.Signup(t, n1.URL(), "livehost")
	mchid := host.Do(t, "POST", "/api/v1/merchants", map[string]string{"name": "Two Node Gadgets", "region": "CN"}).Str("merchant.mchid")
	room := host.Do(t, "POST", "/api/v1/live/rooms", map[string]any{"mchid": mchid, "title": "Across nodes"}).Str("room.id")
	host.Do(t, "PUT", "/api/v1/live/rooms/"+room+"/shelf", map[string]any{"items": []map[string]any{
		{"sku": "phone", "name": "Nova 12 phone", "price": map[string]any{"amount": 199900, "currency": "CNY"}, "stock": 1}}})

	// The host publishes VP8 to node 1.
	pub := loopbackPC(t)
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "host")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	sdpExchange(t, n1.URL(), host.Token, "/api/v1/live/rooms/"+room+"/whip", pub)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		frame := make([]byte, 1200)
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-tick.C:
				frame[0] = 0x11
				if i%30 == 0 {
					frame[0] = 0x10 // a key frame
				}
				track.WriteSample(media.Sample{Data: frame, Duration: time.Second / 30})
			case <-stop:
				return
			}
		}
	}()
	if got := host.Do(t, "GET", "/api/v1/live/rooms/"+room, nil).Str("room.state"); got != "live" {
		t.Fatalf("after WHIP the room is %q", got)
	}
	if !n1.Media.Publishing(room) || n2.Media.Publishing(room) {
		t.Fatal("the room should belong to node 1, the host's")
	}

	// A viewer on node 2 plays it.
	viewer := nodetest.Signup(t, n2.URL(), "liveviewer")
	play := loopbackPC(t)
	if _, err := play.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		t.Fatal(err)
	}
	var packets atomic.Int64
	play.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			if _, _, err := tr.ReadRTP(); err != nil {
				return
			}
			packets.Add(1)
		}
	})
	sdpExchange(t, n2.URL(), viewer.Token, "/api/v1/live/rooms/"+room+"/whep", play)
	deadline := time.Now().Add(20 * time.Second)
	for packets.Load() < 60 {
		if time.Now().After(deadline) {
			t.Fatalf("the viewer on node 2 got %d video packets in 20 s", packets.Load())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The last phone, bought on node 2: node 1 sees it gone, a second
	// buyer is refused.
	if r := viewer.Do(t, "POST", "/api/v1/live/rooms/"+room+"/orders", map[string]any{"sku": "phone", "quantity": 1}, "Idempotency-Key", "buy-1"); r.Status != 201 || r.Str("prepay_id") == "" {
		t.Fatalf("buying on node 2: %d %s", r.Status, r.Body)
	}
	other := nodetest.Signup(t, n1.URL(), "liveother")
	if r := other.Do(t, "POST", "/api/v1/live/rooms/"+room+"/orders", map[string]any{"sku": "phone", "quantity": 1}, "Idempotency-Key", "buy-2"); r.Status != 409 || r.Code() != "out_of_stock" {
		t.Fatalf("the second buyer on node 1: %d %s", r.Status, r.Body)
	}

	// The host ends it on node 1; node 2's viewer learns it from the API.
	host.Do(t, "POST", "/api/v1/live/rooms/"+room+"/end", nil)
	if got := viewer.Do(t, "GET", "/api/v1/live/rooms/"+room, nil).Str("room.state"); got != "ended" {
		t.Fatalf("on node 2 the ended room is %q", got)
	}
	if r := viewer.Do(t, "POST", "/api/v1/live/rooms/"+room+"/whep", "v=0", "Content-Type", "application/sdp"); r.Status != 409 || r.Code() != "room_ended" {
		t.Fatalf("WHEP after the end: %d %s", r.Status, r.Body)
	}
}
