// Package demo seeds a node with people and things to try, for
// `plaza serve --demo`. Seeding twice changes nothing.
package demo

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/plaza-dev/plaza/examples/store"
	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/live"
	"github.com/plaza-dev/plaza/internal/merchant"
	"github.com/plaza-dev/plaza/internal/miniapp"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Password is every demo user's password.
const Password = "plaza-demo"

// AdminPassword is the demo administrator's password.
const AdminPassword = "plaza-admin"

type person struct{ username, name, region string }

var people = []person{
	{"alice", "Alice Chen", "CN"},
	{"bob", "Bob Smith", "US"},
	{"carol", "Carol Müller", "DE"},
	// Chinese friends of alice's: the contacts page groups them by pinyin
	// (W 王芳, L 李娜, Z 张伟) and their chats are in Chinese.
	{"zhangwei", "张伟", "CN"},
	{"lina", "李娜", "CN"},
	{"wangfang", "王芳", "CN"},
}

// Services are what the demo seeds through.
type Services struct {
	Accounts *account.Service
	Chat     *chat.Service
	Pay      *pay.Service
	Merchant *merchant.Service
	MiniApps *miniapp.Service
	// Live, when set, gets Gadget Co.'s upcoming launch stream.
	Live *live.Service
	// StoreBackend is where the demo store's mini-program finds its
	// backend (http://store.localhost:8082 when empty); the backend itself
	// listens on loopback at the same port.
	StoreBackend string
	// DataDir and URL place the demo shop's configuration and tell it
	// where Plaza is.
	DataDir string
	URL     string
}

// PIN is every demo user's payment PIN.
const PIN = "123456"

// Seed creates the demo users and contacts if they are missing.
func Seed(ctx context.Context, s Services) error {
	users := map[string]account.User{}
	for _, p := range people {
		u, err := s.Accounts.UserByUsername(ctx, p.username)
		if errs.Is(err, errs.NotFound) {
			u, _, err = s.Accounts.Signup(ctx, account.SignupInput{
				Username: p.username, Password: Password, DisplayName: p.name, Region: p.region,
			}, account.ClientInfo{UserAgent: "plaza demo"})
		}
		if err != nil {
			return fmt.Errorf("demo user %s: %w", p.username, err)
		}
		users[p.username] = u
	}
	if _, err := s.Accounts.CreateAdmin(ctx, "admin", AdminPassword, "US"); err != nil {
		return fmt.Errorf("demo admin: %w", err)
	}
	// alice knows bob and carol; carol has asked bob, who has yet to answer.
	for _, pair := range [][2]string{{"alice", "bob"}, {"alice", "carol"}, {"alice", "zhangwei"}, {"alice", "lina"}, {"alice", "wangfang"}, {"zhangwei", "lina"}, {"zhangwei", "wangfang"}, {"lina", "wangfang"}} {
		if err := befriend(ctx, s.Accounts, users[pair[0]], users[pair[1]]); err != nil {
			return err
		}
	}
	_, err := s.Accounts.SendContactRequest(ctx, users["carol"].ID, "bob", "Hi Bob, it's Carol from the book club!")
	if err != nil && !errs.Is(err, errs.Conflict) {
		return err
	}
	if s.Chat != nil {
		if err := seedChats(ctx, s.Chat, users); err != nil {
			return err
		}
		if err := seedChineseChats(ctx, s.Chat, users); err != nil {
			return err
		}
	}
	if s.Pay != nil {
		if err := seedWallets(ctx, s.Pay, users); err != nil {
			return err
		}
	}
	if s.Merchant != nil && s.DataDir != "" {
		if err := seedShop(ctx, s); err != nil {
			return err
		}
	}
	if s.MiniApps != nil && s.Merchant != nil && s.DataDir != "" {
		if err := seedStore(ctx, s); err != nil {
			return err
		}
		if s.Live != nil {
			return seedLive(ctx, s)
		}
	}
	return nil
}

// seedWallets sets every demo user's PIN and gives each some money to
// send; the idempotency keys make a second run add nothing.
func seedWallets(ctx context.Context, p *pay.Service, users map[string]account.User) error {
	for _, person := range people {
		u := users[person.username]
		if err := p.SetPIN(ctx, u.ID, PIN, "", Password); err != nil {
			return fmt.Errorf("demo PIN: %w", err)
		}
		amount := int64(200_000)
		if person.username == "alice" {
			amount = 500_000
		}
		r := pay.Request{UserID: u.ID, Key: "demo-topup", Hash: "demo-topup"}
		if _, _, err := p.TopUp(ctx, r, amount, "CNY"); err != nil {
			return fmt.Errorf("demo top-up: %w", err)
		}
	}
	return nil
}

