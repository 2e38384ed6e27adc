package plazapay

import (
	"errors"
	"fmt"
	"strings"
)

// Scheme is the Authorization scheme of WeChat Pay API v3 request signatures,
// and the value of the Wechatpay-Signature-Type header.
const Scheme = "WECHATPAY2-SHA256-RSA2048"

// Authorization is a parsed Authorization header of a signed request.
type Authorization struct {
	MchID     string // mchid: the merchant id
	NonceStr  string // nonce_str: the request nonce
	Timestamp string // timestamp: unix seconds, as sent
	SerialNo  string // serial_no: the merchant API certificate serial
	Signature string // signature: base64 SHA256withRSA over RequestMessage
}

// String renders a in the order the official SDK uses (mchid, nonce_str,
// timestamp, serial_no, signature), prefixed with Scheme.
func (a Authorization) String() string {
	return fmt.Sprintf(`%s mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
		Scheme, a.MchID, a.NonceStr, a.Timestamp, a.SerialNo, a.Signature)
}

// ParseAuthorization parses an Authorization header of the form
//
//	WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"
//
// leniently: the five items may come in any order, with spaces around them,
// and each item is split on its first '=' (a base64 signature ends in '=').
// The scheme is matched case-insensitively. It fails for a wrong scheme, a
// missing, empty, duplicated or unknown item, an unquoted value, and a value
// holding '"', ',' or a control character.
func ParseAuthorization(header string) (Authorization, error) {
	var a Authorization
	header = strings.TrimSpace(header)
	scheme, params, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, Scheme) {
		return Authorization{}, errors.New("plazapay: authorization: scheme is not " + Scheme)
	}
	fields := map[string]*string{
		"mchid":     &a.MchID,
		"nonce_str": &a.NonceStr,
		"timestamp": &a.Timestamp,
		"serial_no": &a.SerialNo,
		"signature": &a.Signature,
	}
	seen := make(map[string]bool, len(fields))
	for _, item := range strings.Split(params, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return Authorization{}, fmt.Errorf("plazapay: authorization: malformed item %q", item)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		dst, known := fields[key]
		if !known {
			return Authorization{}, fmt.Errorf("plazapay: authorization: unknown item %q", key)
		}
		if seen[key] {
			return Authorization{}, fmt.Errorf("plazapay: authorization: duplicated item %q", key)
		}
		seen[key] = true
		if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
			return Authorization{}, fmt.Errorf("plazapay: authorization: %s is not double-quoted", key)
		}
		value = value[1 : len(value)-1]
		if value == "" {
			return Authorization{}, fmt.Errorf("plazapay: authorization: %s is empty", key)
		}
		if strings.ContainsFunc(value, func(r rune) bool { return r == '"' || r == ',' || r < 0x20 || r == 0x7f }) {
			return Authorization{}, fmt.Errorf("plazapay: authorization: %s holds a forbidden character", key)
		}
		*dst = value
	}
	for _, key := range []string{"mchid", "nonce_str", "timestamp", "serial_no", "signature"} {
		if !seen[key] {
			return Authorization{}, fmt.Errorf("plazapay: authorization: missing %s", key)
		}
	}
	return a, nil
}
