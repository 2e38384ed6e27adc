package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/dbtest"
)

// These tests build the real binary and run it as a person would.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "plaza-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "plaza")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building plaza: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done is closed
}

// start runs plaza serve with args and env, and waits for /healthz.
func start(t *testing.T, env []string, args ...string) (*proc, time.Duration) {
	t.Helper()
	return startOut(t, io.Discard, env, args...)
}

// startOut is start with the process's standard output sent to out.
func startOut(t *testing.T, out io.Writer, env []string, args ...string) (*proc, time.Duration) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr, "--log-format", "text"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, url: "http://" + addr, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(p.url + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return p, time.Since(began)
			}
		}
		select {
		case <-p.done:
			t.Fatalf("plaza exited before serving: %v", p.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("plaza did not serve /healthz within 20s")
	return nil, 0
}

func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("plaza exited with %v after SIGTERM", p.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("plaza did not stop within 20s of SIGTERM")
	}
}

func postJSON(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	r, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var out map[string]any
	json.NewDecoder(r.Body).Decode(&out)
	return r.StatusCode, out
}

func TestServeDefaultsOnSQLiteAndEmbeddedNATS(t *testing.T) {
	data := t.TempDir()
	metricsAddr := freeAddr(t)
	p, took := start(t, []string{"PLAZA_METRICS_ADDR=" + metricsAddr}, "--data", data)
	t.Logf("cold start to /healthz: %v", took)
	for _, f := range []string{"plaza.db", "nats"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Fatalf("data folder lacks %s: %v", f, err)
		}
	}
	r, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(body), "plaza_http_requests_total") || !strings.Contains(string(body), "go_goroutines") {
		t.Fatalf("metrics lack Plaza's series:\n%.500s", body)
	}
	// Not on the public listener (L9).
	if r, err = http.Get(p.url + "/metrics"); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the main listener: %d, want 404", r.StatusCode)
	}
	r, err = http.Get(p.url + "/contacts/new")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(string(page), "<div id=") || r.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("client route: %d %v\n%.300s", r.StatusCode, r.Header, page)
	}

	// create-admin works while the node runs, on the same data folder.
	out, err := exec.Command(binary, "admin", "create-admin", "--data", data, "--username", "root_op", "--password", "sturdy-pass").CombinedOutput()
	if err != nil {
		t.Fatalf("create-admin: %v\n%s", err, out)
	}
	if status, body := postJSON(t, p.url+"/api/v1/auth/login", `{"username":"root_op","password":"sturdy-pass"}`); status != 200 {
		t.Fatalf("admin login: %d %v", status, body)
	}
	p.stop(t)

	// After a clean stop the database opens and migrates without work.
	out, err = exec.Command(binary, "migrate", "--data", data).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "up to date") {
		t.Fatalf("migrate after stop: %v\n%s", err, out)
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	p, _ := start(t, nil, "--data", t.TempDir())
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"username":"late_one","password":"password1","display_name":"Late","region":"US"}`
	// Send the headers and half the body, then ask the node to stop.
	fmt.Fprintf(conn, "POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:20])
	time.Sleep(200 * time.Millisecond) // let the server start reading the request
	p.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond) // the signal arrives while the request is in flight
	fmt.Fprint(conn, body[20:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v", err)
	}
	if resp.StatusCode != 201 {
		t.Fatalf("in-flight signup: %d", resp.StatusCode)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("exit: %v", p.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("did not stop")
	}
}

func TestFlagsReadEnvironment(t *testing.T) {
	data := t.TempDir()
	p, _ := start(t, []string{"PLAZA_DATA=" + data, "PLAZA_LOG_LEVEL=warn"})
	if _, err := os.Stat(filepath.Join(data, "plaza.db")); err != nil {
		t.Fatalf("PLAZA_DATA was not used: %v", err)
	}
	p.stop(t)
	out, err := exec.Command(binary, "serve", "--rate-ip", "fast").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "rate-ip") {
		t.Fatalf("a bad flag value was accepted: %s", out)
	}
}

func TestServeOnPostgresAndExternalNATS(t *testing.T) {
	nats := os.Getenv("PLAZA_TEST_NATS")
	if nats == "" {
		dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
	}
	db := dbtest.PostgresURL(t)
	p, took := start(t, nil, "--data", t.TempDir(), "--db", db, "--nats", nats, "--bus-prefix", "cmdtest")
	t.Logf("cold start on PostgreSQL: %v", took)
	r, err := http.Get(p.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]string
	json.NewDecoder(r.Body).Decode(&h)
	r.Body.Close()
	if h["database"] != "postgres" {
		t.Fatalf("healthz: %v", h)
	}
	if status, body := postJSON(t, p.url+"/api/v1/auth/signup", `{"username":"pg_user","password":"password1","display_name":"P","region":"FR"}`); status != 201 {
		t.Fatalf("signup on postgres: %d %v", status, body)
	}
	p.stop(t)
}

// One command shows the whole product: serve --demo seeds, starts the tea
// shop and the store's backend on host names of their own, says where
// each is, and stops them with itself. Seeding again changes nothing.
func TestDemoSeedsRunsCompanionsAndIsRepeatable(t *testing.T) {
	data := t.TempDir()
	for range 2 {
		var out syncBuffer
		p, _ := startOut(t, &out, nil, "--data", data, "--demo")
		status, body := postJSON(t, p.url+"/api/v1/auth/login", `{"username":"alice","password":"plaza-demo"}`)
		if status != 200 {
			t.Fatalf("demo login: %d %v", status, body)
		}
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(p.url, "http://"))
		waitFor(t, 5*time.Second, func() bool { return strings.Contains(out.String(), "Stop with Ctrl-C") })
		banner := out.String()
		for _, want := range []string{"http://plaza.localhost:" + port, "http://shop.localhost:8081", "Gadget Store"} {
			if !strings.Contains(banner, want) {
				t.Fatalf("the banner does not say %q:\n%s", want, banner)
			}
		}
		if strings.Contains(banner, "not started") || strings.Contains(banner, "go run") {
			t.Fatalf("the banner asks for more commands or reports a companion down:\n%s", banner)
		}
		shopPage := get(t, "http://127.0.0.1:8081/")
		if !strings.Contains(shopPage, "Leaf") {
			t.Fatalf("the tea shop's page: %.200s", shopPage)
		}
		// Its payment link leads to Plaza's own host name, where the
		// person is signed in (not to the loopback address it calls).
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r, err := noRedirect.PostForm("http://127.0.0.1:8081/buy", map[string][]string{"product": {"oolong"}})
		if err != nil || r.StatusCode != http.StatusSeeOther {
			t.Fatalf("buying at the tea shop: %v %v", r, err)
		}
		r.Body.Close()
		if order := get(t, "http://127.0.0.1:8081"+r.Header.Get("Location")); !strings.Contains(order, "http://plaza.localhost:"+port+"/pay?pr=") {
			t.Fatalf("the order page has no payment link on plaza.localhost: %.400s", order)
		}
		req, _ := http.NewRequest("OPTIONS", "http://127.0.0.1:8082/api/checkout", nil)
		if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusNoContent {
			t.Fatalf("the store's backend: %v %v", r, err)
		} else {
			r.Body.Close()
		}
		p.stop(t)
		if c, err := net.DialTimeout("tcp", "127.0.0.1:8081", time.Second); err == nil {
			c.Close()
			t.Fatal("the tea shop still listens after Plaza stopped")
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func get(t *testing.T, url string) string {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not true within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMiniappPackAndPush(t *testing.T) {
	data := t.TempDir()
	p, _ := start(t, nil, "--data", data)
	status, body := postJSON(t, p.url+"/api/v1/auth/signup", `{"username":"devel","password":"password1","display_name":"Dev","region":"US"}`)
	if status != 201 {
		t.Fatalf("%d %v", status, body)
	}
	token := body["token"].(string)
	req, _ := http.NewRequest("POST", p.url+"/api/v1/miniapps", strings.NewReader(`{"name":"Pushed","request_domains":[]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var app map[string]any
	json.NewDecoder(resp.Body).Decode(&app)
	resp.Body.Close()
	appid := app["appid"].(string)
	dir := filepath.Join(t.TempDir(), "app")
	os.MkdirAll(filepath.Join(dir, "pages"), 0o755)
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"app_id":"`+appid+`","name":"Pushed","icons":[{"src":"i.png"}],"pages":["pages/index"],"platform_version":{"min_code":1},"version":{"code":1,"name":"1.0.0"}}`), 0o644)
	for _, f := range []string{"app.js", "app.css", "i.png", "pages/index.html"} {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
	}
	if out, err := exec.Command(binary, "miniapp", "pack", dir).CombinedOutput(); err != nil || !strings.Contains(string(out), appid) {
		t.Fatalf("pack: %v %s", err, out)
	}
	out, err := exec.Command(binary, "miniapp", "push", dir, "--addr", p.url, "--token", token, "--submit").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "submitted for review") {
		t.Fatalf("push: %v %s", err, out)
	}
	out, err = exec.Command(binary, "miniapp", "push", dir, "--addr", p.url, "--token", token).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "version.code") {
		t.Fatalf("pushing the same version again: %v %s", err, out)
	}
}
