// Package account is Plaza's users, sessions, contacts, regions and
// administrators.
//
// Service methods return *errs.Error values with these codes:
// invalid_argument, unauthenticated, forbidden, not_found, conflict and
// rate_limited; anything else is internal.
package account

import (
	"embed"
	"time"

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
	// SessionsEnded, when set, hears every session end (logout, logout
	// everywhere, erasure) after it committed; the node publishes it on
	// SessionsEndedSubject so that every node closes those sockets.
	SessionsEnded func(SessionsEnded)
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
}
