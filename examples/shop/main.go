// Command shop is an example outside web shop that takes Plaza Pay.
//
//	go run ./examples/shop --config plaza-data/demo-shop/shop.json
//
// plaza serve --demo writes that file (a merchant, its key, the platform
// key) and runs the same shop itself; this command runs it on its own.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/plaza-dev/plaza/examples/shop/shop"
)

func main() {
	path := flag.String("config", "plaza-data/demo-shop/shop.json", "the shop's configuration (written by plaza serve --demo)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	s, addr, err := shop.Load(*path, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
	log.Info("Leaf & Clay is open", "addr", addr)
	if err := http.ListenAndServe(addr, s.Handler()); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}
