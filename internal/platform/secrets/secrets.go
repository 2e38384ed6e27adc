// Package secrets owns Plaza's server secrets: one independent key per
// purpose, made on a node's first start and kept where every node of the
// installation finds it — key files in the data folder's keys/ on SQLite
// (one node), the server_secrets table on PostgreSQL (every node shares
// it). Rotating one key changes no other.
//
// Files: secrets.go (the purposes, Keys, Load, Rotate and the upgrade from
// the derived layout), events.go (the rotation's audit event), store.go (where a key is kept: every SQL statement
// and the key files), migrations/ (the table).
//
// Upgrade. Before this package, one root secret (the PIN key, or
// --pin-secret) was kept and the openid and unionid keys were derived from
// it (HMAC-SHA256(root, "openid"), HMAC-SHA256(root, "unionid")); the bill
// tokens were keyed by the openid key and the trial host's MACs by the
// unionid key. When Load meets such an installation — the platform key
// exists (every earlier node made it on its first start) but none of the
// four keys below it does — it stores the keys that derivation yields as
// the new independent keys, so that every openid, unionid, trial link and
// bill token stays valid. A fresh installation, or a key missing from an
// upgraded one, gets a fresh random key.
package secrets

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the secrets table's schema. List it after pay's, whose
// first migration creates the table on every database (older ones rely on
// it; this one only makes sure the table exists).
var Migrations = sqldb.Migrations{Component: "secrets", FS: migrations}

// Purpose names one key. Its string is the key's name in the table and,
// with an extension, its file name in keys/.
type Purpose string

// The purposes, one key each.
const (
	PIN      Purpose = "pin"      // HMAC of payment PINs (pay); --pin-secret wins
	OpenID   Purpose = "openid"   // openids, per user per app (merchant)
	UnionID  Purpose = "unionid"  // unionids, per user per developer (miniapp)
	Trial    Purpose = "trial"    // trial-host labels and launch tokens (miniapp)
	Bill     Purpose = "bill"     // bill-download tokens (merchant)
	Audit    Purpose = "audit"    // Ed25519 seed signing the audit log's checkpoints (trust)
	Platform Purpose = "platform" // RSA-2048 signing key of the merchant API (PEM)
	QR       Purpose = "qr"       // HMAC of QR-code tokens: contact and receive-money codes (qrcode); rotating it resets every code

	// layout is not a key: its entry marks an installation whose keys are
	// all independent (stored last by Load).
	layout Purpose = "layout"
)

// derived are the purposes whose keys were derived from the root secret
// before this package, with the derivation label each one's key had (the
// trial host used the unionid key, bill tokens the openid key).
var derived = []struct {
	p     Purpose
	label string
}{{OpenID, "openid"}, {UnionID, "unionid"}, {Trial, "unionid"}, {Bill, "openid"}}

// Keys are every purpose's key.
type Keys struct {
	PIN      []byte
	OpenID   []byte
	UnionID  []byte
	Trial    []byte
	Bill     []byte
	Audit    ed25519.PrivateKey
	Platform *rsa.PrivateKey
	QR       []byte
}

// Config says where keys are kept.
type Config struct {
	DB *sqldb.DB
	// DataDir holds keys/ on SQLite.
	DataDir string
	// PINSecret (--pin-secret), when set, is the PIN key; nothing is stored
	// for it.
	PINSecret string
	Log       *slog.Logger
}

// Load returns every purpose's key, making the missing ones (see the
// package comment for the upgrade rule). On PostgreSQL several nodes may
// load at once: each key is inserted only if absent and then read back, so
// all of them use the same.
func Load(ctx context.Context, c Config) (Keys, error) {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	st := newStore(c)
	var k Keys
	var err error
	upgrade, err := isDerivedLayout(ctx, st) // before the PIN key is made
	if err != nil {
		return Keys{}, err
	}
	if k.PIN, err = pinKey(ctx, c, st); err != nil {
		return Keys{}, fmt.Errorf("PIN key: %w", err)
	}
	if upgrade {
		c.Log.Info("secrets: storing the keys derived from the PIN key as independent keys")
	}
	byPurpose := map[Purpose]*[]byte{OpenID: &k.OpenID, UnionID: &k.UnionID, Trial: &k.Trial, Bill: &k.Bill}
	for _, d := range derived {
		value := randomHex(32)
		if upgrade {
			value = hex.EncodeToString(derive(k.PIN, d.label))
		}
		stored, err := st.ensure(ctx, d.p, value)
		if err != nil {
			return Keys{}, fmt.Errorf("%s key: %w", d.p, err)
		}
		if *byPurpose[d.p], err = hex.DecodeString(stored); err != nil || len(*byPurpose[d.p]) == 0 {
			return Keys{}, fmt.Errorf("%s key: not a hex key", d.p)
		}
	}
	// The QR key is newer than any derivation: always random.
	qr, err := st.ensure(ctx, QR, randomHex(32))
	if err != nil {
		return Keys{}, fmt.Errorf("qr key: %w", err)
	}
	if k.QR, err = hex.DecodeString(qr); err != nil || len(k.QR) == 0 {
		return Keys{}, errors.New("qr key: not a hex key")
	}
	// The audit key is newer than any derivation: always random.
	seed, err := st.ensure(ctx, Audit, randomHex(ed25519.SeedSize))
	if err != nil {
		return Keys{}, fmt.Errorf("audit key: %w", err)
	}
	if b, err := hex.DecodeString(seed); err != nil || len(b) != ed25519.SeedSize {
		return Keys{}, errors.New("audit key: not a hex Ed25519 seed")
	} else {
		k.Audit = ed25519.NewKeyFromSeed(b)
	}
	if k.Platform, err = platformKey(ctx, st); err != nil {
		return Keys{}, fmt.Errorf("platform key: %w", err)
	}
	if _, err := st.ensure(ctx, layout, "independent"); err != nil {
		return Keys{}, err
	}
	return k, nil
}

