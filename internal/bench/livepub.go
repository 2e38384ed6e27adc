package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// publisher is a WHIP publisher of synthetic VP8 video (what OBS or the
// host's browser would send), enough for a room to be live.
type publisher struct {
	pc       *webrtc.PeerConnection
	location string
	stop     chan struct{}
	done     chan struct{}
}

// publish goes live in roomID as token's host: a WHIP offer, the answer,
// then 30 frames a second of kbps until close.
func (a *api) publish(ctx context.Context, token, roomID string, kbps int) (*publisher, error) {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "bench")
	if err != nil {
		pc.Close()
		return nil, err
	}
	if _, err := pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		pc.Close()
		return nil, err
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		pc.Close()
		return nil, err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		pc.Close()
		return nil, err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		pc.Close()
		return nil, ctx.Err()
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", a.base+"/api/v1/live/rooms/"+roomID+"/whip", bytes.NewReader([]byte(pc.LocalDescription().SDP)))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.http.Do(req)
	if err != nil {
		pc.Close()
		return nil, err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		pc.Close()
		return nil, fmt.Errorf("whip: %d %s", resp.StatusCode, answer)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(answer)}); err != nil {
		pc.Close()
		return nil, err
	}
	p := &publisher{pc: pc, location: resp.Header.Get("Location"), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		frame := make([]byte, max(kbps*1000/8/30, 100))
		tick := time.NewTicker(time.Second / 30)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-tick.C:
				if i%60 == 0 {
					frame[0] = 0x10 // a VP8 key frame's first bits
				} else {
					frame[0] = 0x11
				}
				track.WriteSample(media.Sample{Data: frame, Duration: time.Second / 30})
			case <-p.stop:
				return
			}
		}
	}()
	return p, nil
}

func (p *publisher) close() {
	close(p.stop)
	<-p.done
	p.pc.Close()
}
