package plazapay

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestRequestMessageVector(t *testing.T) {
	for _, tc := range []struct {
		method, uri, ts, nonce string
		body                   []byte
		want                   string
	}{
		{"GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", nil,
			"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"},
		{"GET", "/v3/pay/transactions/id/4200000985?mchid=1230000109", "1554208460", "N", []byte{},
			"GET\n/v3/pay/transactions/id/4200000985?mchid=1230000109\n1554208460\nN\n\n"},
		{"POST", "/v3/pay/transactions/out-trade-no/T1/close", "1554208460", "N", []byte("{\"mchid\":\"1230000109\"}\n"),
			"POST\n/v3/pay/transactions/out-trade-no/T1/close\n1554208460\nN\n{\"mchid\":\"1230000109\"}\n\n"},
	} {
		if got := string(RequestMessage(tc.method, tc.uri, tc.ts, tc.nonce, tc.body)); got != tc.want {
			t.Errorf("RequestMessage = %q, want %q", got, tc.want)
		}
	}
}

func TestResponseMessageVector(t *testing.T) {
	if got, want := string(ResponseMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", []byte(`{"data":[]}`))),
		"1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{\"data\":[]}\n"; got != want {
		t.Errorf("ResponseMessage = %q, want %q", got, want)
	}
	// 204 / empty body: an empty last line.
	if got, want := string(ResponseMessage("1554209980", "N", nil)), "1554209980\nN\n\n"; got != want {
		t.Errorf("ResponseMessage(204) = %q, want %q", got, want)
	}
}

func TestSignVerify(t *testing.T) {
	mk, _, stranger := testKeys(t)
	msg := RequestMessage("POST", "/v3/refund/domestic/refunds", "1", "N", []byte("{}\n"))
	sig, err := Sign(mk, msg)
	if err != nil {
		t.Fatal(err)
	}
	// Independent check: standard base64 of PKCS#1 v1.5 over SHA-256.
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != 256 {
		t.Fatalf("signature %q: not 256 bytes of std base64 (%v)", sig, err)
	}
	sum := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(&mk.PublicKey, crypto.SHA256, sum[:], raw); err != nil {
		t.Fatal(err)
	}
	if err := Verify(&mk.PublicKey, msg, sig); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := Verify(&stranger.PublicKey, msg, sig); err == nil {
		t.Error("Verify accepted another key")
	}
	if err := Verify(&mk.PublicKey, append(msg[:len(msg):len(msg)], 'x'), sig); err == nil {
		t.Error("Verify accepted a changed message")
	}
	if err := Verify(&mk.PublicKey, msg, "!!"+sig[2:]); err == nil {
		t.Error("Verify accepted non-base64")
	}
	if err := Verify(&mk.PublicKey, msg, "WECHATPAY/SIGNTEST/"+sig); err == nil {
		t.Error("Verify accepted a signature probe")
	}
	if _, err := Sign(nil, msg); err == nil {
		t.Error("Sign(nil) succeeded")
	}
	if err := Verify(nil, msg, sig); err == nil {
		t.Error("Verify(nil) succeeded")
	}
}

func TestPaySign(t *testing.T) {
	mk, _, stranger := testKeys(t)
	const app, ts, nonce, pkg = "wx8888888888888888", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
		"prepay_id=wx201410272009395522657a690389285100"
	known := "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n"
	sig, err := PaySign(mk, app, ts, nonce, pkg)
	if err != nil {
		t.Fatal(err)
	}
	// PKCS#1 v1.5 is deterministic: PaySign must equal Sign over the known string.
	if want, _ := Sign(mk, []byte(known)); sig != want {
		t.Error("PaySign does not sign appId\\ntimeStamp\\nnonceStr\\npackage\\n")
	}
	if err := VerifyPaySign(&mk.PublicKey, app, ts, nonce, pkg, sig); err != nil {
		t.Error(err)
	}
	if err := VerifyPaySign(&mk.PublicKey, "wx0000000000000000", ts, nonce, pkg, sig); err == nil {
		t.Error("VerifyPaySign accepted another appId")
	}
	if err := VerifyPaySign(&stranger.PublicKey, app, ts, nonce, pkg, sig); err == nil {
		t.Error("VerifyPaySign accepted another key")
	}
}

func TestNewNonce(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		n := NewNonce()
		if len(n) != 32 || strings.Trim(n, nonceAlphabet) != "" {
			t.Fatalf("nonce %q is not 32 chars of [0-9A-Za-z]", n)
		}
		if seen[n] {
			t.Fatalf("repeated nonce %q", n)
		}
		seen[n] = true
	}
}
