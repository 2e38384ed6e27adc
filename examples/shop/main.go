// Command shop is an example outside web shop that takes Plaza Pay.
//
//	go run ./examples/shop --config plaza-data/demo-shop/shop.json
//
// plaza serve --demo writes that file (a merchant, its key, the platform
// key) and prints the command. The shop listens on --addr (127.0.0.1:8081).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/plaza-dev/plaza/examples/shop/shop"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// Config is the shop's configuration file.
type Config struct {
	Plaza          string `json:"plaza"`            // Plaza's base URL
	MchID          string `json:"mchid"`            // the merchant id
	SerialNo       string `json:"serial_no"`        // the merchant key's serial
	PrivateKeyFile string `json:"private_key_file"` // the merchant's RSA key (PEM), relative to the config
	PlatformKey    string `json:"platform_key"`     // Plaza's public key (PEM)
	PlatformKeyID  string `json:"platform_key_id"`  // PUB_KEY_ID_…
	APIv3Key       string `json:"apiv3_key"`
	AppID          string `json:"appid"`
	Addr           string `json:"addr"` // where the shop listens
}

func main() {
	path := flag.String("config", "plaza-data/demo-shop/shop.json", "the shop's configuration (written by plaza serve --demo)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	b, err := os.ReadFile(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err, "— run `plaza serve --demo` first; it writes this file")
		os.Exit(1)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
	keyPEM, err := os.ReadFile(filepath.Join(filepath.Dir(*path), c.PrivateKeyFile))
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
	key, err := plazapay.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
	platform, err := plazapay.ParsePublicKeyPEM([]byte(c.PlatformKey))
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
	client, err := plazapay.NewClient(plazapay.Config{BaseURL: c.Plaza, MchID: c.MchID, SerialNo: c.SerialNo, PrivateKey: key,
		PlatformKey: platform, PlatformKeyID: c.PlatformKeyID, APIv3Key: c.APIv3Key})
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8081"
	}
	s := shop.New(shop.Config{Client: client, AppID: c.AppID, PublicURL: "http://" + c.Addr, Log: log})
	log.Info("Leaf & Clay is open", "url", "http://"+c.Addr, "plaza", c.Plaza, "mchid", c.MchID)
	if err := http.ListenAndServe(c.Addr, s.Handler()); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}
