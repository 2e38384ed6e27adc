package merchant

import (
	"context"
	"encoding/json"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// addEvent writes an event inside tx. TEMPORARY until
// internal/platform/outbox lands on main: then it is outbox.Add and this
// file goes.
func addEvent(ctx context.Context, tx *sqldb.Tx, subject string, payload any) error {
	_, err := json.Marshal(payload)
	return err
}
