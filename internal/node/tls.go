package node

import (
	"crypto/tls"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"
)

// keyPair is the node's TLS certificate, read again when its files
// change (checked at most every 10 s), so that a renewed certificate is
// served without a restart. A renewal that does not load keeps the old
// one, with a warning.
type keyPair struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.Mutex // guards the fields below
	cert    *tls.Certificate
	stamp   string // the files' sizes and modification times
	checked time.Time
}

func newKeyPair(certFile, keyFile string, log *slog.Logger) (*keyPair, error) {
	k := &keyPair{certFile: certFile, keyFile: keyFile, log: log}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	k.cert, k.stamp, k.checked = &cert, k.fileStamp(), time.Now()
	return k, nil
}

func (k *keyPair) fileStamp() string {
	s := ""
	for _, f := range []string{k.certFile, k.keyFile} {
		if fi, err := os.Stat(f); err == nil {
			s += fi.ModTime().String() + "/" + strconv.FormatInt(fi.Size(), 10) + ";"
		}
	}
	return s
}

func (k *keyPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if time.Since(k.checked) < 10*time.Second {
		return k.cert, nil
	}
	k.checked = time.Now()
	if stamp := k.fileStamp(); stamp != k.stamp {
		cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
		if err != nil {
			k.log.Warn("TLS certificate changed but does not load; keeping the old one", "err", err)
			return k.cert, nil
		}
		k.cert, k.stamp = &cert, stamp
		k.log.Info("TLS certificate reloaded", "file", k.certFile)
	}
	return k.cert, nil
}
