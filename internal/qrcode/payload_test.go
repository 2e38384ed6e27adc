package qrcode

import (
	"strings"
	"testing"
)

const testBase = "https://plaza.example.com"

var testKey = []byte("0123456789abcdef0123456789abcdef")

func testService() *Service { return NewService(Config{Key: testKey}) }

// The host check takes this Plaza's host only: letter case and default
// ports aside, and loopback names for a loopback node at its own port.
func TestSameHost(t *testing.T) {
	for _, tc := range []struct {
		base, host string
		want       bool
	}{
		{testBase, "plaza.example.com", true},
		{testBase, "PLAZA.example.com", true},
		{testBase, "plaza.example.com:443", true},
		{testBase, "plaza.example.com:8443", false},
		{testBase, "plaza.example.com.evil.example", false},
		{testBase, "evil.example", false},
		{testBase, "localhost", false},
		{testBase, "", false},
		{"http://127.0.0.1:8080", "127.0.0.1:8080", true},
		{"http://127.0.0.1:8080", "localhost:8080", true},
		{"http://127.0.0.1:8080", "[::1]:8080", true},
		{"http://127.0.0.1:8080", "127.0.0.1:8081", false},
		{"http://127.0.0.1:8080", "10.0.0.1:8080", false},
		{"http://[::1]:9000", "127.0.0.1:9000", true},
	} {
		if got := sameHost(tc.base, tc.host); got != tc.want {
			t.Errorf("sameHost(%q, %q) = %v", tc.base, tc.host, got)
		}
	}
}

// Every code the service makes parses back to what it says, on the
// public host, with either scheme, and as a bare path.
func TestCodesParseBack(t *testing.T) {
	s := testService()
	contact := s.ContactCode(testBase, "u_01abc")
	fixed, _ := s.ReceiveCode(testBase, "u_01abc", 888, "cny")
	open, _ := s.ReceiveCode(testBase, "u_01abc", 0, "")
	for _, tc := range []struct {
		payload, kind string
		amount        int64
		currency      string
	}{
		{contact.Payload, KindContact, 0, ""},
		{fixed.Payload, KindReceive, 888, "CNY"},
		{open.Payload, KindReceive, 0, "CNY"},
	} {
		for _, p := range []string{tc.payload, strings.Replace(tc.payload, "https:", "http:", 1), strings.TrimPrefix(tc.payload, testBase)} {
			c, err := parse(testKey, testBase, p)
			if err != nil || c.kind != tc.kind || c.userID != "u_01abc" || c.amount != tc.amount || c.currency != tc.currency {
				t.Errorf("%s: %+v %v", p, c, err)
			}
		}
		if _, err := parse([]byte("another installation's key......"), testBase, tc.payload); err == nil {
			t.Errorf("%s verifies under another key", tc.payload)
		}
	}
	if len(contact.Payload) > 80 {
		t.Errorf("a contact code is %d bytes: keep codes small", len(contact.Payload))
	}
}

// FuzzResolvePayload: no payload makes the parser panic, and whatever it
// accepts is this Plaza's host or a bare path, names bounded ids, and —
// for the signed kinds — carries a MAC that verifies.
func FuzzResolvePayload(f *testing.F) {
	s := testService()
	fixed, _ := s.ReceiveCode(testBase, "u_01abc", 888, "CNY")
	open, _ := s.ReceiveCode(testBase, "u_01abc", 0, "USD")
	for _, seed := range []string{
		s.ContactCode(testBase, "u_01abc").Payload, fixed.Payload, open.Payload,
		testBase + "/g/AbC123", testBase + "/pay?pr=wx01abc", testBase + "/pay?pr=wx01abc&h5=1",
		"/u/u_01abc-0123456789abcdefghjkmnpq", "https://evil.example/u/x", "weixin://wxpay/bizpayurl?pr=1",
		"javascript:alert(1)", "hello", "", "//x/g/a", testBase + "/r/u_1-1-CNY-x", testBase + "/g/a/b",
		"https://plaza.example.com:443/g/%2e%2e", "HTTPS://PLAZA.EXAMPLE.COM/g/a", testBase + "/u/" + strings.Repeat("a-", 40),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		c, err := parse(testKey, testBase, payload)
		if err != nil {
			return
		}
		p := strings.TrimSpace(payload)
		if !strings.HasPrefix(p, "/") && !strings.HasPrefix(strings.ToLower(p), "http://plaza.example.com") && !strings.HasPrefix(strings.ToLower(p), "https://plaza.example.com") {
			t.Fatalf("%q accepted from elsewhere: %+v", payload, c)
		}
		switch c.kind {
		case KindGroup:
			if !isID(c.group) {
				t.Fatalf("%q: group %q", payload, c.group)
			}
		case KindMerchant:
			if !isID(c.prepayID) {
				t.Fatalf("%q: prepay %q", payload, c.prepayID)
			}
		case KindContact:
			if !isID(c.userID) || c.token != s.contactToken(c.userID) {
				t.Fatalf("%q: contact %+v", payload, c)
			}
		case KindReceive:
			if !isID(c.userID) || c.amount < 0 || c.token != s.receiveToken(c.userID, c.amount, c.currency) {
				t.Fatalf("%q: receive %+v", payload, c)
			}
		default:
			t.Fatalf("%q: kind %q", payload, c.kind)
		}
	})
}
