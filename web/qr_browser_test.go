package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"rsc.io/qr"

	"github.com/plaza-dev/plaza/internal/node"
	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// upload picks a picture in the Scan page's "Choose image".
func upload(b *bt.Browser, path string) {
	b.Run("choosing an image", bt.Visible("#scan-my-code"), chromedp.SetUploadFiles(chromedp.CSS("#scan-file"), []string{path}))
}

// codePNG saves what url serves (a code's image) as a file for "Choose image".
func codePNG(t *testing.T, c *nodetest.Client, url, name string) string {
	t.Helper()
	r := c.Do(t, "GET", url, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("code image %s: %d %s", url, r.Status, r.Body)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, r.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Alice shows My QR code, Bob scans a picture of it and asks to be her
// contact; Alice shows a receive-money code for ¥8.88, Bob scans it and
// pays with his PIN, and her Receive Money screen shows it arrive; Bob
// scans the tea shop's Native code and lands on its pay page. On a phone
// and on a desktop.
func TestQrInBrowser(t *testing.T) {
	alloc := bt.Allocator(t)
	n := nodetest.Start(t, nodetest.Options{})
	shop := newMerchantClient(t, n, "teahouse", "wxshop")
	for i, size := range [][2]int64{bt.Phone, {1440, 900}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			playQr(t, alloc, n, shop, size, i)
		})
	}
}

