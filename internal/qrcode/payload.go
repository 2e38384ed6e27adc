package qrcode

import (
	"crypto/hmac"
	"crypto/sha256"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// The payload grammar (paths on this Plaza's host, http or https, or the
// bare path):
//
//	/u/<uid>-<mac>                     contact
//	/r/<uid>-<CUR>-<mac>               receive money in CUR, the payer types the amount
//	/r/<uid>-<amount>-<CUR>-<mac>      receive money, amount minor units of CUR
//	/g/<code>                          a group invite (the group-invites component's)
//	/pay?pr=<id>                       a merchant's Native code_url
//
// <mac> is 24 characters of lowercase base32 (120 bits of HMAC-SHA256 under
// the QR key over the kind and the fields). Tokens have no dot, so that the
// client's file server treats /u/… and /r/… as the client's routes.

const (
	macChars = 24 // 15 bytes, 120 bits
	alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	maxID    = 64 // user ids, group codes and prepay ids are far shorter
)

// code is a parsed payload.
type code struct {
	kind     string
	token    string // contact and receive: the path's last segment
	userID   string
	amount   int64 // receive: 0 when open
	currency string
	group    string
	prepayID string
}

func (s *Service) contactToken(userID string) string {
	return userID + "-" + sign(s.key, KindContact, userID)
}

func (s *Service) receiveToken(userID string, amount int64, cur string) string {
	if amount == 0 {
		return userID + "-" + cur + "-" + sign(s.key, KindReceive, userID, "", cur)
	}
	a := strconv.FormatInt(amount, 10)
	return userID + "-" + a + "-" + cur + "-" + sign(s.key, KindReceive, userID, a, cur)
}

// sign is the MAC of a kind and its fields, in base32.
func sign(key []byte, kind string, fields ...string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("plaza qr v1\x00" + kind))
	for _, f := range fields {
		m.Write([]byte{0})
		m.Write([]byte(f))
	}
	return base32(m.Sum(nil)[:15])
}

func base32(b []byte) string {
	out := make([]byte, 0, (len(b)*8+4)/5)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, alphabet[(acc>>bits)&31])
		}
	}
	if bits > 0 {
		out = append(out, alphabet[(acc<<(5-bits))&31])
	}
	return string(out)
}

// verify compares a token's MAC in constant time.
func verify(key []byte, mac, kind string, fields ...string) bool {
	return len(mac) == macChars && hmac.Equal([]byte(mac), []byte(sign(key, kind, fields...)))
}

// parse reads a payload; base is this Plaza's public base URL.
func parse(key []byte, base, payload string) (code, error) {
	payload = strings.TrimSpace(payload)
	switch {
	case payload == "":
		return code{}, errs.Field("payload", "Give the text of the code (payload).")
	case len(payload) > MaxPayload:
		return code{}, errs.Field("payload", "That code's text is too long to be a Plaza code (at most %d bytes).", MaxPayload)
	case !utf8.ValidString(payload) || strings.ContainsAny(payload, "\x00\r\n\t\\"):
		return code{}, notPlaza()
	}
	u, err := url.Parse(payload)
	if err != nil || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return code{}, notPlaza()
	}
	if u.Scheme != "" || u.Host != "" {
		if (u.Scheme != "https" && u.Scheme != "http") || !sameHost(base, u.Host) {
			return code{}, notPlaza()
		}
	} else if !strings.HasPrefix(payload, "/") || strings.HasPrefix(payload, "//") {
		return code{}, notPlaza()
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	if path == "/pay" {
		q, err := url.ParseQuery(u.RawQuery)
		id := q.Get("pr")
		if err != nil || len(q["pr"]) != 1 || !isID(id) {
			return code{}, invalidCode()
		}
		return code{kind: KindMerchant, prepayID: id}, nil
	}
	if u.RawQuery != "" {
		return code{}, notPlaza()
	}
	route, rest, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok {
		return code{}, notPlaza()
	}
	switch route {
	case "g":
		if !isID(rest) {
			return code{}, invalidCode()
		}
		return code{kind: KindGroup, group: rest}, nil
	case "u":
		uid, mac, ok := cutLast(rest)
		if !ok || !isID(uid) || !verify(key, mac, KindContact, uid) {
			return code{}, invalidCode()
		}
		return code{kind: KindContact, token: rest, userID: uid}, nil
	case "r":
		return parseReceive(key, rest)
	}
	return code{}, notPlaza()
}

