package plazapay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

func TestPEM(t *testing.T) {
	mk, _, _ := testKeys(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(mk)
	pkcs1 := x509.MarshalPKCS1PrivateKey(mk)
	certDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(0x5157F09E), Subject: pkix.Name{CommonName: "merchant"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}, &x509.Certificate{SerialNumber: big.NewInt(1)}, &mk.PublicKey, mk)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	for name, in := range map[string][]byte{
		"pkcs8":         enc("PRIVATE KEY", pkcs8),
		"pkcs1":         enc("RSA PRIVATE KEY", pkcs1),
		"mislabelled":   enc("PRIVATE KEY", pkcs1),
		"after a cert":  append(enc("CERTIFICATE", certDER), enc("PRIVATE KEY", pkcs8)...),
		"with preamble": append([]byte("apiclient_key\n"), enc("PRIVATE KEY", pkcs8)...),
	} {
		k, err := ParsePrivateKeyPEM(in)
		if err != nil || !k.Equal(mk) {
			t.Errorf("ParsePrivateKeyPEM(%s): %v", name, err)
		}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	for name, in := range map[string][]byte{
		"empty":    nil,
		"not pem":  []byte("hello"),
		"garbage":  enc("PRIVATE KEY", []byte{1, 2, 3}),
		"ec":       enc("PRIVATE KEY", ecDER),
		"pub only": enc("PUBLIC KEY", []byte{1}),
	} {
		if _, err := ParsePrivateKeyPEM(in); err == nil {
			t.Errorf("ParsePrivateKeyPEM(%s) succeeded", name)
		}
	}

	pubPEM, err := PublicKeyPEM(&mk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(pubPEM); b == nil || b.Type != "PUBLIC KEY" {
		t.Fatalf("PublicKeyPEM = %q", pubPEM)
	}
	for name, in := range map[string][]byte{
		"pkix":        pubPEM,
		"certificate": enc("CERTIFICATE", certDER),
		"pkcs1":       enc("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&mk.PublicKey)),
	} {
		k, err := ParsePublicKeyPEM(in)
		if err != nil || !k.Equal(&mk.PublicKey) {
			t.Errorf("ParsePublicKeyPEM(%s): %v", name, err)
		}
	}
	ecPub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	for name, in := range map[string][]byte{
		"empty":    nil,
		"garbage":  enc("PUBLIC KEY", []byte{1, 2, 3}),
		"ec":       enc("PUBLIC KEY", ecPub),
		"bad cert": enc("CERTIFICATE", []byte{1}),
	} {
		if _, err := ParsePublicKeyPEM(in); err == nil {
			t.Errorf("ParsePublicKeyPEM(%s) succeeded", name)
		}
	}
	if _, err := PublicKeyPEM(nil); err == nil {
		t.Error("PublicKeyPEM(nil) succeeded")
	}
}
