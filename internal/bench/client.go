// Package bench drives a running Plaza node the way many people would, and
// reports what it measured as one JSON object (plaza bench …).
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// api is a small JSON client of the node.
type api struct {
	base    string
	metrics string // the node's --metrics-addr, or ""
	http    *http.Client
}

func newAPI(base string) *api {
	t := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
	return &api{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: t, Timeout: 60 * time.Second}}
}

type apiError struct {
	Status int
	Code   string
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Body) }

// call sends a JSON request with a bearer token and decodes the answer
// into out (when not nil).
func (a *api) call(ctx context.Context, method, path, token string, in, out any, headers ...string) error {
	for attempt := 0; ; attempt++ {
		err := a.callOnce(ctx, method, path, token, in, out, headers...)
		var e *apiError
		if attempt < 20 && errors.As(err, &e) && e.Status == http.StatusTooManyRequests {
			select { // the node asked us to slow down: setup obliges
			case <-time.After(time.Duration(250+rand.IntN(500)) * time.Millisecond):
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return err
	}
}

func (a *api) callOnce(ctx context.Context, method, path, token string, in, out any, headers ...string) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		json.Unmarshal(data, &e)
		return &apiError{Status: resp.StatusCode, Code: e.Error.Code, Body: string(data)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

type user struct {
	ID       string
	Username string
	Token    string
}

// signupMany creates n users named prefix_i, with parallel requests.
func (a *api) signupMany(ctx context.Context, prefix string, n, parallel int) ([]user, error) {
	users := make([]user, n)
	errc := make(chan error, n)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			name := fmt.Sprintf("%s_%d", prefix, i)
			var out struct {
				User  struct{ ID string } `json:"user"`
				Token string              `json:"token"`
			}
			err := a.call(ctx, "POST", "/api/v1/auth/signup", "", map[string]string{
				"username": name, "password": "bench-password", "display_name": "Bench " + strconv.Itoa(i), "region": "US"}, &out)
			if err != nil {
				errc <- fmt.Errorf("signup %s: %w", name, err)
				return
			}
			users[i] = user{ID: out.User.ID, Username: name, Token: out.Token}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return nil, err
	}
	return users, nil
}

// befriend makes a and b contacts.
func (a *api) befriend(ctx context.Context, x, y user) error {
	var req struct {
		Request struct{ ID, Status string } `json:"request"`
	}
	if err := a.call(ctx, "POST", "/api/v1/contacts/requests", x.Token, map[string]string{"username": y.Username}, &req); err != nil {
		return err
	}
	if req.Request.Status == "accepted" {
		return nil
	}
	return a.call(ctx, "POST", "/api/v1/contacts/requests/"+req.Request.ID+"/accept", y.Token, nil, nil)
}

// parallelDo runs fn(i) for i in [0,n) with up to p at once; the first
// error wins.
func parallelDo(n, p int, fn func(i int) error) error {
	sem := make(chan struct{}, p)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(i); err != nil {
				once.Do(func() { first = err })
			}
		}()
	}
	wg.Wait()
	return first
}

// serverRSS reads the nodes' resident memory from /metrics on their
// --metrics-addr (a comma-separated list: the sum; 0 when there is none).
func (a *api) serverRSS(ctx context.Context) int64 {
	var sum int64
	for _, m := range strings.Split(a.metrics, ",") {
		if m = strings.TrimSpace(m); m != "" {
			sum += a.nodeRSS(ctx, m)
		}
	}
	return sum
}

func (a *api) nodeRSS(ctx context.Context, base string) int64 {
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(base, "/")+"/metrics", nil)
	resp, err := a.http.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "process_resident_memory_bytes ") {
			f, _ := strconv.ParseFloat(strings.TrimPrefix(line, "process_resident_memory_bytes "), 64)
			return int64(f)
		}
	}
	return 0
}

// percentiles returns the p-quantiles (0–1) of ds in milliseconds.
func percentiles(ds []time.Duration, ps ...float64) []float64 {
	out := make([]float64, len(ps))
	if len(ds) == 0 {
		return out
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	for i, p := range ps {
		k := int(math.Ceil(p*float64(len(ds)))) - 1
		k = max(0, min(k, len(ds)-1))
		out[i] = math.Round(float64(ds[k].Microseconds())/10) / 100
	}
	return out
}

// loopbackDialer spreads connections over 127.0.0.x source addresses, so
// that many sockets do not run out of ephemeral ports.
func loopbackDialer(i int) *net.Dialer {
	ip := net.IPv4(127, 0, byte(i/250%250), byte(1+i%250))
	return &net.Dialer{Timeout: 30 * time.Second, LocalAddr: &net.TCPAddr{IP: ip}}
}
