package plazapay

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"testing"
)

const testAPIv3Key = "0123456789abcdefghijABCDEFGHIJ01" // 32 ASCII bytes

func TestAEAD(t *testing.T) {
	const nonce, aad = "yd92bNzgnjSB", "transaction"
	plain := []byte(`{"out_trade_no":"T1","trade_state":"SUCCESS"}`)
	ct, err := EncryptAEAD(testAPIv3Key, nonce, aad, plain)
	if err != nil {
		t.Fatal(err)
	}
	// Independent check of the layout: base64(ct||16-byte tag), AES-256 keyed
	// with the raw key bytes, IV = nonce bytes, AAD = associated_data.
	raw, err := base64.StdEncoding.DecodeString(ct)
	if err != nil || len(raw) != len(plain)+16 {
		t.Fatalf("ciphertext %q: want std base64 of %d bytes (%v)", ct, len(plain)+16, err)
	}
	block, _ := aes.NewCipher([]byte(testAPIv3Key))
	g, _ := cipher.NewGCM(block)
	if got, err := g.Open(nil, []byte(nonce), raw, []byte(aad)); err != nil || string(got) != string(plain) {
		t.Fatalf("independent decrypt: %q, %v", got, err)
	}

	got, err := DecryptAEAD(testAPIv3Key, nonce, aad, ct)
	if err != nil || string(got) != string(plain) {
		t.Fatalf("DecryptAEAD = %q, %v", got, err)
	}
	// Empty associated data is allowed.
	ct2, err := EncryptAEAD(testAPIv3Key, nonce, "", plain)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DecryptAEAD(testAPIv3Key, nonce, "", ct2); err != nil || string(got) != string(plain) {
		t.Fatalf("empty aad: %q, %v", got, err)
	}

	tampered := []byte(ct)
	tampered[3] ^= 1
	for name, tc := range map[string][4]string{
		"wrong key":   {"X123456789abcdefghijABCDEFGHIJ01", nonce, aad, ct},
		"wrong nonce": {testAPIv3Key, "yd92bNzgnjSC", aad, ct},
		"wrong aad":   {testAPIv3Key, nonce, "refund", ct},
		"no aad":      {testAPIv3Key, nonce, "", ct},
		"tampered":    {testAPIv3Key, nonce, aad, string(tampered)},
		"not base64":  {testAPIv3Key, nonce, aad, "%%%"},
		"short nonce": {testAPIv3Key, "yd92bNzgnjS", aad, ct},
		"short key":   {"mockAPIv3Key1234", nonce, aad, ct},
		"truncated":   {testAPIv3Key, nonce, aad, base64.StdEncoding.EncodeToString(raw[:10])},
	} {
		if got, err := DecryptAEAD(tc[0], tc[1], tc[2], tc[3]); err == nil {
			t.Errorf("%s: DecryptAEAD succeeded: %q", name, got)
		}
	}
}

func TestEncryptAEADRefusesBadNonceAndKey(t *testing.T) {
	for _, n := range []string{"yd92bNzgnjS", "yd92bNzgnjSBx", ""} { // 11, 13, 0
		if _, err := EncryptAEAD(testAPIv3Key, n, "", []byte("x")); err == nil {
			t.Errorf("EncryptAEAD accepted a %d-char nonce", len(n))
		}
	}
	if _, err := EncryptAEAD("short", "yd92bNzgnjSB", "", []byte("x")); err == nil {
		t.Error("EncryptAEAD accepted a 5-byte key")
	}
}
