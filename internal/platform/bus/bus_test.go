package bus_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/dbtest"
	"github.com/plaza-dev/plaza/internal/platform/ids"
)

// server is one NATS, embedded or external, that a test connects buses to.
type server struct {
	t        *testing.T
	url      string   // "" for embedded
	embedded *bus.Bus // the bus that owns the embedded server, once opened
}

// connect opens a bus on the server under prefix; it is closed when the
// test ends.
func (s *server) connect(prefix string) *bus.Bus {
	s.t.Helper()
	var (
		b   *bus.Bus
		err error
	)
	switch {
	case s.url != "":
		b, err = bus.Open(context.Background(), bus.Config{URL: s.url, Prefix: prefix, Name: "bus-test", Log: quiet})
	case s.embedded == nil:
		b, err = bus.Open(context.Background(), bus.Config{DataDir: s.t.TempDir(), Prefix: prefix, Log: quiet})
		s.embedded = b
	default:
		b, err = bus.Attach(s.embedded, prefix)
	}
	if err != nil && s.url != "" {
		dbtest.Require(s.t, "nats", "NATS at PLAZA_TEST_NATS is unreachable: "+err.Error())
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(b.Close)
	return b
}

var quiet = slog.New(slog.DiscardHandler)

// eachServer runs fn against an embedded server and against the external
// one at PLAZA_TEST_NATS (skipped, or failed when required, without it).
func eachServer(t *testing.T, fn func(t *testing.T, s *server)) {
	t.Run("embedded", func(t *testing.T) { fn(t, &server{t: t}) })
	t.Run("external", func(t *testing.T) {
		url := os.Getenv("PLAZA_TEST_NATS")
		if url == "" {
			dbtest.Require(t, "nats", "PLAZA_TEST_NATS is not set")
		}
		fn(t, &server{t: t, url: url})
	})
}

// uniquePrefix keeps concurrent runs on a shared server from hearing
// each other.
func uniquePrefix() string { return "t" + ids.Token(10) }

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// inbox collects the messages a subscription receives.
type inbox struct {
	mu   sync.Mutex
	msgs []bus.Message
}

func (in *inbox) add(m *bus.Message) {
	in.mu.Lock()
	in.msgs = append(in.msgs, bus.Message{Subject: m.Subject, Data: m.Data})
	in.mu.Unlock()
}

func (in *inbox) len() int { in.mu.Lock(); defer in.mu.Unlock(); return len(in.msgs) }

func (in *inbox) all() []bus.Message {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]bus.Message(nil), in.msgs...)
}

func flush(t *testing.T, b *bus.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func subscribe(t *testing.T, b *bus.Bus, subject string, in *inbox) {
	t.Helper()
	if _, err := b.Subscribe(subject, in.add); err != nil {
		t.Fatal(err)
	}
	flush(t, b) // the server knows the subscription before anyone publishes
}

func TestPublishSubscribeInOrder(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server) {
		prefix := uniquePrefix()
		sub, pub := s.connect(prefix), s.connect(prefix)
		var in inbox
		subscribe(t, sub, "orders.created", &in)

		const n = 1000
		for i := range n {
			if err := pub.Publish("orders.created", []byte(strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, 5*time.Second, func() bool { return in.len() >= n })
		for i, m := range in.all() {
			if string(m.Data) != strconv.Itoa(i) || m.Subject != "orders.created" {
				t.Fatalf("message %d = %s %q, want orders.created %q", i, m.Subject, m.Data, strconv.Itoa(i))
			}
		}
	})
}

func TestWildcardSubjectsArriveUnprefixed(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server) {
		b := s.connect(uniquePrefix())
		var one, all inbox
		subscribe(t, b, "orders.*", &one)
		subscribe(t, b, "orders.>", &all)
		for _, subj := range []string{"orders.created", "orders.eu.paid", "payments.done"} {
			if err := b.Publish(subj, []byte(subj)); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, 2*time.Second, func() bool { return one.len() >= 1 && all.len() >= 2 })
		flush(t, b)
		if got := fmt.Sprint(subjects(one.all())); got != "[orders.created]" {
			t.Errorf("orders.* received %s, want [orders.created]", got)
		}
		if got := fmt.Sprint(subjects(all.all())); got != "[orders.created orders.eu.paid]" {
			t.Errorf("orders.> received %s, want [orders.created orders.eu.paid]", got)
		}
	})
}

