package node_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/miniapp"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/secrets"
	"github.com/plaza-dev/plaza/internal/trust"
)

// auditCount is how many records of action on target the log holds.
func auditCount(t *testing.T, n *node.Node, action, target string) int {
	t.Helper()
	items, _, err := n.Trust.Entries(context.Background(), -1, 10000)
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for _, it := range items {
		if it.Action == action && it.Target == target {
			k++
		}
	}
	return k
}

func auditRecord(t *testing.T, n *node.Node, action, target string) trust.Record {
	t.Helper()
	items, _, err := n.Trust.Entries(context.Background(), -1, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Action == action && it.Target == target {
			return it
		}
	}
	t.Fatalf("no %s of %s in the log", action, target)
	return trust.Record{}
}

// heard collects the events published on one subject.
type heard struct {
	mu   sync.Mutex
	data [][]byte
}

func (h *heard) add(m *bus.Message) { h.mu.Lock(); h.data = append(h.data, m.Data); h.mu.Unlock() }

func (h *heard) len() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.data) }

func (h *heard) at(i int) []byte { h.mu.Lock(); defer h.mu.Unlock(); return h.data[i] }

func login(t *testing.T, n *node.Node, username, password string) *nodetest.Client {
	t.Helper()
	c := nodetest.NewClient(n.URL())
	r := c.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password})
	if r.Status != 200 {
		t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	c.Token = r.Str("token")
	return c
}

func miniPackage(appid string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range map[string]string{
		"manifest.json": fmt.Sprintf(`{"app_id":%q,"name":"Audited","icons":[{"src":"icon.png"}],"pages":["pages/index"],
			"platform_version":{"min_code":1},"version":{"code":1,"name":"1.0"}}`, appid),
		"app.js": "", "app.css": "", "icon.png": "png", "pages/index.html": "<h1>Hi</h1>",
	} {
		f, _ := w.Create(name)
		f.Write([]byte(body))
	}
	w.Close()
	return b.Bytes()
}

// submitted makes an app with version 1 sent to review, and returns its id.
func submitted(t *testing.T, dev *nodetest.Client) string {
	t.Helper()
	r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Audited " + ids.Token(4), "request_domains": []string{}})
	appid := r.Str("appid")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("package", "app.zip")
	part.Write(miniPackage(appid))
	mw.Close()
	if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions", body.Bytes(), "Content-Type", mw.FormDataContentType()); r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/versions/1/submit", nil); r.Status != 200 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	return appid
}

