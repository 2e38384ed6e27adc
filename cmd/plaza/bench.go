package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plaza-dev/plaza/internal/bench"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

func benchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Drive a running node and print what was measured as one JSON object (last line)",
	}
	var (
		addr     string
		duration time.Duration
	)
	cmd.PersistentFlags().StringVar(&addr, "addr", "http://127.0.0.1:8080", "the node to drive (loopback only)")
	cmd.PersistentFlags().DurationVar(&duration, "duration", 30*time.Second, "how long to send")

	var (
		chat       bench.ChatConfig
		chatAddrs  string
		chatWorker bool
	)
	chatCmd := &cobra.Command{
		Use:   "chat",
		Short: "Hold many sockets, send messages at a rate, measure delivery",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			if chatWorker {
				return bench.ChatWorker(ctx, os.Stdin, os.Stdout, os.Stderr)
			}
			chat.Addr, chat.Duration, chat.Log = addr, duration, os.Stderr
			for _, a := range strings.Split(chatAddrs, ",") {
				if a = strings.TrimSpace(a); a != "" {
					chat.Addrs = append(chat.Addrs, a)
				}
			}
			res, err := bench.Chat(ctx, chat)
			if err != nil {
				return err
			}
			return printJSON(res)
		},
	}
	chatCmd.Flags().IntVar(&chat.Conns, "conns", 1000, "WebSocket connections to hold")
	chatCmd.Flags().Float64Var(&chat.Rate, "rate", 1000, "messages a second, all senders together")
	chatCmd.Flags().IntVar(&chat.Group, "group", 0, "send in one group of this many members instead of direct pairs")
	chatCmd.Flags().IntVar(&chat.Users, "users", 0, "users to create (default: from --conns and --rate)")
	chatCmd.Flags().StringVar(&chat.Metrics, "metrics-addr", "", "the nodes' --metrics-addr, comma-separated, to read their memory (server_rss_bytes, summed; empty: 0)")
	chatCmd.Flags().StringVar(&chatAddrs, "addrs", "", "several nodes of one cluster, comma-separated, to spread the sockets over (instead of --addr; setup goes through the first)")
	chatCmd.Flags().IntVar(&chat.Procs, "procs", 0, "generator processes holding the sockets (0: one per 15,000 sockets)")
	chatCmd.Flags().BoolVar(&chatWorker, "worker", false, "run as one generator process of a spread run (orders on stdin)")
	chatCmd.Flags().MarkHidden("worker")
	cmd.AddCommand(chatCmd)

	var (
		payCfg bench.PayConfig
		store  storeFlags
	)
	payCmd := &cobra.Command{
		Use:   "pay",
		Short: "Many users transferring money (or claiming one red packet); audits the ledger at the end",
		RunE: func(cmd *cobra.Command, _ []string) error {
			payCfg.Addr, payCfg.Duration = addr, duration
			payCfg.Log = func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
			if store.db == "" {
				// Checked before the run, not after it at the audit:
				// opening would make an empty database there and fail
				// on its missing tables.
				if _, err := os.Stat(filepath.Join(store.data, "plaza.db")); err != nil {
					return fmt.Errorf("no node's database in --data %s (give the node's --data, or --db for PostgreSQL): %w", store.data, err)
				}
			}
			payCfg.Ledger = func(ctx context.Context) (any, error) {
				db, err := sqldb.Open(ctx, store.db, store.data)
				if err != nil {
					return nil, err
				}
				defer db.Close()
				return pay.NewAuditor(db).CheckLedger(ctx)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, err := bench.Pay(ctx, payCfg)
			if err != nil {
				return err
			}
			return printJSON(res)
		},
	}
	payCmd.Flags().IntVar(&payCfg.Users, "users", 1000, "users to create")
	payCmd.Flags().BoolVar(&payCfg.Hot, "hot", false, "everyone pays one account (a merchant) instead of random pairs")
	payCmd.Flags().IntVar(&payCfg.RedPacket, "red-packet", 0, "instead: this many users claim one red packet at once")
	payCmd.Flags().IntVar(&payCfg.Concurrency, "concurrency", 64, "requests in flight")
	payCmd.Flags().StringVar(&store.data, "data", "./plaza-data", "the node's data folder, to audit the ledger at the end")
	payCmd.Flags().StringVar(&store.db, "db", "", "the node's postgres:// URL, to audit the ledger at the end")
	var withPgbench bool
	payCmd.Flags().BoolVar(&withPgbench, "pgbench", false, "after the run, have pgbench commit the same movement (two balance updates in id order and a ledger row, 64 clients) on --db for as long, and print both rates")
	payCmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		if withPgbench {
			if !strings.HasPrefix(store.db, "postgres") {
				return fmt.Errorf("--pgbench needs --db postgres://… (the node's PostgreSQL)")
			}
			payCfg.Pgbench = store.db
		}
		return nil
	}
	cmd.AddCommand(payCmd)

	var mcfg bench.MerchantConfig
	merchantCmd := &cobra.Command{
		Use:   "merchant",
		Short: "Many shops placing, paying and querying orders with real WeChat Pay v3 signatures",
		RunE: func(cmd *cobra.Command, _ []string) error {
			mcfg.Addr, mcfg.Duration = addr, duration
			mcfg.Log = func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, err := bench.Merchant(ctx, mcfg)
			if err != nil {
				return err
			}
			return printJSON(res)
		},
	}
	merchantCmd.Flags().IntVar(&mcfg.Merchants, "merchants", 10, "shops, each with its own RSA key")
	merchantCmd.Flags().IntVar(&mcfg.Payers, "payers", 50, "people paying the orders")
	merchantCmd.Flags().IntVar(&mcfg.Concurrency, "concurrency", 32, "orders in flight")
	cmd.AddCommand(merchantCmd)

	var lcfg bench.LiveConfig
	liveCmd := &cobra.Command{
		Use:   "live",
		Short: "A live room with a synthetic host's video: a buyers' rush on the last items, and comment fan-out to many viewers",
		RunE: func(cmd *cobra.Command, _ []string) error {
			lcfg.Addr, lcfg.Duration = addr, duration
			lcfg.Log = func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, err := bench.Live(ctx, lcfg)
			if err != nil {
				return err
			}
			return printJSON(res)
		},
	}
	liveCmd.Flags().IntVar(&lcfg.Buyers, "buyers", 1000, "buyers rushing the last items at once (0: no rush)")
	liveCmd.Flags().IntVar(&lcfg.Items, "items", 10, "items on the shelf, one of each left")
	liveCmd.Flags().IntVar(&lcfg.Viewers, "viewers", 0, "sockets watching the room while comments are posted (0: no fan-out)")
	liveCmd.Flags().Float64Var(&lcfg.CommentRate, "comment-rate", 20, "comments a second during the fan-out")
	cmd.AddCommand(liveCmd)
	cmd.AddCommand(chaosCmd(&duration))
	return cmd
}

