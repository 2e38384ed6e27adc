package plazapay

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testMchID    = "1900000001"
	testSerial   = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	testKeyID    = "PUB_KEY_ID_0119000000012025061800000000"
	testAppID    = "wxd678efh567hg6787"
	testBillFile = "交易时间,公众账号ID\r\n`2025-01-01 10:00:00,`wxd678efh567hg6787\r\n"
)

// testNow is the fixed clock shared by the fake server and test clients.
var testNow = time.Unix(1735689600, 0) // 2025-01-01T00:00:00Z

// fakeServer is a minimal Plaza Pay server: it verifies request signatures the
// way a real server must (r.RequestURI and the raw body), answers a few
// routes, and signs its answers with the platform key — unless told to
// misbehave.
type fakeServer struct {
	*httptest.Server
	t        *testing.T
	merchant *rsa.PublicKey
	platform *rsa.PrivateKey

	mu       sync.Mutex
	tamper   bool          // change the body after signing it
	serial   string        // Wechatpay-Serial to send (testKeyID when "")
	skew     time.Duration // added to the answer timestamp
	unsigned bool          // send no signature headers
	last     recorded
}

// recorded is the last request the fake accepted.
type recorded struct {
	Method, RequestURI string
	Body               []byte
	JSON               map[string]any
}

