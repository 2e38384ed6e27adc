package node

import (
	"context"
	"encoding/json"
	"github.com/plaza-dev/plaza/internal/account"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/trust"
)

// TrustFrame is the socket frame every signed-in client on this node gets
// when a regional policy is created or cancelled (on any node) or takes
// effect or expires, so that an open Discover, app page or notice banner
// can refresh without a reload:
//
//	{"type":"trust","event":"changed"|"flipped","policy_id":"…","state":"active"|"expired"|"created"|"cancelled"}
//
// It names no target or region; a client that cares asks GET
// /api/v1/notices, which answers only what concerns it.
type TrustFrame struct {
	Type     string `json:"type"`
	Event    string `json:"event"`
	PolicyID string `json:"policy_id"`
	State    string `json:"state,omitempty"`
}

// relayTrustFrames turns trust's bus facts into TrustFrames on this node's
// sockets until ctx ends. A flip is announced by every node's own timer,
// so a client may hear it more than once; clients coalesce.
func (n *Node) relayTrustFrames(ctx context.Context) error {
	relay := func(event string, state func([]byte) (string, string)) func(*bus.Message) {
		return func(m *bus.Message) {
			id, st := state(m.Data)
			if id == "" {
				return
			}
			b, _ := json.Marshal(TrustFrame{Type: "trust", Event: event, PolicyID: id, State: st})
			n.Hub.Broadcast(b)
		}
	}
	changed, err := n.Bus.Subscribe(trust.PolicyChangedSubject, relay("changed", func(d []byte) (string, string) {
		var ev trust.PolicyChanged
		_ = json.Unmarshal(d, &ev)
		return ev.PolicyID, ev.Change
	}))
	if err != nil {
		return err
	}
	defer changed.Unsubscribe()
	flipped, err := n.Bus.Subscribe(trust.PolicyFlippedSubject, relay("flipped", func(d []byte) (string, string) {
		var ev trust.PolicyFlipped
		_ = json.Unmarshal(d, &ev)
		return ev.PolicyID, string(ev.State)
	}))
	if err != nil {
		return err
	}
	defer flipped.Unsubscribe()
	<-ctx.Done()
	return nil
}

// forgetChangedUsers makes account's cache of users, and chat's of
// profiles, forget a user that any node changed (account.UserChangedSubject),
// until ctx ends. (Sessions that ended on any node are forgotten by the
// hub's subscription, before it closes their sockets: HubConfig.SessionsEnded.)
func (n *Node) forgetChangedUsers(ctx context.Context) error {
	sub, err := n.Bus.Subscribe(account.UserChangedSubject, n.Accounts.UserChangedOnBus)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	<-ctx.Done()
	return nil
}
