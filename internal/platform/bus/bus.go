// Package bus is Plaza's message bus: NATS, either a server embedded in the
// process (the default: one node, nothing to run) or an external cluster by
// URL (many nodes). The code path above it is the same either way.
//
// The bus only pushes: the database is the truth. Subjects are prefixed with
// Config.Prefix so that several Plaza installations (or tests) can share one
// NATS without hearing each other. JetStream, the durable-work API, runs on
// the same connection: the embedded server enables it in DataDir/nats, and
// an external NATS must be started with it (nats-server -js).
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config says which NATS to use.
type Config struct {
	// URL of an external NATS ("nats://host:4222,…"); empty embeds a server.
	URL string
	// DataDir holds the embedded server's JetStream store (DataDir/nats).
	DataDir string
	// Prefix of every subject; "plaza" when empty.
	Prefix string
	// Name identifies this node's connection in NATS monitoring.
	Name string
	Log  *slog.Logger
}

// Bus is a connection to NATS, and the embedded server when there is one.
type Bus struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	server *server.Server
	prefix string
	log    *slog.Logger
}

// Message is what a subscriber receives.
type Message struct {
	Subject string // without the prefix
	Data    []byte
}

// Subscription is an active subscription; Unsubscribe ends it.
type Subscription interface{ Unsubscribe() error }

// Open starts the embedded server (when cfg.URL is empty) and connects.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	b := &Bus{prefix: cfg.Prefix, log: cfg.Log}
	if b.prefix == "" {
		b.prefix = "plaza"
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	opts := []nats.Option{
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("bus disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { b.log.Info("bus reconnected") }),
	}
	url := cfg.URL
	if url == "" {
		ns, err := embed(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		b.server = ns
		opts = append(opts, nats.InProcessServer(ns))
	} else {
		opts = append(opts, nats.Timeout(5*time.Second))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.shutdownServer()
		return nil, fmt.Errorf("bus: connect %s: %w", url, err)
	}
	b.nc = nc
	js, err := jetstream.New(nc)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("bus: jetstream: %w", err)
	}
	b.js = js
	return b, nil
}

func embed(dataDir string) (*server.Server, error) {
	if dataDir == "" {
		return nil, errors.New("bus: an embedded server needs a data folder")
	}
	ns, err := server.NewServer(&server.Options{
		ServerName: "plaza-embedded",
		DontListen: true, // reached in-process only: no port to collide
		JetStream:  true,
		StoreDir:   filepath.Join(dataDir, "nats"),
		NoSigs:     true,
		NoLog:      true,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("bus: embedded server did not start in 10s")
	}
	return ns, nil
}

// Embedded reports whether the server runs inside this process.
func (b *Bus) Embedded() bool { return b.server != nil }

// Subject is the full subject for a name under the prefix.
func (b *Bus) Subject(name string) string { return b.prefix + "." + name }

// Publish sends data on subject (fire and forget; ordered per connection).
func (b *Bus) Publish(subject string, data []byte) error {
	return b.nc.Publish(b.Subject(subject), data)
}

// Subscribe calls fn for each message on subject (wildcards allowed). fn runs
// on one goroutine per subscription, in order.
func (b *Bus) Subscribe(subject string, fn func(*Message)) (Subscription, error) {
	return b.nc.Subscribe(b.Subject(subject), b.deliver(fn))
}

func (b *Bus) deliver(fn func(*Message)) nats.MsgHandler {
	n := len(b.prefix) + 1
	return func(m *nats.Msg) {
		fn(&Message{Subject: m.Subject[n:], Data: m.Data})
	}
}

// Flush waits until the server has processed everything published so far.
func (b *Bus) Flush(ctx context.Context) error { return b.nc.FlushWithContext(ctx) }

// JetStream is the durable-work API on the same connection.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Ping checks the connection is up.
func (b *Bus) Ping() error {
	if !b.nc.IsConnected() {
		return errors.New("bus: not connected")
	}
	return nil
}

// Close drains subscriptions, closes the connection and stops the embedded
// server, in that order.
func (b *Bus) Close() {
	if b.nc != nil {
		if err := b.nc.Drain(); err != nil {
			b.nc.Close()
		}
		deadline := time.Now().Add(5 * time.Second)
		for !b.nc.IsClosed() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	b.shutdownServer()
}

func (b *Bus) shutdownServer() {
	if b.server != nil {
		b.server.Shutdown()
		b.server.WaitForShutdown()
	}
}
