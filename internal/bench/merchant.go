package bench

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// MerchantConfig is plaza bench merchant's flags.
type MerchantConfig struct {
	Addr        string
	Duration    time.Duration
	Merchants   int
	Payers      int
	Concurrency int
	Log         func(format string, args ...any)
}

// MerchantResult is what plaza bench merchant prints.
type MerchantResult struct {
	OrdersPerSec         float64 `json:"orders_per_sec"`
	SignedRequestsPerSec float64 `json:"signed_requests_per_sec"`
	P50                  float64 `json:"p50_ms"`
	P99                  float64 `json:"p99_ms"`
	RSASignPerSec        float64 `json:"rsa_sign_per_sec"`
	RatioToRSABound      float64 `json:"ratio_to_rsa_bound"`
	// RSAShare counts the platform's signature of each payment's
	// notification as well: the share of the machine's RSA capacity spent.
	RSAShare  float64        `json:"rsa_share_with_notifications"`
	Orders    int64          `json:"orders"`
	Failures  map[string]int `json:"failures"`
	Merchants int            `json:"merchants"`
}

// RSASignPerSec measures RSA-2048 signatures a second on every core.
func RSASignPerSec(d time.Duration) float64 {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	digest := sha256.Sum256([]byte("plaza"))
	var n atomic.Int64
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				plazapay.Sign(key, digest[:])
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return round2(float64(n.Load()) / d.Seconds())
}

type benchShop struct {
	client *plazapay.Client
	appid  string
}

// Merchant plays many shops placing Native orders, having them paid and
// querying them, all with real signatures.
func Merchant(ctx context.Context, cfg MerchantConfig) (MerchantResult, error) {
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 32
	}
	if cfg.Payers == 0 {
		cfg.Payers = 50
	}
	logf := func(f string, a ...any) {
		if cfg.Log != nil {
			cfg.Log(f, a...)
		}
	}
	a := newAPI(cfg.Addr)
	prefix := "m" + ids.Token(4)
	logf("creating %d merchants and %d payers…", cfg.Merchants, cfg.Payers)
	owners, err := a.signupMany(ctx, prefix+"o", max(cfg.Merchants, 1), 8)
	if err != nil {
		return MerchantResult{}, err
	}
	payers, err := a.signupMany(ctx, prefix+"p", cfg.Payers, 16)
	if err != nil {
		return MerchantResult{}, err
	}
	if err := parallelDo(len(payers), 16, func(i int) error {
		if err := a.call(ctx, "PUT", "/api/v1/wallet/pin", payers[i].Token, map[string]string{"pin": benchPIN, "password": "bench-password"}, nil); err != nil {
			return err
		}
		return a.call(ctx, "POST", "/api/v1/wallet/topups", payers[i].Token, map[string]any{"amount": 100_000_000, "currency": "CNY"}, nil, "Idempotency-Key", "seed")
	}); err != nil {
		return MerchantResult{}, err
	}
	shops := make([]benchShop, len(owners))
	if err := parallelDo(len(owners), 4, func(i int) error {
		sh, err := setupShop(ctx, a, owners[i], cfg.Addr)
		shops[i] = sh
		return err
	}); err != nil {
		return MerchantResult{}, err
	}
	// The shops' notification endpoint: it answers 204, as a healthy shop
	// does, so each payment is notified once (a dead endpoint would be
	// retried, and every retry is another platform signature).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return MerchantResult{}, err
	}
	notifySrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})}
	go notifySrv.Serve(ln)
	defer notifySrv.Close()
	notifyURL := "http://" + ln.Addr().String() + "/notify"

	logf("measuring RSA-2048 signing on %d cores…", runtime.NumCPU())
	rsaRate := RSASignPerSec(2 * time.Second)

	logf("placing, paying and querying orders for %v with %d in flight…", cfg.Duration, cfg.Concurrency)
	var orders, signed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	fails := map[string]int{}
	fail := func(err error) {
		code := "network"
		if e, ok := err.(*plazapay.APIError); ok {
			code = e.Code
		} else if e, ok := err.(*apiError); ok {
			code = e.Code
		}
		mu.Lock()
		fails[code]++
		mu.Unlock()
	}
	timed := func(f func() error) error {
		t0 := time.Now()
		err := f()
		if err == nil {
			d := time.Since(t0)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
			signed.Add(1)
		}
		return err
	}
	start := time.Now()
	end := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; time.Now().Before(end) && ctx.Err() == nil; k++ {
				sh := shops[(w+k)%len(shops)]
				p := payers[(w*7+k)%len(payers)]
				no := fmt.Sprintf("B%s%03d%06d", prefix[1:], w, k)
				var code string
				if err := timed(func() (err error) {
					code, err = sh.client.PrepayNative(ctx, plazapay.NativeRequest{AppID: sh.appid, Description: "Bench tea", OutTradeNo: no,
						NotifyURL: notifyURL, Amount: plazapay.Amount{Total: 100 + int64(k%900)}})
					return err
				}); err != nil {
					fail(err)
					continue
				}
				u, _ := url.Parse(code)
				if err := a.call(ctx, "POST", "/api/v1/pay/confirm", p.Token, map[string]string{"prepay_id": u.Query().Get("pr"), "pin": benchPIN}, nil); err != nil {
					fail(err)
					continue
				}
				if err := timed(func() error {
					tx, err := sh.client.QueryByOutTradeNo(ctx, no)
					if err == nil && tx.TradeState != "SUCCESS" {
						err = fmt.Errorf("state %s", tx.TradeState)
					}
					return err
				}); err != nil {
					fail(err)
					continue
				}
				orders.Add(1)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	ps := percentiles(lat, 0.5, 0.99)
	res := MerchantResult{OrdersPerSec: round2(float64(orders.Load()) / el), SignedRequestsPerSec: round2(float64(signed.Load()) / el),
		P50: ps[0], P99: ps[1], RSASignPerSec: rsaRate, Orders: orders.Load(), Failures: fails, Merchants: len(shops)}
	if rsaRate > 0 {
		res.RatioToRSABound = round2(res.SignedRequestsPerSec * 2 / rsaRate)
		res.RSAShare = round2((res.SignedRequestsPerSec*2 + res.OrdersPerSec) / rsaRate)
	}
	return res, nil
}

