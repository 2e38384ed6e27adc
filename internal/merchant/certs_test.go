package merchant_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// A merchant chooses its platform mode with its credentials. In public-key
// mode /v3/certificates is WeChat's 404; in certificate mode it serves the
// platform certificate sealed under the APIv3 key, and every answer and
// notification carries the certificate's serial, so a client that knows
// only the downloaded certificates works end to end (App payment included).
func TestPlatformCertificateMode(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{Tune: fastNotify}, func(t *testing.T, n *node.Node) {
		ctx := context.Background()
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
		var lastErr error
		defer func() {
			if certs == nil {
				t.Logf("certificates: %v", lastErr)
			}
		}()
		nodetest.WaitFor(t, 10*time.Second, func() bool {
			certs, lastErr = plazapay.DownloadCertificates(ctx, cfg)
			return lastErr == nil
		})
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

func errorsIsVerification(err error) bool { return errors.Is(err, plazapay.ErrVerification) }
