package plazapay

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func newTestClient(t *testing.T, baseURL string) *Client {
	t.Helper()
	mk, pk, _ := testKeys(t)
	c, err := NewClient(Config{BaseURL: baseURL + "/", MchID: testMchID, SerialNo: testSerial, PrivateKey: mk,
		PlatformKey: &pk.PublicKey, PlatformKeyID: testKeyID, APIv3Key: testAPIv3Key,
		Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewClientValidates(t *testing.T) {
	mk, pk, _ := testKeys(t)
	good := Config{BaseURL: "http://127.0.0.1:8080", MchID: testMchID, SerialNo: testSerial, PrivateKey: mk,
		PlatformKey: &pk.PublicKey, PlatformKeyID: testKeyID}
	c, err := NewClient(good)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP == nil || c.Now == nil {
		t.Error("NewClient left HTTP or Now nil")
	}
	for name, mut := range map[string]func(*Config){
		"no base":       func(c *Config) { c.BaseURL = "" },
		"relative base": func(c *Config) { c.BaseURL = "127.0.0.1:8080" },
		"ftp base":      func(c *Config) { c.BaseURL = "ftp://127.0.0.1" },
		"base query":    func(c *Config) { c.BaseURL = "http://127.0.0.1/?a=b" },
		"no mchid":      func(c *Config) { c.MchID = "" },
		"no serial":     func(c *Config) { c.SerialNo = "" },
		"no key":        func(c *Config) { c.PrivateKey = nil },
		"no platform":   func(c *Config) { c.PlatformKey = nil },
		"no key id":     func(c *Config) { c.PlatformKeyID = "" },
		"short v3 key":  func(c *Config) { c.APIv3Key = "mockAPIv3Key1234" },
	} {
		cfg := good
		mut(&cfg)
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("%s: NewClient succeeded", name)
		}
	}
}

func TestClientTypedHelpers(t *testing.T) {
	f := newFakeServer(t)
	c := newTestClient(t, f.URL)
	ctx := context.Background()

	codeURL, err := c.PrepayNative(ctx, NativeRequest{AppID: testAppID, Description: "Tea", OutTradeNo: "N1",
		NotifyURL: "https://shop.example/notify", Amount: Amount{Total: 100, Currency: "CNY"}})
	if err != nil || codeURL != "weixin://wxpay/bizpayurl?pr=NwY5Mz9" {
		t.Fatalf("PrepayNative = %q, %v", codeURL, err)
	}
	last := f.lastRequest()
	if last.RequestURI != "/v3/pay/transactions/native" || last.JSON["mchid"] != testMchID ||
		last.JSON["out_trade_no"] != "N1" || last.JSON["notify_url"] != "https://shop.example/notify" {
		t.Errorf("native request = %s %s", last.RequestURI, last.Body)
	}
	if _, ok := last.JSON["time_expire"]; ok {
		t.Error("empty time_expire was sent")
	}
	if !reflect.DeepEqual(last.JSON["amount"], map[string]any{"total": 100.0, "currency": "CNY"}) {
		t.Errorf("amount = %v", last.JSON["amount"])
	}

	prepayID, err := c.PrepayJSAPI(ctx, JSAPIRequest{AppID: testAppID, MchID: "explicit", Description: "Tea",
		OutTradeNo: "J1", TimeExpire: "2025-01-01T10:00:00+08:00", NotifyURL: "https://shop.example/notify",
		Amount: Amount{Total: 1}, Payer: Payer{OpenID: "oUpF8u"}})
	if err != nil || prepayID != "wx201410272009395522657a690389285100" {
		t.Fatalf("PrepayJSAPI = %q, %v", prepayID, err)
	}
	last = f.lastRequest()
	if last.JSON["mchid"] != "explicit" || last.JSON["time_expire"] != "2025-01-01T10:00:00+08:00" ||
		!reflect.DeepEqual(last.JSON["payer"], map[string]any{"openid": "oUpF8u"}) {
		t.Errorf("jsapi request = %s", last.Body)
	}

	h5URL, err := c.PrepayH5(ctx, H5Request{AppID: testAppID, Description: "Tea", OutTradeNo: "H1",
		NotifyURL: "https://shop.example/notify", Amount: Amount{Total: 1},
		SceneInfo: H5SceneInfo{PayerClientIP: "127.0.0.1", H5Info: H5Info{Type: "Wap"}}})
	if err != nil || h5URL == "" {
		t.Fatalf("PrepayH5 = %q, %v", h5URL, err)
	}
	if want := map[string]any{"payer_client_ip": "127.0.0.1", "h5_info": map[string]any{"type": "Wap"}}; !reflect.DeepEqual(f.lastRequest().JSON["scene_info"], want) {
		t.Errorf("scene_info = %v", f.lastRequest().JSON["scene_info"])
	}

	// Path escaping must survive to r.RequestURI unchanged (the fake verifies it).
	tx, err := c.QueryByOutTradeNo(ctx, "T_1|2*3-x")
	if err != nil {
		t.Fatal(err)
	}
	if tx.OutTradeNo != "T_1|2*3-x" || tx.TradeState != "SUCCESS" || tx.Payer == nil || tx.Payer.OpenID == "" ||
		tx.Amount != (TransactionAmount{Total: 100, PayerTotal: 90, Currency: "CNY", PayerCurrency: "CNY"}) ||
		tx.SuccessTime != "2025-01-01T08:00:00+08:00" {
		t.Errorf("QueryByOutTradeNo = %+v", tx)
	}
	if got := f.lastRequest(); got.Method != "GET" || len(got.Body) != 0 ||
		got.RequestURI != "/v3/pay/transactions/out-trade-no/T_1%7C2%2A3-x?mchid="+testMchID {
		t.Errorf("query request = %s %q body %q", got.Method, got.RequestURI, got.Body)
	}
	if tx, err := c.QueryByID(ctx, "4200000985202103031441826014"); err != nil || tx.TransactionID == "" {
		t.Errorf("QueryByID = %+v, %v", tx, err)
	}
	if got := f.lastRequest().RequestURI; got != "/v3/pay/transactions/id/4200000985202103031441826014?mchid="+testMchID {
		t.Errorf("QueryByID URI = %q", got)
	}

	if err := c.Close(ctx, "J1"); err != nil { // 204, signed over an empty body
		t.Fatalf("Close: %v", err)
	}
	if got := f.lastRequest(); got.RequestURI != "/v3/pay/transactions/out-trade-no/J1/close" || string(got.Body) != "{\"mchid\":\""+testMchID+"\"}\n" {
		t.Errorf("close request = %q %q", got.RequestURI, got.Body)
	}

	rf, err := c.Refund(ctx, RefundRequest{OutTradeNo: "T1", OutRefundNo: "R1", Reason: "out of stock",
		Amount: RefundRequestAmount{Refund: 40, Total: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"refund": 40.0, "total": 100.0, "currency": "CNY"}; !reflect.DeepEqual(f.lastRequest().JSON["amount"], want) {
		t.Errorf("refund amount = %v", f.lastRequest().JSON["amount"])
	}
	if _, ok := f.lastRequest().JSON["transaction_id"]; ok {
		t.Error("empty transaction_id was sent")
	}
	if rf.OutRefundNo != "R1" || rf.Status != "PROCESSING" || rf.SuccessTime != nil || rf.CreateTime == nil ||
		!rf.CreateTime.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) || rf.Amount.Refund != 40 || rf.Amount.From == nil {
		t.Errorf("Refund = %+v", rf)
	}
	if rf, err := c.QueryRefund(ctx, "R@1"); err != nil || rf.OutRefundNo != "R@1" {
		t.Errorf("QueryRefund = %+v, %v", rf, err)
	}

	bill, err := c.TradeBill(ctx, "2025-01-01")
	if err != nil || bill.HashType != "SHA1" || !strings.HasPrefix(bill.DownloadURL, f.URL) {
		t.Fatalf("TradeBill = %+v, %v", bill, err)
	}
	if got := f.lastRequest().RequestURI; got != "/v3/bill/tradebill?bill_date=2025-01-01" {
		t.Errorf("TradeBill URI = %q", got)
	}
	data, err := c.Download(ctx, bill.DownloadURL) // unsigned answer: accepted
	if err != nil || string(data) != testBillFile {
		t.Fatalf("Download = %q, %v", data, err)
	}
	if data, err := c.Download(ctx, "/v3/billdownload/file?token=abc"); err != nil || string(data) != testBillFile {
		t.Errorf("Download(relative) = %q, %v", data, err)
	}
	if _, err := c.Download(ctx, "file:///etc/passwd"); err == nil {
		t.Error("Download accepted a file: URL")
	}
}

func TestDoVerifiesAnswers(t *testing.T) {
	f := newFakeServer(t)
	c := newTestClient(t, f.URL)
	ctx := context.Background()
	query := func() error { _, err := c.QueryByOutTradeNo(ctx, "T1"); return err }
	closeOrder := func() error { return c.Close(ctx, "T1") } // 204: empty body

	for name, tc := range map[string]struct {
		setup func(*fakeServer)
		ok    bool
	}{
		"good":              {func(f *fakeServer) {}, true},
		"skew 299s old":     {func(f *fakeServer) { f.skew = -299 * time.Second }, true},
		"skew 299s ahead":   {func(f *fakeServer) { f.skew = 299 * time.Second }, true},
		"tampered body":     {func(f *fakeServer) { f.tamper = true }, false},
		"wrong serial":      {func(f *fakeServer) { f.serial = "PUB_KEY_ID_0000000000000000" }, false},
		"serial case":       {func(f *fakeServer) { f.serial = strings.ToLower(testKeyID) }, false},
		"stale 300s":        {func(f *fakeServer) { f.skew = -300 * time.Second }, false},
		"future 300s":       {func(f *fakeServer) { f.skew = 300 * time.Second }, false},
		"stale one hour":    {func(f *fakeServer) { f.skew = -time.Hour }, false},
		"unsigned":          {func(f *fakeServer) { f.unsigned = true }, false},
		"signed by another": {func(f *fakeServer) { _, _, f.platform = testKeys(t) }, false},
	} {
		for _, call := range []struct {
			name string
			fn   func() error
		}{{"query", query}, {"close", closeOrder}} {
			_, pk, _ := testKeys(t)
			f.set(func(f *fakeServer) {
				f.tamper, f.serial, f.skew, f.unsigned, f.platform = false, "", 0, false, pk
				tc.setup(f)
			})
			err := call.fn()
			if name == "tampered body" && call.name == "close" {
				continue // nothing to tamper in a 204
			}
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s/%s: %v", name, call.name, err)
			case !tc.ok && err == nil:
				t.Errorf("%s/%s: accepted", name, call.name)
			case !tc.ok && !errors.Is(err, ErrVerification):
				t.Errorf("%s/%s: error %v does not wrap ErrVerification", name, call.name, err)
			}
		}
	}
}

func TestDoAPIError(t *testing.T) {
	f := newFakeServer(t)
	c := newTestClient(t, f.URL)
	ctx := context.Background()
	f.set(func(f *fakeServer) { f.unsigned = true }) // errors are not verified

	_, err := c.QueryByOutTradeNo(ctx, "MISSING")
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Code != "ORDER_NOT_EXIST" || ae.Message != "订单不存在" || len(ae.Body) == 0 {
		t.Fatalf("err = %#v", err)
	}
	if !IsAPIError(err, "ORDER_NOT_EXIST") || IsAPIError(err, "SYSTEM_ERROR") {
		t.Error("IsAPIError")
	}
	_, err = c.PrepayJSAPI(ctx, JSAPIRequest{AppID: testAppID, OutTradeNo: "USED", Amount: Amount{Total: 1}})
	if !errors.As(err, &ae) || ae.StatusCode != 403 || ae.Code != "OUT_TRADE_NO_USED" || !strings.Contains(string(ae.Detail), `"/out_trade_no"`) {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), "403 OUT_TRADE_NO_USED") {
		t.Errorf("Error() = %q", err.Error())
	}

	// The fake really checks request signatures: a client with another key is refused.
	_, _, stranger := testKeys(t)
	bad := newTestClient(t, f.URL)
	bad.PrivateKey = stranger
	if _, err := bad.QueryByOutTradeNo(ctx, "T1"); !IsAPIError(err, "SIGN_ERROR") {
		t.Errorf("foreign key: err = %v", err)
	}
	late := newTestClient(t, f.URL)
	late.Now = func() time.Time { return testNow.Add(-10 * time.Minute) }
	if _, err := late.QueryByOutTradeNo(ctx, "T1"); !IsAPIError(err, "SIGN_ERROR") {
		t.Errorf("stale request: err = %v", err)
	}
	if err := c.Do(ctx, http.MethodGet, "v3/no-slash", nil, nil); err == nil {
		t.Error("Do accepted a path without /")
	}
}

func TestDoRawBodyAndOut(t *testing.T) {
	f := newFakeServer(t)
	c := newTestClient(t, f.URL)
	var out map[string]any
	// A []byte body is sent verbatim (and signed as such).
	if err := c.Do(context.Background(), "POST", "/v3/pay/transactions/native", []byte("{\"appid\":\"x\"}\n"), &out); err != nil {
		t.Fatal(err)
	}
	if string(f.lastRequest().Body) != "{\"appid\":\"x\"}\n" || out["code_url"] == nil {
		t.Errorf("body %q, out %v", f.lastRequest().Body, out)
	}
}

func TestRequestPayment(t *testing.T) {
	mk, _, _ := testKeys(t)
	c := newTestClient(t, "http://127.0.0.1:1")
	p, err := c.RequestPayment(testAppID, "wx201410272009395522657a690389285100")
	if err != nil {
		t.Fatal(err)
	}
	if p.TimeStamp != "1735689600" || len(p.NonceStr) != 32 || p.Package != "prepay_id=wx201410272009395522657a690389285100" || p.SignType != "RSA" {
		t.Errorf("params = %+v", p)
	}
	if err := VerifyPaySign(&mk.PublicKey, testAppID, p.TimeStamp, p.NonceStr, p.Package, p.PaySign); err != nil {
		t.Error(err)
	}
	js := string(writeJSON(p))
	for _, k := range []string{`"timeStamp":`, `"nonceStr":`, `"package":`, `"signType":"RSA"`, `"paySign":`} {
		if !strings.Contains(js, k) {
			t.Errorf("JSON %s lacks %s", js, k)
		}
	}
}
