// Command backend runs Gadget Store's own server (see package store).
//
//	go run ./examples/store/backend --config plaza-data/demo-store/store.json
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/plaza-dev/plaza/examples/store"
)

func main() {
	path := flag.String("config", "plaza-data/demo-store/store.json", "the backend's configuration (written by plaza serve --demo)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	s, err := store.Load(*path, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "store backend:", err)
		os.Exit(1)
	}
	log.Info("Gadget Store backend is up", "addr", s.Addr(), "appid", s.AppID())
	if err := http.ListenAndServe(s.Addr(), s.Handler()); err != nil {
		fmt.Fprintln(os.Stderr, "store backend:", err)
		os.Exit(1)
	}
}
