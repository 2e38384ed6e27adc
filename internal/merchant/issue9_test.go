package merchant_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

var cst = time.FixedZone("CST", 8*3600)

// pay confirms the order behind a code_url / h5_url as c.
func payLink(t *testing.T, c *nodetest.Client, link string) {
	t.Helper()
	u, _ := url.Parse(link)
	if r := c.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": u.Query().Get("pr"), "pin": "112233"}); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
}

// backdate moves every payment and refund of mchid one day back, so that
// their day is closed and billable.
func backdate(t *testing.T, n *node.Node, mchid string) {
	t.Helper()
	ctx := context.Background()
	day := int64(24 * time.Hour / time.Microsecond)
	if _, err := n.DB.Exec(ctx, `UPDATE orders SET success_time = success_time - ?, created_at = created_at - ? WHERE mchid = ?`, day, day, mchid); err != nil {
		t.Fatal(err)
	}
	if _, err := n.DB.Exec(ctx, `UPDATE refunds SET created_at = created_at - ? WHERE mchid = ?`, day, mchid); err != nil {
		t.Fatal(err)
	}
}

// Bills are made only for closed days, with encoding/csv (a comma or quote
// in a description stays in its column), plain or gzip, and hash_value is
// the SHA-1 of the CSV that is downloaded.
func TestBillsClosedDaysCSVAndGzip(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{Tune: fastNotify})
	s := newShop(t, n, "billshop")
	ann := buyer(t, n, "ann", 10_000)
	for i, o := range []struct {
		no, desc string
		amt      int64
	}{{"BILL000000", `Tea, "Oolong"`, 1_200}, {"BILL000001", "Cup,saucer", 3_450}} {
		code, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: o.desc, OutTradeNo: o.no,
			NotifyURL: s.notify, Attach: "a,b", Amount: plazapay.Amount{Total: o.amt}})
		if err != nil {
			t.Fatal(i, err)
		}
		payLink(t, ann, code)
	}
	if _, err := s.client.Refund(ctx, plazapay.RefundRequest{OutTradeNo: "BILL000001", OutRefundNo: "RB1", Amount: plazapay.RefundRequestAmount{Refund: 450, Total: 3_450}}); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(cst)
	if _, err := s.client.TradeBill(ctx, today.Format("2006-01-02")); !plazapay.IsAPIError(err, "STATEMENT_CREATING") {
		t.Fatalf("today's bill: %v, want STATEMENT_CREATING", err)
	}
	if _, err := s.client.TradeBill(ctx, today.AddDate(0, 0, 2).Format("2006-01-02")); !plazapay.IsAPIError(err, "PARAM_ERROR") {
		t.Fatalf("a future bill: %v, want PARAM_ERROR", err)
	}
	if _, err := s.client.TradeBill(ctx, today.AddDate(0, -4, 0).Format("2006-01-02")); !plazapay.IsAPIError(err, "NO_STATEMENT_EXIST") {
		t.Fatalf("a bill of four months ago: %v, want NO_STATEMENT_EXIST", err)
	}
	backdate(t, n, s.mchid)
	yesterday := today.AddDate(0, 0, -1).Format("2006-01-02")

	plain, err := s.client.TradeBillWith(ctx, plazapay.BillRequest{BillDate: yesterday})
	if err != nil {
		t.Fatal(err)
	}
	file, err := s.client.Download(ctx, plain.DownloadURL)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha1.Sum(file); hex.EncodeToString(sum[:]) != plain.HashValue {
		t.Fatal("hash_value is not the SHA-1 of the download")
	}
	recs, err := readCSV(file)
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, file)
	}
	if len(recs) != 6 || len(recs[0]) != 27 || len(recs[1]) != 27 || len(recs[3]) != 27 || len(recs[5]) != 7 {
		t.Fatalf("layout: %d lines\n%s", len(recs), file)
	}
	if recs[1][6] != "`BILL000000" || recs[1][20] != "`Tea, \"Oolong\"" || recs[1][21] != "`a,b" || recs[1][12] != "`12.00" {
		t.Fatalf("first row: %q", recs[1])
	}
	if recs[3][15] != "`RB1" || recs[3][16] != "`4.50" {
		t.Fatalf("refund row: %q", recs[3])
	}
	if strings.Join(recs[5], ",") != "`3,`46.50,`4.50,`0.00,`0.00000,`46.50,`4.50" {
		t.Fatalf("summary: %q", recs[5])
	}
	if !bytes.HasSuffix(file, []byte("\r\n")) {
		t.Fatal("lines end in CRLF")
	}
	// Asked again, the same file and the same hash (the day is closed).
	again, err := s.client.TradeBill(ctx, yesterday)
	if err != nil || again.HashValue != plain.HashValue {
		t.Fatalf("the bill changed: %v", err)
	}

	gz, err := s.client.TradeBillWith(ctx, plazapay.BillRequest{BillDate: yesterday, TarType: "GZIP"})
	if err != nil || gz.HashValue != plain.HashValue {
		t.Fatalf("gzip bill: %+v %v", gz, err)
	}
	raw, err := s.client.Download(ctx, gz.DownloadURL)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	unz, _ := io.ReadAll(zr)
	if !bytes.Equal(unz, file) {
		t.Fatal("the gzip file is not the plain bill")
	}
	if got, err := s.client.DownloadBill(ctx, gz); err != nil || !bytes.Equal(got, file) {
		t.Fatalf("DownloadBill: %v", err)
	}
	success, err := s.client.TradeBillWith(ctx, plazapay.BillRequest{BillDate: yesterday, BillType: "SUCCESS"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.client.DownloadBill(ctx, success); err != nil || !strings.HasPrefix(string(got), "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称") {
		t.Fatalf("SUCCESS bill: %v\n%s", err, got)
	}

	ff, err := s.client.FundFlowBill(ctx, plazapay.BillRequest{BillDate: yesterday, TarType: "GZIP"})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := s.client.DownloadBill(ctx, ff)
	if err != nil {
		t.Fatal(err)
	}
	recs, err = readCSV(flow)
	if err != nil || len(recs) != 6 || recs[0][0] != "记账时间" {
		t.Fatalf("fund flow bill: %v\n%s", err, flow)
	}
	if recs[1][5] != "`收入" || recs[1][6] != "`12.00" || recs[2][7] != "`46.50" || recs[3][3] != "`退款" || recs[3][7] != "`42.00" {
		t.Fatalf("fund flow rows: %q", recs[1:4])
	}
	if strings.Join(recs[5], ",") != "`3,`2,`46.50,`1,`4.50" {
		t.Fatalf("fund flow summary: %q", recs[5])
	}
	if _, err := s.client.FundFlowBill(ctx, plazapay.BillRequest{BillDate: yesterday, AccountType: "SAVINGS"}); !plazapay.IsAPIError(err, "PARAM_ERROR") {
		t.Fatalf("account_type SAVINGS: %v", err)
	}
	if _, err := other(t, n).client.Download(ctx, gz.DownloadURL); err == nil {
		t.Fatal("another merchant downloaded this bill")
	}
}

// description and attach refuse control characters (they end up in bills
// and notifications).
func TestOrderFieldsRefuseControlCharacters(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{})
	s := newShop(t, n, "ctrlshop")
	for i, c := range []struct{ desc, attach string }{
		{"Tea\r\n`9,`999.00", ""}, {"Tea\x00", ""}, {"Tea\tcup", ""}, {"Tea", "x\ny"}, {"Tea\u202e", ""}, {"Tea", "\x7f"},
	} {
		_, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: c.desc, Attach: c.attach,
			OutTradeNo: "CTRL00000" + string(rune('0'+i)), NotifyURL: s.notify, Amount: plazapay.Amount{Total: 100}})
		if !plazapay.IsAPIError(err, "PARAM_ERROR") {
			t.Errorf("%q/%q: %v, want PARAM_ERROR", c.desc, c.attach, err)
		}
	}
	if _, err := s.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "乌龙茶 · 250g", Attach: "table=7",
		OutTradeNo: "CTRL000100", NotifyURL: s.notify, Amount: plazapay.Amount{Total: 100}}); err != nil {
		t.Fatal(err)
	}
}

