// Package nodesdk tests Plaza Pay with an npm WeChat Pay v3 SDK
// (wechatpay-axios-plugin, pinned in package-lock.json), driven by sdk.js
// and pointed at a test node by the SDK's baseURL option. It lives in the
// main module, not beside pkg/plazapay (a module of its own, which cannot
// import internal/), because it starts a node.
package nodesdk

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/node/nodetest"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// npmReady makes node_modules (npm ci) unless scripts/test-deps.sh did.
func npmReady(t *testing.T) string {
	t.Helper()
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		dbtest.Require(t, "node", "node is not installed")
	}
	dir, _ := filepath.Abs(".")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "wechatpay-axios-plugin", "package.json")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			dbtest.Require(t, "node", "npm is not installed")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			dbtest.Require(t, "node", "npm ci failed: "+err.Error()+"\n"+string(out))
		}
	}
	return nodeBin
}

func TestNodeSDK(t *testing.T) {
	nodeBin := npmReady(t)
	n := nodetest.Start(t, nodetest.Options{})
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	pubPEM, _ := plazapay.PublicKeyPEM(&key.PublicKey)
	for _, mode := range []string{"public_key", "certificate"} {
		t.Run(mode, func(t *testing.T) {
			owner := nodetest.Signup(t, n.URL(), "node"+strings.ReplaceAll(mode, "_", ""))
			r := owner.Do(t, "POST", "/api/v1/merchants", map[string]any{"name": "Node Shop", "region": "CN"})
			mchid := r.Str("merchant.mchid")
			const apiV3 = "nodesdk-apiv3-key-0123456789abcd"
			if r := owner.Do(t, "PUT", "/api/v1/merchants/"+mchid+"/credentials", map[string]any{"public_key_pem": string(pubPEM),
				"serial_no": "4E0DE5D4", "apiv3_key": apiV3, "platform_mode": mode}); r.Status != 204 {
				t.Fatalf("credentials: %d %s", r.Status, r.Body)
			}
			appid := "wxnode" + mchid
			if r := owner.Do(t, "POST", "/api/v1/merchants/"+mchid+"/apps", map[string]any{"appid": appid}); r.Status != 201 {
				t.Fatalf("bind: %d %s", r.Status, r.Body)
			}
			pk := owner.Do(t, "GET", "/api/v1/merchants/"+mchid+"/platform-key", nil)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, nodeBin, "sdk.js")
			cmd.Env = append(os.Environ(),
				"PLAZA_BASE_URL="+n.URL(), "PLAZA_MCHID="+mchid, "PLAZA_SERIAL=4E0DE5D4", "PLAZA_PRIVATE_KEY="+string(privPEM),
				"PLAZA_APIV3_KEY="+apiV3, "PLAZA_MODE="+mode, "PLAZA_PLATFORM_KEY="+pk.Str("public_key_pem"),
				"PLAZA_PLATFORM_KEY_ID="+pk.Str("public_key_id"), "PLAZA_APPID="+appid, "PLAZA_NOTIFY_URL=http://127.0.0.1:9/notify")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "PASS "+mode) {
				t.Fatalf("sdk.js (%s): %v\n%s", mode, err, out)
			}
		})
	}
}