func newFakeServer(t *testing.T) *fakeServer {
	mk, pk, _ := testKeys(t)
	f := &fakeServer{t: t, merchant: &mk.PublicKey, platform: pk}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) set(fn func(f *fakeServer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeServer) lastRequest() recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func writeJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func apiErr(code, msg string) []byte {
	return writeJSON(map[string]any{"code": code, "message": msg})
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	status, answer := f.route(r, body)
	f.mu.Lock()
	tamper, serial, skew, unsigned := f.tamper, f.serial, f.skew, f.unsigned
	f.mu.Unlock()
	if serial == "" {
		serial = testKeyID
	}
	if !unsigned && r.URL.Path != "/v3/billdownload/file" { // bill files are not signed
		ts := strconv.FormatInt(testNow.Add(skew).Unix(), 10)
		nonce := NewNonce()
		sig, err := Sign(f.platform, ResponseMessage(ts, nonce, answer))
		if err != nil {
			f.t.Error(err)
		}
		w.Header().Set(HeaderTimestamp, ts)
		w.Header().Set(HeaderNonce, nonce)
		w.Header().Set(HeaderSignature, sig)
		w.Header().Set(HeaderSerial, serial)
		w.Header().Set(HeaderSignatureType, Scheme)
	}
	w.Header().Set(HeaderRequestID, "08F78BB5AF0610C")
	if tamper && len(answer) > 0 {
		answer = bytes.Replace(answer, []byte("1"), []byte("2"), 1)
	}
	if status != http.StatusNoContent {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(answer)
}

// authenticate checks the request signature like a Plaza Pay server.
func (f *fakeServer) authenticate(r *http.Request, body []byte) error {
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	if a.MchID != testMchID || a.SerialNo != testSerial {
		return fmt.Errorf("unknown merchant %s / %s", a.MchID, a.SerialNo)
	}
	sec, err := strconv.ParseInt(a.Timestamp, 10, 64)
	if err != nil || testNow.Sub(time.Unix(sec, 0)).Abs() >= MaxClockSkew {
		return fmt.Errorf("stale timestamp %s", a.Timestamp)
	}
	return Verify(f.merchant, RequestMessage(r.Method, r.RequestURI, a.Timestamp, a.NonceStr, body), a.Signature)
}

func (f *fakeServer) route(r *http.Request, body []byte) (int, []byte) {
	if err := f.authenticate(r, body); err != nil {
		return http.StatusUnauthorized, apiErr("SIGN_ERROR", err.Error())
	}
	if r.Method == http.MethodPost && !bytes.HasSuffix(body, []byte("}\n")) {
		return http.StatusBadRequest, apiErr("PARAM_ERROR", "body is not SDK-encoded JSON")
	}
	if sn := r.Header.Get(HeaderSerial); (sn != testKeyID && sn != "5157F09E") || r.Header.Get("User-Agent") == "" {
		return http.StatusBadRequest, apiErr("INVALID_REQUEST", "missing Wechatpay-Serial or User-Agent")
	}
	rec := recorded{Method: r.Method, RequestURI: r.RequestURI, Body: body}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &rec.JSON); err != nil {
			return http.StatusBadRequest, apiErr("PARAM_ERROR", err.Error())
		}
	}
	f.mu.Lock()
	f.last = rec
	f.mu.Unlock()

	p := r.URL.Path
	switch {
	case r.Method == "POST" && p == "/v3/pay/transactions/native":
		return 200, writeJSON(map[string]string{"code_url": "weixin://wxpay/bizpayurl?pr=NwY5Mz9"})
	case r.Method == "POST" && p == "/v3/pay/transactions/jsapi":
		if rec.JSON["out_trade_no"] == "USED" {
			return 403, writeJSON(map[string]any{"code": "OUT_TRADE_NO_USED", "message": "商户订单号重复",
				"detail": map[string]string{"location": "body", "field": "/out_trade_no"}})
		}
		return 200, writeJSON(map[string]string{"prepay_id": "wx201410272009395522657a690389285100"})
	case r.Method == "POST" && p == "/v3/pay/transactions/h5":
		return 200, writeJSON(map[string]string{"h5_url": "https://pay.example/h5?prepay_id=wx1"})
	case r.Method == "POST" && strings.HasPrefix(p, "/v3/pay/transactions/out-trade-no/") && strings.HasSuffix(p, "/close"):
		return http.StatusNoContent, nil
	case r.Method == "GET" && strings.HasPrefix(p, "/v3/pay/transactions/"):
		if r.URL.Query().Get("mchid") != testMchID {
			return 400, apiErr("PARAM_ERROR", "mchid")
		}
		no := p[strings.LastIndexByte(p, '/')+1:]
		if no == "MISSING" {
			return 404, apiErr("ORDER_NOT_EXIST", "订单不存在")
		}
		return 200, writeJSON(map[string]any{"appid": testAppID, "mchid": testMchID, "out_trade_no": no,
			"transaction_id": "4200000985202103031441826014", "trade_type": "JSAPI", "trade_state": "SUCCESS",
			"trade_state_desc": "支付成功", "bank_type": "OTHERS", "attach": "a", "success_time": "2025-01-01T08:00:00+08:00",
			"payer": map[string]string{"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}, "unknown_field": true,
			"amount": map[string]any{"total": 100, "payer_total": 90, "currency": "CNY", "payer_currency": "CNY"}})
	case strings.HasPrefix(p, "/v3/refund/domestic/refunds"):
		no, _ := rec.JSON["out_refund_no"].(string)
		if r.Method == "GET" {
			no = strings.TrimPrefix(p, "/v3/refund/domestic/refunds/")
		}
		return 200, []byte(`{"refund_id":"50000000382019052709732678859","out_refund_no":"` + no + `","transaction_id":"4200000985202103031441826014",` +
			`"out_trade_no":"T1","channel":"ORIGINAL","user_received_account":"支付用户零钱","create_time":"2025-01-01T08:00:00+08:00",` +
			`"status":"PROCESSING","funds_account":"AVAILABLE","amount":{"total":100,"refund":40,"from":[],"payer_total":90,"payer_refund":36,` +
			`"settlement_refund":40,"settlement_total":100,"discount_refund":4,"currency":"CNY","refund_fee":0},"promotion_detail":[]}`)
	case r.Method == "GET" && p == "/v3/billdownload/file":
		return 200, []byte(testBillFile)
	case r.Method == "GET" && p == "/v3/bill/tradebill":
		if r.URL.Query().Get("bill_date") != "2025-01-01" {
			return 400, apiErr("PARAM_ERROR", "bill_date")
		}
		return 200, writeJSON(BillURL{HashType: "SHA1", HashValue: "x", DownloadURL: f.URL + "/v3/billdownload/file?token=abc"})
	}
	return 404, apiErr("RESOURCE_NOT_EXISTS", "no route "+p)
}
