package plazapay

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testTxPlain = `{"appid":"wxd678efh567hg6787","mchid":"1900000001","out_trade_no":"T1","transaction_id":"4200000985202103031441826014",` +
	`"trade_type":"JSAPI","trade_state":"SUCCESS","trade_state_desc":"支付成功","bank_type":"OTHERS","success_time":"2025-01-01T08:00:00+08:00",` +
	`"payer":{"openid":"oUpF8u"},"amount":{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}}`

// notification builds a signed notification request the way the server does.
type notification struct {
	algorithm, aad, serial, sigType string
	skew                            time.Duration
	tamper                          bool
}

func (n notification) request(t *testing.T) *http.Request {
	t.Helper()
	_, pk, _ := testKeys(t)
	nonce := "yd92bNzgnjSB"
	ct, err := EncryptAEAD(testAPIv3Key, nonce, n.aad, []byte(testTxPlain))
	if err != nil {
		t.Fatal(err)
	}
	if n.algorithm == "" {
		n.algorithm = AlgorithmAEAD
	}
	body := writeJSON(map[string]any{"id": "EV-2018022511223320873", "create_time": "2025-01-01T08:00:01+08:00",
		"resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
		"resource": map[string]string{"original_type": "transaction", "algorithm": n.algorithm, "ciphertext": ct,
			"associated_data": n.aad, "nonce": nonce}})
	ts := strconv.FormatInt(testNow.Add(n.skew).Unix(), 10)
	hdrNonce := NewNonce()
	sig, err := Sign(pk, ResponseMessage(ts, hdrNonce, body))
	if err != nil {
		t.Fatal(err)
	}
	if n.tamper {
		body = bytes.Replace(body, []byte("支付成功"), []byte("支付失败"), 1)
	}
	r := httptest.NewRequest(http.MethodPost, "/notify/pay", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderNonce, hdrNonce)
	r.Header.Set(HeaderSignature, sig)
	if n.serial == "" {
		n.serial = testKeyID
	}
	r.Header.Set(HeaderSerial, n.serial)
	if n.sigType == "" {
		n.sigType = Scheme
	}
	r.Header.Set(HeaderSignatureType, n.sigType)
	return r
}

func TestParseNotification(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	r := notification{aad: "transaction"}.request(t)
	n, plain, err := c.ParseNotification(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != testTxPlain {
		t.Errorf("plaintext = %s", plain)
	}
	if n.ID != "EV-2018022511223320873" || n.EventType != "TRANSACTION.SUCCESS" || n.ResourceType != "encrypt-resource" ||
		n.Summary != "支付成功" || n.Resource.OriginalType != "transaction" || n.Resource.AssociatedData != "transaction" ||
		n.CreateTime == nil || !n.CreateTime.Equal(testNow.Add(time.Second)) {
		t.Errorf("envelope = %+v", n)
	}
	if rest, _ := io.ReadAll(r.Body); !bytes.Contains(rest, []byte(`"EV-2018022511223320873"`)) {
		t.Error("r.Body was not restored")
	}
	if _, _, err := c.ParseNotification(notification{aad: ""}.request(t)); err != nil {
		t.Errorf("empty associated_data: %v", err)
	}

	for name, tc := range map[string]struct {
		n      notification
		verify bool // failure is a signature failure
	}{
		"tampered":       {notification{aad: "transaction", tamper: true}, true},
		"wrong serial":   {notification{aad: "transaction", serial: "PUB_KEY_ID_0000"}, true},
		"stale":          {notification{aad: "transaction", skew: -5 * time.Minute}, true},
		"future":         {notification{aad: "transaction", skew: 5 * time.Minute}, true},
		"signature type": {notification{aad: "transaction", sigType: "WECHATPAY2-SM2-WITH-SM3"}, true},
		"algorithm":      {notification{aad: "transaction", algorithm: "AEAD_SM4_GCM"}, false},
	} {
		_, _, err := c.ParseNotification(tc.n.request(t))
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if errors.Is(err, ErrVerification) != tc.verify {
			t.Errorf("%s: errors.Is(ErrVerification) = %v: %v", name, !tc.verify, err)
		}
	}

	r = notification{aad: "transaction"}.request(t)
	r.Header.Del(HeaderSignature)
	if _, _, err := c.ParseNotification(r); !errors.Is(err, ErrVerification) {
		t.Errorf("missing signature: %v", err)
	}

	other := newTestClient(t, "http://127.0.0.1:1")
	other.APIv3Key = strings.Repeat("k", 32)
	if _, _, err := other.ParseNotification(notification{aad: "transaction"}.request(t)); err == nil {
		t.Error("wrong APIv3 key: accepted")
	}
}