// SIGN_ERROR tells an unsigned caller nothing about which mchids exist.
func TestSignErrorIsTheSameForUnknownMerchants(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	s := newShop(t, n, "oracleshop")
	answer := func(mchid, serial string) string {
		a := plazapay.Authorization{MchID: mchid, NonceStr: plazapay.NewNonce(), Timestamp: strconv.FormatInt(time.Now().Unix(), 10),
			SerialNo: serial, Signature: "AAAA"}
		req, _ := http.NewRequest("GET", n.URL()+"/v3/pay/transactions/out-trade-no/X000000001?mchid="+mchid, nil)
		req.Header.Set("Authorization", a.String())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strconv.Itoa(resp.StatusCode) + " " + string(b) + " " + resp.Header.Get("Wechatpay-Serial")
	}
	known := answer(s.mchid, "5157F09EFDC096DE")
	for _, got := range []string{answer("1699999999", "5157F09EFDC096DE"), answer(s.mchid, "ABCDEF"), answer("1699999999", "ABCDEF")} {
		if got != known {
			t.Fatalf("an unknown merchant or serial answers differently:\n%s\n%s", known, got)
		}
	}
	if !strings.HasPrefix(known, "401 ") || !strings.Contains(known, "SIGN_ERROR") || strings.Contains(known, s.mchid) {
		t.Fatalf("answer: %s", known)
	}
}

