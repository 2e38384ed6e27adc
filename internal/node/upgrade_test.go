package node

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The layout before package secrets, as its nodes computed it: one root
// secret (the PIN key), and the openid and unionid keys derived from it.
func oldDerive(root, purpose string) []byte {
	m := hmac.New(sha256.New, []byte(root))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func oldOpenID(root, appid, userID string) string {
	m := hmac.New(sha256.New, oldDerive(root, "openid"))
	m.Write([]byte(appid + "\x00" + userID))
	return "o" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:27]
}

func oldUnionID(root, developerID, userID string) string {
	m := hmac.New(sha256.New, oldDerive(root, "unionid"))
	m.Write([]byte(developerID + "\x00" + userID))
	return "u" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:27]
}

func oldPINHMAC(root, userID, pin string) string {
	m := hmac.New(sha256.New, []byte(root))
	m.Write([]byte(userID + "\x00" + pin))
	return hex.EncodeToString(m.Sum(nil))
}

// An existing data folder (SQLite) or database (PostgreSQL) made before
// package secrets — its schema without secrets' migrations, only the PIN key
// stored — keeps every openid, unionid and PIN after the upgrade, and on
// every start after it.
func TestUpgradeKeepsOpenIDsUnionIDsAndPINs(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name     string
		postgres bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := testConfig(t, db.postgres)
			root := ids.Token(32)

			old, err := sqldb.Open(ctx, cfg.DB, cfg.DataDir)
			if err != nil {
				t.Fatal(err)
			}
			var before []sqldb.Migrations
			for _, m := range Migrations() {
				if m.Component != "secrets" {
					before = append(before, m)
				}
			}
			if err := old.Migrate(ctx, slog.New(slog.DiscardHandler), before...); err != nil {
				t.Fatal(err)
			}
			if db.postgres {
				_, err = old.Exec(ctx, `INSERT INTO server_secrets (name, value) VALUES ('pin_key', ?)`, root)
			} else {
				keys := filepath.Join(cfg.DataDir, "keys")
				if err = os.MkdirAll(keys, 0o700); err == nil {
					err = os.WriteFile(filepath.Join(keys, "pin.key"), []byte(root), 0o600)
				}
			}
			old.Close()
			if err != nil {
				t.Fatal(err)
			}

			dir := t.TempDir()
			for name, body := range map[string]string{
				"manifest.json": `{"app_id":"mpupgrade","name":"Upgrade","icons":[{"src":"icon.png"}],"pages":["pages/index"],"platform_version":{"min_code":1},"version":{"code":1,"name":"0.1"}}`,
				"app.js":        "", "app.css": "", "icon.png": "x", "pages/index.html": "<p>hi</p>",
			} {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var userID string
			pin := "123456"
			for start, nextPIN := range []string{"654321", "246810"} {
				n, err := New(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				stop := serve(t, n)
				if start == 0 {
					u, _, err := n.Accounts.Signup(ctx, account.SignupInput{Username: "alice", Password: "correct horse", DisplayName: "Alice", Region: "US"}, account.ClientInfo{})
					if err != nil {
						t.Fatal(err)
					}
					userID = u.ID
					// Her PIN, as the old node stored it.
					if _, err := n.DB.Exec(ctx, `INSERT INTO wallet_pins (user_id, pin_hmac, updated_at) VALUES (?, ?, ?)`,
						userID, oldPINHMAC(root, userID, pin), sqldb.Micro(time.Now())); err != nil {
						t.Fatal(err)
					}
				}
				// The PIN verifies (changing it takes it; a wrong one does not).
				if err := n.Pay.SetPIN(ctx, userID, "999999", "000000", ""); err == nil {
					t.Fatalf("start %d: a wrong PIN changed the PIN", start)
				}
				if err := n.Pay.SetPIN(ctx, userID, nextPIN, pin, ""); err != nil {
					t.Fatalf("start %d: the PIN no longer verifies: %v", start, err)
				}
				pin = nextPIN
				// openid and unionid are those the old derivation gave.
				appid, secret, err := n.MiniApps.ServeFolder(dir)
				if err != nil {
					t.Fatal(err)
				}
				code, err := n.MiniApps.Code(ctx, userID, appid, "")
				if err != nil {
					t.Fatal(err)
				}
				s, err := n.MiniApps.Exchange(ctx, appid, secret, code)
				if err != nil {
					t.Fatal(err)
				}
				if s.OpenID != oldOpenID(root, appid, userID) || s.UnionID != oldUnionID(root, "dev", userID) {
					t.Fatalf("start %d: openid %s unionid %s, want %s %s", start, s.OpenID, s.UnionID, oldOpenID(root, appid, userID), oldUnionID(root, "dev", userID))
				}
				// Each purpose now has its own stored key.
				k := n.keys
				if !bytes.Equal(k.Trial, oldDerive(root, "unionid")) || !bytes.Equal(k.Bill, oldDerive(root, "openid")) {
					t.Fatalf("start %d: the trial and bill keys are not the ones they were", start)
				}
				if err := stop(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// A fresh installation's keys are random: none is the old derivation of
// its PIN key.
func TestFreshNodeKeysAreNotDerived(t *testing.T) {
	t.Parallel()
	n, err := New(context.Background(), testConfig(t, false))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	k := n.keys
	for _, key := range [][]byte{k.OpenID, k.UnionID, k.Trial, k.Bill} {
		if bytes.Equal(key, oldDerive(string(k.PIN), "openid")) || bytes.Equal(key, oldDerive(string(k.PIN), "unionid")) {
			t.Fatal("a fresh node derived a key from its PIN key")
		}
	}
}