// seedChats gives alice a conversation with bob and a group with both
// friends, once: the client_ids make a second run change nothing.
func seedChats(ctx context.Context, c *chat.Service, users map[string]account.User) error {
	alice, bob, carol := users["alice"], users["bob"], users["carol"]
	d, _, err := c.CreateDirect(ctx, alice.ID, "bob")
	if err != nil {
		return fmt.Errorf("demo chat: %w", err)
	}
	lines := []struct {
		from account.User
		text string
	}{
		{bob, "Hey Alice! Are we still on for dinner on Friday?"},
		{alice, "Yes! 7pm at the dumpling place?"},
		{bob, "Perfect. I'll book a table 🥟"},
	}
	for i, l := range lines {
		if _, _, err := c.Send(ctx, l.from.ID, chat.SendInput{ConversationID: d.ID, ClientID: fmt.Sprintf("demo-%d", i), Text: l.text}); err != nil {
			return fmt.Errorf("demo chat: %w", err)
		}
	}
	list, _, err := c.List(ctx, alice.ID, "", 50)
	if err != nil {
		return err
	}
	for _, conv := range list {
		if conv.Type == chat.GroupType {
			return nil // seeded before
		}
	}
	g, err := c.CreateGroup(ctx, alice.ID, "Weekend hike", []string{"bob", "carol"})
	if err != nil {
		return fmt.Errorf("demo group: %w", err)
	}
	for i, l := range []struct {
		from account.User
		text string
	}{
		{carol, "Saturday looks sunny ☀️ Trail at 9?"},
		{bob, "I'm in. I'll bring snacks."},
	} {
		if _, _, err := c.Send(ctx, l.from.ID, chat.SendInput{ConversationID: g.ID, ClientID: fmt.Sprintf("demo-g%d", i), Text: l.text}); err != nil {
			return fmt.Errorf("demo group: %w", err)
		}
	}
	return nil
}

// seedChineseChats gives alice a chat in Chinese with zhangwei and the
// group 周末爬山 with her three Chinese friends, once.
func seedChineseChats(ctx context.Context, c *chat.Service, users map[string]account.User) error {
	alice, zhang, li, wang := users["alice"], users["zhangwei"], users["lina"], users["wangfang"]
	d, _, err := c.CreateDirect(ctx, zhang.ID, "alice")
	if err != nil {
		return fmt.Errorf("demo chat: %w", err)
	}
	for i, l := range []struct {
		from account.User
		text string
	}{
		{zhang, "Alice，周末有空吗？一起去吃火锅吧 🍲"},
		{alice, "好呀！周六晚上可以吗？"},
		{zhang, "没问题，我来订位子，六点半老地方见。"},
	} {
		if _, _, err := c.Send(ctx, l.from.ID, chat.SendInput{ConversationID: d.ID, ClientID: fmt.Sprintf("demo-zh-%d", i), Text: l.text}); err != nil {
			return fmt.Errorf("demo chat: %w", err)
		}
	}
	const hike = "周末爬山"
	list, _, err := c.List(ctx, zhang.ID, "", 50)
	if err != nil {
		return err
	}
	for _, conv := range list {
		if conv.Type == chat.GroupType && conv.Title == hike {
			return nil // seeded before
		}
	}
	g, err := c.CreateGroup(ctx, zhang.ID, hike, []string{"alice", "lina", "wangfang"})
	if err != nil {
		return fmt.Errorf("demo group: %w", err)
	}
	for i, l := range []struct {
		from account.User
		text string
	}{
		{zhang, "这周六去香山，早上八点东门集合，大家记得带水！"},
		{li, "收到 👍 我带点水果。"},
		{wang, "天气预报说是晴天，记得防晒～"},
		{alice, "我也去！需要带登山杖吗？"},
		{zhang, "不用，路不难走，穿双舒服的鞋就行。"},
	} {
		if _, _, err := c.Send(ctx, l.from.ID, chat.SendInput{ConversationID: g.ID, ClientID: fmt.Sprintf("demo-zh-g%d", i), Text: l.text}); err != nil {
			return fmt.Errorf("demo group: %w", err)
		}
	}
	return nil
}

