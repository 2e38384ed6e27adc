package miniapp

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/plaza-dev/plaza/internal/platform/export"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The export's and the erasure's statements.
const (
	// selectStoragePage is a page of a user's stored values after
	// (appid, key): values may be 1 MiB each, so pages are small.
	selectStoragePage = `SELECT appid, key, value FROM miniapp_storage WHERE user_id = ? AND (appid > ? OR (appid = ? AND key > ?))
		ORDER BY appid, key LIMIT ?`
	deleteStorageOf  = `DELETE FROM miniapp_storage WHERE user_id = ?`
	deleteConsentsOf = `DELETE FROM miniapp_consents WHERE user_id = ?`
	deleteCodesOf    = `DELETE FROM miniapp_codes WHERE user_id = ?`
	deleteTestingOf  = `DELETE FROM miniapp_testers WHERE user_id = ?`
)

// storagePage is how many stored values the exporter reads at a time.
const storagePage = 16

// storedValue is one stored value in miniapp/storage.
type storedValue struct {
	AppID string          `json:"appid"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// Export writes what mini-apps hold for userID (export.Exporter):
// miniapp/apps (the apps they develop), miniapp/consents (what they
// granted to which app), miniapp/testing (apps they were named a tester
// of) and miniapp/storage (every value an app stored for them).
func (s *Service) Export(ctx context.Context, userID string, w *export.Writer) error {
	apps, err := s.AppsOf(ctx, userID)
	if err != nil {
		return err
	}
	if apps == nil {
		apps = []App{}
	}
	if err := w.Object("miniapp/apps", apps); err != nil {
		return err
	}
	grants, err := s.Grants(ctx, userID)
	if err != nil {
		return err
	}
	if err := w.Object("miniapp/consents", grants); err != nil {
		return err
	}
	testing, err := s.TestingOf(ctx, userID)
	if err != nil {
		return err
	}
	if testing == nil {
		testing = []Testing{}
	}
	if err := w.Object("miniapp/testing", testing); err != nil {
		return err
	}
	a, err := w.Array("miniapp/storage")
	if err != nil {
		return err
	}
	for appid, key := "", ""; ; {
		rows, err := s.db.Query(ctx, selectStoragePage, userID, appid, appid, key, storagePage)
		if err != nil {
			return err
		}
		page, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (storedValue, error) {
			var v storedValue
			var raw string
			err := rows.Scan(&v.AppID, &v.Key, &raw)
			v.Value = json.RawMessage(raw)
			return v, err
		})
		if err != nil {
			return err
		}
		for _, v := range page {
			if err := a.Add(v); err != nil {
				return err
			}
			appid, key = v.AppID, v.Key
		}
		if len(page) < storagePage {
			return a.Close()
		}
	}
}

// EraseUser is the mini-apps' step of erasing an account
// (account.ErasureStep): in one transaction, every value any app stored
// for the user, every consent they granted, their unused login codes and
// their tester places go. Apps they develop stay (other people use them;
// their merchants close with the account). Idempotent.
func (s *Service) EraseUser(ctx context.Context, userID string) error {
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []string{deleteStorageOf, deleteConsentsOf, deleteCodesOf, deleteTestingOf} {
			if _, err := tx.Exec(ctx, q, userID); err != nil {
				return err
			}
		}
		return nil
	})
}
