// Package live is Plaza's live selling: a merchant's rooms (title, cover,
// schedule, state), the host's video published into the node's media
// server and played by viewers (WHIP and WHEP; package live/media is the
// SFU), the room's chat at live scale (comments, likes, viewers, the
// host's moderation), and the product shelf whose items viewers buy in
// the stream through an ordinary merchant order.
//
// Which file holds what:
//
//	live.go       types, Config, the interfaces it needs, Service, error codes
//	rooms.go      creating, listing, reading, starting and ending rooms; reminders
//	shelf.go      the shelf and "now showing"
//	orders.go     buying from the shelf: stock held by one conditional update, the merchant order, expiry
//	media.go      WHIP and WHEP through Config.Media; the host's disappearance
//	realtime.go   who watches where, frames to everyone watching (across nodes over the bus)
//	comments.go   comments, likes, pins, mutes and deletions
//	store.go      every SQL statement, as named constants
//	http.go       the /api/v1/live routes
//	run.go        scheduled work: expiring held stock, ending abandoned rooms
//	migrations/   the schema (component "live")
package live

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/internal/trust"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the live component's schema.
var Migrations = sqldb.Migrations{Component: "live", FS: migrations}

// Room states.
const (
	StateScheduled = "scheduled"
	StateLive      = "live"
	StateEnded     = "ended"
)

// Domain error codes (errs codes; the contract's error body).
const (
	// OutOfStock is buying an item none is left of (409).
	OutOfStock = "out_of_stock"
	// RoomEnded is acting on a room that has ended (409).
	RoomEnded = "room_ended"
	// NotInRoom is commenting or liking without having joined (403).
	NotInRoom = "not_in_room"
	// Muted is a viewer the host muted commenting (403).
	Muted = "muted"
	// NotLive is playing a room nobody publishes to (409).
	NotLive = "not_live"
)

func init() {
	errs.Register(OutOfStock, http.StatusConflict)
	errs.Register(RoomEnded, http.StatusConflict)
	errs.Register(NotInRoom, http.StatusForbidden)
	errs.Register(Muted, http.StatusForbidden)
	errs.Register(NotLive, http.StatusConflict)
}

// Money is an amount in minor units of an ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Room is a live room as the contract shows it.
type Room struct {
	ID           string     `json:"id"`
	MchID        string     `json:"mchid"`
	MerchantName string     `json:"merchant_name"`
	Title        string     `json:"title"`
	CoverURL     string     `json:"cover_url"`
	State        string     `json:"state"`
	ScheduledAt  time.Time  `json:"scheduled_at"`
	StartedAt    *time.Time `json:"started_at"`
	EndedAt      *time.Time `json:"ended_at"`
	Viewers      int64      `json:"viewers"`
	Likes        int64      `json:"likes"`

	// Beyond the contract: the caller's view.
	Host      bool       `json:"host"`               // the caller owns the merchant
	Reminded  bool       `json:"reminded,omitempty"` // the caller asked to be reminded
	Showing   *ShelfItem `json:"showing,omitempty"`  // the product pinned now
	Pinned    *Comment   `json:"pinned,omitempty"`   // the comment the host pinned
	OwnerID   string     `json:"-"`                  // the merchant's owner
	NotifyURL string     `json:"-"`
}

// ShelfItem is one product on a room's shelf.
type ShelfItem struct {
	SKU          string `json:"sku"`
	Name         string `json:"name"`
	Price        Money  `json:"price"`
	Stock        int64  `json:"stock"`
	Sold         int64  `json:"sold"`
	ImageMediaID string `json:"image_media_id,omitempty"`
	ImageURL     string `json:"image_url,omitempty"`
}

