package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/plaza-dev/plaza/internal/chat"
	"github.com/plaza-dev/plaza/internal/demo"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/trust"
)

func serveCmd() *cobra.Command {
	var (
		store     storeFlags
		cfg       node.Config
		demoMode  bool
		devApp    string
		logLevel  string
		logFormat string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a Plaza node (SQLite and embedded NATS unless told otherwise)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(logLevel, logFormat)
			if err != nil {
				return err
			}
			if !(cfg.ScreenReview > 0 && cfg.ScreenReview <= 1) {
				return fmt.Errorf("--screen-review must be above 0 and at most 1, not %v", cfg.ScreenReview)
			}
			cfg.DataDir, cfg.DB, cfg.Log = store.data, store.db, log
			if demoMode {
				cfg.AllowPrivateOutbound = true // the demo's shops are on loopback
				cfg.SandboxRail = true          // the demo's wallets are topped up
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			n, err := node.New(ctx, cfg)
			if err != nil {
				return err
			}
			if devApp != "" {
				appid, secret, err := n.MiniApps.ServeFolder(devApp)
				if err != nil {
					n.Close()
					return fmt.Errorf("--dev-app %s: %w", devApp, err)
				}
				fmt.Fprintf(os.Stdout, "\n  Developing %s from %s: open %s/app/%s (pages reload when files change).\n  Its secret for jscode2session, this run only: %s\n\n",
					appid, devApp, n.PublicURL(), appid, secret)
			}
			if demoMode {
				if err := demo.Seed(ctx, demo.Services{Accounts: n.Accounts, Chat: n.Chat, Pay: n.Pay, Merchant: n.Merchant, MiniApps: n.MiniApps, Live: n.Live, DataDir: n.Config.DataDir, URL: demoURL(n)}); err != nil {
					n.Close()
					return err
				}
				companions := demo.StartCompanions(n.Config.DataDir, log)
				defer companions.Close()
				demo.PrintWelcome(os.Stdout, demoURL(n), companions)
			}
			return n.Serve(ctx)
		},
	}
	f := cmd.Flags()
	store.register(f)
	f.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&cfg.NATS, "nats", "", "NATS: empty for an embedded server, or a nats://… URL")
	f.StringVar(&cfg.AppsDomain, "apps-domain", "apps.localhost", "domain whose subdomains serve mini-programs")
	f.StringVar(&cfg.BusPrefix, "bus-prefix", "plaza", "prefix of every NATS subject (to share one NATS)")
	f.Float64Var(&cfg.RateIP, "rate-ip", 20, "requests a second per client IP on signup and login (0: no limit)")
	var rateLoopback bool
	f.BoolVar(&rateLoopback, "rate-loopback", true, "retired: loopback clients are always limited (use --rate-ip 0 for local tools)")
	_ = f.MarkDeprecated("rate-loopback", "loopback clients are always limited now; use --trusted-proxies behind a proxy and --rate-ip 0 for local load tools")
	f.Float64Var(&cfg.RateAccount, "rate-account", 200, "requests a second per signed-in account (0: no limit)")
	f.StringVar(&cfg.PINSecret, "pin-secret", "", "HMAC key of payment PINs (every node must share it; default: a key file in --data)")
	f.BoolVar(&cfg.SandboxRail, "sandbox-rail", false, "turn on the sandbox rail: top-ups mint money, withdrawals destroy it (env PLAZA_SANDBOX_RAIL; on in --demo)")
	f.Float64Var(&cfg.RailFailureRate, "rail-failure-rate", 0, "share (0–1) of sandbox-rail top-ups and withdrawals that fail")
	f.BoolVar(&cfg.AllowPrivateOutbound, "allow-private-outbound", false, "let merchant notify_urls reach loopback and private addresses (on in --demo)")
	f.StringVar(&cfg.PublicURL, "public-url", "", "base URL people reach Plaza at, e.g. https://plaza.example.com (empty: loopback use)")
	f.StringVar(&cfg.TrustedProxies, "trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate (chain) for the main host and *.{apps-domain}: serve HTTPS and HTTP/2 itself")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	f.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve Prometheus /metrics on this operator address, e.g. 127.0.0.1:9090 (off by default)")
	f.StringVar(&cfg.DebugAddr, "debug-addr", "", "serve pprof on this (loopback) address, e.g. 127.0.0.1:6060")
	f.Float64Var(&cfg.ScreenReview, "screen-review", trust.DefaultScreenReview, "screening review threshold (0 < x ≤ 1): a payer or payee scoring at least this against a watch-list entry is held for review")
	f.DurationVar(&cfg.ShedAfter, "shed-after", chat.DefaultShedAfter, "refuse a message (429 rate_limited; clients send it again) that would wait longer than this behind its writer's queue (negative: only when the queue is full)")
	f.IntVar(&cfg.PayWriters, "pay-writers", 0, "money writers on PostgreSQL, each batching transfers under ordered account locks (0: one a four cores, at least one; SQLite has one)")
	f.IntVar(&cfg.MediaPort, "media-port", 0, "UDP port of the live rooms' video (WebRTC); 0 picks a free one. Open it to viewers on every node")
	f.StringVar(&cfg.MediaIP, "media-ip", "", "public address announced for --media-port (behind NAT); empty: the bound address")
	f.StringVar(&cfg.MediaBind, "media-bind", "127.0.0.1", "address --media-port listens on (0.0.0.0 to serve other machines)")
	f.BoolVar(&demoMode, "demo", false, "seed demo users and print how to sign in")
	f.StringVar(&devApp, "dev-app", "", "serve a mini-program from this folder, reloading on change")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&logFormat, "log-format", "json", "json or text")
	return cmd
}

// demoURL is where a browser should open a demo node: Plaza's own host
// name (so that its cookie is never sent to the demo shop on another
// name), or the configured public URL.
func demoURL(n *node.Node) string {
	if n.Edge.Public != nil {
		return n.PublicURL()
	}
	return demo.PublicURL(n.URL())
}