// A Plaza mini-program's appid is bound only by its developer, unknown
// mini-program-like appids not at all, and the owner can unbind.
func TestBindAppChecksOwnership(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	dev := nodetest.Signup(t, n.URL(), "developer")
	app := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Gadget Store", "request_domains": []string{}})
	appid := app.Str("appid")
	if app.Status != 201 || !strings.HasPrefix(appid, "mp") {
		t.Fatalf("app: %d %s", app.Status, app.Body)
	}
	squatter := newShop(t, n, "squatter")
	if r := squatter.owner.Do(t, "POST", "/api/v1/merchants/"+squatter.mchid+"/apps", map[string]any{"appid": appid}); r.Status != 403 || r.Code() != "forbidden" {
		t.Fatalf("another user bound the developer's mini-program: %d %s", r.Status, r.Body)
	}
	if r := squatter.owner.Do(t, "POST", "/api/v1/merchants/"+squatter.mchid+"/apps", map[string]any{"appid": "mpnotyetcreated1"}); r.Status != 403 {
		t.Fatalf("an unknown mini-program appid was bound: %d %s", r.Status, r.Body)
	}
	if r := squatter.owner.Do(t, "POST", "/api/v1/merchants/"+squatter.mchid+"/apps", map[string]any{"appid": "wx bad\n"}); r.Status != 400 {
		t.Fatalf("a malformed appid: %d %s", r.Status, r.Body)
	}
	m := dev.Do(t, "POST", "/api/v1/merchants", map[string]any{"name": "Gadgets", "region": "CN"})
	mchid := m.Str("merchant.mchid")
	if r := dev.Do(t, "POST", "/api/v1/merchants/"+mchid+"/apps", map[string]any{"appid": appid}); r.Status != 201 {
		t.Fatalf("the developer binds: %d %s", r.Status, r.Body)
	}
	// Web appids: first come; the squatter's own, not the developer's.
	if r := dev.Do(t, "POST", "/api/v1/merchants/"+mchid+"/apps", map[string]any{"appid": "wx" + squatter.mchid}); r.Status != 409 {
		t.Fatalf("a web appid bound elsewhere: %d %s", r.Status, r.Body)
	}
	if r := squatter.owner.Do(t, "DELETE", "/api/v1/merchants/"+mchid+"/apps/"+appid, nil); r.Status != 404 {
		t.Fatalf("another user unbound: %d %s", r.Status, r.Body)
	}
	if r := dev.Do(t, "DELETE", "/api/v1/merchants/"+mchid+"/apps/"+appid, nil); r.Status != 204 {
		t.Fatalf("unbind: %d %s", r.Status, r.Body)
	}
	if r := dev.Do(t, "GET", "/api/v1/merchants/"+mchid, nil); strings.Contains(string(r.Body), appid) {
		t.Fatalf("still bound: %s", r.Body)
	}
	if r := dev.Do(t, "DELETE", "/api/v1/merchants/"+mchid+"/apps/"+appid, nil); r.Status != 404 {
		t.Fatalf("unbind twice: %d %s", r.Status, r.Body)
	}
	if r := squatter.owner.Do(t, "POST", "/api/v1/merchants/"+squatter.mchid+"/apps", map[string]any{"appid": appid}); r.Status != 403 {
		t.Fatalf("bound after the developer unbound it: %d %s", r.Status, r.Body)
	}
}

