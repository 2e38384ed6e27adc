package account

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/export"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// A user's own settings (GET/PUT /api/v1/me/settings) and what presence
// needs of the account component: who a user's contacts are, whether
// they show when they were last seen, and when that was.

// UserSettings are the settings a user sets for themself.
type UserSettings struct {
	// ShowLastSeen lets contacts and direct-chat partners see whether the
	// user is online and when they were last seen. Off, they see neither,
	// and (as in Telegram) the user sees no one else's either.
	ShowLastSeen bool `json:"show_last_seen"`
	// AddMe is who may send the user a contact request: AddMeEveryone,
	// AddMeContactsOfContacts or AddMeNobody.
	AddMe string `json:"add_me"`
}

// Who may send a user a contact request (UserSettings.AddMe), whether by
// username, their QR code or a shared card: every way ends in
// SendContactRequest, which enforces it.
const (
	AddMeEveryone           = "everyone"
	AddMeContactsOfContacts = "contacts_of_contacts" // someone sharing a contact with them
	AddMeNobody             = "nobody"
)

func validAddMe(v string) bool {
	return v == AddMeEveryone || v == AddMeContactsOfContacts || v == AddMeNobody
}

// PresenceInfo is what presence reads of a user: their setting and when
// they were last seen (zero: never, or not recorded).
type PresenceInfo struct {
	ShowLastSeen bool
	LastSeen     time.Time
}

// SettingsChangedSubject announces a user's changed settings as
// SettingsChanged (best effort, after commit), so that every node's
// presence stops (or starts) showing them at once.
const SettingsChangedSubject = "events.account.settings_changed"

// SettingsChanged is a user's settings after a change.
type SettingsChanged struct {
	UserID string `json:"user_id"`
	UserSettings
}

const (
	selectSettings = `SELECT show_last_seen, add_me FROM user_settings WHERE user_id = ?`
	upsertSettings = `INSERT INTO user_settings (user_id, show_last_seen, add_me) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET show_last_seen = excluded.show_last_seen, add_me = excluded.add_me`
	// touchLastSeen moves last_seen forward only (several nodes may write).
	// An erased account gets no row back.
	touchLastSeen = `INSERT INTO user_settings (user_id, show_last_seen, last_seen)
		SELECT ?, 1, ? WHERE EXISTS (SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL)
		ON CONFLICT (user_id) DO UPDATE SET last_seen = CASE
			WHEN user_settings.last_seen IS NULL OR user_settings.last_seen < excluded.last_seen THEN excluded.last_seen
			ELSE user_settings.last_seen END`
	// selectPresenceInfos + inList(n).
	selectPresenceInfos = `SELECT user_id, show_last_seen, last_seen FROM user_settings WHERE user_id IN `
	selectContactIDs    = `SELECT contact_id FROM contacts WHERE user_id = ?`
	deleteUserSettings  = `DELETE FROM user_settings WHERE user_id = ?`
)

// Settings are the caller's settings. Errors: not_found.
func (s *Service) Settings(ctx context.Context, userID string) (UserSettings, error) {
	if _, err := s.User(ctx, userID); err != nil {
		return UserSettings{}, err
	}
	return userSettings(ctx, s.db, userID)
}

// userSettings reads a user's settings row, or the defaults without one.
func userSettings(ctx context.Context, q sqldb.Querier, userID string) (UserSettings, error) {
	out := UserSettings{ShowLastSeen: true, AddMe: AddMeEveryone}
	var show int
	err := q.QueryRow(ctx, selectSettings, userID).Scan(&show, &out.AddMe)
	if err == nil {
		out.ShowLastSeen = show != 0
	} else if !errors.Is(err, sql.ErrNoRows) {
		return UserSettings{}, err
	}
	return out, nil
}

