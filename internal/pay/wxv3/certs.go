package wxv3

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Plaza signs in public-key mode (Wechatpay-Serial: PUB_KEY_ID_…). For
// clients that still download platform certificates, it also wraps the
// same key in a self-signed certificate. The certificate is a pure function
// of the key (serial from its hash, fixed validity, deterministic PKCS#1
// v1.5 signature), so every node serves the same one. A client that names
// that serial in its request's Wechatpay-Serial gets answers under it.

type platformCert struct {
	serial    string // uppercase hex
	pem       []byte
	notBefore time.Time
	notAfter  time.Time
}

func makePlatformCert(key *rsa.PrivateKey) (platformCert, error) {
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	sum := sha256.Sum256(der)
	serial := new(big.Int).SetBytes(sum[:16])
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Plaza Pay platform", Organization: []string{"Plaza"}},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return platformCert{}, err
	}
	return platformCert{serial: fmt.Sprintf("%X", serial.Bytes()), pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert}),
		notBefore: tmpl.NotBefore, notAfter: tmpl.NotAfter}, nil
}

// serialFor is the Wechatpay-Serial to answer a request with: the
// certificate's serial when the client asks for it, else the key id.
func (s *Service) serialFor(r *http.Request) string {
	if s.cert.serial != "" && r.Header.Get("Wechatpay-Serial") == s.cert.serial {
		return s.cert.serial
	}
	return s.keyID
}

func (h *Handler) certificates(r *http.Request, m Merchant, _ []byte) (int, any, error) {
	s := h.Service
	nonce := plazapay.NewNonce()[:12]
	ct, err := plazapay.EncryptAEAD(m.apiV3Key, nonce, "certificate", s.cert.pem)
	if err != nil {
		return 0, nil, err
	}
	return 200, map[string]any{"data": []any{map[string]any{
		"serial_no":      s.cert.serial,
		"effective_time": s.cert.notBefore.In(chinaTime).Format(time.RFC3339),
		"expire_time":    s.cert.notAfter.In(chinaTime).Format(time.RFC3339),
		"encrypt_certificate": map[string]string{
			"algorithm": "AEAD_AES_256_GCM", "nonce": nonce, "associated_data": "certificate", "ciphertext": ct,
		},
	}}}, nil
}
