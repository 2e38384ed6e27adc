// Package trust is Plaza's regional availability policies (an order such
// as "block this app for US users, for distribution and payments, from 20
// September"), the notices that warn the users they affect, the
// tamper-evident audit log of administrative and security actions, and the
// screening of money movements against sanctions watch lists (Screen).
//
// Every component asks one question, Service.Check: may this user, in this
// region, use this target for this scope at this instant? It is answered
// from an in-memory index that every node keeps current over the bus and
// that evaluates each policy as of the instant asked, so a policy takes
// effect at effective_at by itself, without a write or a restart.
//
// Files:
//   - trust.go: the types, Config, the Service and its error codes.
//   - policies.go: creating, cancelling, listing and reading policies, with
//     their validation.
//   - index.go: the in-memory index behind Check, and how it reloads.
//   - watchlist.go: watch lists (import, search, allowed false positives);
//     ofac.go: the readers of OFAC's CSV files and the generic CSV;
//     watchindex.go: the in-memory lists and their candidate index;
//     match.go: name normalisation and scoring; screen.go: Screen.
//   - notices.go: the notices a user is shown before and after a policy
//     takes effect.
//   - auditfeed.go: the domain events of other components that the audit
//     log records (erasures, releases), consumed durably, each logged once;
//     auditactions.go: the administrative and security actions it records
//     (administrators made, reviews, lockouts, secrets rotated).
//   - audit.go: the Merkle-tree audit log (golang.org/x/mod/sumdb/tlog),
//     signed checkpoints, proofs and Verify.
//   - http.go: the /api/v1/admin policy and audit routes, and /api/v1/notices.
//   - store.go: every SQL statement; migrations/: the schema.
//   - events.go: the bus subjects and payloads.
//   - run.go: the index's reload loop and the timer that announces flips.
//
// Service methods return *errs.Error values with these codes:
// invalid_argument, not_found, conflict, forbidden and blocked_by_policy
// (Check's refusal); anything else is internal.
package trust