// The H5 page returns the payer only to an address on the order's
// merchant's host (its notify_url's), never to one the link was edited to.
func TestH5ReturnURLIsTheMerchants(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{})
	s := newShop(t, n, "h5shop")
	ann := buyer(t, n, "ann", 5_000)
	h5, err := s.client.PrepayH5(ctx, plazapay.H5Request{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "H5RET00001", NotifyURL: s.notify,
		Amount: plazapay.Amount{Total: 100}, SceneInfo: plazapay.H5SceneInfo{PayerClientIP: "127.0.0.1", H5Info: plazapay.H5Info{Type: "Wap"}}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(h5)
	pr := u.Query().Get("pr")
	shopURL, _ := url.Parse(s.notify)
	good := shopURL.Scheme + "://" + shopURL.Host + "/order/H5RET00001?x=1"
	for _, c := range []struct{ redirect, want string }{
		{good, good},
		{"https://evil.example/phish", ""},
		{"javascript:alert(1)", ""},
		{"//evil.example/x", ""},
		{"http://user@" + shopURL.Host + "/x", ""},
		{"https://" + shopURL.Host + "/x", ""}, // another scheme than the merchant's
	} {
		r := ann.Do(t, "GET", "/api/v1/pay/prepay/"+pr+"?redirect_url="+url.QueryEscape(c.redirect), nil)
		if r.Status != 200 || r.Str("redirect_url") != c.want || r.Str("prepay_id") != pr {
			t.Errorf("redirect_url %q: %d %s, want %q", c.redirect, r.Status, r.Body, c.want)
		}
	}
}

// Links are built from the public URL, not from the Host a shop sent.
func TestLinksUseThePublicURL(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{Tune: func(c *node.Config) { c.PublicURL = "https://plaza.example.com" }})
	s := newShop(t, n, "linkshop")
	c := *s.client
	code, err := c.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "LINK000001",
		NotifyURL: s.notify, Amount: plazapay.Amount{Total: 100}})
	if err != nil || !strings.HasPrefix(code, "https://plaza.example.com/pay?pr=") {
		t.Fatalf("code_url %q %v", code, err)
	}
	h5, err := c.PrepayH5(ctx, plazapay.H5Request{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "LINK000002", NotifyURL: s.notify,
		Amount: plazapay.Amount{Total: 100}, SceneInfo: plazapay.H5SceneInfo{PayerClientIP: "127.0.0.1", H5Info: plazapay.H5Info{Type: "Wap"}}})
	if err != nil || !strings.HasPrefix(h5, "https://plaza.example.com/pay?pr=") {
		t.Fatalf("h5_url %q %v", h5, err)
	}
	if _, err := c.TradeBill(ctx, time.Now().In(cst).AddDate(0, 0, -1).Format("2006-01-02")); err != nil {
		t.Fatal(err)
	} else if b, _ := c.TradeBill(ctx, time.Now().In(cst).AddDate(0, 0, -1).Format("2006-01-02")); !strings.HasPrefix(b.DownloadURL, "https://plaza.example.com/v3/billdownload/file?token=") {
		t.Fatalf("download_url %q", b.DownloadURL)
	}
}

func readCSV(b []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}

