package node

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeSelfSigned(t *testing.T, dir, name string, serial int64) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		DNSNames: []string{name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600)
	return certFile, keyFile
}

func serialOf(t *testing.T, c *tls.Certificate) int64 {
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf.SerialNumber.Int64()
}

// A renewed certificate is served without a restart; a broken renewal
// keeps the old one.
func TestCertificateReloads(t *testing.T) {
	dir := t.TempDir()
	cf, kf := writeSelfSigned(t, dir, "plaza.localhost", 1)
	k, err := newKeyPair(cf, kf, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	expire := func() { k.mu.Lock(); k.checked = time.Now().Add(-time.Minute); k.mu.Unlock() }
	writeSelfSigned(t, dir, "plaza.localhost", 2)
	c, _ := k.get(nil)
	if serialOf(t, c) != 1 {
		t.Fatal("reloaded before the check interval")
	}
	os.Chtimes(cf, time.Now().Add(time.Second), time.Now().Add(time.Second)) // a distinct stamp whatever the clock's grain
	expire()
	if c, _ = k.get(nil); serialOf(t, c) != 2 {
		t.Fatalf("serial %d after renewal, want 2", serialOf(t, c))
	}
	os.WriteFile(kf, []byte("not a key"), 0o600)
	expire()
	if c, _ = k.get(nil); serialOf(t, c) != 2 {
		t.Fatal("a broken renewal replaced the certificate")
	}
}