// Comment is one comment in a room.
type Comment struct {
	ID        string    `json:"id"`
	RoomID    string    `json:"room_id"`
	ClientID  string    `json:"client_id,omitempty"`
	User      Author    `json:"user"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Author is who wrote a comment.
type Author struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	AvatarURL   string `json:"avatar_url,omitempty"`
}

// Media is the node's media server (package live/media): the host
// publishes a room's video once (WHIP) and every viewer plays it (WHEP).
// The room belongs to the node its host publishes to; Play on another node
// is answered by that one, over the bus. Errors are errs errors:
// invalid_argument for an offer that is not SDP (or has no video),
// not_live when nobody publishes to the room.
type Media interface {
	// Publish takes the host's SDP offer for room and answers it; session
	// names the publication (the WHIP resource). onGone is called once if
	// the host's connection fails or closes without Stop.
	Publish(ctx context.Context, roomID string, offer []byte, onGone func()) (answer []byte, session string, err error)
	// Play takes a viewer's offer and answers it with the room's video.
	Play(ctx context.Context, roomID, viewerID string, offer []byte) (answer []byte, session string, err error)
	// Stop ends one publication or playback by its session (not_found
	// when there is none).
	Stop(ctx context.Context, roomID, session string) error
	// EndRoom ends the room's publication and every playback of it.
	EndRoom(roomID string)
	// Publishing reports whether this node holds the room's publication.
	Publishing(roomID string) bool
}

// Accounts is what live needs of the account component.
type Accounts interface {
	User(ctx context.Context, id string) (account.User, error)
}

// Merchants is what live needs of the merchant component (the node's
// adapter over merchant.Service).
type Merchants interface {
	// Owned is merchant mchid if userID owns it. Errors: not_found
	// (no such merchant, or not the caller's).
	Owned(ctx context.Context, userID, mchid string) (MerchantInfo, error)
	// Info is merchant mchid. Errors: not_found.
	Info(ctx context.Context, mchid string) (MerchantInfo, error)
	// CreateLiveOrder places an ordinary merchant order (NATIVE-like, paid
	// in Plaza by the viewer through /pay/confirm) for payerID; a repeat of
	// outTradeNo answers the first order. It returns the prepay_id.
	CreateLiveOrder(ctx context.Context, o LiveOrder) (prepayID string, err error)
	// CloseLiveOrder closes an unpaid order (its stock goes back); false
	// when it was paid already.
	CloseLiveOrder(ctx context.Context, mchid, outTradeNo string) (closed bool, err error)
}

// MerchantInfo is a merchant as live needs it.
type MerchantInfo struct {
	MchID, Name, OwnerID, Region string
}

// LiveOrder is the order a purchase in a room places.
type LiveOrder struct {
	MchID, PayerID, OutTradeNo, Description, NotifyURL, Attach string
	Total                                                      int64
	Currency                                                   string
	ExpiresAt                                                  time.Time
}

// Policies asks the trust component (merchant's and chat's question).
type Policies interface {
	Check(ctx context.Context, q trust.Question) error
}

// Config wires the live component.
type Config struct {
	DB        *sqldb.DB
	Bus       *bus.Bus
	Log       *slog.Logger
	Accounts  Accounts
	Merchants Merchants
	Policies  Policies // nil: nothing is blocked
	Media     Media    // nil: WHIP and WHEP answer 503 unavailable
	// Hub carries the live_join and live_leave client frames and the
	// room's frames to sockets; nil: no socket frames.
	Hub *chat.Hub
	// Images reads the host's uploads for covers and product pictures
	// (chat's Service); nil: none are shown.
	Images Images
	// NodeID names this node on the bus (random when empty).
	NodeID string
	Now    func() time.Time
	// HostGrace is how long a room stays live after its host's video
	// vanished before it ends (30 s).
	HostGrace time.Duration
	// HoldFor is how long a bought item's stock stays held for an unpaid
	// order (15 min).
	HoldFor time.Duration
	// CommentRate is comments a second one viewer may post (1, burst 5).
	CommentRate float64
	// JobEvery is how often the scheduled work runs (10 s).
	JobEvery time.Duration
	// Observe, when set, sees every room event the rooms, shelf and
	// orders work sends (tests, metrics), beside realtime's delivery.
	Observe func(Frame)
	// OnStarted, when set, is called (in its own goroutine) when a
	// scheduled room goes live, with the users who asked to be reminded:
	// the node's hook to tell them (a chat system message, a push).
	// Without it they see the room in Discover → Live, and those watching
	// get the "started" frame.
	OnStarted func(ctx context.Context, room Room, reminded []string)
}

// Frame is a room event as Config.Observe sees it: to everyone watching
// (Users empty) or to these users only.
type Frame struct {
	RoomID, Event string
	Fields        map[string]any
	Must          bool
	Users         []string
}

// Service is the live component.
type Service struct {
	db        *sqldb.DB
	bus       *bus.Bus
	log       *slog.Logger
	accounts  Accounts
	merchants Merchants
	policies  Policies
	media     Media
	now       func() time.Time
	cfg       Config
	rt        *realtime
}

// NewService builds the live component; Run does its scheduled work and
// Close lets go of the bus.
func NewService(c Config) (*Service, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.HostGrace <= 0 {
		c.HostGrace = 30 * time.Second
	}
	if c.HoldFor <= 0 {
		c.HoldFor = 15 * time.Minute
	}
	if c.CommentRate <= 0 {
		c.CommentRate = 1
	}
	if c.JobEvery <= 0 {
		c.JobEvery = 10 * time.Second
	}
	s := &Service{db: c.DB, bus: c.Bus, log: c.Log, accounts: c.Accounts, merchants: c.Merchants, policies: c.Policies,
		media: c.Media, now: c.Now, cfg: c}
	var err error
	if s.rt, err = newRealtime(s, c); err != nil {
		return nil, err
	}
	s.rt.room = s.watchRoom
	return s, nil
}

// broadcast sends a room event to everyone watching (realtime.broadcast).
func (s *Service) broadcast(roomID, event string, fields map[string]any, must bool) {
	if s.cfg.Observe != nil {
		s.cfg.Observe(Frame{RoomID: roomID, Event: event, Fields: fields, Must: must})
	}
	s.rt.broadcast(roomID, event, fields, must)
}

// toUsers sends a room event to these users watching (realtime.toUsers).
func (s *Service) toUsers(roomID, event string, fields map[string]any, users ...string) {
	if s.cfg.Observe != nil {
		s.cfg.Observe(Frame{RoomID: roomID, Event: event, Fields: fields, Users: users})
	}
	s.rt.toUsers(roomID, event, fields, users...)
}

// Close stops the component's bus subscriptions and timers.
func (s *Service) Close() { s.rt.close() }
