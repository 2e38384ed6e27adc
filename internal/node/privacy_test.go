package node_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// testPNG is a w×w PNG whose pixels depend on seed (distinct bytes per
// seed; noisy, so it does not compress to nothing).
func testPNG(seed, w int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, w))
	x := uint32(seed*2654435761 + 1)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x)
	}
	img.Set(0, 0, color.RGBA{byte(seed), byte(seed >> 8), 1, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func uploadPNG(t *testing.T, c *nodetest.Client, data []byte) string {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "p.png")
	part.Write(data)
	w.Close()
	r := c.Do(t, "POST", "/api/v1/media", body.Bytes(), "Content-Type", w.FormDataContentType())
	if r.Status != 201 && r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return r.Str("media_id")
}

func send(t *testing.T, c *nodetest.Client, convID string, body map[string]any) *nodetest.Response {
	t.Helper()
	body["client_id"] = ids.New("c")
	r := c.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", body)
	if r.Status != 201 {
		t.Fatalf("send: %d %s", r.Status, r.Body)
	}
	return r
}

func conversation(t *testing.T, c *nodetest.Client, body map[string]any) string {
	t.Helper()
	r := c.Do(t, "POST", "/api/v1/conversations", body)
	if r.Status != 201 && r.Status != 200 {
		t.Fatalf("conversation: %d %s", r.Status, r.Body)
	}
	return r.Str("conversation.id")
}

// exportZip downloads the caller's zip and returns its files by name.
func exportZip(t *testing.T, c *nodetest.Client, headers ...string) (map[string][]byte, *nodetest.Response) {
	t.Helper()
	r := c.Do(t, "GET", "/api/v1/me/export", nil, headers...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %s %.200s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		files[f.Name] = b.Bytes()
	}
	return files, r
}

func jsonOf(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("not JSON: %v\n%.300s", err, data)
	}
	return v
}

func texts(items any) []string {
	var out []string
	list, _ := items.([]any)
	for _, it := range list {
		out = append(out, fmt.Sprint(it.(map[string]any)["text"]))
	}
	return out
}