func parseReceive(key []byte, token string) (code, error) {
	head, mac, ok := cutLast(token)
	if !ok {
		return code{}, invalidCode()
	}
	parts := strings.Split(head, "-")
	c := code{kind: KindReceive, token: token, userID: parts[0]}
	switch len(parts) {
	case 2:
		cur, err := checkMoney(0, parts[1], true)
		if err != nil || cur != parts[1] || !isID(c.userID) || !verify(key, mac, KindReceive, c.userID, "", cur) {
			return code{}, invalidCode()
		}
		c.currency = cur
	case 3:
		a, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || strconv.FormatInt(a, 10) != parts[1] || !isID(c.userID) {
			return code{}, invalidCode()
		}
		if c.currency, err = checkMoney(a, parts[2], false); err != nil || c.currency != parts[2] {
			return code{}, invalidCode()
		}
		if !verify(key, mac, KindReceive, c.userID, parts[1], c.currency) {
			return code{}, invalidCode()
		}
		c.amount = a
	default:
		return code{}, invalidCode()
	}
	return c, nil
}

// checkMoney validates a receive code's amount (0 allowed when open) and
// currency, answering the currency's code.
func checkMoney(amount int64, currency string, open bool) (string, error) {
	cur := strings.ToUpper(strings.TrimSpace(currency))
	if cur == "" {
		cur = pay.Currencies()[0].Code
	}
	for _, c := range pay.Currencies() {
		if c.Code != cur {
			continue
		}
		if (amount == 0 && open) || (amount > 0 && amount <= c.MaxAmount) {
			return cur, nil
		}
		return "", errs.Field("amount", "The amount must be more than zero and at most %s, in minor units (888 is 8.88).", pay.Format(c.MaxAmount, cur))
	}
	return "", errs.Field("currency", "Currency %q is not one Plaza Pay holds.", currency)
}

// cutLast splits "head-mac" at its last dash.
func cutLast(s string) (head, mac string, ok bool) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// isID reports whether s is a plausible id or code: 1 to 64 letters,
// digits and underscores (no dash: it separates a token's fields).
func isID(s string) bool {
	if s == "" || len(s) > maxID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// sameHost reports whether host (from a payload) is base's: the same name
// and port, letter case aside and default ports implied; a node on loopback
// also takes its other loopback names (localhost for 127.0.0.1) at its port.
// Only base is trusted — the public URL when one is configured — never a
// host the payload brings.
func sameHost(base, host string) bool {
	b, err := url.Parse(base)
	if err != nil || b.Host == "" {
		return false
	}
	bn, bp := splitHost(b.Host)
	hn, hp := splitHost(host)
	if hn == "" || bp != hp {
		return false
	}
	return hn == bn || (loopback(hn) && loopback(bn))
}

// splitHost is a host's lowercased name and its port (the scheme's default
// when absent: a payload's http/https is not known here, so 80 and 443 are
// both "default").
func splitHost(h string) (string, string) {
	name, port, err := net.SplitHostPort(h)
	if err != nil {
		name, port = h, ""
	}
	name = strings.ToLower(strings.Trim(name, "[]"))
	if port == "80" || port == "443" {
		port = ""
	}
	return name, port
}

func loopback(name string) bool {
	if name == "localhost" {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

func notPlaza() error {
	return errs.E(NotPlazaCode, "This is not a Plaza QR code.")
}

func invalidCode() error {
	return errs.E(errs.NotFound, "This QR code is not valid: it may be damaged, or have been reset.")
}
