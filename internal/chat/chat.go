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
// conversations reveal nothing), forbidden, conflict and payload_too_large,
// and the component's own media_quota_exceeded (429).
//
// Files: chat.go (types, limits, the Service and its Config, the
// interfaces it needs of others, error codes), service.go (conversations:
// direct, groups, members, views), messages.go (sending, posting for other
// components, history, read state), media.go (uploads and their blob
// stores), imagecheck.go (image validation), store.go (every SQL statement,
// and the row readers), hub.go (this node's sockets and the bus
// subscriptions), socket.go (one socket: frames, ping, session checks),
// order.go and resync.go (per-conversation ordering of message frames),
// http.go (routes), events.go (bus subjects, payloads and publishing),
// run.go (scheduled work), files.go and files_http.go (voice and file
// uploads streamed to storage, their messages' fields, downloads),
// voice.go (Ogg/WebM Opus checks and durations), sniff.go (file types
// by their bytes against their names), migrations/ (the schema).
package chat

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the chat component's schema.
var Migrations = sqldb.Migrations{Component: "chat", FS: migrations}

// Limits.
const (
	MaxText       = 4000     // characters of a text message
	MaxGroup      = 500      // members of a group
	MaxTitle      = 64       // characters of a group title
	MaxClientID   = 64       // bytes of a client_id
	MaxMediaBytes = 10 << 20 // bytes of an uploaded image
	DefaultPage   = 50
	MaxPage       = 200
	DirectType    = "direct"
	GroupType     = "group"
	KindText      = "text"
	KindImage     = "image"
	KindSystem    = "system"
	KindRedPacket = "red_packet"
	KindTransfer  = "transfer"
	// KindRedPacketOpened is pay's note of a claim ("Bob opened Alice's
	// Red Packet", from the opener, with red_packet_id).
	KindRedPacketOpened = "red_packet_opened"
	systemClientID      = "system:"
)

// CodeMediaQuota refuses an upload over the unsent quota (429).
const CodeMediaQuota = "media_quota_exceeded"

func init() { errs.Register(CodeMediaQuota, http.StatusTooManyRequests) }

// Publisher puts frames on the bus (bus.Bus).
type Publisher interface {
	Publish(subject string, data []byte) error
}

// Config wires the service.
type Config struct {
	DB       *sqldb.DB
	Accounts Accounts
	Bus      Publisher
	Blobs    BlobStore
	Log      *slog.Logger
	Now      func() time.Time
	// Shards of the group-commit batcher on PostgreSQL (SQLite has one).
	Shards int
	// ShedAfter refuses a send (429 rate_limited, nothing written) that
	// would wait longer than this behind its writer's queue (default
	// DefaultShedAfter; negative: only when the queue is full).
	ShedAfter time.Duration
	// Policies answers whether a user may send (trust); nil: no policies.
	Policies Policies
}

// DefaultShedAfter is how long a send may wait behind its writer's queue
// before the node refuses it as overloaded: under an overload, answers
// stay quick and the clients retry, rather than every answer waiting
// seconds behind a queue that only grows.
const DefaultShedAfter = 100 * time.Millisecond

// Policies is the one question chat asks trust: may this user send
// messages? Check returns nil or a blocked_by_policy *errs.Error (422).
type Policies interface {
	Check(ctx context.Context, q trust.Question) error
}

// Service is the chat component's rules.
type Service struct {
	db *sqldb.DB
	// indexAtCommit: SQLite's search index takes a transaction's new
	// messages as it commits (search_index.go).
	indexAtCommit bool
	batch         *sqldb.Batcher
	accounts      Accounts
	bus           Publisher
	blobs         BlobStore
	log           *slog.Logger
	now           func() time.Time
	users         userCache
	policies      Policies
	blobMu        sync.Mutex // orders uploads and PruneUnsentMedia on blob files
	shed          atomic.Int64
	// directKeys remembers whom direct conversations join (blocks.go).
	directKeys directKeyCache
}

// SendsShed counts the sends refused because the writer's queue was full.
func (s *Service) SendsShed() int64 { return s.shed.Load() }

// NewService makes the chat service; Close stops its batcher. Its error
// is a statement that failed to prepare.
func NewService(c Config) (*Service, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Shards == 0 {
		c.Shards = 16
	}
	if err := c.DB.Prepare(context.Background(), selectSendCheck, selectMembership, selectByClient, nextSeq, insertMessage, advanceRead, selectMemberIDs); err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	if c.DB.Dialect == sqldb.Postgres {
		if err := c.DB.Prepare(context.Background(), pgSend); err != nil {
			return nil, fmt.Errorf("chat: %w", err)
		}
	}
	batch, err := c.DB.NewBatcher(c.Shards, 256)
	if err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	switch {
	case c.ShedAfter == 0:
		batch.ShedAfter(DefaultShedAfter)
	case c.ShedAfter > 0:
		batch.ShedAfter(c.ShedAfter)
	}
	s := &Service{
		db: c.DB, batch: batch, accounts: c.Accounts, bus: c.Bus,
		blobs: c.Blobs, log: c.Log, now: c.Now, users: userCache{src: c.Accounts, m: map[string]cachedUser{}},
		policies: c.Policies,
	}
	if err := s.startIndexing(context.Background()); err != nil {
		batch.Close()
		return nil, fmt.Errorf("chat: %w", err)
	}
	return s, nil
}

// Close finishes queued sends.
func (s *Service) Close() { s.batch.Close() }

// Accounts is what chat needs of the account component.
type Accounts interface {
	// PairRelation is whether b blocked a, and whether a and b are
	// contacts, in one read.
	PairRelation(ctx context.Context, a, b string) (blockedByB, contacts bool, err error)
	UsersByIDs(ctx context.Context, ids []string) (map[string]account.User, error)
	UserByUsername(ctx context.Context, username string) (account.User, error)
	AreContacts(ctx context.Context, a, b string) (bool, error)
	// Blocked reports whether a has blocked b (b may not message a).
	Blocked(ctx context.Context, a, b string) (bool, error)
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
	VoiceFile                // kinds voice and file (files.go)
	CreatedAt      time.Time `json:"created_at"`
	// ReplyTo is the message this one quotes (actions.go).
	ReplyTo  *Quote   `json:"reply_to,omitempty"`
	Mentions []string `json:"mentions,omitempty"` // member ids, or "all"

	refID     string
	replyToID string
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

	// Groups and the viewer's own settings (groups.go).
	Announcement   string     `json:"announcement"`
	AnnouncementAt *time.Time `json:"announcement_at"`
	OwnerID        string     `json:"owner_id"`
	Admins         []string   `json:"admins"`
	Muted          bool       `json:"muted"`
	Pinned         bool       `json:"pinned"`
	Mentioned      bool       `json:"mentioned"` // an unread message mentions the viewer (or all)
	FirstSeq       int64      `json:"first_seq"` // the viewer's history starts here (joining, clearing)
	pinnedAt       int64
}

// SendInput is a message to send.
type SendInput struct {
	ConversationID string `json:"conversation_id"`
	ClientID       string `json:"client_id"`
	Kind           string `json:"kind"`
	Text           string `json:"text"`
	MediaID        string `json:"media_id"`
	// ReplyTo is the id of a message of the same conversation to quote.
	ReplyTo        string `json:"reply_to"`
	VoiceFileInput        // kinds voice and file (files.go)

	// Groups: who the message mentions (groups.go).
	Mentions []string `json:"mentions"`
}
