package live

import (
	"context"
	"database/sql"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// PaymentSubject is merchant.PaymentSucceededSubject (the node's test
// checks they agree): live hears of paid orders there.
const PaymentSubject = "events.merchant.payment_succeeded"

// PaymentConsumer is the durable consumer's name on the event stream
// (every node shares it).
const PaymentConsumer = "live-payments"

// Run does the component's scheduled work until ctx ends: every JobEvery
// it closes and releases purchases unpaid past their hold (Expire) and
// ends rooms whose host has been gone for HostGrace (a timer missed by a
// node that restarted); with a bus it consumes the merchant's payment
// events (sold, "sale" to the host).
func (s *Service) Run(ctx context.Context) error {
	if s.bus != nil {
		stop, err := s.bus.Consume(ctx, PaymentConsumer, PaymentSubject, func(ctx context.Context, m *bus.Message) error {
			return s.PaymentEvent(ctx, m.Data)
		})
		if err != nil {
			return err
		}
		defer stop()
	}
	t := time.NewTicker(s.cfg.JobEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := s.Expire(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("live: expiring held stock", "err", err)
			}
			if _, err := s.EndAbandoned(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("live: ending abandoned rooms", "err", err)
			}
		}
	}
}

// EndAbandoned ends the live rooms whose host has been gone for
// HostGrace; it answers how many it ended.
func (s *Service) EndAbandoned(ctx context.Context) (int, error) {
	rows, err := s.db.Query(ctx, selectAbandoned, sqldb.Micro(s.now().Add(-s.cfg.HostGrace)))
	if err != nil {
		return 0, err
	}
	list, err := sqldb.ScanAll(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range list {
		var session string
		if err := s.db.QueryRow(ctx, `SELECT publish_session FROM live_rooms WHERE id = ?`, id).Scan(&session); err != nil {
			continue
		}
		if ok, err := s.end(ctx, id, session); err != nil {
			return n, err
		} else if ok {
			n++
		}
	}
	return n, nil
}
