package account

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The account component's statements, beside its schema in migrations/.
const (
	userColumns = `u.id, u.username, u.display_name, u.region, u.is_admin, u.created_at, u.avatar_hash`

	insertUser = `INSERT INTO users (id, username, display_name, region, password_hash, is_admin, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectUserByID       = `SELECT ` + userColumns + ` FROM users u WHERE u.id = ? AND u.deleted_at IS NULL`
	selectUserByUsername = `SELECT ` + userColumns + ` FROM users u WHERE u.username = ? AND u.deleted_at IS NULL`
	// selectUsersByIDs is completed by inList(n) of the ids; erased users
	// are included, under their pseudonym.
	selectUsersByIDs   = `SELECT ` + userColumns + ` FROM users u WHERE u.id IN `
	selectPasswordHash = `SELECT ` + userColumns + `, u.password_hash FROM users u WHERE u.username = ? AND u.deleted_at IS NULL`
	selectHashByID     = `SELECT username, password_hash FROM users WHERE id = ? AND deleted_at IS NULL`
	updateAdmin        = `UPDATE users SET is_admin = 1, password_hash = ? WHERE id = ?`
	eraseUser          = `UPDATE users SET username = ?, display_name = 'Deleted account', password_hash = '', is_admin = 0, avatar_hash = NULL, deleted_at = ? WHERE id = ? AND deleted_at IS NULL`

	insertSession = `INSERT INTO sessions (id, token_hash, user_id, csrf_token, user_agent, ip, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	selectSession = `SELECT ` + userColumns + `, s.id, s.csrf_token, s.expires_at, COALESCE(s.last_seen_at, s.created_at)
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND u.deleted_at IS NULL`
	deleteSession      = `DELETE FROM sessions WHERE id = ?`
	deleteUserSessions = `DELETE FROM sessions WHERE user_id = ?`
	deleteExpired      = `DELETE FROM sessions WHERE expires_at < ?`
	selectUserSessions = `SELECT id, user_agent, ip, created_at, expires_at FROM sessions WHERE user_id = ? ORDER BY created_at`

	requestColumns = `r.id, r.message, r.status, r.created_at,
		f.id, f.username, f.display_name, f.region, f.created_at, f.avatar_hash,
		t.id, t.username, t.display_name, t.region, t.created_at, t.avatar_hash`
	requestFrom = ` FROM contact_requests r JOIN users f ON f.id = r.from_user JOIN users t ON t.id = r.to_user`

	insertRequest = `INSERT INTO contact_requests (id, from_user, to_user, message, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectRequest        = `SELECT ` + requestColumns + requestFrom + ` WHERE r.id = ?`
	selectPendingBetween = `SELECT r.id FROM contact_requests r WHERE r.from_user = ? AND r.to_user = ? AND r.status = 'pending'`
	selectRequestsFor    = `SELECT ` + requestColumns + requestFrom + `
		WHERE (r.to_user = ? OR r.from_user = ?) AND r.id < ? ORDER BY r.id DESC LIMIT ?`
	updateRequestStatus = `UPDATE contact_requests SET status = ?, updated_at = ? WHERE id = ? AND status = 'pending'`
	deleteUserRequests  = `DELETE FROM contact_requests WHERE from_user = ? OR to_user = ?`

	insertContact = `INSERT INTO contacts (user_id, contact_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	selectContact = `SELECT 1 FROM contacts WHERE user_id = ? AND contact_id = ?`
	// selectSharedContact: do two users have a contact in common?
	selectSharedContact = `SELECT 1 FROM contacts a JOIN contacts b ON b.contact_id = a.contact_id
		WHERE a.user_id = ? AND b.user_id = ? LIMIT 1`
	deleteContact  = `DELETE FROM contacts WHERE (user_id = ? AND contact_id = ?) OR (user_id = ? AND contact_id = ?)`
	deleteContacts = `DELETE FROM contacts WHERE user_id = ? OR contact_id = ?`
	selectContacts = `SELECT ` + userColumns + ` FROM contacts c JOIN users u ON u.id = c.contact_id
		WHERE c.user_id = ? AND u.deleted_at IS NULL AND u.username > ? ORDER BY u.username LIMIT ?`

	selectFailures = `SELECT failures, pending, window_start, locked_until FROM login_failures WHERE username = ?`
	// reserveAttempt takes one of the username's LoginFailures slots before
	// a password is checked, in one statement, so that concurrent checks on
	// any number of nodes cannot all pass: it inserts or updates the row
	// only while failures + pending is under the limit and no lock holds.
	// A window that has passed, or a lock that has ended, starts afresh.
	// Arguments: username, now; (cutoff, now) for each freshWindow; the
	// WHERE's now, (cutoff, now), limit.
	reserveAttempt = `INSERT INTO login_failures AS f (username, failures, pending, window_start, locked_until) VALUES (?, 0, 1, ?, 0)
		ON CONFLICT (username) DO UPDATE SET
			failures     = CASE WHEN ` + freshWindow + ` THEN 0 ELSE f.failures END,
			pending      = CASE WHEN ` + freshWindow + ` THEN 1 ELSE f.pending + 1 END,
			window_start = CASE WHEN ` + freshWindow + ` THEN excluded.window_start ELSE f.window_start END,
			locked_until = 0
		WHERE f.locked_until <= ? AND (` + freshWindow + ` OR f.failures + f.pending < ?)`
	freshWindow = `(f.window_start <= ? OR (f.locked_until <> 0 AND f.locked_until <= ?))`
	// failAttempt turns a reserved slot into a failure and, at the limit,
	// locks the username: arguments limit, locked_until, username.
	failAttempt = `UPDATE login_failures SET pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END,
		failures = failures + 1,
		locked_until = CASE WHEN failures + 1 >= ? THEN ? ELSE locked_until END
		WHERE username = ? RETURNING failures`
	// passAttempt frees a reserved slot after the right password and
	// forgives the failures before it (checks still in flight keep theirs).
	passAttempt = `UPDATE login_failures SET pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END, failures = 0
		WHERE username = ?`
)

// inList is "(?, ?, …)" for n arguments (n ≥ 1).
func inList(n int) string { return "(?" + strings.Repeat(",?", n-1) + ")" }

type scanner interface{ Scan(dest ...any) error }

func scanUserRow(rows *sql.Rows) (User, error) { return scanUser(rows) }

func scanSessionInfo(rows *sql.Rows) (SessionInfo, error) {
	var si SessionInfo
	var created, expires int64
	if err := rows.Scan(&si.ID, &si.UserAgent, &si.IP, &created, &expires); err != nil {
		return SessionInfo{}, err
	}
	si.CreatedAt, si.ExpiresAt = sqldb.FromMicro(created), sqldb.FromMicro(expires)
	return si, nil
}

func scanUser(row scanner, extra ...any) (User, error) {
	var u User
	var admin int
	var created int64
	var avatar sql.NullString
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Region, &admin, &created, &avatar}, extra...)
	if err := row.Scan(dest...); err != nil {
		return User{}, err
	}
	u.Admin = admin != 0
	u.CreatedAt = sqldb.FromMicro(created)
	u.AvatarURL = avatarURL(u.ID, avatar.String)
	return u, nil
}