// A merchant chooses its platform mode with its credentials. In public-key
// mode /v3/certificates is WeChat's 404; in certificate mode it serves the
// platform certificate sealed under the APIv3 key, and every answer and
// notification carries the certificate's serial, so a client that knows
// only the downloaded certificates works end to end (App payment included).
func TestPlatformCertificateMode(t *testing.T) {
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			ctx := context.Background()
			n := nodetest.Start(t, nodetest.Options{Postgres: pg, Tune: fastNotify})
			pk := newShop(t, n, "pubkeyshop")
			if err := pk.client.Do(ctx, "GET", "/v3/certificates", nil, nil); !plazapay.IsAPIError(err, "RESOURCE_NOT_EXISTS") {
				t.Fatalf("public-key mode: %v, want RESOURCE_NOT_EXISTS", err)
			}
			s := newShop(t, n, "certshop")
			pubPEM, _ := plazapay.PublicKeyPEM(&mkey(t).PublicKey)
			if r := s.owner.Do(t, "PUT", "/api/v1/merchants/"+s.mchid+"/credentials", map[string]any{"public_key_pem": string(pubPEM),
				"serial_no": "5157F09EFDC096DE", "apiv3_key": apiV3Key, "platform_mode": "sideways"}); r.Status != 400 {
				t.Fatalf("platform_mode sideways: %d %s", r.Status, r.Body)
			}
			if r := s.owner.Do(t, "PUT", "/api/v1/merchants/"+s.mchid+"/credentials", map[string]any{"public_key_pem": string(pubPEM),
				"serial_no": "5157F09EFDC096DE", "apiv3_key": apiV3Key, "platform_mode": "certificate"}); r.Status != 204 {
				t.Fatalf("credentials: %d %s", r.Status, r.Body)
			}
			if r := s.owner.Do(t, "GET", "/api/v1/merchants/"+s.mchid, nil); r.Str("merchant.platform_mode") != "certificate" {
				t.Fatalf("merchant: %s", r.Body)
			}
			// The merchant cache is a few seconds: wait until answers switch.
			cfg := s.client.Config
			cfg.PlatformKey, cfg.PlatformKeyID = nil, ""
			var certs []*x509.Certificate
			deadline := time.Now().Add(10 * time.Second)
			for {
				got, err := plazapay.DownloadCertificates(ctx, cfg)
				if err == nil {
					certs = got
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("certificates: %v", err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if len(certs) != 1 || plazapay.CertificateSerial(certs[0]) != n.Merchant.PlatformCertificateSerial() {
				t.Fatalf("certificates: %d", len(certs))
			}
			if k, ok := certs[0].PublicKey.(*rsa.PublicKey); !ok || !k.Equal(pk.client.PlatformKey) {
				t.Fatal("the certificate does not wrap the platform key")
			}
			cfg.Certificates = certs
			cc, err := plazapay.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			s.client = cc // the notification handler verifies with the certificate now
			ann := buyer(t, n, "ann", 5_000)
			code, err := cc.PrepayNative(ctx, plazapay.NativeRequest{AppID: "wx" + s.mchid, Description: "Tea", OutTradeNo: "CERT000001",
				NotifyURL: s.notify, Amount: plazapay.Amount{Total: 100}})
			if err != nil {
				t.Fatalf("native under the certificate: %v", err)
			}
			payLink(t, ann, code)
			if ev := s.next(t, "TRANSACTION.SUCCESS"); ev["out_trade_no"] != "CERT000001" {
				t.Fatalf("notification: %v", ev)
			}
			if tx, err := cc.QueryByOutTradeNo(ctx, "CERT000001"); err != nil || tx.TradeState != "SUCCESS" {
				t.Fatalf("query: %+v %v", tx, err)
			}
			if err := cc.Close(ctx, "CERT000001"); !plazapay.IsAPIError(err, "ORDER_PAID") {
				t.Fatalf("close a paid order: %v", err)
			}
			// A client that expects the public key id refuses these answers.
			pkOnly := *s.client
			pkOnly.Certificates, pkOnly.PlatformKey, pkOnly.PlatformKeyID = nil, pk.client.PlatformKey, pk.client.PlatformKeyID
			if _, err := pkOnly.QueryByOutTradeNo(ctx, "CERT000001"); err == nil || !errorsIsVerification(err) {
				t.Fatalf("a certificate-mode answer verified as public-key: %v", err)
			}

			prepay, err := cc.PrepayApp(ctx, plazapay.AppRequest{AppID: "wx" + s.mchid, Description: "In-app tea", OutTradeNo: "APP0000001",
				NotifyURL: s.notify, Amount: plazapay.Amount{Total: 200}})
			if err != nil || !strings.HasPrefix(prepay, "wx") {
				t.Fatalf("app prepay: %q %v", prepay, err)
			}
			params, err := cc.AppPayment("wx"+s.mchid, prepay)
			if err != nil || params.Package != "Sign=WXPay" || params.PartnerID != s.mchid || params.PrepayID != prepay {
				t.Fatalf("app params: %+v %v", params, err)
			}
			if err := plazapay.VerifyAppPaySign(&mkey(t).PublicKey, params.AppID, params.TimeStamp, params.NonceStr, params.PrepayID, params.Sign); err != nil {
				t.Fatal(err)
			}
			if tx, err := cc.QueryByOutTradeNo(ctx, "APP0000001"); err != nil || tx.TradeType != "APP" || tx.TradeState != "NOTPAY" {
				t.Fatalf("app order: %+v %v", tx, err)
			}
		})
	}
}

