package merchant

import (
	"crypto/rsa"
	"math/big"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
)

// A missing or unusable platform key is the constructor's error, not a
// warning in the log and a service that cannot sign.
func TestNewServiceRefusesABadKey(t *testing.T) {
	db := dbtest.SQLite(t)
	if s, err := NewService(Config{DB: db}); err == nil {
		s.Close()
		t.Fatal("no platform key: no error")
	}
	bogus := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: big.NewInt(15), E: 3}, D: big.NewInt(3)}
	if s, err := NewService(Config{DB: db, PlatformKey: bogus}); err == nil {
		s.Close()
		t.Fatal("an unusable platform key: no error")
	}
}