func chaosCmd(duration *time.Duration) *cobra.Command {
	var cfg bench.ChaosConfig
	c := &cobra.Command{
		Use:   "chaos",
		Short: "Start three nodes, PostgreSQL and a NATS cluster on loopback, kill parts under a mixed load, check nothing acknowledged was lost or doubled",
		Long: `Starts a three-server NATS cluster, a throw-away PostgreSQL cluster (initdb, run as the
postgres user when root) and three nodes of this binary, all on loopback (--sqlite: one node
on SQLite with its embedded NATS). Runs chat over sockets, transfers, red packets, merchant
orders, refunds and their notifications for --duration; meanwhile kills -9 a node and restarts
it, kills -9 a NATS server and restarts it, and restarts PostgreSQL. Then checks every
acknowledged outcome against what the cluster holds and prints the result as JSON (last
line); exits 1 when an invariant broke.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			if cfg.Binary == "" {
				cfg.Binary = exe
			}
			cfg.Duration = *duration
			cfg.Log = func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, err := bench.Chaos(ctx, cfg)
			if err != nil {
				return err
			}
			if err := printJSON(res); err != nil {
				return err
			}
			if !res.OK {
				return fmt.Errorf("broken: %s", strings.Join(res.Broken, "; "))
			}
			return nil
		},
	}
	f := c.Flags()
	f.BoolVar(&cfg.SQLite, "sqlite", false, "one node on SQLite with its embedded NATS, killed -9 and restarted, instead of the cluster")
	f.StringVar(&cfg.NATSServer, "nats-server", "nats-server", "the nats-server executable")
	f.StringVar(&cfg.PGBin, "pg-bin", "", "folder of initdb and pg_ctl (empty: /usr/local/bin, /usr/lib/postgresql/*/bin or PATH)")
	f.StringVar(&cfg.Dir, "dir", "", "keep the processes' data and logs in this folder (empty: a temporary one, removed)")
	f.StringVar(&cfg.Binary, "binary", "", "the plaza executable the nodes run (empty: this one)")
	f.DurationVar(&cfg.Settle, "settle", 100*time.Second, "the longest wait after the load for outstanding answers and notifications")
	return c
}

func printJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