func playQr(t *testing.T, alloc context.Context, n *node.Node, shop *plazapay.Client, size [2]int64, i int) {
	aliceName, bobName := fmt.Sprintf("alice%d", i), fmt.Sprintf("bob%d", i)
	alice := nodetest.Signup(t, n.URL(), aliceName)
	bob := nodetest.Signup(t, n.URL(), bobName)
	bob.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "258369", "password": "correct horse"})
	bob.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 10_000, "currency": "CNY"}, "Idempotency-Key", "seed")

	a := bt.New(t, alloc, aliceName, size)
	b := bt.New(t, alloc, bobName, size)
	login(a, n.URL(), aliceName)
	login(b, n.URL(), bobName)

	// My QR code, from Me.
	a.Run("opening Me", bt.Click(`[data-tab="me"]`), bt.Visible("#me-qrcode"))
	a.Screenshot("me")
	a.Run("opening My QR code", bt.Click("#me-qrcode"), bt.Visible(".qr-image.loaded #my-qr-image"))
	a.Screenshot("my-qr-code")
	payload := a.Attrs("#my-qr-card", "data-payload")[0]
	if !strings.HasPrefix(payload, n.URL()+"/u/") {
		t.Fatalf("my code's payload is %q", payload)
	}
	mine := codePNG(t, alice, a.Attrs("#my-qr-image", "src")[0], "alice.png")

	// Bob: "+" on Chats → Scan → Choose image.
	b.Run("opening the + menu", bt.Click("#chats-plus"), bt.Visible("#chats-plus-menu"))
	b.Screenshot("plus-menu")
	b.Run("opening Scan", bt.Click("#plus-scan"), bt.Visible("#scan-no-camera")) // headless Chromium has no camera
	b.Screenshot("scan-no-camera")
	upload(b, mine)
	b.Run("seeing Alice's card", bt.Visible(`#qr-contact-page[data-state="person"] #qr-add-contact`))
	bt.WaitText(b, "#qr-person-name", strings.ToUpper(aliceName[:1])+aliceName[1:])
	b.Screenshot("contact-card")
	b.Run("asking to be contacts", bt.Click("#qr-add-contact"), bt.Visible("#qr-request-sent"))
	b.Screenshot("request-sent")
	reqs := alice.Do(t, "GET", "/api/v1/contacts/requests", nil)
	if !strings.Contains(string(reqs.Body), `"username":"`+bobName+`"`) {
		t.Fatalf("alice has no request from bob: %s", reqs.Body)
	}

	// Receive money for ¥8.88, from the Wallet.
	a.Run("opening the Wallet", bt.Click(`[data-tab="wallet"]`), bt.Visible("#wallet-receive"))
	a.Screenshot("wallet")
	a.Run("opening Receive money", bt.Click("#wallet-receive"), bt.Visible(".qr-image.loaded #receive-qr-image"))
	plain := a.Attrs("#receive-qr-image", "src") // the code without an amount
	a.Run("setting ¥8.88", bt.Click("#receive-set-amount"), bt.Visible("#receive-amount-input"),
		bt.Type("#receive-amount-input", "8.88"), bt.Click("#receive-amount-ok"),
		bt.Visible(`#receive-card[data-amount="888"] .qr-image.loaded #receive-qr-image`))
	bt.WaitText(a, "#receive-amount", "¥8.88")
	// The card takes the amount before its image is replaced by the
	// amount's code: wait for an image other than the plain one.
	var src []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		src = a.Attrs(`#receive-card[data-amount="888"] .qr-image.loaded #receive-qr-image`, "src")
		if len(src) == 1 && src[0] != "" && (len(plain) != 1 || src[0] != plain[0]) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receive code's image never became the amount's: %q (plain %q)", src, plain)
		}
	}
	a.Screenshot("receive-code")
	receive := codePNG(t, alice, src[0], "receive.png")

	b.Run("scanning the receive code", chromedp.Navigate(n.URL()+"/scan"), bt.Visible("#scan-stage"))
	upload(b, receive)
	b.Run("seeing whom to pay", bt.Visible(`#pay-person-page[data-state="pay"] #pay-person-pay`))
	bt.WaitText(b, "#pay-person-amount", "¥8.88")
	b.Screenshot("pay-person")
	b.Run("paying", bt.Click("#pay-person-pay"))
	enterPIN(b, "258369")
	b.Run("paid", bt.Visible("#pay-person-success"))
	b.Screenshot("paid-person")
	if got := balanceCNY(t, alice); got != 888 {
		t.Fatalf("alice received %d, want 888", got)
	}
	if got := balanceCNY(t, bob); got != 10_000-888 {
		t.Fatalf("bob has %d, want %d", got, 10_000-888)
	}
	a.Run("seeing it arrive", bt.Visible("#receive-list .receive-row"))
	a.Screenshot("received")

	// The tea shop's Native code.
	codeURL, err := shop.PrepayNative(context.Background(), plazapay.NativeRequest{AppID: "wxshop", Description: "Oolong 250g",
		OutTradeNo: fmt.Sprintf("QRB2026120200%d", i), NotifyURL: "http://127.0.0.1:1/notify", Amount: plazapay.Amount{Total: 3_800}})
	if err != nil {
		t.Fatal(err)
	}
	shopCode := filepath.Join(t.TempDir(), "shop.png")
	c, err := qr.Encode(codeURL, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	c.Scale = 6
	if err := os.WriteFile(shopCode, c.PNG(), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Run("scanning the shop's code", chromedp.Navigate(n.URL()+"/scan"), bt.Visible("#scan-stage"))
	upload(b, shopCode)
	b.Run("seeing the shop's pay page", bt.Visible("#pay-confirm"))
	bt.WaitText(b, "#pay-amount", "¥38.00")
	b.Screenshot("shop-pay")

	// A code that is not Plaza's: shown, not followed.
	other := filepath.Join(t.TempDir(), "other.png")
	c, _ = qr.Encode("https://example.org/menu", qr.M)
	c.Scale = 6
	os.WriteFile(other, c.PNG(), 0o644)
	b.Run("scanning another site's code", chromedp.Navigate(n.URL()+"/scan"), bt.Visible("#scan-stage"))
	upload(b, other)
	b.Run("seeing the link", bt.Visible(`#scan-result[data-kind="link"] #scan-open-link`))
	if href := b.Attrs("#scan-open-link", "href")[0]; href != "https://example.org/menu" {
		t.Fatalf("the link is %q", href)
	}
	b.Screenshot("foreign-link")
}

func balanceCNY(t *testing.T, c *nodetest.Client) int64 {
	t.Helper()
	for _, x := range c.Do(t, "GET", "/api/v1/wallet", nil).Get("balances").([]any) {
		if m := x.(map[string]any); m["currency"] == "CNY" {
			return int64(m["amount"].(float64))
		}
	}
	return 0
}

// With a camera (Chromium's fake one, playing a video of Alice's code) the
// Scan page shows the viewfinder over the picture and reads the code from
// the camera itself.
func TestQrScanWithCamera(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	alice := nodetest.Signup(t, n.URL(), "alice")
	nodetest.Signup(t, n.URL(), "bob")
	mine := alice.Do(t, "GET", "/api/v1/me/qrcode", nil)
	img := alice.Do(t, "GET", mine.Str("url"), nil)
	video := filepath.Join(t.TempDir(), "code.y4m")
	writeY4M(t, video, img.Body)
	alloc := bt.Allocator(t, chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video))
	b := bt.New(t, alloc, "bob", bt.Phone)
	login(b, n.URL(), "bob")
	b.Run("opening Discover", bt.Click(`[data-tab="discover"]`), bt.Visible("#discover-scan"))
	b.Screenshot("discover")
	b.Run("opening Scan from Discover", bt.Click("#discover-scan"))
	b.Run("reading the code from the camera", bt.Visible(`#qr-contact-page[data-state="person"]`))
	bt.WaitText(b, "#qr-person-name", "Alice")
	b.Screenshot("camera-read")

	// A camera that shows no code: the live viewfinder.
	plain := filepath.Join(t.TempDir(), "plain.y4m")
	writeY4M(t, plain, nil)
	alloc2 := bt.Allocator(t, chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", plain))
	c := bt.New(t, alloc2, "bob", bt.Phone)
	login(c, n.URL(), "bob")
	c.Run("opening Scan", chromedp.Navigate(n.URL()+"/scan"), bt.Visible(`#scan-stage[data-camera="on"] .scan-line`))
	c.Screenshot("viewfinder")
}

// writeY4M writes a short YUV4MPEG2 video of a PNG centred on a grey desk
// (nil: the desk only), for Chromium's fake camera.
func writeY4M(t *testing.T, path string, pngBytes []byte) {
	t.Helper()
	const w, h = 640, 480
	var src image.Image
	if pngBytes != nil {
		var err error
		if src, err = png.Decode(bytes.NewReader(pngBytes)); err != nil {
			t.Fatal(err)
		}
	}
	y := make([]byte, w*h)
	for i := range y {
		y[i] = 150
	}
	if src != nil {
		sb := src.Bounds()
		ox, oy := (w-sb.Dx())/2, (h-sb.Dy())/2
		for py := 0; py < sb.Dy(); py++ {
			for px := 0; px < sb.Dx(); px++ {
				r, g, bl, _ := src.At(sb.Min.X+px, sb.Min.Y+py).RGBA()
				lum := (299*r + 587*g + 114*bl) / 1000 >> 8
				if x, yy := ox+px, oy+py; x >= 0 && x < w && yy >= 0 && yy < h {
					y[yy*w+x] = byte(lum)
				}
			}
		}
	}
	chroma := bytes.Repeat([]byte{128}, w*h/4)
	var out bytes.Buffer
	fmt.Fprintf(&out, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	for f := 0; f < 10; f++ {
		out.WriteString("FRAME\n")
		out.Write(y)
		out.Write(chroma)
		out.Write(chroma)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
