package plazapay

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// CertificateSerial is how Wechatpay-Serial names a platform certificate:
// its serial number in uppercase hex (fmt "%X" of the bytes, as the
// official SDK computes it).
func CertificateSerial(c *x509.Certificate) string {
	return fmt.Sprintf("%X", c.SerialNumber.Bytes())
}

func newestCertificate(list []*x509.Certificate) *x509.Certificate {
	var best *x509.Certificate
	for _, c := range list {
		if best == nil || c.NotBefore.After(best.NotBefore) {
			best = c
		}
	}
	return best
}

// EncryptedCertificate is one entry of GET /v3/certificates.
type EncryptedCertificate struct {
	SerialNo           string `json:"serial_no"`
	EffectiveTime      string `json:"effective_time"`
	ExpireTime         string `json:"expire_time"`
	EncryptCertificate struct {
		Algorithm      string `json:"algorithm"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
	} `json:"encrypt_certificate"`
}

// DownloadCertificates fetches the platform certificates of a merchant in
// certificate mode (GET /v3/certificates), decrypts them with
// cfg.APIv3Key and checks that the answer is signed by one of them, the
// way the official SDK bootstraps: cfg needs BaseURL, MchID, SerialNo,
// PrivateKey and APIv3Key, not a platform key. Put the result in
// Config.Certificates. A merchant in public-key mode gets an *APIError
// RESOURCE_NOT_EXISTS.
func DownloadCertificates(ctx context.Context, cfg Config) ([]*x509.Certificate, error) {
	if len(cfg.APIv3Key) != 32 {
		return nil, errors.New("plazapay: DownloadCertificates needs the 32-byte APIv3Key")
	}
	boot := cfg
	boot.PlatformKey, boot.PlatformKeyID, boot.Certificates = nil, "", nil
	c := &Client{Config: boot}
	if c.HTTP == nil {
		c.HTTP = &http.Client{}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	resp, data, err := c.send(ctx, http.MethodGet, c.BaseURL+"/v3/certificates", nil, maxResponse)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(resp.StatusCode, data)
	}
	var out struct {
		Data []EncryptedCertificate `json:"data"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("plazapay: /v3/certificates: %w", err)
	}
	var certs []*x509.Certificate
	for _, e := range out.Data {
		ec := e.EncryptCertificate
		if ec.Algorithm != "AEAD_AES_256_GCM" {
			return nil, fmt.Errorf("plazapay: /v3/certificates: algorithm %q", ec.Algorithm)
		}
		plain, err := DecryptAEAD(cfg.APIv3Key, ec.Nonce, ec.AssociatedData, ec.Ciphertext)
		if err != nil {
			return nil, fmt.Errorf("plazapay: /v3/certificates: %w", err)
		}
		block, _ := pem.Decode(plain)
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, errors.New("plazapay: /v3/certificates: not a PEM certificate")
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("plazapay: /v3/certificates: %w", err)
		}
		if _, ok := cert.PublicKey.(*rsa.PublicKey); !ok {
			return nil, errors.New("plazapay: /v3/certificates: not an RSA certificate")
		}
		if CertificateSerial(cert) != e.SerialNo {
			return nil, fmt.Errorf("plazapay: /v3/certificates: serial_no %s is not the certificate's %s", e.SerialNo, CertificateSerial(cert))
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, errors.New("plazapay: /v3/certificates: no certificate")
	}
	c.Certificates = certs
	if err := c.verifySigned(resp.Header, data); err != nil {
		return nil, fmt.Errorf("plazapay: /v3/certificates: %w", err)
	}
	return certs, nil
}
