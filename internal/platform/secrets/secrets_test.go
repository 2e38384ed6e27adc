package secrets

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"log/slog"
	"os"
	"testing"
	"testing/fstest"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// before is the schema as installations before this package have it: pay's
// first migration made the table (plain CREATE TABLE).
var before = sqldb.Migrations{Component: "before", FS: fstest.MapFS{
	"migrations/shared/00001_server_secrets.sql": {Data: []byte(`-- +goose Up
CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- +goose Down
DROP TABLE server_secrets;
`)},
}}

// install is one installation: its database (already carrying the table
// the way earlier releases made it) and its data folder.
type install struct {
	db      *sqldb.DB
	dataDir string
}

func (in install) config(pinSecret string) Config {
	return Config{DB: in.db, DataDir: in.dataDir, PINSecret: pinSecret, Log: slog.New(slog.DiscardHandler)}
}

// load migrates with secrets' own migrations (on an existing table) and
// loads the keys.
func (in install) load(t *testing.T, pinSecret string) Keys {
	t.Helper()
	if err := in.db.Migrate(context.Background(), slog.New(slog.DiscardHandler), Migrations); err != nil {
		t.Fatal(err)
	}
	k, err := Load(context.Background(), in.config(pinSecret))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// put stores a key the way earlier nodes did (file or row).
func (in install) put(t *testing.T, p Purpose, value string) {
	t.Helper()
	if _, err := newStore(in.config("")).ensure(context.Background(), p, value); err != nil {
		t.Fatal(err)
	}
}

// remove deletes a stored key, as an operator deleting its file or row.
func (in install) remove(t *testing.T, p Purpose) {
	t.Helper()
	var err error
	switch st := newStore(in.config("")).(type) {
	case fileStore:
		err = os.Remove(st.path(p))
	case tableStore:
		_, err = in.db.Exec(context.Background(), `DELETE FROM server_secrets WHERE name = ?`, rowName(p))
	}
	if err != nil {
		t.Fatal(err)
	}
}

// each runs fn on a SQLite installation (keys in its data folder) and a
// PostgreSQL one (keys in the table).
func each(t *testing.T, fn func(t *testing.T, in install)) {
	dbtest.Run(t, []sqldb.Migrations{before, outbox.Migrations}, func(t *testing.T, db *sqldb.DB) {
		t.Parallel()
		fn(t, install{db: db, dataDir: t.TempDir()})
	})
}

func oldPlatformPEM(t *testing.T) string {
	t.Helper()
	b, err := newPlatformKey()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func samePlatform(t *testing.T, k Keys, want string) {
	t.Helper()
	blk, _ := pem.Decode([]byte(want))
	der, _ := x509.MarshalPKCS8PrivateKey(k.Platform)
	if blk == nil || !bytes.Equal(der, blk.Bytes) {
		t.Fatal("the platform key changed")
	}
}

// An installation made before secrets kept one root secret (the stored PIN
// key, or --pin-secret) and derived the others; after the upgrade every
// purpose has its own stored key, equal to what the derivation yielded, so
// openids, unionids, trial links, bill tokens and PINs stay valid.
func TestUpgradeStoresTheDerivedKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		pinSecret string // --pin-secret of the old and the new node
		platform  bool   // the old node made the platform key
	}{
		{"pin_key_only", "", false},
		{"pin_and_platform_keys", "", true},
		{"pin_secret_flag", "a PIN secret from the operator", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			each(t, func(t *testing.T, in install) {
				root := tc.pinSecret
				if root == "" {
					root = randomHex(32)
					in.put(t, PIN, root)
				}
				var platform string
				if tc.platform {
					platform = oldPlatformPEM(t)
					in.put(t, Platform, platform)
				}
				k := in.load(t, tc.pinSecret)
				want := Keys{PIN: []byte(root), OpenID: derive([]byte(root), "openid"), UnionID: derive([]byte(root), "unionid"),
					Trial: derive([]byte(root), "unionid"), Bill: derive([]byte(root), "openid")}
				equalKeys(t, k, want)
				if tc.platform {
					samePlatform(t, k, platform)
				}
				// The next start reads the same keys, now stored one by one.
				equalKeys(t, in.load(t, tc.pinSecret), k)
				for _, d := range derived {
					if v, ok, _ := newStore(in.config("")).get(context.Background(), d.p); !ok || v != hex.EncodeToString(derive([]byte(root), d.label)) {
						t.Fatalf("%s is not stored as its own key: %q", d.p, v)
					}
				}
				// Independent now: rotating one changes nothing else.
				if _, err := Rotate(context.Background(), in.config(tc.pinSecret), OpenID, "test"); err != nil {
					t.Fatal(err)
				}
				after := in.load(t, tc.pinSecret)
				if bytes.Equal(after.OpenID, k.OpenID) {
					t.Fatal("the openid key did not rotate")
				}
				after.OpenID = k.OpenID
				equalKeys(t, after, k)
				samePlatform(t, after, pemOf(t, k))
			})
		})
	}
}