// Rotate replaces one purpose's key by a fresh random one; nothing else
// changes. Nodes pick it up when they start. Rotating the PIN key
// invalidates every PIN, the openid or unionid key every openid or unionid
// given out; --pin-secret, when set, is rotated by changing it.
//
// Every rotation is audited: KeyRotatedSubject is written to the outbox
// (the audit log records it; by says who ran it). On PostgreSQL the key
// row and the event are one transaction. On SQLite the key is a file
// beside the database, so the new key is first written to a temporary
// file, then the event is committed, and only then is the file renamed
// into place: a crash between the two leaves a logged rotation whose
// fingerprint is not the key in place (run it again), never a rotation
// that went unlogged.
func Rotate(ctx context.Context, c Config, p Purpose, by string) (KeyRotated, error) {
	var value string
	switch p {
	case PIN:
		if c.PINSecret != "" {
			return KeyRotated{}, errors.New("the PIN key is --pin-secret: change it there")
		}
		value = randomHex(32)
	case OpenID, UnionID, Trial, Bill, QR:
		value = randomHex(32)
	case Audit:
		value = randomHex(ed25519.SeedSize)
	case Platform:
		b, err := newPlatformKey()
		if err != nil {
			return KeyRotated{}, err
		}
		value = string(b)
	default:
		return KeyRotated{}, fmt.Errorf("no such key %q", p)
	}
	ev := KeyRotated{RotationID: ids.New("rot"), Purpose: p, Fingerprint: Fingerprint(p, value), By: by,
		At: sqldb.FromMicro(sqldb.Micro(time.Now()))}
	record := func(tx *sqldb.Tx) error { return outbox.Add(ctx, tx, KeyRotatedSubject, ev) }
	switch st := newStore(c).(type) {
	case tableStore:
		return ev, c.DB.Tx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.Exec(ctx, upsertSecret, rowName(p), value); err != nil {
				return err
			}
			return record(tx)
		})
	case fileStore:
		tmp, err := st.writeTemp(value)
		if err != nil {
			return KeyRotated{}, err
		}
		defer os.Remove(tmp) // fails harmlessly once renamed
		if err := c.DB.Tx(ctx, record); err != nil {
			return KeyRotated{}, err
		}
		if err := os.Rename(tmp, st.path(p)); err != nil {
			return ev, fmt.Errorf("the rotation of the %s key is in the audit log but the new key could not be put in place (%w): run it again", p, err)
		}
		return ev, nil
	}
	return KeyRotated{}, errors.New("secrets: unknown store")
}

// Fingerprint names a key's stored text without revealing it: the first
// 8 bytes of a SHA-256 of it, in hex. The audit log records it, so that a
// logged rotation can be matched to the key in place.
func Fingerprint(p Purpose, value string) string {
	sum := sha256.Sum256([]byte("plaza key fingerprint\x00" + string(p) + "\x00" + value))
	return hex.EncodeToString(sum[:8])
}

// pinKey is --pin-secret when given, else the stored PIN key (made on
// first start). Its stored text is the key as it is (not hex-decoded), as
// it always was.
func pinKey(ctx context.Context, c Config, st store) ([]byte, error) {
	if c.PINSecret != "" {
		return []byte(c.PINSecret), nil
	}
	if st.shared() {
		c.Log.Warn("no --pin-secret: keeping the payment-PIN key in the database so that all nodes share it; set PLAZA_PIN_SECRET to keep it outside")
	}
	v, err := st.ensure(ctx, PIN, randomHex(32))
	return []byte(v), err
}

// isDerivedLayout reports an installation made before this package (or
// whose upgrade was cut short): no layout mark, but a platform key or a
// stored PIN key (earlier nodes made both on their first start; with
// --pin-secret only the platform key).
func isDerivedLayout(ctx context.Context, st store) (bool, error) {
	if _, ok, err := st.get(ctx, layout); err != nil || ok {
		return false, err
	}
	for _, p := range []Purpose{Platform, PIN} {
		if _, ok, err := st.get(ctx, p); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func platformKey(ctx context.Context, st store) (*rsa.PrivateKey, error) {
	v, ok, err := st.get(ctx, Platform)
	if err != nil {
		return nil, err
	}
	if !ok {
		b, err := newPlatformKey()
		if err != nil {
			return nil, err
		}
		if v, err = st.ensure(ctx, Platform, string(b)); err != nil {
			return nil, err
		}
	}
	return plazapay.ParsePrivateKeyPEM([]byte(v))
}

func newPlatformKey() ([]byte, error) {
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

// derive is the derivation of the layout before this package: a
// purpose-bound key from the root secret. Only the upgrade uses it.
func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
