package miniapp

import (
	"context"
	"database/sql"
	"errors"

	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Login (plaza.login): a one-time code the app's backend trades, with its
// secret, for the user's openid and unionid (jscode2session).

// Code makes a one-time login code for the user in the app (5 minutes);
// trial is the label of the trial running, or empty. Errors: not_found.
func (s *Service) Code(ctx context.Context, userID, appid, trial string) (string, error) {
	if _, err := s.runnable(ctx, userID, appid, trial); err != nil {
		return "", err
	}
	code := ids.Token(16)
	_, err := s.db.Exec(ctx, insertLoginCode, code, appid, userID, sqldb.Micro(s.now().Add(CodeTTL)))
	return code, err
}

// Exchange trades a login code, once, for the user's openid under the app,
// a session key and the unionid (per developer). Errors: a *CodeError
// (WeChat's errcode and errmsg) for every refusal; anything else is
// internal.
func (s *Service) Exchange(ctx context.Context, appid, secret, code string) (Session, error) {
	if appid == "" || secret == "" || code == "" {
		return Session{}, &CodeError{ErrMissingParam, "appid, secret and js_code are required"}
	}
	developer, ok := s.checkSecret(ctx, appid, secret)
	if developer == "" {
		return Session{}, &CodeError{ErrInvalidAppID, "invalid appid"}
	}
	if !ok {
		return Session{}, &CodeError{ErrInvalidSecret, "invalid appsecret"}
	}
	var userID string
	var used int
	var expires int64
	err := s.db.QueryRow(ctx, selectLoginCode, code, appid).Scan(&userID, &used, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && s.now().After(sqldb.FromMicro(expires)) {
		return Session{}, &CodeError{ErrInvalidCode, "invalid code"}
	}
	if err != nil {
		return Session{}, err
	}
	res, err := s.db.Exec(ctx, markLoginCodeUsed, code)
	if err != nil {
		return Session{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 || used != 0 {
		return Session{}, &CodeError{ErrCodeUsed, "code been used"}
	}
	return Session{OpenID: s.payments.OpenID(appid, userID), SessionKey: ids.Token(16), UnionID: s.unionID(developer, userID)}, nil
}
