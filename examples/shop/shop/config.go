package shop

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/plaza-dev/plaza/examples/internal/loopback"
	"github.com/plaza-dev/plaza/pkg/plazapay"
)

// File is the shop's configuration file, as plaza serve --demo writes it.
type File struct {
	Plaza          string `json:"plaza"`            // Plaza's base URL, server to server
	MchID          string `json:"mchid"`            // the merchant id
	SerialNo       string `json:"serial_no"`        // the merchant key's serial
	PrivateKeyFile string `json:"private_key_file"` // the merchant's RSA key (PEM), relative to the config
	PlatformKey    string `json:"platform_key"`     // Plaza's public key (PEM)
	PlatformKeyID  string `json:"platform_key_id"`  // PUB_KEY_ID_…
	APIv3Key       string `json:"apiv3_key"`
	AppID          string `json:"appid"`
	Addr           string `json:"addr"`       // where the shop listens (127.0.0.1:8081)
	PublicURL      string `json:"public_url"` // where buyers' browsers reach it (http://shop.localhost:8081)
}

// Load reads a configuration file and makes the shop it describes; it
// answers the shop and the address it should listen on.
func Load(path string, log *slog.Logger) (*Shop, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("%w — run `plaza serve --demo` first; it writes this file", err)
	}
	var c File
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(filepath.Dir(path), c.PrivateKeyFile))
	if err != nil {
		return nil, "", err
	}
	key, err := plazapay.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, "", err
	}
	platform, err := plazapay.ParsePublicKeyPEM([]byte(c.PlatformKey))
	if err != nil {
		return nil, "", err
	}
	client, err := plazapay.NewClient(plazapay.Config{BaseURL: c.Plaza, MchID: c.MchID, SerialNo: c.SerialNo, PrivateKey: key,
		PlatformKey: platform, PlatformKeyID: c.PlatformKeyID, APIv3Key: c.APIv3Key, HTTP: loopback.Client()})
	if err != nil {
		return nil, "", err
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8081"
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	return New(Config{Client: client, AppID: c.AppID, PublicURL: c.PublicURL, Log: log}), c.Addr, nil
}