func subjects(ms []bus.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

func TestPrefixesDoNotHearEachOther(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server) {
		a, b := s.connect(uniquePrefix()), s.connect(uniquePrefix())
		var heardByA, heardByB inbox
		subscribe(t, a, "chat.msg", &heardByA)
		subscribe(t, b, "chat.msg", &heardByB)

		for i := range 10 {
			if err := b.Publish("chat.msg", []byte("b"+strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, 2*time.Second, func() bool { return heardByB.len() == 10 })
		// b's messages reached the server before a's marker; had any of
		// them been routed to a, it would arrive before the marker.
		flush(t, b)
		if err := a.Publish("chat.msg", []byte("marker")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 2*time.Second, func() bool { return heardByA.len() >= 1 })
		if got := heardByA.all(); len(got) != 1 || string(got[0].Data) != "marker" {
			t.Fatalf("a heard %d messages (first %q), want only its own marker", len(got), got[0].Data)
		}
	})
}

func TestCloseDrainsAndReturnsPromptly(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server) {
		prefix := uniquePrefix()
		b := s.connect(prefix)
		var handled atomic.Int32
		slow := func(*bus.Message) { time.Sleep(time.Millisecond); handled.Add(1) }
		if _, err := b.Subscribe("busy", slow); err != nil {
			t.Fatal(err)
		}
		for range 100 {
			if err := b.Publish("busy", []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		closed := make(chan struct{})
		go func() { b.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("Close did not return within 10s")
		}
		if n := handled.Load(); n != 100 {
			t.Errorf("%d of 100 messages handled when Close returned; it must drain them", n)
		}
		if err := b.Ping(); err == nil {
			t.Fatal("Ping succeeded after Close")
		}
		b.Close() // a second Close (as in a deferred cleanup) is harmless
	})
}

func TestEmbedded(t *testing.T) {
	t.Run("needs_a_data_folder", func(t *testing.T) {
		if b, err := bus.Open(context.Background(), bus.Config{Log: quiet}); err == nil {
			b.Close()
			t.Fatal("Open embedded without DataDir succeeded")
		}
	})

	t.Run("default_prefix_is_plaza", func(t *testing.T) {
		b, err := bus.Open(context.Background(), bus.Config{DataDir: t.TempDir(), Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if !b.Embedded() || b.Subject("x.y") != "plaza.x.y" || b.Ping() != nil {
			t.Fatalf("embedded %v, subject %q, ping %v", b.Embedded(), b.Subject("x.y"), b.Ping())
		}
	})

	t.Run("jetstream_stores_and_reads_back", func(t *testing.T) {
		dir := t.TempDir()
		b, err := bus.Open(context.Background(), bus.Config{DataDir: dir, Prefix: "plz", Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		js := b.JetStream()
		stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{b.Subject("events.>")}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := js.Publish(ctx, b.Subject("events.paid"), []byte(strconv.Itoa(i))); err != nil {
				t.Fatal(err)
			}
		}
		for seq := uint64(1); seq <= 3; seq++ {
			m, err := stream.GetMsg(ctx, seq)
			if err != nil {
				t.Fatal(err)
			}
			if string(m.Data) != strconv.Itoa(int(seq-1)) || m.Subject != "plz.events.paid" {
				t.Fatalf("message %d = %s %q", seq, m.Subject, m.Data)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "nats", "jetstream")); err != nil {
			t.Fatalf("JetStream store is not under DataDir/nats: %v", err)
		}
	})
}
