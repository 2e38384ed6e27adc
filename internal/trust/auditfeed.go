package trust

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/plaza-dev/plaza/internal/platform/bus"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The audit feed: facts other components publish as domain events (the
// outbox's, delivered at least once) that the audit log records. trust
// cannot import the publishers (they ask trust), so each payload is read
// here by its JSON names.
var auditFeed = []struct {
	subject string
	entry   func(data []byte) (source string, e Entry, err error)
}{
	{"events.account.user_erased", func(data []byte) (string, Entry, error) {
		var ev struct {
			UserID   string `json:"user_id"`
			ErasedAt string `json:"erased_at"`
		}
		if err := json.Unmarshal(data, &ev); err != nil || ev.UserID == "" {
			return "", Entry{}, fmt.Errorf("bad user_erased event %s", data)
		}
		return "account.user_erased:" + ev.UserID, Entry{Actor: ev.UserID, Action: "account.erased", Target: "user:" + ev.UserID,
			Details: map[string]any{"erased_at": ev.ErasedAt}}, nil
	}},
	{"events.miniapp.version_released", func(data []byte) (string, Entry, error) {
		var ev struct {
			AppID       string `json:"appid"`
			Version     int64  `json:"version"`
			DeveloperID string `json:"developer_id"`
			ReleasedAt  string `json:"released_at"`
		}
		if err := json.Unmarshal(data, &ev); err != nil || ev.AppID == "" {
			return "", Entry{}, fmt.Errorf("bad version_released event %s", data)
		}
		v := strconv.FormatInt(ev.Version, 10)
		return "miniapp.version_released:" + ev.AppID + ":" + v + ":" + ev.ReleasedAt, Entry{Actor: ev.DeveloperID, Action: "miniapp.version_released",
			Target: "app:" + ev.AppID, Details: map[string]any{"version": ev.Version, "released_at": ev.ReleasedAt}}, nil
	}},
	// Administrative and security actions (auditactions.go).
	{"events.account.admin_made", auditAdminMade},
	{"events.account.login_locked", auditLoginLocked},
	{"events.miniapp.version_reviewed", auditVersionReviewed},
	{"events.miniapp.secret_rotated", auditAppSecretRotated},
	{"events.pay.pin_locked", auditPINLocked},
	{"events.secrets.key_rotated", auditKeyRotated},
	{"events.pay.review_opened", reviewEntry},
	{"events.pay.review_decided", reviewEntry},
}

// reviewEntry records a screening review opened or decided (pay's
// ReviewEvent): the match, the list hash and the score, and who decided.
func reviewEntry(data []byte) (string, Entry, error) {
	var ev struct {
		ReviewID    string  `json:"review_id"`
		Kind        string  `json:"kind"`
		State       string  `json:"state"`
		SubjectType string  `json:"subject_type"`
		SubjectID   string  `json:"subject_id"`
		Amount      int64   `json:"amount"`
		Currency    string  `json:"currency"`
		EntryID     string  `json:"entry_id"`
		EntryName   string  `json:"entry_name"`
		Score       float64 `json:"score"`
		Program     string  `json:"program"`
		ListHash    string  `json:"list_hash"`
		DecidedBy   string  `json:"decided_by"`
		Note        string  `json:"note"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.ReviewID == "" || ev.State == "" {
		return "", Entry{}, fmt.Errorf("bad review event %s", data)
	}
	actor, action := "screening", "review.opened"
	if ev.State != "open" {
		actor, action = ev.DecidedBy, "review."+ev.State
	}
	return "pay.review:" + ev.ReviewID + ":" + ev.State, Entry{Actor: actor, Action: action, Target: "review:" + ev.ReviewID,
		Details: map[string]any{"kind": ev.Kind, "subject": ev.SubjectType + ":" + ev.SubjectID, "amount": ev.Amount, "currency": ev.Currency,
			"entry_id": ev.EntryID, "entry_name": ev.EntryName, "score": ev.Score, "program": ev.Program, "list_hash": ev.ListHash, "note": ev.Note}}, nil
}

// consumeAuditFeed starts one durable consumer per fed subject; stop ends
// them all.
func (s *Service) consumeAuditFeed(ctx context.Context) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for _, f := range stops {
			f()
		}
	}
	for _, f := range auditFeed {
		entry := f.entry
		st, err := s.bus.Consume(ctx, "trust-audit-"+durableName(f.subject), f.subject, func(ctx context.Context, m *bus.Message) error {
			source, e, err := entry(m.Data)
			if err != nil {
				s.log.Warn("audit feed", "subject", m.Subject, "err", err)
				return nil // a malformed event would never get better
			}
			_, err = s.AppendOnce(ctx, source, e)
			return err
		})
		if err != nil {
			stop()
			return nil, err
		}
		stops = append(stops, st)
	}
	return stop, nil
}

func durableName(subject string) string {
	b := []byte(subject)
	for i, c := range b {
		if c == '.' || c == '*' || c == '>' {
			b[i] = '_'
		}
	}
	return string(b)
}

// AppendOnce appends e unless an entry from source was appended already
// (a domain event delivered again), and returns the entry's index (-1
// when it was logged before).
func (s *Service) AppendOnce(ctx context.Context, source string, e Entry) (int64, error) {
	idx := int64(-1)
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, claimAuditSource, source)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if idx, err = s.Append(ctx, tx, e); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, setAuditSource, idx, source)
		return err
	})
	return idx, err
}