func scanRequestRow(rows *sql.Rows) (ContactRequest, error) { return scanRequest(rows) }

func scanRequest(row scanner) (ContactRequest, error) {
	var r ContactRequest
	var created, fCreated, tCreated int64
	var fAvatar, tAvatar sql.NullString
	err := row.Scan(&r.ID, &r.Message, &r.Status, &created,
		&r.From.ID, &r.From.Username, &r.From.DisplayName, &r.From.Region, &fCreated, &fAvatar,
		&r.To.ID, &r.To.Username, &r.To.DisplayName, &r.To.Region, &tCreated, &tAvatar)
	if err != nil {
		return ContactRequest{}, err
	}
	r.From.AvatarURL, r.To.AvatarURL = avatarURL(r.From.ID, fAvatar.String), avatarURL(r.To.ID, tAvatar.String)
	r.CreatedAt = sqldb.FromMicro(created)
	r.From.CreatedAt = sqldb.FromMicro(fCreated)
	r.To.CreatedAt = sqldb.FromMicro(tCreated)
	return r, nil
}

func getUser(ctx context.Context, q sqldb.Querier, query string, arg any) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errs.E(errs.NotFound, "No such user.")
	}
	return u, err
}

func getRequest(ctx context.Context, q sqldb.Querier, id string) (ContactRequest, error) {
	r, err := scanRequest(q.QueryRow(ctx, selectRequest, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ContactRequest{}, errs.E(errs.NotFound, "No such contact request.")
	}
	return r, err
}

// queryUsers returns the users a query of userColumns yields.
func queryUsers(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]User, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, scanUserRow)
}

// usersByIDs returns the users among ids (up to a few hundred: one query).
func usersByIDs(ctx context.Context, q sqldb.Querier, ids []string) ([]User, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return queryUsers(ctx, q, selectUsersByIDs+inList(len(ids)), args...)
}

func areContacts(ctx context.Context, q sqldb.Querier, a, b string) (bool, error) {
	var one int
	err := q.QueryRow(ctx, selectContact, a, b).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func addContacts(ctx context.Context, tx *sqldb.Tx, a, b string, at int64) error {
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		if _, err := tx.Exec(ctx, insertContact, pair[0], pair[1], at); err != nil {
			return err
		}
	}
	return nil
}
