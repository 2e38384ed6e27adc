package main

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// An erasure killed with SIGKILL part-way — inside its transaction before
// the commit, right after the commit, between the components' steps —
// leaves, once the node is restarted on the same database, either the
// whole account (before the commit: the user signs in with the same
// session, their messages, group and upload are there) or a completed
// erasure (after it: the restarted node resumes the steps; the messages
// are tombstones, the group has the note of leaving, the upload is
// gone), never half. On SQLite and on PostgreSQL.
func TestErasureSurvivesKill9(t *testing.T) {
	t.Parallel()
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			for _, point := range []string{"before_commit", "after_commit", "step:chat", "step:miniapp"} {
				t.Run(strings.ReplaceAll(point, ":", "_"), func(t *testing.T) {
					data := t.TempDir()
					args := []string{"--data", data, "--rate-account", "0", "--rate-ip", "0"}
					if db == "postgres" {
						args = append(args, "--db", dbtest.PostgresURL(t))
					}
					eraseKilledAt(t, point, data, args)
				})
			}
		})
	}
}

func eraseKilledAt(t *testing.T, point, data string, args []string) {
	lease := "PLAZA_TEST_ERASURE_LEASE=1s"
	p, _ := start(t, []string{"PLAZA_TEST_ERASURE_PAUSE=" + point, lease}, args...)
	eve := nodetest.Signup(t, p.url, "eve")
	fay := nodetest.Signup(t, p.url, "fay")
	nodetest.Befriend(t, eve, fay, "fay")
	g := eve.Do(t, "POST", "/api/v1/conversations", map[string]any{"type": "group", "title": "Hikers", "usernames": []string{"fay"}})
	group := g.Str("conversation.id")
	sendText := func(c *nodetest.Client, text string) {
		if r := c.Do(t, "POST", "/api/v1/conversations/"+group+"/messages", map[string]any{"client_id": ids.New("c"), "kind": "text", "text": text}); r.Status != 201 {
			t.Fatalf("send: %d %s", r.Status, r.Body)
		}
	}
	sendText(eve, "eve's words")
	sendText(fay, "fay's words")
	media := uploadImage(t, eve)
	if r := eve.Do(t, "POST", "/api/v1/conversations/"+group+"/messages", map[string]any{"client_id": "img", "kind": "image", "media_id": media}); r.Status != 201 {
		t.Fatalf("image: %d %s", r.Status, r.Body)
	}

	// The erasure stops at point; the process is killed there.
	go func() {
		c := &http.Client{Timeout: 60 * time.Second}
		req, _ := http.NewRequest("DELETE", p.url+"/api/v1/me", strings.NewReader(`{"password":"correct horse"}`))
		req.Header.Set("Authorization", "Bearer "+eve.Token)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	marker := filepath.Join(data, "erasure-paused-"+strings.ReplaceAll(point, ":", "-"))
	nodetest.WaitFor(t, 20*time.Second, func() bool { _, err := os.Stat(marker); return err == nil })
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done

	p2, _ := start(t, []string{lease}, args...)
	eve.Base, fay.Base = p2.url, p2.url
	read := func() string {
		r := fay.Do(t, "GET", "/api/v1/conversations/"+group+"/messages?after_seq=0&limit=50", nil)
		if r.Status != 200 {
			t.Fatalf("fay reads the group: %d %s", r.Status, r.Body)
		}
		return string(r.Body)
	}
	if point == "before_commit" {
		if r := eve.Do(t, "GET", "/api/v1/me", nil); r.Status != 200 || r.Str("user.username") != "eve" {
			t.Fatalf("the account is not whole: %d %s", r.Status, r.Body)
		}
		body := read()
		if !strings.Contains(body, "eve's words") || strings.Contains(body, `"erased"`) || strings.Contains(body, "left the group") {
			t.Fatalf("eve's messages changed: %s", body)
		}
		if r := fay.Do(t, "GET", "/api/v1/media/"+media, nil); r.Status != 200 {
			t.Fatalf("eve's upload is gone: %d", r.Status)
		}
		if r := nodetest.NewClient(p2.url).Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "eve", "password": "correct horse"}); r.Status != 200 {
			t.Fatalf("eve cannot sign in: %d %s", r.Status, r.Body)
		}
		return
	}
	// After the commit: the restarted node finishes the erasure.
	if r := eve.Do(t, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("the erased account's session survived the restart: %d", r.Status)
	}
	nodetest.WaitFor(t, 30*time.Second, func() bool {
		body := read()
		return strings.Contains(body, "Deleted account left the group") && !strings.Contains(body, "eve's words")
	})
	body := read()
	if !strings.Contains(body, "fay's words") || strings.Count(body, `"kind":"erased"`) < 2 {
		t.Fatalf("after resuming: %s", body)
	}
	nodetest.WaitFor(t, 10*time.Second, func() bool {
		return fay.Do(t, "GET", "/api/v1/media/"+media, nil).Status == 404
	})
	if r := nodetest.NewClient(p2.url).Do(t, "POST", "/api/v1/auth/login", map[string]string{"username": "eve", "password": "correct horse"}); r.Status != 401 {
		t.Fatalf("the erased account signs in: %d", r.Status)
	}
}

func uploadImage(t *testing.T, c *nodetest.Client) string {
	t.Helper()
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8)))
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "a.png")
	part.Write(img.Bytes())
	w.Close()
	r := c.Do(t, "POST", "/api/v1/media", body.Bytes(), "Content-Type", w.FormDataContentType())
	if r.Status/100 != 2 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return r.Str("media_id")
}
