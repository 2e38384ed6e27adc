package miniapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Trials: a developer, and the testers they name, open an unreleased
// version. It is served from its own host label, {appid}--v{code}--{mac},
// so that every path inside it stays on that version; the mac (keyed by the
// server) makes the label a capability only the API hands out.

// AddTester lets a user open the app's unreleased versions (kept as the
// internal scope plaza.tester, which no consent list shows). Errors:
// not_found.
func (s *Service) AddTester(ctx context.Context, developerID, appid, username string) error {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return err
	}
	u, err := s.accounts.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO miniapp_consents (user_id, appid, scope, granted_at) VALUES (?, ?, 'plaza.tester', ?) ON CONFLICT DO NOTHING`,
		u.ID, appid, sqldb.Micro(s.now()))
	return err
}

func (s *Service) isTester(ctx context.Context, appid, userID string) bool {
	var one int
	return s.db.QueryRow(ctx, `SELECT 1 FROM miniapp_consents WHERE user_id = ? AND appid = ? AND scope = 'plaza.tester'`, userID, appid).Scan(&one) == nil
}

func (s *Service) trialMAC(appid string, code int64) string {
	m := hmac.New(sha256.New, s.unionKey)
	m.Write([]byte("trial|" + appid + "|" + strconv.FormatInt(code, 10)))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil))[:16])
}

// TrialLabel is the host label that serves version code of appid, for its
// developer or a tester. Errors: not_found.
func (s *Service) TrialLabel(ctx context.Context, userID, appid string, code int64) (string, error) {
	a, err := s.App(ctx, appid)
	if err != nil || a.DeveloperID != userID && !s.isTester(ctx, appid, userID) {
		return "", errs.E(errs.NotFound, "No mini-program %q you may try.", appid)
	}
	if _, err := s.version(ctx, appid, code); err != nil {
		return "", err
	}
	return appid + "--v" + strconv.FormatInt(code, 10) + "--" + s.trialMAC(appid, code), nil
}

// parseTrial reads a trial label; ok only when its mac checks out.
func (s *Service) parseTrial(label string) (appid string, code int64, ok bool) {
	parts := strings.Split(label, "--")
	if len(parts) != 3 || !strings.HasPrefix(parts[1], "v") {
		return "", 0, false
	}
	code, err := strconv.ParseInt(parts[1][1:], 10, 64)
	if err != nil || code < 1 {
		return "", 0, false
	}
	if !hmac.Equal([]byte(parts[2]), []byte(s.trialMAC(parts[0], code))) {
		return "", 0, false
	}
	return parts[0], code, true
}