func befriend(ctx context.Context, acc *account.Service, a, b account.User) error {
	if ok, err := acc.AreContacts(ctx, a.ID, b.ID); err != nil || ok {
		return err
	}
	req, err := acc.SendContactRequest(ctx, a.ID, b.Username, "Hi, it's "+a.DisplayName)
	if err != nil {
		return err
	}
	_, err = acc.AnswerContactRequest(ctx, b.ID, req.ID, true)
	return err
}

// ShopConfig is where the demo shop's configuration is written.
func ShopConfig(dataDir string) string { return filepath.Join(dataDir, "demo-shop", "shop.json") }

// seedShop registers "Leaf & Clay", an outside tea shop, as a merchant
// owned by the demo user "teahouse", with its own RSA key, and writes the
// configuration that examples/shop reads.
func seedShop(ctx context.Context, s Services) error {
	dir := filepath.Dir(ShopConfig(s.DataDir))
	owner, err := s.Accounts.UserByUsername(ctx, "teahouse")
	if errs.Is(err, errs.NotFound) {
		owner, _, err = s.Accounts.Signup(ctx, account.SignupInput{Username: "teahouse", Password: Password, DisplayName: "Leaf & Clay", Region: "CN"},
			account.ClientInfo{UserAgent: "plaza demo"})
	}
	if err != nil {
		return fmt.Errorf("demo shop owner: %w", err)
	}
	var cfg map[string]any
	if b, err := os.ReadFile(ShopConfig(s.DataDir)); err == nil && json.Unmarshal(b, &cfg) == nil {
		if _, err := s.Merchant.Merchant(ctx, fmt.Sprint(cfg["mchid"])); err == nil {
			cfg["plaza"] = s.URL // the node may listen elsewhere this time
			cfg["addr"], cfg["public_url"] = shopAddr, shopPublic
			b, _ := json.MarshalIndent(cfg, "", "  ")
			return os.WriteFile(ShopConfig(s.DataDir), b, 0o600)
		}
	}
	mc, err := newMerchant(ctx, s, owner.ID, "Leaf & Clay", "5EAF0C1A7D3B2E91", "leafclay-demo-apiv3-key-32-bytes", dir)
	if err != nil {
		return err
	}
	appid := "wx" + mc.mchid
	if err := s.Merchant.BindApp(ctx, owner.ID, mc.mchid, appid); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(map[string]any{
		"plaza": s.URL, "mchid": mc.mchid, "serial_no": mc.serial, "private_key_file": "merchant.pem",
		"platform_key": s.Merchant.PlatformKeyPEM(), "platform_key_id": s.Merchant.PlatformKeyID(),
		"apiv3_key": mc.apiV3, "appid": appid, "addr": shopAddr, "public_url": shopPublic,
	}, "", "  ")
	return os.WriteFile(ShopConfig(s.DataDir), b, 0o600)
}

type merchantKeys struct{ mchid, serial, apiV3 string }

