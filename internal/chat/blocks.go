package chat

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// selectDirectKey is a conversation's direct_key (NULL for groups).
const selectDirectKey = `SELECT direct_key FROM conversations WHERE id = ?`

// errBlocked is what a blocked user is told: it does not say they were
// blocked.
func errBlocked() error {
	return errs.E(errs.Forbidden, "You cannot send messages in this chat.")
}

// refuseBlocked refuses userID's message into a direct conversation whose
// other member has blocked them (account.Blocked), before anything is
// written; groups, and conversations userID is not in (refused later as
// not_found), pass. Errors: forbidden.
func (s *Service) refuseBlocked(ctx context.Context, q sqldb.Querier, convID, userID string) error {
	var key sql.NullString
	err := q.QueryRow(ctx, selectDirectKey, convID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !key.Valid {
		return nil
	}
	if err != nil {
		return err
	}
	a, b, _ := strings.Cut(key.String, ":")
	other := a
	switch userID {
	case a:
		other = b
	case b:
	default:
		return nil
	}
	return s.refuseIfBlocked(ctx, other, userID)
}

// refuseIfBlocked refuses when recipient has blocked sender. Errors:
// forbidden.
func (s *Service) refuseIfBlocked(ctx context.Context, recipient, sender string) error {
	blocked, err := s.accounts.Blocked(ctx, recipient, sender)
	if err != nil {
		return err
	}
	if blocked {
		return errBlocked()
	}
	return nil
}
