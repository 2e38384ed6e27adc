package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/plaza-dev/plaza/examples/shop/shop"
	"github.com/plaza-dev/plaza/examples/store"
)

// The demo's host names. Browsers resolve every *.localhost name to
// loopback, so each service gets a name of its own on one machine: a
// cookie Plaza sets for plaza.localhost never reaches the shop on
// shop.localhost, whatever the ports (cookies are not kept apart by port).
const (
	PlazaHost = "plaza.localhost"
	ShopHost  = "shop.localhost"
	StoreHost = "store.localhost"
)

// Where the companions listen (loopback) and where browsers find them.
const (
	shopAddr      = "127.0.0.1:8081"
	shopPublic    = "http://" + ShopHost + ":8081"
	storeAddr     = "127.0.0.1:8082"
	storeBackendU = "http://" + StoreHost + ":8082"
)

// PublicURL is the address a browser should open for a node whose own
// URL is nodeURL (http://127.0.0.1:8080): Plaza's own host name, with the
// node's scheme and port.
func PublicURL(nodeURL string) string {
	u, err := url.Parse(nodeURL)
	if err != nil || u.Port() == "" {
		return nodeURL
	}
	return u.Scheme + "://" + PlazaHost + ":" + u.Port()
}

// Companion is one outside service the demo runs beside Plaza.
type Companion struct {
	Name string // "Leaf & Clay tea shop"
	URL  string // where a browser opens it ("" for a backend)
	Addr string // where it listens
	Err  error  // why it is not running, if it is not
}

// Companions are the outside services of the demo — the tea shop that
// takes Plaza Pay and Gadget Store's backend — run in-process by
// plaza serve --demo and stopped with it.
type Companions struct {
	List    []Companion
	servers []*http.Server
}

// StartCompanions starts the shop and the store backend from the
// configuration Seed wrote in dataDir. One that cannot start (its port is
// taken) is reported in its Err; the others still run.
func StartCompanions(dataDir string, log *slog.Logger) *Companions {
	c := &Companions{}
	shopSrv, addr, err := shop.Load(ShopConfig(dataDir), log.With("service", "demo-shop"))
	c.start("Leaf & Clay, an outside tea shop", shopPublic, addr, func() (http.Handler, error) { return shopSrv.Handler(), err }, log)
	backend, err := store.Load(StoreConfig(dataDir), log.With("service", "demo-store"))
	backendAddr := storeAddr
	if err == nil {
		backendAddr = backend.Addr()
	}
	c.start("Gadget Store's backend (Discover → Gadget Store)", "", backendAddr, func() (http.Handler, error) {
		if err != nil {
			return nil, err
		}
		return backend.Handler(), nil
	}, log)
	return c
}

func (c *Companions) start(name, url, addr string, handler func() (http.Handler, error), log *slog.Logger) {
	comp := Companion{Name: name, URL: url, Addr: addr}
	defer func() { c.List = append(c.List, comp) }()
	h, err := handler()
	if err != nil {
		comp.Err = err
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		comp.Err = err
		return
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	c.servers = append(c.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("demo companion stopped", "name", name, "err", err)
		}
	}()
}

// Close stops every companion, letting requests in flight finish briefly.
func (c *Companions) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range c.servers {
		_ = s.Shutdown(ctx)
	}
}

func (c Companion) String() string {
	where := c.URL
	if where == "" {
		where = "http://" + c.Addr
	}
	if c.Err != nil {
		return fmt.Sprintf("%s: not started (%v)", c.Name, c.Err)
	}
	return fmt.Sprintf("%-50s %s", c.Name, where)
}
