// Package account is Plaza's users, sessions, contacts, regions and
// administrators.
//
// Service methods return *errs.Error values with these codes:
// invalid_argument, unauthenticated, forbidden, not_found, conflict and
// rate_limited, and the component's own wrong_password (403) and
// balance_not_zero (409); anything else is internal.
//
// Files: account.go (types, the Service and its Settings, the interfaces
// it needs of others, error codes), service.go (sign-up, sign-in, sessions,
// user lookups, administrators), contacts.go (contact requests and
// contacts), privacy.go (export and erasure), password.go (argon2id
// hashing), validate.go (input rules), regions_gen.go (the region list),
// store.go (every SQL statement, and the row scanners), http.go (routes),
// events.go (bus subjects and payloads), run.go (scheduled work),
// migrations/ (the schema).
package account

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the account component's schema.
var Migrations = sqldb.Migrations{Component: "account", FS: migrations}

// User is a Plaza account. Admin is filled only for the user themself;
// Region for the user and their contacts (strangers get "").
type User struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Region      string    `json:"region"`
	Admin       bool      `json:"is_admin,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// AvatarURL is the small (120 px) avatar, versioned by its content
	// (add &size=large for 480 px); omitted when the user has none.
	AvatarURL string `json:"avatar_url,omitempty"`
}

// Public is u as other users see it: no Admin, and no Region, which only
// the user and their contacts see (ContactView).
func (u User) Public() User {
	u.Admin = false
	u.Region = ""
	return u
}

// ContactView is u as their contacts see it: Public with the region.
func (u User) ContactView() User {
	u.Admin = false
	return u
}

// Request statuses.
const (
	RequestPending  = "pending"
	RequestAccepted = "accepted"
	RequestDeclined = "declined"
)

// ContactRequest asks to become contacts. Direction is relative to the
// user who reads it: "incoming" or "outgoing".
type ContactRequest struct {
	ID        string    `json:"id"`
	From      User      `json:"from"`
	To        User      `json:"to"`
	Message   string    `json:"message"`
	Status    string    `json:"status"`
	Direction string    `json:"direction,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// SignupInput is what a new user gives.
type SignupInput struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Region      string `json:"region"`
}

// ClientInfo describes where a session was opened, for the user's list of
// devices.
type ClientInfo struct {
	UserAgent string
	IP        string
}

// Region is an ISO 3166-1 alpha-2 code with its English name.
type Region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Settings tune the service; zero values take the defaults.
type Settings struct {
	SessionTTL time.Duration // 30 days
	// LoginFailures within LoginWindow lock a username for LoginLockout.
	LoginFailures int           // 5
	LoginWindow   time.Duration // 15 minutes
	LoginLockout  time.Duration // 15 minutes
	Password      PasswordParams
	Now           func() time.Time
	// Bus, when set, carries the component's best-effort events
	// (SessionsEndedSubject) to every node; nil publishes nothing (the
	// admin commands).
	Bus Publisher
	// ErasureLease is how long a node running an erasure's steps keeps
	// others off it (30 s); after a crash another node (or this one,
	// restarted) resumes it once the lease has run out.
	ErasureLease time.Duration
	// ErasurePause, when set, is called at named points of an erasure
	// ("before_commit", "after_commit", "step:<name>"): tests kill the
	// process there.
	ErasurePause func(point string)
}

func (s *Settings) defaults() {
	if s.SessionTTL == 0 {
		s.SessionTTL = 30 * 24 * time.Hour
	}
	if s.LoginFailures == 0 {
		s.LoginFailures = 5
	}
	if s.LoginWindow == 0 {
		s.LoginWindow = 15 * time.Minute
	}
	if s.LoginLockout == 0 {
		s.LoginLockout = 15 * time.Minute
	}
	if s.Password == (PasswordParams{}) {
		s.Password = OWASPParams
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.ErasureLease == 0 {
		s.ErasureLease = 30 * time.Second
	}
}

// Service is the account component's rules; other components call it.
type Service struct {
	db  *sqldb.DB
	log *slog.Logger
	set Settings
	// dummyHash is checked against when a username does not exist, so a
	// wrong username costs the same time as a wrong password.
	dummyHash string
	// evaluations counts argon2 checks (tests read it).
	evaluations atomic.Int64
	hooks       ErasureHooks
	onChange    []func(userID string) // OnUserChanged
	users       *userCache
	sessions    *sessionCache
	rels        *relCache
}

// NewService makes the account service.
func NewService(db *sqldb.DB, log *slog.Logger, set Settings) *Service {
	set.defaults()
	return &Service{db: db, log: log, set: set, dummyHash: hashPassword("not a password", set.Password), users: newUserCache(), sessions: newSessionCache(), rels: newRelCache()}
}

// SetErasureHooks wires what Erase needs of other components; call it
// before serving.
func (s *Service) SetErasureHooks(h ErasureHooks) { s.hooks = h }

// ErasureHooks is what erasing an account needs of the components that
// account may not import (pay, merchant, chat); the node wires adapters.
type ErasureHooks interface {
	// MoneyHeld describes money Plaza still holds for the user — a
	// non-zero wallet balance, a withdrawal or top-up in flight, a red
	// packet that may return to them — as a sentence, or "" when none.
	MoneyHeld(ctx context.Context, userID string) (string, error)
	// ErasureSteps are the other components' parts of an erasure, run in
	// order once the account's own transaction has committed (chat: leave
	// groups, tombstone sent messages, delete media; mini-apps: storage
	// and consents; merchants: close them). Only ever append to the list.
	ErasureSteps() []ErasureStep
}

// Publisher puts events on the bus (*bus.Bus satisfies it).
type Publisher interface {
	Publish(subject string, data []byte) error
}

// The component's own error codes (besides the shared ones in errs).
const (
	// WrongPassword is a wrong password given to confirm a step (403).
	WrongPassword = "wrong_password"
	// BalanceNotZero refuses to erase an account that Plaza holds money
	// for — a wallet balance, a withdrawal or top-up in flight, an open red
	// packet, a held payment (409: withdraw first, then erase).
	BalanceNotZero = "balance_not_zero"
)

func init() {
	errs.Register(WrongPassword, http.StatusForbidden)
	errs.Register(BalanceNotZero, http.StatusConflict)
}
