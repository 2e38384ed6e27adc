package merchant

import (
	"context"
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

// Plaza signs every answer and notification with one platform key. A
// merchant in public-key mode (ModePublicKey) is told its PUB_KEY_ID_…; one
// in certificate mode (ModeCertificate) downloads a platform certificate
// wrapping the same key and is told the certificate's serial. The
// certificate is a pure function of the key (serial from its hash, fixed
// validity, deterministic PKCS#1 v1.5 self-signature), and the key is made
// once and shared by every node (a file in the data folder on SQLite,
// server_secrets on PostgreSQL), so every node serves the same certificate
// without storing it.

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

// serialFor is the Wechatpay-Serial of an answer to merchant m (nil when
// the request did not verify: it then names the key id, whatever the
// request claims, so that an unsigned caller learns nothing of the
// merchant's mode).
func (s *Service) serialFor(m *Merchant) string {
	if m != nil && m.PlatformMode == ModeCertificate && s.cert.serial != "" {
		return s.cert.serial
	}
	return s.keyID
}

// notifySerial is the Wechatpay-Serial of a notification to mchid, by the
// merchant's platform mode.
func (s *Service) notifySerial(ctx context.Context, mchid string) string {
	m, err := s.verifiedMerchant(ctx, mchid)
	if err != nil {
		return s.keyID
	}
	return s.serialFor(&m)
}

// PlatformCertificateSerial is the serial of Plaza's platform certificate
// (uppercase hex), what certificate-mode merchants see in Wechatpay-Serial.
func (s *Service) PlatformCertificateSerial() string { return s.cert.serial }

// GET /v3/certificates: for certificate-mode merchants, the platform
// certificate sealed with AEAD_AES_256_GCM under the merchant's APIv3 key
// (associated data "certificate"), as WeChat serves it; public-key
// merchants get WeChat's 404 RESOURCE_NOT_EXISTS.
func (h *Handler) certificates(r *http.Request, m Merchant, _ []byte) (int, any, error) {
	s := h.Service
	if m.PlatformMode != ModeCertificate || s.cert.serial == "" {
		return 0, nil, v3err(404, "RESOURCE_NOT_EXISTS", "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。This merchant is in public-key mode: verify with the platform public key (PUB_KEY_ID_…).")
	}
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
