// Package qrcode makes and reads Plaza's QR codes: a person's contact code
// ("My QR code"), their receive-money code (open, or for a fixed amount),
// and it recognises the codes others make — a group's invite (/g/<code>)
// and a merchant's Native code_url (/pay?pr=<id>) — so that the Scan page
// can ask one question, "what is this code and where does it lead?".
//
// A code's payload is a URL on this Plaza's own host, so that a phone's
// camera app opens it too: https://<host>/u/<token> (contact) and
// https://<host>/r/<token> (receive money). A token names its user and is
// signed with the installation's QR key (secrets.QR, an HMAC-SHA256 cut to
// 120 bits): nobody can make a code that names another user, or change the
// amount of a fixed-amount code. Rotating that key (plaza admin
// rotate-secret --purpose qr) invalidates every code at once.
//
// Files: qrcode.go (types, the Service), payload.go (the payload grammar:
// parsing, signing, the host check), png.go (rendering), http.go (routes).
package qrcode

import (
	"context"
	"net/http"
	"net/url"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// NotPlazaCode is the refusal of a payload that is not one of Plaza's
// codes: another site's link, another scheme, text (400).
const NotPlazaCode = "not_a_plaza_code"

func init() { errs.Register(NotPlazaCode, http.StatusBadRequest) }

// The kinds of code Resolve tells apart.
const (
	KindContact  = "contact"
	KindGroup    = "group"
	KindReceive  = "receive_money"
	KindMerchant = "merchant_pay"
)

// MaxPayload bounds a payload (bytes): a QR code holds at most ~2,900.
const MaxPayload = 2048

// Users is what the codes need of accounts.
type Users interface {
	// User is a user by id (not_found when there is none, or erased).
	User(ctx context.Context, id string) (account.User, error)
	// UserFor is a user as the viewer may see them (region for contacts).
	UserFor(ctx context.Context, viewerID, username string) (account.User, error)
}

// Orders shows a merchant order to a would-be payer (merchant.Service).
type Orders interface {
	PrepayFor(ctx context.Context, userID, prepayID string) (merchant.Prepay, error)
}

// Config builds a Service.
type Config struct {
	Key    []byte // secrets.Keys.QR
	Users  Users
	Orders Orders // nil: merchant codes resolve without their order
}

// Service makes and resolves codes.
type Service struct {
	key    []byte
	users  Users
	orders Orders
}

// NewService returns a Service.
func NewService(c Config) *Service {
	return &Service{key: c.Key, users: c.Users, orders: c.Orders}
}

// Code is a payload and the image of it.
type Code struct {
	Payload string `json:"payload"`
	URL     string `json:"url"`
	// Amount and Currency are a receive-money code's (Amount absent when
	// the payer chooses).
	Amount   *int64 `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
}

// Resolution is what a code is and where it leads: Path is the client's
// route to open.
type Resolution struct {
	Kind string `json:"kind"`
	Path string `json:"path"`
	// User is the person a contact or receive-money code names, as the
	// viewer may see them.
	User *account.User `json:"user,omitempty"`
	// Amount (fixed-amount codes only) and Currency of a receive-money code.
	Amount   *int64 `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
	// Group is a group code's invite code (the group-invites component
	// answers for it).
	Group string `json:"group,omitempty"`
	// Prepay is a merchant code's order, as GET /pay/prepay/{id} shows it.
	Prepay *merchant.Prepay `json:"prepay,omitempty"`
}

// imageURL is the PNG of payload, served by this package.
func imageURL(payload string) string { return "/api/v1/qr.png?payload=" + url.QueryEscape(payload) }

// ContactCode is userID's "My QR code", on base (the node's public URL).
func (s *Service) ContactCode(base, userID string) Code {
	p := base + "/u/" + s.contactToken(userID)
	return Code{Payload: p, URL: imageURL(p)}
}

// ReceiveCode is userID's receive-money code: for amount of currency, or
// open (amount 0: the payer types it). Errors: invalid_argument (currency,
// amount).
func (s *Service) ReceiveCode(base, userID string, amount int64, currency string) (Code, error) {
	cur, err := checkMoney(amount, currency, amount == 0)
	if err != nil {
		return Code{}, err
	}
	p := base + "/r/" + s.receiveToken(userID, amount, cur)
	c := Code{Payload: p, URL: imageURL(p), Currency: cur}
	if amount > 0 {
		c.Amount = &amount
	}
	return c, nil
}

// Resolve reads a scanned payload for viewerID: base is the node's public
// URL (the one host whose codes are Plaza's). Errors: invalid_argument
// (empty, too long), not_a_plaza_code (another site's, text, a Plaza page
// that is not a code), not_found (a Plaza code whose token does not verify,
// whose user is gone, or whose order does not exist).
func (s *Service) Resolve(ctx context.Context, viewerID, base, payload string) (Resolution, error) {
	c, err := parse(s.key, base, payload)
	if err != nil {
		return Resolution{}, err
	}
	switch c.kind {
	case KindGroup:
		return Resolution{Kind: KindGroup, Path: "/g/" + c.group, Group: c.group}, nil
	case KindMerchant:
		r := Resolution{Kind: KindMerchant, Path: "/pay?pr=" + url.QueryEscape(c.prepayID)}
		if s.orders != nil {
			p, err := s.orders.PrepayFor(ctx, viewerID, c.prepayID)
			if err != nil {
				return Resolution{}, err
			}
			r.Prepay = &p
		}
		return r, nil
	}
	u, err := s.users.User(ctx, c.userID)
	if errs.Is(err, errs.NotFound) {
		return Resolution{}, errs.E(errs.NotFound, "This QR code is no longer valid: its owner has left Plaza.")
	}
	if err != nil {
		return Resolution{}, err
	}
	if u, err = s.users.UserFor(ctx, viewerID, u.Username); err != nil {
		return Resolution{}, err
	}
	r := Resolution{Kind: c.kind, User: &u}
	if c.kind == KindContact {
		r.Path = "/u/" + c.token
		return r, nil
	}
	r.Path, r.Currency = "/r/"+c.token, c.currency
	if c.amount > 0 {
		amount := c.amount
		r.Amount = &amount
	}
	return r, nil
}
