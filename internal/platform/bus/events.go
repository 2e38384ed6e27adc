package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// EventsPrefix starts the subject of every domain event: the events that
// the outbox relays and the event stream keeps.
const EventsPrefix = "events."

// EventStream is the name of this installation's JetStream stream of
// domain events (one per prefix, so installations sharing a NATS stay
// apart).
func (b *Bus) EventStream() string {
	return "EVENTS_" + strings.NewReplacer(".", "_", "*", "_", ">", "_", " ", "_").Replace(b.prefix)
}

// EnsureEventStream creates the event stream, or updates it to this
// version's settings: every subject under EventsPrefix, kept a week, and
// a message id seen again within two minutes stored once.
func (b *Bus) EnsureEventStream(ctx context.Context) error {
	cfg := jetstream.StreamConfig{
		Name:       b.EventStream(),
		Subjects:   []string{b.Subject(EventsPrefix + ">")},
		Storage:    jetstream.FileStorage,
		MaxAge:     7 * 24 * time.Hour,
		Duplicates: 2 * time.Minute,
	}
	// Update only what differs: every node ensures the stream at start,
	// and an update racing a consumer's creation is needless work for the
	// server (and a data race inside an embedded nats-server 2.15).
	if st, err := b.js.Stream(ctx, cfg.Name); err == nil {
		have := st.CachedInfo().Config
		if slices.Equal(have.Subjects, cfg.Subjects) && have.Storage == cfg.Storage && have.MaxAge == cfg.MaxAge && have.Duplicates == cfg.Duplicates {
			return nil
		}
	} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("bus: event stream: %w", err)
	}
	if _, err := b.js.CreateOrUpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("bus: event stream: %w", err)
	}
	return nil
}

// DeleteEventStream removes the event stream and its messages (tests on a
// shared NATS clean up with it).
func (b *Bus) DeleteEventStream(ctx context.Context) error {
	err := b.js.DeleteStream(ctx, b.EventStream())
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	return err
}

// PublishEvent stores data on subject in the event stream and waits for
// the stream's acknowledgement; msgID de-duplicates a repeated publish.
func (b *Bus) PublishEvent(ctx context.Context, subject string, data []byte, msgID string) error {
	if !strings.HasPrefix(subject, EventsPrefix) {
		return fmt.Errorf("bus: %q is not an event subject", subject)
	}
	_, err := b.js.Publish(ctx, b.Subject(subject), data, jetstream.WithMsgID(msgID))
	return err
}

// Consume delivers every event on subject (wildcards allowed) to fn
// through the durable consumer named durable, in order, at least once:
// an event fn fails is delivered again after a pause, and events published
// while no node consumed wait for the next. Every node that consumes
// under one durable name shares the work. Stop ends the delivery.
func (b *Bus) Consume(ctx context.Context, durable, subject string, fn func(context.Context, *Message) error) (stop func(), err error) {
	cons, err := b.js.CreateOrUpdateConsumer(ctx, b.EventStream(), jetstream.ConsumerConfig{
		Durable:       durable,
		FilterSubject: b.Subject(subject),
		AckPolicy:     jetstream.AckExplicitPolicy,
		MaxAckPending: 1, // in order
		AckWait:       30 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: consumer %s: %w", durable, err)
	}
	n := len(b.prefix) + 1
	cctx, cancel := context.WithCancel(context.Background())
	cc, err := cons.Consume(func(m jetstream.Msg) {
		msg := &Message{Subject: m.Subject()[n:], Data: m.Data()}
		if err := fn(cctx, msg); err != nil {
			b.log.Warn("consuming event", "consumer", durable, "subject", msg.Subject, "err", err)
			_ = m.NakWithDelay(time.Second)
			return
		}
		_ = m.Ack()
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("bus: consume %s: %w", durable, err)
	}
	return func() { cc.Stop(); cancel() }, nil
}
