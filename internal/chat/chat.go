// Package chat is Plaza's messaging: conversations (direct and group),
// durable ordered messages, media, read state, sync, and real-time delivery
// over WebSockets to every device of every member, across nodes.
//
// The database is the truth: a message is acknowledged only after the
// transaction that gave it its seq has committed. The bus only pushes; a
// client that missed a push gets the message by sync (after_seq).
//
// Service methods return *errs.Error values with codes invalid_argument,
// not_found (also for conversations the caller is not in, so ids of others'
// conversations reveal nothing), forbidden, conflict and payload_too_large.
package chat

import (
	"context"
	"embed"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the chat component's schema.
var Migrations = sqldb.Migrations{Component: "chat", FS: migrations}

// Limits.
const (
	MaxText        = 4000     // characters of a text message
	MaxGroup       = 500      // members of a group
	MaxTitle       = 64       // characters of a group title
	MaxClientID    = 64       // bytes of a client_id
	MaxMediaBytes  = 10 << 20 // bytes of an uploaded image
	DefaultPage    = 50
	MaxPage        = 200
	DirectType     = "direct"
	GroupType      = "group"
	KindText       = "text"
	KindImage      = "image"
	KindSystem     = "system"
	KindRedPacket  = "red_packet"
	KindTransfer   = "transfer"
	systemClientID = "system:"
)

// Accounts is what chat needs of the account component.
type Accounts interface {
	UsersByIDs(ctx context.Context, ids []string) (map[string]account.User, error)
	UserByUsername(ctx context.Context, username string) (account.User, error)
	AreContacts(ctx context.Context, a, b string) (bool, error)
}

// Sender is who sent a message, as clients see them.
type Sender struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// Message is one message of a conversation.
type Message struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Seq            int64     `json:"seq"`
	Sender         Sender    `json:"sender"`
	Kind           string    `json:"kind"`
	Text           string    `json:"text"`
	ClientID       string    `json:"client_id"`
	MediaID        string    `json:"media_id,omitempty"`
	MediaURL       string    `json:"media_url,omitempty"`
	RedPacketID    string    `json:"red_packet_id,omitempty"`
	TransactionID  string    `json:"transaction_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`

	refID string
}

// Conversation is a conversation as one member sees it.
type Conversation struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Members     []account.User `json:"members"`
	LastSeq     int64          `json:"last_seq"`
	ReadSeq     int64          `json:"read_seq"`
	Unread      int64          `json:"unread"`
	LastMessage *Message       `json:"last_message"`
	UpdatedAt   time.Time      `json:"updated_at"`
	CreatedBy   string         `json:"created_by"`
}

// SendInput is a message to send.
type SendInput struct {
	ConversationID string `json:"conversation_id"`
	ClientID       string `json:"client_id"`
	Kind           string `json:"kind"`
	Text           string `json:"text"`
	MediaID        string `json:"media_id"`
}