import (
	"context"
	"crypto/ed25519"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the trust component's schema.
var Migrations = sqldb.Migrations{Component: "trust", FS: migrations}

// BlockedByPolicy is the code of Check's refusal. Its status is the
// table's default for domain refusals (422, as on money); routes that
// refuse to open or serve an app answer 403 with this code.
const BlockedByPolicy = "blocked_by_policy"

// KindBlock is the one kind of policy: the target is unavailable.
const KindBlock = "block"

// TargetType is what a policy names.
type TargetType string

const (
	TargetApp       TargetType = "app"
	TargetMerchant  TargetType = "merchant"
	TargetUser      TargetType = "user"
	TargetDeveloper TargetType = "developer" // all of one developer's apps
)

// TargetTypes are the known target types.
var TargetTypes = []TargetType{TargetApp, TargetMerchant, TargetUser, TargetDeveloper}

// Scope is what a policy forbids.
type Scope string

const (
	ScopeDistribution Scope = "distribution" // directory, details, search
	ScopeHosting      Scope = "hosting"      // opening the app, its origin, its bridge calls
	ScopePayments     Scope = "payments"     // orders, transfers, red packets, payment requests (not refunds)
	ScopeMessaging    Scope = "messaging"    // sending
)

// Scopes are the known scopes.
var Scopes = []Scope{ScopeDistribution, ScopeHosting, ScopePayments, ScopeMessaging}

// State is where a policy stands as of an instant.
type State string

const (
	StateScheduled State = "scheduled"
	StateActive    State = "active"
	StateExpired   State = "expired"
	StateCancelled State = "cancelled"
)

// AllRegions is the region that stands for every region.
const AllRegions = "*"

// Policy is an order to block a target in some regions for some scopes,
// from EffectiveAt until ExpiresAt (nil: no end) unless cancelled.
type Policy struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	TargetType   TargetType `json:"target_type"`
	TargetID     string     `json:"target_id"`
	TargetName   string     `json:"target_name"`
	Regions      []string   `json:"regions"`
	Scopes       []Scope    `json:"scopes"`
	EffectiveAt  time.Time  `json:"effective_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
	Reason       string     `json:"reason"`
	LegalRef     string     `json:"legal_ref"`
	State        State      `json:"state"` // as of the read
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	CancelledAt  *time.Time `json:"cancelled_at"`
	CancelReason string     `json:"cancel_reason"`
}

// StateAt is p's state as of t.
func (p *Policy) StateAt(t time.Time) State {
	switch {
	case p.CancelledAt != nil && !t.Before(*p.CancelledAt):
		return StateCancelled
	case t.Before(p.EffectiveAt):
		return StateScheduled
	case p.ExpiresAt != nil && !t.Before(*p.ExpiresAt):
		return StateExpired
	}
	return StateActive
}

// covers reports whether p names region (or every region) and scope.
func (p *Policy) covers(region string, scope Scope) bool {
	if !slices.Contains(p.Scopes, scope) {
		return false
	}
	return slices.Contains(p.Regions, AllRegions) || (region != "" && slices.Contains(p.Regions, region))
}

// Target is one thing a policy can name.
type Target struct {
	Type TargetType
	ID   string
}

// Question is what Check is asked: may UserID, in Region, use Target for
// Scope at At? DeveloperID is the developer of the app asked about (a
// developer policy covers all their apps); MerchantID the merchant that
// an app or a payment involves. Empty fields match no policy; a zero At
// means now.
type Question struct {
	UserID      string
	Region      string
	Target      Target
	DeveloperID string
	MerchantID  string
	Scope       Scope
	At          time.Time
}

// Targets tells whether a policy's target exists, and its name. The node
// wires it to miniapp (apps, developers), merchant and account.
type Targets interface {
	Exists(ctx context.Context, t TargetType, id string) (name string, ok bool, err error)
}

// Config is what a Service needs.
type Config struct {
	DB  *sqldb.DB
	Bus *bus.Bus // nil: this node's index alone (tests)
	Log *slog.Logger
	// Targets checks a policy's target exists; nil takes every target as
	// existing, with no name.
	Targets Targets
	// ValidRegion reports whether code is a known ISO 3166-1 alpha-2 code
	// (the node passes account's list); nil accepts any two letters A–Z.
	ValidRegion func(code string) bool
	// AuditKey signs the audit log's checkpoints; AuditOrigin names the
	// log in them (a note key name: no spaces or '+'). Without a key the
	// log is kept but checkpoints cannot be signed.
	AuditKey    ed25519.PrivateKey
	AuditOrigin string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// ReloadEvery is the backstop full reload of the index (30 s).
	ReloadEvery time.Duration
	// Regions gives a user's region (their account's) when a Question
	// names a user but no region; nil leaves such questions regionless
	// (only "*" policies apply). Answers are kept a minute.
	Regions func(ctx context.Context, userID string) (string, error)
	// ScreenReview is the review threshold of screening (--screen-review):
	// a party scoring at least this against a watch-list entry is held;
	// 0 means DefaultScreenReview. It must be in (0, 1].
	ScreenReview float64
}

// Service is the trust component.
type Service struct {
	db          *sqldb.DB
	bus         *bus.Bus
	log         *slog.Logger
	targets     Targets
	validRegion func(string) bool
	now         func() time.Time
	reloadEvery time.Duration
	regions     *regionCache

	// Lock order: reloadMu, then index.mu.
	index    *index
	reloadMu sync.Mutex // one full reload at a time

	// kick wakes the flip timer when the index changed.
	kick chan struct{}

	signer   note.Signer // nil without a key
	verifier note.Verifier
	vkey     string
	origin   string

	subMu sync.Mutex // guards sub
	sub   bus.Subscription

	watch        *watch     // the loaded watch lists
	watchMu      sync.Mutex // one list load at a time
	screenReview float64
}

// NewService builds the Service and loads the index from the database.
func NewService(ctx context.Context, c Config) (*Service, error) {
	if c.DB == nil {
		return nil, errors.New("trust: no database")
	}
	s := &Service{db: c.DB, bus: c.Bus, log: c.Log, targets: c.Targets, validRegion: c.ValidRegion,
		now: c.Now, reloadEvery: c.ReloadEvery, regions: &regionCache{lookup: c.Regions, byUser: map[string]cachedRegion{}}, index: newIndex(), kick: make(chan struct{}, 1), origin: c.AuditOrigin}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.reloadEvery <= 0 {
		s.reloadEvery = 30 * time.Second
	}
	if s.validRegion == nil {
		s.validRegion = twoLetters
	}
	s.watch, s.screenReview = newWatch(), c.ScreenReview
	if s.screenReview == 0 {
		s.screenReview = DefaultScreenReview
	}
	if !(s.screenReview > 0 && s.screenReview <= 1) {
		return nil, fmt.Errorf("trust: the screening review threshold must be above 0 and at most 1, not %v", c.ScreenReview)
	}
	if s.origin == "" {
		s.origin = "plaza.audit"
	}
	if c.AuditKey != nil {
		if err := s.setKey(c.AuditKey); err != nil {
			return nil, err
		}
	}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	if err := s.reloadWatchlists(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func twoLetters(code string) bool {
	return len(code) == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z'
}
