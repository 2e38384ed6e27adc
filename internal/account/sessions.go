package account

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// A user's signed-in devices (GET /me/sessions, DELETE /me/sessions/{id})
// and changing the password, which signs every other device out.

// Session is one signed-in device as its owner sees it. ID is the
// session's public id (the one SessionsEnded names), never its token or
// the token's hash.
type Session struct {
	ID        string `json:"id"`
	Current   bool   `json:"current"`
	UserAgent string `json:"user_agent"`
	// Device is a short English label from the user agent ("Chrome on
	// macOS"; "" when it says nothing known); Browser and OS are its parts,
	// for clients that word it in another language.
	Device  string `json:"device"`
	Browser string `json:"browser"`
	OS      string `json:"os"`
	// IP is coarse: the /24 of an IPv4 address, the /48 of an IPv6 one.
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// touchEvery is how stale a session's last_seen_at may get before a
// request moves it: one small write a minute per busy session.
const touchEvery = time.Minute

// maxListedSessions bounds the device list (a person has a handful; a
// script that signs in in a loop does not get an unbounded answer).
const maxListedSessions = 100

const (
	touchSession = `UPDATE sessions SET last_seen_at = ? WHERE id = ? AND COALESCE(last_seen_at, created_at) < ?`
	listSessions = `SELECT id, user_agent, ip, created_at, COALESCE(last_seen_at, created_at) FROM sessions
		WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id DESC LIMIT ?`
	deleteOwnSession    = `DELETE FROM sessions WHERE id = ? AND user_id = ?`
	selectOtherSessions = `SELECT id FROM sessions WHERE user_id = ? AND id <> ?`
	deleteOtherSessions = `DELETE FROM sessions WHERE user_id = ? AND id <> ?`
	updatePassword      = `UPDATE users SET password_hash = ? WHERE id = ? AND deleted_at IS NULL`
)

// touchSession records that a session was used now, when what is stored
// (seen, µs) is over touchEvery old. Best effort: a failure is logged and
// the request goes on.
func (s *Service) touchSession(ctx context.Context, sessionID string, seen int64) int64 {
	now := s.now()
	if now.Sub(sqldb.FromMicro(seen)) < touchEvery {
		return seen
	}
	if _, err := s.db.Exec(ctx, touchSession, sqldb.Micro(now), sessionID, sqldb.Micro(now.Add(-touchEvery))); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("recording a session's last use", "session_id", sessionID, "err", err)
		}
		return seen
	}
	return sqldb.Micro(now)
}

// Sessions lists userID's unexpired sessions, newest first; currentID
// (the caller's own) is marked Current.
func (s *Service) Sessions(ctx context.Context, userID, currentID string) ([]Session, error) {
	rows, err := s.db.Query(ctx, listSessions, userID, sqldb.Micro(s.now()), maxListedSessions)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(rows *sql.Rows) (Session, error) {
		var ses Session
		var ip string
		var created, seen int64
		if err := rows.Scan(&ses.ID, &ses.UserAgent, &ip, &created, &seen); err != nil {
			return Session{}, err
		}
		ses.Current = ses.ID == currentID
		ses.Browser, ses.OS = parseUserAgent(ses.UserAgent)
		ses.Device = deviceLabel(ses.Browser, ses.OS)
		ses.IP = coarseIP(ip)
		ses.CreatedAt, ses.LastSeenAt = sqldb.FromMicro(created), sqldb.FromMicro(seen)
		return ses, nil
	})
}

// EndSession signs one of userID's sessions out and, once that is
// committed, announces it (SessionsEndedSubject). Errors: not_found (no
// such session of this user: another user's id is as unknown as a made-up
// one).
func (s *Service) EndSession(ctx context.Context, userID, sessionID string) error {
	res, err := s.db.Exec(ctx, deleteOwnSession, sessionID, userID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = errs.E(errs.NotFound, "No such session.")
		}
		return err
	}
	s.publishSessionsEnded(SessionsEnded{UserID: userID, SessionID: sessionID})
	return nil
}