// An upgrade cut short (some keys stored, no layout mark) resumes the
// derivation instead of making the rest random.
func TestUpgradeCutShortResumes(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, in install) {
		root := randomHex(32)
		in.put(t, PIN, root)
		in.put(t, OpenID, hex.EncodeToString(derive([]byte(root), "openid")))
		k := in.load(t, "")
		if !bytes.Equal(k.UnionID, derive([]byte(root), "unionid")) || !bytes.Equal(k.Bill, derive([]byte(root), "openid")) {
			t.Fatal("the upgrade did not resume")
		}
	})
}

// A fresh installation gets five random, distinct keys, none derived from
// another; deleting or rotating one changes no other, and a deleted one
// comes back random (not derived).
func TestFreshInstallGetsIndependentKeys(t *testing.T) {
	t.Parallel()
	for _, pinSecret := range []string{"", "a PIN secret from the operator"} {
		name := map[bool]string{true: "stored_pin_key", false: "pin_secret_flag"}[pinSecret == ""]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			each(t, func(t *testing.T, in install) {
				k := in.load(t, pinSecret)
				hmacKeys := [][]byte{k.PIN, k.OpenID, k.UnionID, k.Trial, k.Bill}
				for i, a := range hmacKeys {
					if len(a) < 32 && (i > 0 || pinSecret == "") {
						t.Fatalf("key %d is %d bytes", i, len(a))
					}
					for _, b := range hmacKeys[i+1:] {
						if bytes.Equal(a, b) {
							t.Fatal("two purposes share a key")
						}
					}
					for _, label := range []string{"openid", "unionid"} {
						if bytes.Equal(a, derive(k.PIN, label)) {
							t.Fatalf("key %d is derived from the PIN key", i)
						}
					}
				}
				if pinSecret != "" && !bytes.Equal(k.PIN, []byte(pinSecret)) {
					t.Fatal("--pin-secret is not the PIN key")
				}
				equalKeys(t, in.load(t, pinSecret), k)

				for _, p := range []Purpose{UnionID, Trial, Bill} {
					before := in.load(t, pinSecret)
					if p == Trial {
						in.remove(t, p)
					} else if _, err := Rotate(context.Background(), in.config(pinSecret), p, "test"); err != nil {
						t.Fatal(err)
					}
					after := in.load(t, pinSecret)
					changed := map[Purpose]bool{}
					for q, pair := range map[Purpose][2][]byte{PIN: {before.PIN, after.PIN}, OpenID: {before.OpenID, after.OpenID},
						UnionID: {before.UnionID, after.UnionID}, Trial: {before.Trial, after.Trial}, Bill: {before.Bill, after.Bill}} {
						changed[q] = !bytes.Equal(pair[0], pair[1])
					}
					for q, c := range changed {
						if c != (q == p) {
							t.Fatalf("after rotating %s: %s changed=%v", p, q, c)
						}
					}
					if bytes.Equal(after.Trial, derive(after.PIN, "unionid")) {
						t.Fatal("a deleted key came back derived")
					}
					samePlatform(t, after, pemOf(t, before))
				}
			})
		})
	}
}

func TestRotateRefusesThePINSecretFlag(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, in install) {
		in.load(t, "flag")
		if _, err := Rotate(context.Background(), in.config("flag"), PIN, "test"); err == nil {
			t.Fatal("rotated --pin-secret")
		}
		if _, err := Rotate(context.Background(), in.config(""), "nonsense", "test"); err == nil {
			t.Fatal("rotated a key that does not exist")
		}
	})
}

func equalKeys(t *testing.T, got, want Keys) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want []byte
	}{{"pin", got.PIN, want.PIN}, {"openid", got.OpenID, want.OpenID}, {"unionid", got.UnionID, want.UnionID},
		{"trial", got.Trial, want.Trial}, {"bill", got.Bill, want.Bill}} {
		if !bytes.Equal(c.got, c.want) {
			t.Fatalf("%s key: got %x, want %x", c.name, c.got, c.want)
		}
	}
}

func pemOf(t *testing.T, k Keys) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k.Platform)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
