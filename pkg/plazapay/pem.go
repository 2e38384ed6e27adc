package plazapay

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ParsePrivateKeyPEM parses an RSA private key from PEM: PKCS#8
// ("PRIVATE KEY", like apiclient_key.pem) or PKCS#1 ("RSA PRIVATE KEY").
// Blocks of other types (e.g. a certificate in the same file) are skipped.
func ParsePrivateKeyPEM(pemBytes []byte) (*rsa.PrivateKey, error) {
	for {
		var block *pem.Block
		block, pemBytes = pem.Decode(pemBytes)
		if block == nil {
			return nil, errors.New("plazapay: no PRIVATE KEY or RSA PRIVATE KEY PEM block")
		}
		if block.Type != "PRIVATE KEY" && block.Type != "RSA PRIVATE KEY" {
			continue
		}
		// Try both encodings whatever the label says: mislabelled files exist.
		if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
			return k, nil
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("plazapay: %s: neither PKCS#8 nor PKCS#1: %w", block.Type, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("plazapay: private key is %T, not RSA", k)
		}
		return rk, nil
	}
}

// ParsePublicKeyPEM parses an RSA public key from PEM: PKIX ("PUBLIC KEY",
// like the platform pub_key.pem), PKCS#1 ("RSA PUBLIC KEY") or the key of an
// X.509 certificate ("CERTIFICATE"). Other blocks are skipped.
func ParsePublicKeyPEM(pemBytes []byte) (*rsa.PublicKey, error) {
	for {
		var block *pem.Block
		block, pemBytes = pem.Decode(pemBytes)
		if block == nil {
			return nil, errors.New("plazapay: no PUBLIC KEY or CERTIFICATE PEM block")
		}
		var k any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			k, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			k, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				k = cert.PublicKey
			}
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("plazapay: %s: %w", block.Type, err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("plazapay: public key is %T, not RSA", k)
		}
		return rk, nil
	}
}

// PublicKeyPEM encodes key as a PKIX "PUBLIC KEY" PEM block.
func PublicKeyPEM(key *rsa.PublicKey) ([]byte, error) {
	if key == nil {
		return nil, errors.New("plazapay: nil public key")
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("plazapay: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
