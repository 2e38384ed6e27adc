package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/node"
	"github.com/plaza-dev/plaza/internal/pay"
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
