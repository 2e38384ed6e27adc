// Command plaza runs and manages a Plaza node: serve, migrate, admin and
// version. Every flag also reads PLAZA_<NAME> from the environment (for
// --apps-domain, PLAZA_APPS_DOMAIN); a flag given on the command line wins.
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	root := &cobra.Command{
		Use:           "plaza",
		Short:         "Plaza: chat, a wallet and mini-programs in one open, self-hostable binary",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd.Flags())
		},
	}
	root.AddCommand(serveCmd(), migrateCmd(), adminCmd(), versionCmd(), benchCmd(), miniappCmd(), auditCmd())
	if err := root.Execute(); err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			err = errors.New(e.Message) // a sentence for people, not the code
		}
		fmt.Fprintln(os.Stderr, "plaza:", err)
		os.Exit(1)
	}
}

// bindEnv fills each flag not given on the command line from PLAZA_<NAME>.
func bindEnv(flags *pflag.FlagSet) error {
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil {
			return
		}
		name := "PLAZA_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

// storeFlags are the flags that say where a node's data lives; serve,
// migrate and admin share them.
type storeFlags struct {
	data string
	db   string
}

func (s *storeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&s.data, "data", "./plaza-data", "data folder: SQLite file, embedded NATS store, blobs, keys")
	fs.StringVar(&s.db, "db", "", "database: empty for SQLite in --data, or a postgres://… URL")
}

func newLogger(level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be json or text, not %q", format)
}
