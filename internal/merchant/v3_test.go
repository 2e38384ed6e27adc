package merchant_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// description and attach refuse control characters (they end up in bills
// and notifications).
func TestOrderFieldsRefuseControlCharacters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
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
	})
}

// SIGN_ERROR tells an unsigned caller nothing about which mchids exist.
func TestSignErrorIsTheSameForUnknownMerchants(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
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
	})
}

// Links are built from the public URL, not from the Host a shop sent.
func TestLinksUseThePublicURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nodetest.Run(t, nodetest.Options{Tune: func(c *node.Config) { c.PublicURL = "https://plaza.example.com" }}, func(t *testing.T, n *node.Node) {
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
	})
}
