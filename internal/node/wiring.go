package node

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// chatForPay lets pay post messages and check membership without
// importing chat.
type chatForPay struct{ c *chat.Service }

func (a chatForPay) MemberCount(ctx context.Context, convID, userID string) (int, error) {
	return a.c.MemberCount(ctx, convID, userID)
}

func (a chatForPay) DirectID(ctx context.Context, x, y string) (string, error) {
	return a.c.DirectBetween(ctx, x, y)
}

func (a chatForPay) Post(ctx context.Context, tx *sqldb.Tx, convID, senderID, kind, text, refID, clientID string) (any, error) {
	m, err := a.c.Post(ctx, tx, convID, senderID, kind, text, refID, clientID)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// erasureHooks lets account erasure settle what pay, wxv3 and chat hold
// for the user (account.ErasureHooks); account imports none of them.
type erasureHooks struct {
	pay      *pay.Service
	merchant *merchant.Service
	chat     *chat.Service
}

func (h erasureHooks) MoneyHeld(ctx context.Context, userID string) (string, error) {
	return h.pay.HeldFor(ctx, userID)
}

func (h erasureHooks) DisableMerchants(ctx context.Context, userID string) error {
	return h.merchant.CloseMerchantsOf(ctx, userID)
}

func (h erasureHooks) LeaveGroups(ctx context.Context, userID string) error {
	var groups []string
	for cursor := ""; ; {
		list, next, err := h.chat.List(ctx, userID, cursor, 200)
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.Type == chat.GroupType {
				groups = append(groups, c.ID)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for _, id := range groups {
		if err := h.chat.Leave(ctx, userID, id); err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
	}
	return nil
}

// publishSessionsEnded announces ended sessions to every node's hub.
func (n *Node) publishSessionsEnded(ev account.SessionsEnded) {
	data, _ := json.Marshal(ev)
	if err := n.Bus.Publish(account.SessionsEndedSubject, data); err != nil {
		n.log.Warn("announcing ended sessions", "err", err)
	}
}

// pinKey is the HMAC key of payment PINs: --pin-secret when given; else a
// key file in the data folder (one node on SQLite); else, on PostgreSQL, a
// key kept in the database so that every node shares it (with a warning:
// set --pin-secret to keep it outside).
func (n *Node) pinKey(ctx context.Context) ([]byte, error) {
	if n.Config.PINSecret != "" {
		return []byte(n.Config.PINSecret), nil
	}
	if n.DB.Dialect == sqldb.SQLite {
		path := filepath.Join(n.Config.DataDir, "keys", "pin.key")
		if b, err := os.ReadFile(path); err == nil {
			return []byte(strings.TrimSpace(string(b))), nil
		}
		key := randomHex(32)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(key), 0o600); err != nil {
			return nil, fmt.Errorf("writing the PIN key: %w", err)
		}
		return []byte(key), nil
	}
	n.log.Warn("no --pin-secret: keeping the payment-PIN key in the database so that all nodes share it; set PLAZA_PIN_SECRET to keep it outside")
	if _, err := n.DB.Exec(ctx, `INSERT INTO server_secrets (name, value) VALUES ('pin_key', ?) ON CONFLICT (name) DO NOTHING`, randomHex(32)); err != nil {
		return nil, err
	}
	var key string
	err := n.DB.QueryRow(ctx, `SELECT value FROM server_secrets WHERE name = 'pin_key'`).Scan(&key)
	return []byte(key), err
}

// platformKey is Plaza's RSA-2048 signing key for the merchant API, made on
// first start: a PEM file in the data folder on SQLite, or kept in the
// database on PostgreSQL so that every node signs with the same key.
func (n *Node) platformKey(ctx context.Context) (*rsa.PrivateKey, error) {
	parse := func(b []byte) (*rsa.PrivateKey, error) { return plazapay.ParsePrivateKeyPEM(b) }
	fresh := func() ([]byte, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
	if n.DB.Dialect == sqldb.SQLite {
		path := filepath.Join(n.Config.DataDir, "keys", "platform.pem")
		if b, err := os.ReadFile(path); err == nil {
			return parse(b)
		}
		b, err := fresh()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, err
		}
		return parse(b)
	}
	b, err := fresh()
	if err != nil {
		return nil, err
	}
	if _, err := n.DB.Exec(ctx, `INSERT INTO server_secrets (name, value) VALUES ('platform_key', ?) ON CONFLICT (name) DO NOTHING`, string(b)); err != nil {
		return nil, err
	}
	var stored string
	if err := n.DB.QueryRow(ctx, `SELECT value FROM server_secrets WHERE name = 'platform_key'`).Scan(&stored); err != nil {
		return nil, err
	}
	return parse([]byte(stored))
}

// derive makes a purpose-bound key from a secret.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