func errorsIsVerification(err error) bool { return errors.Is(err, plazapay.ErrVerification) }

// An App order's payment parameters are checked before the payer sees it:
// the sign over appid\ntimestamp\nnoncestr\nprepayid\n with the merchant's
// key, package Sign=WXPay, partnerid the merchant.
func TestAppPaymentRequest(t *testing.T) {
	ctx := context.Background()
	n := nodetest.Start(t, nodetest.Options{Tune: fastNotify})
	s := newShop(t, n, "appshop")
	ann := buyer(t, n, "ann", 5_000)
	prepay, err := s.client.PrepayApp(ctx, plazapay.AppRequest{AppID: "wx" + s.mchid, Description: "In-app tea", OutTradeNo: "APPPAY0001",
		NotifyURL: s.notify, Amount: plazapay.Amount{Total: 300}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.client.AppPayment("wx"+s.mchid, prepay)
	if err != nil {
		t.Fatal(err)
	}
	for what, mutate := range map[string]func(*plazapay.AppPaymentParams){
		"a forged sign": func(q *plazapay.AppPaymentParams) { q.NonceStr = "forged" },
		"the prefixed prepay_id": func(q *plazapay.AppPaymentParams) {
			q.Sign, _ = plazapay.AppPaySign(mkey(t), q.AppID, q.TimeStamp, q.NonceStr, "prepay_id="+q.PrepayID)
		},
		"another partnerid": func(q *plazapay.AppPaymentParams) { q.PartnerID = "1600000000" },
		"another package":   func(q *plazapay.AppPaymentParams) { q.Package = "prepay_id=" + q.PrepayID },
		"another app":       func(q *plazapay.AppPaymentParams) { q.AppID = "wxother" },
	} {
		q := p
		mutate(&q)
		if r := ann.Do(t, "POST", "/api/v1/pay/app-request", q); r.Status != 422 || r.Code() != "bad_pay_sign" {
			t.Errorf("%s: %d %s", what, r.Status, r.Body)
		}
	}
	r := ann.Do(t, "POST", "/api/v1/pay/app-request", p)
	if r.Status != 200 || r.Str("prepay_id") != prepay || r.Str("trade_type") != "APP" {
		t.Fatalf("app request: %d %s", r.Status, r.Body)
	}
	if r := ann.Do(t, "POST", "/api/v1/pay/confirm", map[string]any{"prepay_id": prepay, "pin": "112233"}); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	if ev := s.next(t, "TRANSACTION.SUCCESS"); ev["out_trade_no"] != "APPPAY0001" || ev["trade_type"] != "APP" {
		t.Fatalf("notification: %v", ev)
	}
}