func setupShop(ctx context.Context, a *api, owner user, base string) (benchShop, error) {
	var m struct {
		Merchant struct{ MchID string } `json:"merchant"`
	}
	if err := a.call(ctx, "POST", "/api/v1/merchants", owner.Token, map[string]string{"name": "Bench shop", "region": "CN"}, &m); err != nil {
		return benchShop{}, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return benchShop{}, err
	}
	pub, _ := plazapay.PublicKeyPEM(&key.PublicKey)
	apiV3 := ids.Token(20)[:32]
	mch := m.Merchant.MchID
	if err := a.call(ctx, "PUT", "/api/v1/merchants/"+mch+"/credentials", owner.Token, map[string]string{"public_key_pem": string(pub), "serial_no": "BE7C4", "apiv3_key": apiV3}, nil); err != nil {
		return benchShop{}, err
	}
	appid := "wx" + mch
	if err := a.call(ctx, "POST", "/api/v1/merchants/"+mch+"/apps", owner.Token, map[string]string{"appid": appid}, nil); err != nil {
		return benchShop{}, err
	}
	var pk struct {
		PEM string `json:"public_key_pem"`
		ID  string `json:"public_key_id"`
	}
	if err := a.call(ctx, "GET", "/api/v1/merchants/"+mch+"/platform-key", owner.Token, nil, &pk); err != nil {
		return benchShop{}, err
	}
	platform, err := plazapay.ParsePublicKeyPEM([]byte(pk.PEM))
	if err != nil {
		return benchShop{}, err
	}
	c, err := plazapay.NewClient(plazapay.Config{BaseURL: base, MchID: mch, SerialNo: "BE7C4", PrivateKey: key, PlatformKey: platform,
		PlatformKeyID: pk.ID, APIv3Key: apiV3, HTTP: a.http})
	return benchShop{client: c, appid: appid}, err
}
