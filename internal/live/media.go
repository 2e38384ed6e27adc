package live

import (
	"context"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// MaxSDP is the largest SDP offer WHIP and WHEP take (64 KiB).
const MaxSDP = 64 << 10

// The host's disappearance: when the host's publication goes (its
// connection fails, or the host DELETEs the WHIP resource), the room stays
// live for HostGrace so that the host can republish (a reload, a network
// change); with no new publication by then it ends as POST …/end would.
// A timer on this node ends it on time; Run ends rooms a restarted node's
// timer forgot.

func (s *Service) mediaOrUnavailable() error {
	if s.media == nil {
		return errs.E(errs.Unavailable, "This node serves no live video.")
	}
	return nil
}

// Publish takes the host's WHIP offer for room id: the room goes live
// (started_at once) and everyone watching gets "started". Errors:
// not_found, forbidden, room_ended, unavailable, invalid_argument (not
// an SDP offer with video: the media server's).
func (s *Service) Publish(ctx context.Context, userID, id string, offer []byte) (answer []byte, session string, err error) {
	if err := s.mediaOrUnavailable(); err != nil {
		return nil, "", err
	}
	r, err := s.hosted(ctx, userID, id)
	if err != nil {
		return nil, "", err
	}
	if r.State == StateEnded {
		return nil, "", errs.E(RoomEnded, "This live room has ended; create a new one.")
	}
	// onGone may come at any time, even before Publish returns the
	// session it is about: it waits for the session (a minute at most).
	sessionCh := make(chan string, 1)
	gone := func() {
		go func() {
			select {
			case sess := <-sessionCh:
				s.hostGone(id, sess)
			case <-time.After(time.Minute):
			}
		}()
	}
	answer, session, err = s.media.Publish(ctx, id, offer, gone)
	if err != nil {
		return nil, "", err
	}
	sessionCh <- session
	now := sqldb.Micro(s.now())
	res, err := s.db.Exec(ctx, startRoom, now, now, session, id)
	if err != nil {
		_ = s.media.Stop(context.WithoutCancel(ctx), id, session)
		return nil, "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_ = s.media.Stop(context.WithoutCancel(ctx), id, session)
		return nil, "", errs.E(RoomEnded, "This live room has ended; create a new one.")
	}
	if r.State == StateScheduled {
		if fresh, err := s.room(ctx, id); err == nil {
			room := s.view(ctx, "", fresh)
			s.broadcast(id, "started", map[string]any{"room": room}, true)
			if s.cfg.OnStarted != nil {
				go func() {
					ctx := context.Background()
					users, err := s.Reminded(ctx, id)
					if err != nil {
						s.log.Error("live: reading reminders", "room", id, "err", err)
						return
					}
					s.cfg.OnStarted(ctx, room, users)
				}()
			}
		}
	}
	return answer, session, nil
}

// Unpublish stops the host's publication session (DELETE of the WHIP
// resource). The room stays live for HostGrace, then ends unless the host
// published again. Errors: not_found, forbidden.
func (s *Service) Unpublish(ctx context.Context, userID, id, session string) error {
	if err := s.mediaOrUnavailable(); err != nil {
		return err
	}
	if _, err := s.hosted(ctx, userID, id); err != nil {
		return err
	}
	if err := s.media.Stop(ctx, id, session); err != nil {
		return err
	}
	s.hostGone(id, session)
	return nil
}

// hostGone starts the grace of publication session of room id.
func (s *Service) hostGone(id, session string) {
	ctx := context.Background()
	res, err := s.db.Exec(ctx, hostGone, sqldb.Micro(s.now()), id, session)
	if err != nil {
		s.log.Error("live: recording the host gone", "room", id, "err", err)
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return // replaced by a newer publication, or ended
	}
	time.AfterFunc(s.cfg.HostGrace, func() {
		if _, err := s.end(context.Background(), id, session); err != nil {
			s.log.Error("live: ending an abandoned room", "room", id, "err", err)
		}
	})
}

// Play takes a viewer's WHEP offer for room id. Errors: not_found,
// blocked_by_policy (403), not_live, room_ended, unavailable,
// invalid_argument.
func (s *Service) Play(ctx context.Context, userID, id string, offer []byte) (answer []byte, session string, err error) {
	if err := s.mediaOrUnavailable(); err != nil {
		return nil, "", err
	}
	r, err := s.visible(ctx, userID, id)
	if err != nil {
		return nil, "", err
	}
	if err := s.mayWatch(ctx, userID, r); err != nil {
		return nil, "", err
	}
	switch r.State {
	case StateEnded:
		return nil, "", errs.E(RoomEnded, "This live room has ended.")
	case StateScheduled:
		return nil, "", errs.E(NotLive, "This live room has not started yet.")
	}
	return s.media.Play(ctx, id, userID, offer)
}

// StopPlay ends a viewer's playback session (DELETE of the WHEP
// resource). Errors: not_found, unavailable.
func (s *Service) StopPlay(ctx context.Context, userID, id, session string) error {
	if err := s.mediaOrUnavailable(); err != nil {
		return err
	}
	if _, err := s.visible(ctx, userID, id); err != nil {
		return err
	}
	return s.media.Stop(ctx, id, session)
}