// Every administrative and security action a component publishes through
// the outbox is recorded in the audit log exactly once, also when its
// event is delivered twice (at least once allows it): the test delivers
// the event again under a new message id, then makes the same action
// happen to something else, whose record (the consumer is in order)
// proves the duplicate was consumed before it.
func TestActionsAreAuditedOnce(t *testing.T) {
	t.Parallel()
	type action struct {
		subject string
		// act makes the action happen for the i-th time and returns the
		// log's action and target for it.
		act func(t *testing.T, n *node.Node, i int) (string, string)
		// check looks at the first record.
		check func(t *testing.T, r trust.Record)
	}
	ctx := context.Background()
	actions := map[string]action{
		"admin_made": {account.AdminMadeSubject, func(t *testing.T, n *node.Node, i int) (string, string) {
			u, err := n.Accounts.CreateAdmin(ctx, fmt.Sprintf("operator%d", i), "sturdy-pass-1", "US")
			if err != nil {
				t.Fatal(err)
			}
			return "admin.made", "user:" + u.ID
		}, func(t *testing.T, r trust.Record) {
			if r.Actor != "operator" || !strings.Contains(string(r.Details), `"created":true`) || strings.Contains(string(r.Details), "operator0") || strings.Contains(string(r.Details), "sturdy") {
				t.Fatalf("record %+v %s", r, r.Details)
			}
		}},
		"login_locked": {account.LoginLockedSubject, func(t *testing.T, n *node.Node, i int) (string, string) {
			name := fmt.Sprintf("locked%d", i)
			c := nodetest.Signup(t, n.URL(), name)
			id := c.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
			for k := range 5 {
				r := nodetest.NewClient(n.URL()).Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": name, "password": fmt.Sprintf("wrong-%d", k)})
				if r.Status != 401 {
					t.Fatalf("wrong password %d: %d %s", k, r.Status, r.Body)
				}
			}
			return "account.locked", "user:" + id
		}, func(t *testing.T, r trust.Record) {
			if r.Actor != "system" || !strings.Contains(string(r.Details), `"failures":5`) || strings.Contains(string(r.Details), "wrong-") || strings.Contains(string(r.Details), "locked0") {
				t.Fatalf("record %+v %s", r, r.Details)
			}
		}},
		"version_reviewed": {miniapp.VersionReviewedSubject, func(t *testing.T, n *node.Node, i int) (string, string) {
			dev := nodetest.Signup(t, n.URL(), fmt.Sprintf("auditdev%d", i))
			appid := submitted(t, dev)
			if _, err := n.Accounts.CreateAdmin(ctx, "reviewer", "sturdy-pass-1", "US"); err != nil {
				t.Fatal(err)
			}
			adm := login(t, n, "reviewer", "sturdy-pass-1")
			verb, decision := "approve", "approved"
			if i == 0 {
				verb, decision = "reject", "rejected"
			}
			if r := adm.Do(t, "POST", "/api/v1/admin/miniapps/"+appid+"/versions/1/"+verb, map[string]string{"reason": "Broken icon"}); r.Status != 200 {
				t.Fatalf("%s: %d %s", verb, r.Status, r.Body)
			}
			return "miniapp.version_" + decision, "app:" + appid
		}, func(t *testing.T, r trust.Record) {
			if !strings.HasPrefix(r.Actor, "u_") || !strings.Contains(string(r.Details), `"reason":"Broken icon"`) || !strings.Contains(string(r.Details), `"version":1`) {
				t.Fatalf("record %+v %s", r, r.Details)
			}
		}},
		"app_secret_rotated": {miniapp.AppSecretRotatedSubject, func(t *testing.T, n *node.Node, i int) (string, string) {
			dev := nodetest.Signup(t, n.URL(), fmt.Sprintf("secretdev%d", i))
			r := dev.Do(t, "POST", "/api/v1/miniapps", map[string]any{"name": "Keyed", "request_domains": []string{}})
			appid := r.Str("appid")
			if r := dev.Do(t, "POST", "/api/v1/miniapps/"+appid+"/secret", nil); r.Status != 200 {
				t.Fatalf("rotate: %d %s", r.Status, r.Body)
			}
			return "miniapp.secret_rotated", "app:" + appid
		}, func(t *testing.T, r trust.Record) {
			if !strings.HasPrefix(r.Actor, "u_") || !strings.HasPrefix(string(r.Details), `{"rotated_at":"`) || strings.Count(string(r.Details), ":") > 3 {
				t.Fatalf("record %+v %s", r, r.Details)
			}
		}},
		"pin_locked": {pay.PINLockedSubject, func(t *testing.T, n *node.Node, i int) (string, string) {
			c := nodetest.Signup(t, n.URL(), fmt.Sprintf("pinner%d", i))
			id := c.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
			if r := c.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "135790", "password": "correct horse"}); r.Status/100 != 2 {
				t.Fatalf("set pin: %d %s", r.Status, r.Body)
			}
			for k := range pay.MaxPINFailures {
				r := c.Do(t, "PUT", "/api/v1/wallet/pin", map[string]string{"pin": "246801", "old_pin": fmt.Sprintf("00000%d", k)})
				if r.Status != 422 {
					t.Fatalf("wrong PIN %d: %d %s", k, r.Status, r.Body)
				}
			}
			return "pay.pin_locked", "user:" + id
		}, func(t *testing.T, r trust.Record) {
			if r.Actor != "system" || !strings.Contains(string(r.Details), `"purpose":"pin_change"`) || strings.Contains(string(r.Details), "00000") ||
				strings.Contains(string(r.Details), "135790") {
				t.Fatalf("record %+v %s", r, r.Details)
			}
		}},
		"key_rotated": {secrets.KeyRotatedSubject, func(t *testing.T, n *node.Node, i int) (string, string) {
			p := []secrets.Purpose{secrets.Bill, secrets.Trial}[i]
			if _, err := secrets.Rotate(ctx, secrets.Config{DB: n.DB, DataDir: n.Config.DataDir}, p, "cli:tester@host"); err != nil {
				t.Fatal(err)
			}
			return "secret.rotated", "secret:" + string(p)
		}, func(t *testing.T, r trust.Record) {
			var d struct{ Fingerprint, By string }
			json.Unmarshal(r.Details, &d)
			if r.Actor != "operator" || len(d.Fingerprint) != 16 || d.By != "cli:tester@host" {
				t.Fatalf("record %+v %s", r, r.Details)
			}
		}},
	}
	for name, a := range actions {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
				var h heard
				sub, err := n.Bus.Subscribe(a.subject, h.add)
				if err != nil {
					t.Fatal(err)
				}
				defer sub.Unsubscribe()
				action, target := a.act(t, n, 0)
				nodetest.WaitFor(t, 10*time.Second, func() bool { return h.len() >= 1 && auditCount(t, n, action, target) == 1 })
				a.check(t, auditRecord(t, n, action, target))
				// Delivered again, as a relay that crashed after publishing
				// would; then the action once more, elsewhere.
				if err := n.Bus.PublishEvent(ctx, a.subject, h.at(0), "again-"+ids.Token(8)); err != nil {
					t.Fatal(err)
				}
				action2, target2 := a.act(t, n, 1)
				nodetest.WaitFor(t, 10*time.Second, func() bool { return auditCount(t, n, action2, target2) == 1 })
				if k := auditCount(t, n, action, target); k != 1 {
					t.Fatalf("%s of %s is logged %d times", action, target, k)
				}
				if v, err := n.Trust.Verify(ctx); err != nil || !v.OK {
					t.Fatalf("verify: %+v %v", v, err)
				}
			})
		})
	}
}
