package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"

	"github.com/spf13/cobra"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/pay"
	"github.com/plaza-dev/plaza/internal/platform/secrets"
)

func migrateCmd() *cobra.Command {
	var store storeFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations and exit",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, _ := newLogger("info", "text")
			db, err := node.OpenDB(cmd.Context(), node.Config{DataDir: store.data, DB: store.db, Log: log})
			if err != nil {
				return err
			}
			defer db.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "database (%s) is up to date\n", db.Dialect)
			return nil
		},
	}
	store.register(cmd.Flags())
	return cmd
}

func adminCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Administer a Plaza installation"}
	var (
		store                      storeFlags
		username, password, region string
	)
	create := &cobra.Command{
		Use:   "create-admin",
		Short: "Create an administrator, or make an existing user one (works while a node runs)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if username == "" || password == "" {
				return fmt.Errorf("--username and --password are required")
			}
			ctx := context.Background()
			log := slog.New(slog.DiscardHandler)
			db, err := node.OpenDB(ctx, node.Config{DataDir: store.data, DB: store.db, Log: log})
			if err != nil {
				return err
			}
			defer db.Close()
			u, err := account.NewService(db, log, account.Settings{}).CreateAdmin(ctx, username, password, region)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "administrator %s (%s) is ready\n", u.Username, u.ID)
			return nil
		},
	}
	store.register(create.Flags())
	create.Flags().StringVar(&username, "username", "", "the administrator's username")
	create.Flags().StringVar(&password, "password", "", "the administrator's password (8 characters or more)")
	create.Flags().StringVar(&region, "region", "US", "the administrator's region (ISO 3166-1 alpha-2)")
	cmd.AddCommand(create)

	cmd.AddCommand(rotateSecretCmd())

	var ledgerStore storeFlags
	check := &cobra.Command{
		Use:   "check-ledger",
		Short: "Audit the ledger (sums per currency, replayed balances, duplicate keys, holds against open items) and print it as JSON",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := context.Background()
			log := slog.New(slog.DiscardHandler)
			db, err := node.OpenDB(ctx, node.Config{DataDir: ledgerStore.data, DB: ledgerStore.db, Log: log})
			if err != nil {
				return err
			}
			defer db.Close()
			c, err := pay.NewAuditor(db).CheckLedger(ctx)
			if err != nil {
				return err
			}
			if err := printJSON(c); err != nil {
				return err
			}
			if !c.Balanced {
				return fmt.Errorf("the ledger is out of balance")
			}
			if !c.Reconciled {
				return fmt.Errorf("money in flight does not match its open items (see holds, unfunded_items)")
			}
			return nil
		},
	}
	ledgerStore.register(check.Flags())
	cmd.AddCommand(check)

	var (
		backupStore storeFlags
		to          string
	)
	backup := &cobra.Command{
		Use:   "backup",
		Short: "Copy the SQLite database to --to while the node runs (PostgreSQL: use pg_dump)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return fmt.Errorf("--to is required")
			}
			ctx := context.Background()
			db, err := node.OpenDB(ctx, node.Config{DataDir: backupStore.data, DB: backupStore.db, Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.BackupTo(ctx, to); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up to %s\n", to)
			return nil
		},
	}
	backupStore.register(backup.Flags())
	backup.Flags().StringVar(&to, "to", "", "the backup file to write (must not exist); restore by putting it in a --data folder as plaza.db")
	cmd.AddCommand(backup)
	return cmd
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Plaza's version",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "plaza", version)
		},
	}
}

// rotateHelp is rotate-secret's long help: each purpose, and what
// rotating it does and breaks.
const rotateHelp = `Replace one of the installation's server secrets by a fresh random key.

Nothing else changes, and running nodes keep the old key until they
restart: restart every node afterwards. The rotation is recorded in the
audit log (action secret.rotated, with the new key's fingerprint, never
the key, and who ran it). On SQLite (--data) the key files are in
<data>/keys; on PostgreSQL (--db) in the server_secrets table.

Purposes, and what rotating each one does:

  pin       HMAC key of payment PINs. Every PIN stops matching: payments and
            transfers answer wrong_pin (counting toward the PIN lockout)
            until the user sets a new PIN with their account password.
            Refused when --pin-secret / PLAZA_PIN_SECRET is set: change that.
  openid    Derives each user's openid per app. Every openid changes: mini-
            programs and merchants see their users as new users, and their
            stored openids no longer match anyone.
  unionid   Derives each user's unionid per developer. Every unionid changes,
            as for openid, across a developer's apps.
  trial     Signs trial-version host names and launch links. Every trial
            link and trial origin changes: testers need fresh links, and
            data a trial kept in the browser under its old origin is lost.
  bill      Signs bill-download links (valid five minutes). Links handed out
            in the last five minutes stop working; merchants ask again.
  audit     Ed25519 key signing the audit log's checkpoints. The log and its
            hashes stay; new checkpoints are signed by the new key. Anyone
            checking checkpoints must fetch the new verifier key
            (GET /api/v1/admin/audit/key); keep the old key to check
            checkpoints saved before.
  platform  RSA key signing every merchant API response and notification.
            Merchants must fetch the new platform certificate
            (GET /api/v1/merchants/{mchid}/platform-key); until they do,
            their SDKs reject Plaza's signatures and notifications.`

func rotateSecretCmd() *cobra.Command {
	var (
		store     storeFlags
		purpose   string
		pinSecret string
	)
	cmd := &cobra.Command{
		Use:   "rotate-secret --purpose NAME",
		Short: "Replace one server secret (pin, openid, unionid, trial, bill, audit, platform, qr) and audit it",
		Long:  rotateHelp,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if purpose == "" {
				return fmt.Errorf("--purpose is required: one of pin, openid, unionid, trial, bill, audit, platform, qr")
			}
			ctx := cmd.Context()
			log := slog.New(slog.DiscardHandler)
			db, err := node.OpenDB(ctx, node.Config{DataDir: store.data, DB: store.db, Log: log})
			if err != nil {
				return err
			}
			defer db.Close()
			ev, err := secrets.Rotate(ctx, secrets.Config{DB: db, DataDir: store.data, PINSecret: pinSecret, Log: log}, secrets.Purpose(purpose), operator())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rotated the %s key (fingerprint %s, rotation %s); restart every node to use it\n", ev.Purpose, ev.Fingerprint, ev.RotationID)
			return nil
		},
	}
	store.register(cmd.Flags())
	cmd.Flags().StringVar(&purpose, "purpose", "", "the key to rotate: pin, openid, unionid, trial, bill, audit, platform or qr")
	cmd.Flags().StringVar(&pinSecret, "pin-secret", "", "the nodes' --pin-secret, if they have one (the PIN key is then not stored, and not rotated here)")
	return cmd
}

// operator names who runs a command: the OS account and host, for the
// audit log.
func operator() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return "cli:" + name + "@" + host
}
