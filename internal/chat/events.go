package chat

import (
	"context"
	"encoding/json"
)

// The chat component's bus subjects and payloads.
//
// The bus only pushes: the database is the truth, and a client that
// missed a push gets the message by sync (after_seq). Chat also hears
// account.SessionsEndedSubject (hub.go), to close the sockets of sessions
// that ended on any node.

// DeliverSubject is the bus subject of frames for sockets (an envelope
// each): every node hears it and hands each frame to its own sockets of
// the users named. Message, read, conversation and wallet frames all
// travel on it.
const DeliverSubject = "chat.deliver"

// envelope is what goes on DeliverSubject. Message frames also carry
// their conversation and seq, by which each hub delivers them in order.
type envelope struct {
	To    []string        `json:"to"`
	Conv  string          `json:"conv,omitempty"`
	Seq   int64           `json:"seq,omitempty"`
	Frame json.RawMessage `json:"frame"`
	// After: the frame is about message Seq (recalled), delivered once
	// that message has been (actions_order.go).
	After bool `json:"after,omitempty"`
}

// frame is a server frame of the socket protocol.
type frame struct {
	Type           string          `json:"type"`
	Message        *Message        `json:"message,omitempty"`
	Conversation   *Conversation   `json:"conversation,omitempty"`
	ConversationID string          `json:"conversation_id,omitempty"`
	MessageID      string          `json:"message_id,omitempty"`
	UserID         string          `json:"user_id,omitempty"`
	Seq            int64           `json:"seq,omitempty"`
	ClientID       string          `json:"client_id,omitempty"`
	Error          *frameError     `json:"error,omitempty"`
	Balance        json.RawMessage `json:"balance,omitempty"`
}

type frameError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// deliver pushes messages to the members' sockets on every node.
func (s *Service) deliver(_ context.Context, recipients []string, ms []Message) {
	for i := range ms {
		s.publishEnvelope(recipients, ms[i].ConversationID, ms[i].Seq, frame{Type: "message", Message: &ms[i]})
	}
}

// publish puts one frame for users on the bus.
func (s *Service) publish(users []string, f frame) { s.publishEnvelope(users, "", 0, f) }

// publishEnvelope puts one frame for users on the bus; conv and seq are a
// message frame's, for the hubs' sequencers.
func (s *Service) publishEnvelope(users []string, conv string, seq int64, f frame) {
	if len(users) == 0 || s.bus == nil {
		return
	}
	raw, err := json.Marshal(f)
	if err != nil {
		s.log.Error("encoding frame", "err", err)
		return
	}
	data, _ := json.Marshal(envelope{To: users, Conv: conv, Seq: seq, Frame: raw})
	if err := s.bus.Publish(DeliverSubject, data); err != nil {
		// The message is durable; clients get it by sync.
		s.log.Warn("publishing frame", "err", err)
	}
}

// PublishToUsers pushes a raw frame to users' sockets (for other
// components: the wallet frame).
func (s *Service) PublishToUsers(users []string, frameJSON []byte) {
	data, _ := json.Marshal(envelope{To: users, Frame: frameJSON})
	if err := s.bus.Publish(DeliverSubject, data); err != nil {
		s.log.Warn("publishing frame", "err", err)
	}
}