// GET /me/export is the caller's data as the caller sees it, and nobody
// else's: their profile, contacts, sessions; every conversation they are
// in with its messages from their joining on (others' messages there
// included, as they read them), read marks; their uploads as files; their
// wallet's transactions. A conversation they are not in, another user's
// upload, wallet or session never appears. The zip is the default (a
// download), the same parts come as one JSON document for Accept:
// application/json or ?format=json.
func TestExportIsTheCallersDataOnly(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		eve := nodetest.Signup(t, n.URL(), "eve")
		fay := nodetest.Signup(t, n.URL(), "fay")
		gus := nodetest.Signup(t, n.URL(), "gus")
		hal := nodetest.Signup(t, n.URL(), "hal")
		nodetest.Befriend(t, eve, fay, "fay")
		nodetest.Befriend(t, eve, gus, "gus")
		nodetest.Befriend(t, fay, hal, "hal")
		direct := conversation(t, eve, map[string]any{"type": "direct", "username": "fay"})
		send(t, eve, direct, map[string]any{"kind": "text", "text": "hello fay"})
		send(t, fay, direct, map[string]any{"kind": "text", "text": "hi eve"})
		group := conversation(t, eve, map[string]any{"type": "group", "title": "Trip", "usernames": []string{"fay"}})
		evePNG, fayPNG := testPNG(1, 16), testPNG(2, 16)
		eveMedia := uploadPNG(t, eve, evePNG)
		send(t, eve, group, map[string]any{"kind": "image", "media_id": eveMedia})
		fayMedia := uploadPNG(t, fay, fayPNG)
		send(t, fay, group, map[string]any{"kind": "image", "media_id": fayMedia})
		send(t, fay, group, map[string]any{"kind": "text", "text": "before gus came"})
		if r := eve.Do(t, "POST", "/api/v1/conversations/"+group+"/members", map[string]any{"usernames": []string{"gus"}}); r.Status != 200 {
			t.Fatalf("add gus: %d %s", r.Status, r.Body)
		}
		send(t, gus, group, map[string]any{"kind": "text", "text": "gus here"})
		eve.Do(t, "POST", "/api/v1/conversations/"+group+"/read", map[string]any{"seq": 2})
		secret := conversation(t, fay, map[string]any{"type": "direct", "username": "hal"})
		send(t, fay, secret, map[string]any{"kind": "text", "text": "between fay and hal only"})
		if r := eve.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 1_000, "currency": "CNY"}, "Idempotency-Key", "e1"); r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}
		if r := fay.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 7_777, "currency": "CNY"}, "Idempotency-Key", "f1"); r.Status != 201 {
			t.Fatalf("top-up: %d %s", r.Status, r.Body)
		}

		files, r := exportZip(t, eve)
		today := time.Now().UTC().Format("2006-01-02")
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="plaza-export-eve-`+today+`.zip"` {
			t.Fatalf("Content-Disposition %q", cd)
		}
		var man struct {
			FormatVersion int    `json:"format_version"`
			Username      string `json:"username"`
			Files         int    `json:"files"`
			Parts         []struct {
				Name  string `json:"name"`
				Kind  string `json:"kind"`
				Count int    `json:"count"`
			} `json:"parts"`
		}
		if err := json.Unmarshal(files["manifest.json"], &man); err != nil || man.FormatVersion != 1 || man.Username != "eve" || man.Files != 1 {
			t.Fatalf("manifest: %v %s", err, files["manifest.json"])
		}
		counts := map[string]int{}
		for _, p := range man.Parts {
			counts[p.Name] = p.Count
		}
		for part, want := range map[string]int{"chat/messages/" + direct: 2, "chat/messages/" + group: 6, "account/contacts": 2, "chat/conversations": 2, "pay/transactions": 1} {
			if counts[part] != want {
				t.Errorf("manifest counts %s as %d, want %d (%s)", part, counts[part], want, files["manifest.json"])
			}
		}
		if got := texts(jsonOf(t, files["chat/messages/"+direct+".json"])); strings.Join(got, "|") != "hello fay|hi eve" {
			t.Fatalf("direct messages: %v", got)
		}
		if !strings.Contains(string(files["chat/messages/"+group+".json"]), "gus here") {
			t.Fatal("a later member's message is missing from the group")
		}
		if !bytes.Equal(files["media/"+eveMedia+".png"], evePNG) {
			t.Fatalf("eve's upload is not in the zip as sent (%d bytes)", len(files["media/"+eveMedia+".png"]))
		}
		if !strings.Contains(string(files["chat/read_marks.json"]), `"read_seq":`) {
			t.Fatalf("read marks: %s", files["chat/read_marks.json"])
		}
		sessions := jsonOf(t, files["account/sessions.json"]).([]any)
		for name, data := range files {
			for _, leak := range []string{"between fay and hal only", secret, fayMedia + ".png", `":7777`, fay.Token, eve.Token, "argon2"} {
				if strings.Contains(name, leak) || bytes.Contains(data, []byte(leak)) {
					t.Errorf("%s holds %q, which is not eve's", name, leak)
				}
			}
		}
		if len(sessions) != 1 {
			t.Errorf("sessions: %v", sessions)
		}

		// gus joined later: the group from his joining on, and nothing of
		// eve's wallet (her top-up's "amount":1000; a bare "1000" turned up
		// inside ids and timestamps) or direct conversation.
		for _, h := range [][]string{{"Accept", "application/json"}, {"X-Query", ""}} {
			path := "/api/v1/me/export"
			if h[0] == "X-Query" {
				path += "?format=json"
			}
			doc := gus.Do(t, "GET", path, nil, h...)
			if doc.Status != 200 || !strings.HasPrefix(doc.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("JSON export: %d %s", doc.Status, doc.Header.Get("Content-Type"))
			}
			msgs := texts(doc.Get("parts.chat/messages/" + group))
			joined := strings.Join(msgs, "|")
			if strings.Contains(joined, "before gus came") || !strings.Contains(joined, "gus here") {
				t.Fatalf("gus's view of the group: %v", msgs)
			}
			if doc.Get("parts.chat/messages/"+direct) != nil || bytes.Contains(doc.Body, []byte("hello fay")) || regexp.MustCompile(`"amount":\s*1000\b`).Match(doc.Body) {
				t.Fatalf("gus's export holds eve's data: %.500s", doc.Body)
			}
			if doc.Str("manifest.layout") != "json" || doc.Str("parts.account/profile.username") != "gus" {
				t.Fatalf("manifest: %v", doc.Get("manifest"))
			}
		}
		if r := gus.Do(t, "GET", "/api/v1/me/export?format=xml", nil); r.Status != 400 || r.Code() != "invalid_argument" {
			t.Fatalf("bad format: %d %s", r.Status, r.Body)
		}
		if r := nodetest.NewClient(n.URL()).Do(t, "GET", "/api/v1/me/export", nil); r.Status != 401 {
			t.Fatalf("anonymous export: %d", r.Status)
		}
	})
}