// SetSettings stores the caller's settings and announces them
// (SettingsChangedSubject). Errors: invalid_argument (add_me), not_found.
func (s *Service) SetSettings(ctx context.Context, userID string, in UserSettings) (UserSettings, error) {
	if !validAddMe(in.AddMe) {
		return UserSettings{}, errs.Field("add_me", "add_me is one of \"everyone\", \"contacts_of_contacts\" or \"nobody\".")
	}
	if _, err := s.User(ctx, userID); err != nil {
		return UserSettings{}, err
	}
	show := 0
	if in.ShowLastSeen {
		show = 1
	}
	if _, err := s.db.Exec(ctx, upsertSettings, userID, show, in.AddMe); err != nil {
		return UserSettings{}, err
	}
	if s.set.Bus != nil {
		data, _ := json.Marshal(SettingsChanged{UserID: userID, UserSettings: in})
		if err := s.set.Bus.Publish(SettingsChangedSubject, data); err != nil {
			s.log.Warn("announcing settings", "err", err)
		}
	}
	return in, nil
}

// PresenceInfos is each user's presence setting and last seen time
// (defaults for users without a row).
func (s *Service) PresenceInfos(ctx context.Context, ids []string) (map[string]PresenceInfo, error) {
	out := make(map[string]PresenceInfo, len(ids))
	for _, id := range ids {
		out[id] = PresenceInfo{ShowLastSeen: true}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.db.Query(ctx, selectPresenceInfos+inList(len(chunk)), args...)
		if err != nil {
			return nil, err
		}
		err = sqldb.Each(rows, func(rows *sql.Rows) error {
			var id string
			var show int
			var seen sql.NullInt64
			if err := rows.Scan(&id, &show, &seen); err != nil {
				return err
			}
			pi := PresenceInfo{ShowLastSeen: show != 0}
			if seen.Valid {
				pi.LastSeen = sqldb.FromMicro(seen.Int64)
			}
			out[id] = pi
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TouchLastSeen records that userID was last seen at (never moving it
// back). A user erased meanwhile is ignored.
func (s *Service) TouchLastSeen(ctx context.Context, userID string, at time.Time) error {
	_, err := s.db.Exec(ctx, touchLastSeen, userID, sqldb.Micro(at), userID)
	return err
}

// ContactIDs are the ids of userID's contacts (for presence's audience).
func (s *Service) ContactIDs(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.Query(ctx, selectContactIDs, userID)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
		var id string
		err := rows.Scan(&id)
		return id, err
	})
}

// registerSettings adds GET/PUT /api/v1/me/settings.
func (h *Handler) registerSettings(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/me/settings", h.Auth.Required(h.getSettings))
	mux.Handle("PUT /api/v1/me/settings", h.Auth.Required(h.putSettings))
}

func (h *Handler) getSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := h.Service.Settings(r.Context(), httpx.Caller(r).UserID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *Handler) putSettings(w http.ResponseWriter, r *http.Request) error {
	// Either field may be left out: it keeps its value.
	var in struct {
		ShowLastSeen *bool   `json:"show_last_seen"`
		AddMe        *string `json:"add_me"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.ShowLastSeen == nil && in.AddMe == nil {
		return errs.Field("show_last_seen", "Give show_last_seen (true or false), add_me, or both.")
	}
	userID := httpx.Caller(r).UserID
	st, err := h.Service.Settings(r.Context(), userID)
	if err != nil {
		return err
	}
	if in.ShowLastSeen != nil {
		st.ShowLastSeen = *in.ShowLastSeen
	}
	if in.AddMe != nil {
		st.AddMe = *in.AddMe
	}
	st, err = h.Service.SetSettings(r.Context(), userID, st)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

// exportSettings writes account/settings: the settings and last seen.
func (s *Service) exportSettings(ctx context.Context, userID string, w *export.Writer) error {
	st, err := s.Settings(ctx, userID)
	if err != nil {
		return err
	}
	infos, err := s.PresenceInfos(ctx, []string{userID})
	if err != nil {
		return err
	}
	out := struct {
		UserSettings
		LastSeen *time.Time `json:"last_seen"`
	}{UserSettings: st}
	if seen := infos[userID].LastSeen; !seen.IsZero() {
		out.LastSeen = &seen
	}
	return w.Object("account/settings", out)
}