// ChangePassword checks the current password (a counted attempt, as
// VerifyPassword), stores the new one and ends every session of the user
// but currentID, announcing each (SessionsEndedSubject) once committed. It
// returns the user and how many sessions ended. Errors: invalid_argument
// (old_password missing, new_password too short or long or unchanged),
// wrong_password (field old_password), rate_limited (locked), not_found.
func (s *Service) ChangePassword(ctx context.Context, userID, currentID, oldPassword, newPassword string) (User, int, error) {
	if oldPassword == "" {
		return User{}, 0, errs.Field("old_password", "Enter your current password.")
	}
	if err := validatePassword(newPassword); err != nil {
		e := *err.(*errs.Error)
		e.Field = "new_password"
		return User{}, 0, &e
	}
	if newPassword == oldPassword {
		return User{}, 0, errs.Field("new_password", "The new password must differ from the current one.")
	}
	if err := s.VerifyPassword(ctx, userID, oldPassword); err != nil {
		if errs.Is(err, WrongPassword) {
			return User{}, 0, &errs.Error{Code: WrongPassword, Field: "old_password", Message: "The current password is wrong."}
		}
		return User{}, 0, err
	}
	hash := hashPassword(newPassword, s.set.Password)
	var ended []string
	var u User
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, updatePassword, hash, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = errs.E(errs.NotFound, "No such user.")
			}
			return err
		}
		rows, err := tx.Query(ctx, selectOtherSessions, userID, currentID)
		if err != nil {
			return err
		}
		if ended, err = sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
			var id string
			return id, rows.Scan(&id)
		}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, deleteOtherSessions, userID, currentID); err != nil {
			return err
		}
		u, err = getUser(ctx, tx, selectUserByID, userID)
		return err
	})
	if err != nil {
		return User{}, 0, err
	}
	// One announcement per session, so that every node closes those
	// sockets and keeps the current session's.
	for _, id := range ended {
		s.publishSessionsEnded(SessionsEnded{UserID: userID, SessionID: id})
	}
	s.log.Info("password changed", "user_id", userID, "sessions_ended", len(ended))
	return u, len(ended), nil
}

// parseUserAgent names the browser and operating system a user agent
// says, or "" for what it does not say recognisably. Order matters: Edge
// and Opera also say Chrome, Chrome also says Safari.
func parseUserAgent(ua string) (browser, os string) {
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("MicroMessenger/"):
		browser = "WeChat"
	case has("Edg/"), has("EdgA/"), has("EdgiOS/"):
		browser = "Edge"
	case has("OPR/"), has("Opera"):
		browser = "Opera"
	case has("SamsungBrowser/"):
		browser = "Samsung Internet"
	case has("Firefox/"), has("FxiOS/"):
		browser = "Firefox"
	case has("Chrome/"), has("CriOS/"), has("Chromium/"):
		browser = "Chrome"
	case has("Safari/"):
		browser = "Safari"
	case has("Go-http-client/"):
		browser = "Go client"
	case strings.HasPrefix(ua, "curl/"):
		browser = "curl"
	}
	switch {
	case has("iPhone"), has("iPod"):
		os = "iOS"
	case has("iPad"):
		os = "iPadOS"
	case has("Android"):
		os = "Android"
	case has("Windows"):
		os = "Windows"
	case has("CrOS"):
		os = "ChromeOS"
	case has("Macintosh"), has("Mac OS X"):
		os = "macOS"
	case has("Linux"):
		os = "Linux"
	}
	return browser, os
}

func deviceLabel(browser, os string) string {
	switch {
	case browser != "" && os != "":
		return browser + " on " + os
	case browser != "":
		return browser
	}
	return os
}

// coarseIP keeps an address's network, not the host: enough to recognise
// "that was me, at home" without listing exact addresses.
func coarseIP(s string) string {
	ip := net.ParseIP(s)
	if ip == nil {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		return net.IPv4(v4[0], v4[1], v4[2], 0).String() + "/24"
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
}

// registerSessions adds the device list, ending a session and changing
// the password.
func (h *Handler) registerSessions(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/me/sessions", h.Auth.Required(h.sessions))
	mux.Handle("DELETE /api/v1/me/sessions/{id}", h.Auth.Required(h.endSession))
	mux.Handle("POST /api/v1/me/password", h.Auth.Required(h.changePassword))
}

func (h *Handler) sessions(w http.ResponseWriter, r *http.Request) error {
	c := httpx.Caller(r)
	list, err := h.Service.Sessions(r.Context(), c.UserID, c.SessionID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"sessions": list})
	return nil
}

func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) error {
	c := httpx.Caller(r)
	id := r.PathValue("id")
	if err := h.Service.EndSession(r.Context(), c.UserID, id); err != nil {
		return err
	}
	if id == c.SessionID {
		h.setCookie(w, r, "", -time.Second)
	}
	httpx.NoContent(w)
	return nil
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OldPassword string `json:"old_password"`
		NewPassword string `json:"new_password"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c := httpx.Caller(r)
	u, ended, err := h.Service.ChangePassword(r.Context(), c.UserID, c.SessionID, in.OldPassword, in.NewPassword)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": u, "sessions_ended": ended})
	return nil
}
