package node

import (
	"context"
	"encoding/json"
	"errors"
	"net"

	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/live/media"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// newLive builds the live rooms: the media server on its UDP port and the
// live component over the merchant API, the hub and the bus.
func (n *Node) newLive(c settings) error {
	public, listen := c.MediaIP, c.MediaBind
	if listen == "" {
		listen = "127.0.0.1"
	}
	if ip := net.ParseIP(listen); ip == nil {
		return errors.New("--media-bind must be an IP address")
	} else if public == "" && ip.IsUnspecified() {
		return errors.New("--media-bind " + listen + " needs --media-ip: the address viewers reach this node's media port at")
	} else if public == "" && !ip.IsLoopback() {
		public = listen
	}
	nodeID := "n" + ids.Token(8)
	var err error
	if n.Media, err = media.New(media.Config{Bus: n.Bus, Log: c.Log, NodeID: nodeID, UDPPort: c.MediaPort, PublicIP: public, ListenIP: listen}); err != nil {
		return err
	}
	n.Live, err = live.NewService(live.Config{DB: n.DB, Bus: n.Bus, Log: c.Log, Accounts: n.Accounts, Merchants: LiveMerchants{M: n.Merchant},
		Policies: policies{n}, Media: n.Media, Hub: n.Hub, Images: n.Chat, NodeID: nodeID, HostGrace: c.LiveHostGrace, HoldFor: c.LiveHoldFor,
		JobEvery: c.JobEvery, OnStarted: n.remindLive})
	return err
}

// remindLive tells the people who asked to be reminded that a room went
// live: a frame on each of their sockets, wherever they are.
func (n *Node) remindLive(ctx context.Context, room live.Room, reminded []string) {
	if len(reminded) == 0 {
		return
	}
	b, _ := json.Marshal(map[string]any{"type": "live", "room_id": room.ID, "event": "reminder", "room": room})
	n.Chat.PublishToUsers(reminded, b)
}

// MediaPort is the live rooms' UDP media port.
func (n *Node) MediaPort() int { return n.Media.Port() }
