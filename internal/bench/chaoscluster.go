package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The processes of plaza bench chaos: a three-server NATS cluster, a
// throw-away PostgreSQL and the nodes, all on loopback, each started and
// killed by the bench itself. On SQLite: one node with its embedded NATS.

type chaosProc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *chaosProc) kill() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Kill()
	<-p.done
}

func (p *chaosProc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

type chaosNode struct {
	addr, data string
	proc       *chaosProc
}

func (n *chaosNode) url() string { return "http://" + n.addr }

type chaosCluster struct {
	cfg   ChaosConfig
	dir   string
	logf  func(string, ...any)
	nats  []*chaosProc
	natsC []int // client ports
	natsR []int // cluster route ports
	natsM []int // monitoring ports
	pgDir string
	pgBin string
	pgURL string
	pg    bool
	nodes []*chaosNode
	pin   string
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func freePorts(n int) ([]int, error) {
	out := make([]int, n)
	for i := range out {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// spawn starts a process with its output appended to a log file of dir.
func (c *chaosCluster) spawn(name string, cmd *exec.Cmd) (*chaosProc, error) {
	f, err := os.OpenFile(filepath.Join(c.dir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &chaosProc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	return p, nil
}

// waitHTTP polls url until it answers 200, the process dies or d passes.
func waitHTTP(ctx context.Context, url string, p *chaosProc, d time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(d)
	for {
		if r, err := client.Get(url); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return nil
			}
		}
		if p != nil && !p.alive() {
			return fmt.Errorf("%s exited before serving", p.name)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer 200 within %v", url, d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (c *chaosCluster) natsURLs() string {
	urls := make([]string, len(c.natsC))
	for i, p := range c.natsC {
		urls[i] = "nats://127.0.0.1:" + strconv.Itoa(p)
	}
	return strings.Join(urls, ",")
}

func (c *chaosCluster) startNATS(ctx context.Context, i int) error {
	var routes []string
	for j, r := range c.natsR {
		if j != i {
			routes = append(routes, "nats://127.0.0.1:"+strconv.Itoa(r))
		}
	}
	cmd := exec.Command(c.cfg.NATSServer, "-a", "127.0.0.1", "-p", strconv.Itoa(c.natsC[i]), "-m", strconv.Itoa(c.natsM[i]),
		"-n", fmt.Sprintf("chaos-%d", i), "-js", "-sd", filepath.Join(c.dir, fmt.Sprintf("nats-%d", i)),
		"--cluster_name", "plaza", "--cluster", "nats://127.0.0.1:"+strconv.Itoa(c.natsR[i]), "--routes", strings.Join(routes, ","))
	p, err := c.spawn(fmt.Sprintf("nats-%d", i), cmd)
	if err != nil {
		return err
	}
	c.nats[i] = p
	return nil
}

// waitNATS waits until every running server's JetStream is current.
func (c *chaosCluster) waitNATS(ctx context.Context) error {
	for i, p := range c.nats {
		if p == nil || !p.alive() {
			continue
		}
		if err := waitHTTP(ctx, fmt.Sprintf("http://127.0.0.1:%d/healthz", c.natsM[i]), p, 60*time.Second); err != nil {
			return fmt.Errorf("nats %d: %w", i, err)
		}
	}
	return nil
}

// pgRun runs a PostgreSQL tool as the postgres user when we are root
// (PostgreSQL refuses to run as root).
func (c *chaosCluster) pgRun(tool string, args ...string) *exec.Cmd {
	bin := filepath.Join(c.pgBin, tool)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	return exec.Command(bin, args...)
}

func findPGBin(dir string) (string, error) {
	cands := []string{dir, "/usr/local/bin"}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(m) > 0 {
		cands = append(cands, m...)
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		cands = append(cands, filepath.Dir(p))
	}
	for _, d := range cands {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				return d, nil
			}
		}
	}
	return "", errors.New("no initdb and pg_ctl found (give --pg-bin)")
}

func (c *chaosCluster) initPG(ctx context.Context) error {
	bin, err := findPGBin(c.cfg.PGBin)
	if err != nil {
		return err
	}
	c.pgBin = bin
	c.pgDir = filepath.Join(c.dir, "pg")
	if err := os.MkdirAll(c.pgDir, 0o700); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		u, err := osuser.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root needs a postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.pgDir, uid, gid); err != nil {
			return err
		}
	}
	if out, err := c.pgRun("initdb", "-D", c.pgDir, "-A", "trust", "-U", "postgres").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	c.pgURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	c.pg = true
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on", port, c.pgDir)
	os.WriteFile(filepath.Join(c.dir, "pg-opts"), []byte(opts), 0o644)
	return c.pgCtl(ctx, "start", "-o", opts, "-l", filepath.Join(c.pgDir, "log"))
}

func (c *chaosCluster) pgCtl(ctx context.Context, verb string, args ...string) error {
	out, err := c.pgRun("pg_ctl", append([]string{"-D", c.pgDir, "-w", "-t", "60", verb}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", verb, err, out)
	}
	return c.waitPG(ctx)
}

func (c *chaosCluster) waitPG(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		db, err := sqldb.Open(pctx, c.pgURL, "")
		if err == nil {
			err = db.Ping(pctx)
			db.Close()
		}
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not come up: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// restartPG restarts PostgreSQL in fast mode: every connection is cut.
func (c *chaosCluster) restartPG(ctx context.Context) error {
	opts, _ := os.ReadFile(filepath.Join(c.dir, "pg-opts"))
	return c.pgCtl(ctx, "restart", "-m", "fast", "-o", string(opts), "-l", filepath.Join(c.pgDir, "log"))
}

func (c *chaosCluster) nodeArgs(n *chaosNode) []string {
	args := []string{"serve", "--addr", n.addr, "--data", n.data, "--rate-account", "0", "--rate-ip", "0",
		"--sandbox-rail", "--allow-private-outbound", "--pin-secret", c.pin, "--log-format", "text", "--log-level", "warn"}
	if c.pg {
		args = append(args, "--db", c.pgURL, "--nats", c.natsURLs(), "--bus-prefix", "chaos")
	}
	return args
}

// startNode starts node i (again) and returns how long it took to serve
// /healthz.
func (c *chaosCluster) startNode(ctx context.Context, i int) (time.Duration, error) {
	n := c.nodes[i]
	began := time.Now()
	cmd := exec.Command(c.cfg.Binary, c.nodeArgs(n)...)
	cmd.Env = os.Environ()
	p, err := c.spawn(fmt.Sprintf("node-%d", i), cmd)
	if err != nil {
		return 0, err
	}
	n.proc = p
	if err := waitHTTP(ctx, n.url()+"/healthz", p, 90*time.Second); err != nil {
		return 0, fmt.Errorf("node %d: %w", i, err)
	}
	return time.Since(began), nil
}

func (c *chaosCluster) start(ctx context.Context) error {
	c.pin = "chaos-pin-secret-shared-by-every-node"
	nodes := 3
	if c.cfg.SQLite {
		nodes = 1
	} else {
		var err error
		if c.natsC, err = freePorts(3); err != nil {
			return err
		}
		if c.natsR, err = freePorts(3); err != nil {
			return err
		}
		if c.natsM, err = freePorts(3); err != nil {
			return err
		}
		c.nats = make([]*chaosProc, 3)
		c.logf("starting a NATS cluster of 3 on %s…", c.natsURLs())
		for i := range 3 {
			if err := c.startNATS(ctx, i); err != nil {
				return err
			}
		}
		if err := c.waitNATS(ctx); err != nil {
			return err
		}
		c.logf("starting a throw-away PostgreSQL…")
		if err := c.initPG(ctx); err != nil {
			return err
		}
	}
	ports, err := freePorts(nodes)
	if err != nil {
		return err
	}
	for i := range nodes {
		n := &chaosNode{addr: "127.0.0.1:" + strconv.Itoa(ports[i]), data: filepath.Join(c.dir, fmt.Sprintf("node-%d", i))}
		c.nodes = append(c.nodes, n)
		// The first node migrates the database; the others then start side by side.
		if _, err := c.startNode(ctx, i); err != nil {
			return err
		}
		c.logf("node %d serves at %s", i, n.url())
	}
	return nil
}

// stop ends every process and removes the PostgreSQL cluster's files.
func (c *chaosCluster) stop() {
	for _, n := range c.nodes {
		if n.proc != nil && n.proc.alive() {
			n.proc.cmd.Process.Signal(os.Interrupt)
			select {
			case <-n.proc.done:
			case <-time.After(20 * time.Second):
				n.proc.kill()
			}
		}
	}
	for _, p := range c.nats {
		p.kill()
	}
	if c.pg {
		c.pgRun("pg_ctl", "-D", c.pgDir, "-m", "immediate", "-w", "stop").Run()
	}
}
