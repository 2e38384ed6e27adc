package plazapay

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
)

// AlgorithmAEAD is the only resource algorithm of notifications.
const AlgorithmAEAD = "AEAD_AES_256_GCM"

// gcm returns AES-256-GCM keyed with the raw bytes of the APIv3 key, and
// checks the nonce length (cipher.AEAD panics on a wrong one).
func gcm(apiV3Key, nonce string) (cipher.AEAD, error) {
	if len(apiV3Key) != 32 {
		return nil, fmt.Errorf("plazapay: aead: APIv3 key must be 32 bytes, got %d", len(apiV3Key))
	}
	if len(nonce) != 12 {
		return nil, fmt.Errorf("plazapay: aead: nonce must be 12 bytes, got %d", len(nonce))
	}
	block, err := aes.NewCipher([]byte(apiV3Key))
	if err != nil {
		return nil, fmt.Errorf("plazapay: aead: %w", err)
	}
	return cipher.NewGCM(block)
}

// EncryptAEAD encrypts plaintext the way WeChat Pay encrypts notification
// resources: AES-256-GCM with the 32-byte APIv3 key used as raw bytes, the 12
// ASCII characters of nonce as IV and associatedData as AAD. It returns
// base64(ciphertext‖16-byte tag). It fails unless len(nonce) == 12 and
// len(apiV3Key) == 32.
func EncryptAEAD(apiV3Key, nonce, associatedData string, plaintext []byte) (string, error) {
	aead, err := gcm(apiV3Key, nonce)
	if err != nil {
		return "", err
	}
	ct := aead.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))
	return base64.StdEncoding.EncodeToString(ct), nil
}

// DecryptAEAD reverses EncryptAEAD. It fails for a wrong key, nonce or
// associated data, and for a tampered or non-base64 ciphertext.
func DecryptAEAD(apiV3Key, nonce, associatedData, ciphertextB64 string) ([]byte, error) {
	aead, err := gcm(apiV3Key, nonce)
	if err != nil {
		return nil, err
	}
	ct, err := base64.StdEncoding.DecodeString(ciphertextB64)
	if err != nil {
		return nil, fmt.Errorf("plazapay: aead: ciphertext is not base64: %w", err)
	}
	pt, err := aead.Open(nil, []byte(nonce), ct, []byte(associatedData))
	if err != nil {
		return nil, errors.New("plazapay: aead: decryption failed (wrong key, nonce or associated data, or tampered ciphertext)")
	}
	return pt, nil
}