// DELETE /me {password} is honest: refused with 409 balance_not_zero
// while money is held (nothing changes); then the profile goes (a
// pseudonym, "Deleted account"; the username free again), the messages
// they sent become tombstones with the same id and seq (no gap in anyone's
// history), their uploads go (rows and bytes), their mini-app storage and
// consents, contacts, sessions (an open socket closes) — while the ledger
// keeps its rows, now pointing at the pseudonym, and the other members
// still read the group and the direct conversation.
func TestErasureIsHonest(t *testing.T) {
	t.Parallel()
	nodetest.Run(t, nodetest.Options{}, func(t *testing.T, n *node.Node) {
		ctx := context.Background()
		eve := nodetest.Signup(t, n.URL(), "eve")
		fay := nodetest.Signup(t, n.URL(), "fay")
		gus := nodetest.Signup(t, n.URL(), "gus")
		nodetest.Befriend(t, eve, fay, "fay")
		nodetest.Befriend(t, eve, gus, "gus")
		eveID := eve.Do(t, "GET", "/api/v1/me", nil).Str("user.id")
		group := conversation(t, eve, map[string]any{"type": "group", "title": "Hikers", "usernames": []string{"fay", "gus"}})
		send(t, eve, group, map[string]any{"kind": "text", "text": "eve's secret plan"})
		media := uploadPNG(t, eve, testPNG(7, 16))
		send(t, eve, group, map[string]any{"kind": "image", "media_id": media, "text": "eve's photo"})
		send(t, fay, group, map[string]any{"kind": "text", "text": "fay answers"})
		direct := conversation(t, fay, map[string]any{"type": "direct", "username": "eve"})
		send(t, eve, direct, map[string]any{"kind": "text", "text": "eve to fay"})
		send(t, fay, direct, map[string]any{"kind": "text", "text": "fay to eve"})
		// Mini-app storage and a consent.
		dev := nodetest.Signup(t, n.URL(), "dev")
		appid := releasedAppOf(t, n, dev)
		if r := eve.Do(t, "PUT", "/api/v1/miniapps/"+appid+"/storage/cart", map[string]any{"value": "eve's cart"}); r.Status != 204 {
			t.Fatalf("storage: %d %s", r.Status, r.Body)
		}
		if r := eve.Do(t, "PUT", "/api/v1/miniapps/"+appid+"/consents/userInfo", nil); r.Status/100 != 2 {
			t.Fatalf("consent: %d %s", r.Status, r.Body)
		}
		// Money: a balance, a transfer to fay.
		if r := eve.Do(t, "PUT", "/api/v1/wallet/pin", map[string]any{"pin": "135790", "password": "correct horse"}); r.Status != 204 {
			t.Fatalf("pin: %d %s", r.Status, r.Body)
		}
		eve.Do(t, "POST", "/api/v1/wallet/topups", map[string]any{"amount": 1_330, "currency": "CNY"}, "Idempotency-Key", "t1")
		tr := eve.Do(t, "POST", "/api/v1/wallet/transfers", map[string]any{"username": "fay", "amount": 100, "currency": "CNY", "pin": "135790", "note": "lunch"}, "Idempotency-Key", "t2")
		if tr.Status != 201 {
			t.Fatalf("transfer: %d %s", tr.Status, tr.Body)
		}
		sock := eve.Dial(t)
		erase := func() *nodetest.Response {
			return eve.Do(t, "DELETE", "/api/v1/me", map[string]string{"password": "correct horse"})
		}
		before := fay.Do(t, "GET", "/api/v1/conversations/"+group+"/messages?after_seq=0&limit=50", nil)

		r := erase()
		if r.Status != 409 || r.Code() != "balance_not_zero" || !strings.Contains(r.Str("error.message"), "Withdraw your balance of ¥12.30 first") {
			t.Fatalf("erasing with ¥12.30: %d %s", r.Status, r.Body)
		}
		if r := eve.Do(t, "GET", "/api/v1/me", nil); r.Status != 200 {
			t.Fatalf("a refused erasure changed the account: %d", r.Status)
		}
		if after := fay.Do(t, "GET", "/api/v1/conversations/"+group+"/messages?after_seq=0&limit=50", nil); !bytes.Equal(after.Body, before.Body) {
			t.Fatal("a refused erasure changed the messages")
		}
		if r := eve.Do(t, "POST", "/api/v1/wallet/withdrawals", map[string]any{"amount": 1_230, "currency": "CNY", "pin": "135790"}, "Idempotency-Key", "t3"); r.Status != 201 {
			t.Fatalf("withdraw: %d %s", r.Status, r.Body)
		}
		if r := erase(); r.Status != 204 {
			t.Fatalf("erase: %d %s", r.Status, r.Body)
		}
		if done, err := n.Accounts.ErasureDone(ctx, eveID); err != nil || !done {
			t.Fatalf("erasure not complete when DELETE answered: %v %v", done, err)
		}
		if !sock.Closed(5 * time.Second) {
			t.Fatal("the erased user's socket is still open")
		}
		if r := eve.Do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Fatalf("erased account still signed in: %d", r.Status)
		}
		if r := nodetest.NewClient(n.URL()).Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "eve", "password": "correct horse"}); r.Status != 401 {
			t.Fatalf("erased account can sign in: %d", r.Status)
		}

		// The group: every seq still there, eve's content gone.
		for _, tc := range []struct {
			c    *nodetest.Client
			conv string
		}{{fay, group}, {gus, group}, {fay, direct}} {
			ms := tc.c.Do(t, "GET", "/api/v1/conversations/"+tc.conv+"/messages?after_seq=0&limit=50", nil)
			items, _ := ms.Get("items").([]any)
			if ms.Status != 200 || len(items) == 0 {
				t.Fatalf("reading %s after the erasure: %d %s", tc.conv, ms.Status, ms.Body)
			}
			for i, it := range items {
				m := it.(map[string]any)
				if int(m["seq"].(float64)) != i+1 {
					t.Fatalf("a gap in %s at %d: %s", tc.conv, i+1, ms.Body)
				}
				sender := m["sender"].(map[string]any)
				if sender["id"] == eveID && m["kind"] != "erased" && m["text"] != "Deleted account left the group" {
					t.Fatalf("eve's message survived: %v", m)
				}
				if m["kind"] == "erased" && (m["text"] != "" || m["media_id"] != nil || sender["display_name"] != "Deleted account") {
					t.Fatalf("a tombstone holds content: %v", m)
				}
			}
			for _, gone := range []string{"eve's secret plan", "eve's photo", "eve to fay", media} {
				if bytes.Contains(ms.Body, []byte(gone)) {
					t.Fatalf("%q is still readable: %s", gone, ms.Body)
				}
			}
			for _, kept := range []string{"fay answers", "fay to eve"} {
				if tc.conv == group && kept == "fay to eve" || tc.conv == direct && kept == "fay answers" {
					continue
				}
				if !bytes.Contains(ms.Body, []byte(kept)) {
					t.Fatalf("others' message %q is gone: %s", kept, ms.Body)
				}
			}
		}
		same := fay.Do(t, "GET", "/api/v1/conversations/"+group+"/messages?after_seq=0&limit=50", nil)
		if !strings.Contains(string(same.Body), "Deleted account left the group") {
			t.Fatalf("no note of the erased member leaving: %s", same.Body)
		}
		for i, it := range before.Get("items").([]any) {
			if got := same.Get("items").([]any)[i].(map[string]any); got["id"] != it.(map[string]any)["id"] {
				t.Fatalf("message %d changed id: %v → %v", i+1, it, got)
			}
		}
		if r := fay.Do(t, "GET", "/api/v1/media/"+media, nil); r.Status != 404 {
			t.Fatalf("eve's upload is still served: %d", r.Status)
		}
		for _, q := range []string{
			`SELECT COUNT(*) FROM media WHERE owner_id = ?`,
			`SELECT COUNT(*) FROM miniapp_storage WHERE user_id = ?`,
			`SELECT COUNT(*) FROM miniapp_consents WHERE user_id = ?`,
			`SELECT COUNT(*) FROM sessions WHERE user_id = ?`,
			`SELECT COUNT(*) FROM contacts WHERE user_id = ? OR contact_id = ?`,
			`SELECT COUNT(*) FROM messages WHERE sender_id = ? AND (text <> '' AND kind <> 'system')`,
		} {
			var left int
			args := []any{eveID}
			if strings.Count(q, "?") == 2 {
				args = append(args, eveID)
			}
			if err := n.DB.QueryRow(ctx, q, args...).Scan(&left); err != nil || left != 0 {
				t.Fatalf("%s: %d left (%v)", q, left, err)
			}
		}
		if r := fay.Do(t, "GET", "/api/v1/contacts", nil); strings.Contains(string(r.Body), eveID) {
			t.Fatalf("fay still lists eve: %s", r.Body)
		}
		// The ledger keeps the transfer, under the pseudonym.
		hist := fay.Do(t, "GET", "/api/v1/wallet/transactions", nil)
		found := false
		for _, it := range hist.Get("items").([]any) {
			m := it.(map[string]any)
			if m["id"] == tr.Str("transaction.id") {
				found = true
				cp := m["counterparty"].(map[string]any)
				if cp["display_name"] != "Deleted account" || cp["id"] != eveID || m["amount"].(float64) != 100 {
					t.Fatalf("the transfer's counterparty: %v", m)
				}
			}
		}
		if !found {
			t.Fatalf("the ledger lost eve's transfer: %s", hist.Body)
		}
		if c, err := n.Pay.CheckLedger(ctx); err != nil || !c.Balanced {
			t.Fatalf("ledger: %+v %v", c, err)
		}
		// The username is free again.
		again := nodetest.Signup(t, n.URL(), "eve")
		if id := again.Do(t, "GET", "/api/v1/me", nil).Str("user.id"); id == eveID {
			t.Fatal("the new eve is the old one")
		}
	})
}

// releasedAppOf makes a mini-app through review to release, with an
// administrator of its own.
func releasedAppOf(t *testing.T, n *node.Node, dev *nodetest.Client) string {
	t.Helper()
	if _, err := n.Accounts.CreateAdmin(context.Background(), "reviewer", "correct horse", "US"); err != nil {
		t.Fatal(err)
	}
	adm := nodetest.NewClient(n.URL())
	adm.Token = adm.Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "reviewer", "password": "correct horse"}).Str("token")
	return releasedApp(t, n, dev, adm)
}