// newMerchant onboards a merchant with a fresh RSA key, written as
// merchant.pem in dir.
func newMerchant(ctx context.Context, s Services, ownerID, name, serial, apiV3 string, dir string) (merchantKeys, error) {
	m, err := s.Merchant.CreateMerchant(ctx, ownerID, name, "CN")
	if err != nil {
		return merchantKeys{}, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return merchantKeys{}, err
	}
	pubPEM, _ := plazapay.PublicKeyPEM(&key.PublicKey)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := s.Merchant.SetCredentials(ctx, ownerID, m.MchID, string(pubPEM), serial, apiV3); err != nil {
		return merchantKeys{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return merchantKeys{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "merchant.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return merchantKeys{}, err
	}
	return merchantKeys{m.MchID, serial, apiV3}, nil
}

// StoreConfig is where the demo store backend's configuration is written.
func StoreConfig(dataDir string) string { return filepath.Join(dataDir, "demo-store", "store.json") }

// seedStore publishes Gadget Store, a mini-program of the developer
// "gadgetco": created, uploaded, approved by the demo administrator,
// released, bound to its merchant; and writes its backend's configuration.
func seedStore(ctx context.Context, s Services) error {
	dir := filepath.Dir(StoreConfig(s.DataDir))
	dev, err := s.Accounts.UserByUsername(ctx, "gadgetco")
	if errs.Is(err, errs.NotFound) {
		dev, _, err = s.Accounts.Signup(ctx, account.SignupInput{Username: "gadgetco", Password: Password, DisplayName: "Gadget Co.", Region: "CN"},
			account.ClientInfo{UserAgent: "plaza demo"})
	}
	if err != nil {
		return fmt.Errorf("demo store developer: %w", err)
	}
	var cfg map[string]any
	if b, err := os.ReadFile(StoreConfig(s.DataDir)); err == nil && json.Unmarshal(b, &cfg) == nil {
		if _, err := s.MiniApps.App(ctx, fmt.Sprint(cfg["appid"])); err == nil {
			cfg["plaza"] = s.URL
			b, _ := json.MarshalIndent(cfg, "", "  ")
			return os.WriteFile(StoreConfig(s.DataDir), b, 0o600)
		}
	}
	backend := s.StoreBackend
	if backend == "" {
		backend = storeBackendU
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(backend, "http://"))
	app, secret, err := s.MiniApps.CreateApp(ctx, dev.ID, "Gadget Store", "Phones, earbuds and chargers from Gadget Co., paid with Plaza Pay.",
		"Shopping", []string{backend})
	if err != nil {
		return err
	}
	zip, err := store.Package(app.AppID, 1, backend)
	if err != nil {
		return err
	}
	if _, err := s.MiniApps.Upload(ctx, dev.ID, app.AppID, zip); err != nil {
		return fmt.Errorf("demo store package: %w", err)
	}
	if _, err := s.MiniApps.Submit(ctx, dev.ID, app.AppID, 1); err != nil {
		return err
	}
	if _, err := s.MiniApps.Review(ctx, app.AppID, 1, true, "Demo"); err != nil {
		return err
	}
	if _, err := s.MiniApps.Release(ctx, dev.ID, app.AppID, 1); err != nil {
		return err
	}
	mc, err := newMerchant(ctx, s, dev.ID, "Gadget Co.", "6ADCE7C0", "gadgetco-demo-apiv3-key-32-bytes", dir)
	if err != nil {
		return err
	}
	if err := s.Merchant.BindApp(ctx, dev.ID, mc.mchid, app.AppID); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(map[string]any{
		"plaza": s.URL, "appid": app.AppID, "secret": secret, "mchid": mc.mchid, "serial_no": mc.serial,
		"private_key_file": "merchant.pem", "platform_key": s.Merchant.PlatformKeyPEM(), "platform_key_id": s.Merchant.PlatformKeyID(),
		"apiv3_key": mc.apiV3, "addr": "127.0.0.1:" + port,
	}, "", "  ")
	return os.WriteFile(StoreConfig(s.DataDir), b, 0o600)
}

// PrintWelcome tells a person how to use the demo: where Plaza is, who to
// sign in as, and the companions running beside it.
func PrintWelcome(w io.Writer, url string, companions *Companions) {
	fmt.Fprintf(w, `
  Plaza demo is running: open %s in a browser
  (a phone-sized window feels most at home; every *.localhost name reaches this machine).

  Sign in as any of these (password %q):
    alice   Alice Chen     (contacts: bob, carol; chats with bob and a group)
    bob     Bob Smith      (has a contact request from carol)
    carol   Carol Müller
    zhangwei 张伟 · lina 李娜 · wangfang 王芳   (alice's friends in Chinese: a chat with zhangwei, the group 周末爬山)
  Payment PIN of every demo user: 123456 (alice has ¥5,000.00, the others ¥2,000.00).
  Administrator: admin / %s
`, url, Password, AdminPassword)
	if companions != nil && len(companions.List) > 0 {
		fmt.Fprintf(w, "\n  Running beside Plaza, and stopped with it:\n")
		for _, c := range companions.List {
			fmt.Fprintf(w, "    %s\n", c)
		}
		fmt.Fprintf(w, "  In the tea shop, buy something and pay it in Plaza (open the QR code's link, signed in);\n")
		fmt.Fprintf(w, "  in Plaza, Discover → Gadget Store is a mini-program store with its own backend.\n")
		fmt.Fprintf(w, "  Discover → Live lists Gadget Co.'s upcoming launch stream: sign in as gadgetco (password %q) in a\n", Password)
		fmt.Fprintf(w, "  second browser and open it to go live with your camera; viewers watch, comment and buy in the stream.\n")
	}
	fmt.Fprintf(w, "\n  Stop with Ctrl-C.\n\n")
}
