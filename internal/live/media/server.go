package media

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

var _ live.Media = (*Server)(nil)

// Config configures a Server.
type Config struct {
	// Bus carries Play and Stop to the node that owns a room; nil on a
	// single node.
	Bus *bus.Bus
	Log *slog.Logger
	// NodeID names this node on the bus (random when empty).
	NodeID string
	// UDPPort is the one UDP port all media uses; 0 picks a free one.
	UDPPort int
	// PublicIP is the address put in this node's ICE candidates, the one
	// viewers and hosts reach it at (behind one-to-one NAT, the public
	// address). Empty: 127.0.0.1, bound and advertised (this machine only).
	PublicIP string
	// ListenIP is the address the UDP port is bound to when PublicIP is
	// set; 0.0.0.0 when empty.
	ListenIP string
	// QueueLen is each viewer's packet queue per track (512); a full queue
	// drops the viewer's packets.
	QueueLen int
	// AskTimeout bounds waiting for another node's answer (4 s).
	AskTimeout time.Duration
}

// Server is a node's SFU. It implements live.Media.
type Server struct {
	cfg  Config
	log  *slog.Logger
	api  *webrtc.API
	conn net.PacketConn
	mux  ice.UDPMux
	port int

	mu     sync.Mutex
	rooms  map[string]*room
	closed bool

	remote *remote // nil without a bus
	stop   chan struct{}
	pcs    atomic.Int64 // PeerConnections created, for tests
	fixed  atomic.Bool  // tests: feedback never moves viewers
}

func (s *Server) newPC() (*webrtc.PeerConnection, error) {
	s.pcs.Add(1)
	return s.api.NewPeerConnection(webrtc.Configuration{})
}

// New opens the media port and, with a bus, answers other nodes' Play and
// Stop for the rooms published here.
func New(c Config) (*Server, error) {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.NodeID == "" {
		c.NodeID = ids.Token(8)
	}
	if c.QueueLen <= 0 {
		c.QueueLen = 512
	}
	if c.AskTimeout <= 0 {
		c.AskTimeout = 4 * time.Second
	}
	listen, advertise := "127.0.0.1", ""
	if c.PublicIP != "" {
		if net.ParseIP(c.PublicIP) == nil {
			return nil, fmt.Errorf("media: public IP %q is not an IP address", c.PublicIP)
		}
		listen, advertise = "0.0.0.0", c.PublicIP
		if c.ListenIP != "" {
			listen = c.ListenIP
		}
	}
	conn, err := net.ListenPacket("udp4", net.JoinHostPort(listen, strconv.Itoa(c.UDPPort)))
	if err != nil {
		return nil, fmt.Errorf("media: listen on UDP port %d: %w", c.UDPPort, err)
	}
	s := &Server{cfg: c, log: c.Log, conn: conn, rooms: map[string]*room{}, stop: make(chan struct{})}
	s.port = conn.LocalAddr().(*net.UDPAddr).Port
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	s.mux = webrtc.NewICEUDPMux(lf.NewLogger("ice"), conn)

	se := webrtc.SettingEngine{LoggerFactory: lf}
	se.SetICEUDPMux(s.mux)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetICETimeouts(5*time.Second, 10*time.Second, 2*time.Second)
	if advertise != "" {
		se.SetNAT1To1IPs([]string{advertise}, webrtc.ICECandidateTypeHost)
	}
	if s.api, err = newAPI(se); err != nil {
		conn.Close()
		return nil, err
	}
	if c.Bus != nil {
		if s.remote, err = newRemote(s); err != nil {
			conn.Close()
			return nil, err
		}
	}
	go s.measure()
	return s, nil
}

// measure updates every room's layer bitrates once a second.
func (s *Server) measure() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		rs := make([]*room, 0, len(s.rooms))
		for _, r := range s.rooms {
			rs = append(rs, r)
		}
		s.mu.Unlock()
		for _, r := range rs {
			r.tick(time.Second)
		}
	}
}

// newAPI is the codecs (Opus; VP8 and H.264 video) and interceptors (NACK,
// reports, TWCC, simulcast header extensions) every PeerConnection uses.
func newAPI(se webrtc.SettingEngine) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	audio := []webrtc.RTPCodecParameters{{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType:        111,
	}}
	fb := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "transport-cc"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	video := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb}, PayloadType: 96},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", RTCPFeedback: fb}, PayloadType: 102},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", RTCPFeedback: fb}, PayloadType: 106},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f", RTCPFeedback: fb}, PayloadType: 108},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640032", RTCPFeedback: fb}, PayloadType: 112},
	}
	for _, c := range audio {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, err
		}
	}
	for _, c := range video {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return nil, err
		}
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), nil
}

// Port is the UDP port all media goes through.
func (s *Server) Port() int { return s.port }

// NodeID names this node on the bus.
func (s *Server) NodeID() string { return s.cfg.NodeID }

// Close ends every room here and closes the media port.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.stop)
	rooms := s.rooms
	s.rooms = map[string]*room{}
	s.mu.Unlock()
	if s.remote != nil {
		s.remote.close()
	}
	for _, r := range rooms {
		r.end()
	}
	s.mux.Close()
	s.conn.Close()
}

var errClosed = errors.New("media: server closed")
