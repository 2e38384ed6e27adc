package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/secrets"
)

// adminAudit reads the audit log as an administrator.
func adminAudit(t *testing.T, base, token string) []map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/admin/audit?limit=1000", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var out struct {
		Items []map[string]any `json:"items"`
	}
	if r.StatusCode != 200 || json.NewDecoder(r.Body).Decode(&out) != nil {
		t.Fatalf("audit: %d", r.StatusCode)
	}
	return out.Items
}

// plaza admin create-admin and rotate-secret, run while a node serves the
// same data folder, each land in the audit log once; a refused rotation
// changes nothing and logs nothing, and the logged fingerprint is the key
// now in place.
func TestAdminCommandsAreAudited(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	p, _ := start(t, nil, "--data", data)
	run := func(env []string, args ...string) (string, error) {
		cmd := exec.Command(binary, append([]string{"admin"}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(nil, "create-admin", "--data", data, "--username", "keeper", "--password", "sturdy-pass"); err != nil {
		t.Fatalf("create-admin: %v\n%s", err, out)
	}
	status, body := postJSON(t, p.url+"/api/v1/auth/login", `{"username":"keeper","password":"sturdy-pass"}`)
	if status != 200 {
		t.Fatalf("login: %d %v", status, body)
	}
	token := body["token"].(string)
	adminID := body["user"].(map[string]any)["id"].(string)
	billKey := filepath.Join(data, "keys", "bill.key")
	before, err := os.ReadFile(billKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--purpose", "nonsense"}, "no such key"},
		{nil, []string{"--purpose", "layout"}, "no such key"},
		{nil, nil, "--purpose is required"},
		{[]string{"PLAZA_PIN_SECRET=from-the-operator"}, []string{"--purpose", "pin"}, "--pin-secret"},
	} {
		out, err := run(bad.env, append([]string{"rotate-secret", "--data", data}, bad.args...)...)
		if err == nil || !strings.Contains(out, bad.want) {
			t.Fatalf("rotate-secret %v: %v\n%s", bad.args, err, out)
		}
	}
	out, err := run(nil, "rotate-secret", "--data", data, "--purpose", "bill")
	if err != nil {
		t.Fatalf("rotate-secret: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`rotated the bill key \(fingerprint ([0-9a-f]{16}), rotation (\S+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("rotate-secret said %q", out)
	}
	after, _ := os.ReadFile(billKey)
	if string(after) == string(before) || secrets.Fingerprint(secrets.Bill, strings.TrimSpace(string(after))) != m[1] {
		t.Fatal("the bill key in place is not the one the command named")
	}
	if strings.Contains(out, string(after)) {
		t.Fatal("the command printed the key")
	}
	var rotated, made []map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for {
		rotated, made = nil, nil
		for _, it := range adminAudit(t, p.url, token) {
			switch {
			case it["action"] == "secret.rotated":
				rotated = append(rotated, it)
			case it["action"] == "admin.made" && it["target"] == "user:"+adminID:
				made = append(made, it)
			}
		}
		if len(rotated) > 0 && len(made) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(made) != 1 || len(rotated) != 1 {
		t.Fatalf("audit: %d admin.made, %d secret.rotated", len(made), len(rotated))
	}
	d, _ := rotated[0]["details"].(map[string]any)
	if rotated[0]["target"] != "secret:bill" || d["fingerprint"] != m[1] || d["rotation_id"] != m[2] || !strings.HasPrefix(d["by"].(string), "cli:") {
		t.Fatalf("rotation record: %v", rotated[0])
	}
	raw, _ := json.Marshal(rotated[0])
	if strings.Contains(string(raw), strings.TrimSpace(string(after))) || strings.Contains(string(raw), strings.TrimSpace(string(before))) {
		t.Fatal("the audit log holds the key")
	}
}
