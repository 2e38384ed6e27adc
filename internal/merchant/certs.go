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

// PlatformCertificate is Plaza's platform certificate sealed for one
// merchant, an item of GET /v3/certificates.
type PlatformCertificate struct {
	SerialNo      string
	EffectiveTime time.Time
	ExpireTime    time.Time
	// Nonce and Ciphertext seal the PEM with AEAD_AES_256_GCM under the
	// merchant's APIv3 key, associated data "certificate".
	Nonce, Ciphertext string
}

// SealedCertificate is the platform certificate for a certificate-mode
// merchant, sealed under its APIv3 key, as WeChat serves it. Errors: 404
// RESOURCE_NOT_EXISTS for a public-key merchant, as WeChat answers.
func (s *Service) SealedCertificate(m Merchant) (PlatformCertificate, error) {
	if m.PlatformMode != ModeCertificate || s.cert.serial == "" {
		return PlatformCertificate{}, Refusal(404, "RESOURCE_NOT_EXISTS", "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。This merchant is in public-key mode: verify with the platform public key (PUB_KEY_ID_…).")
	}
	nonce := plazapay.NewNonce()[:12]
	ct, err := plazapay.EncryptAEAD(m.apiV3Key, nonce, "certificate", s.cert.pem)
	if err != nil {
		return PlatformCertificate{}, err
	}
	return PlatformCertificate{SerialNo: s.cert.serial, EffectiveTime: s.cert.notBefore.In(chinaTime),
		ExpireTime: s.cert.notAfter.In(chinaTime), Nonce: nonce, Ciphertext: ct}, nil
}

// SerialFor is the Wechatpay-Serial of an answer to merchant m; m is nil
// when the request did not verify.
func (s *Service) SerialFor(m *Merchant) string { return s.serialFor(m) }

// Sign signs an answer's message (plazapay.ResponseMessage) with the
// platform key.
func (s *Service) Sign(message []byte) (string, error) { return plazapay.Sign(s.key, message) }

// PlatformPublicKey is the platform key's public half.
func (s *Service) PlatformPublicKey() *rsa.PublicKey { return &s.key.PublicKey }
