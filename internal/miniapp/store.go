package miniapp

import (
	"database/sql"
	"encoding/json"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The mini-program platform's statements, beside its schema in
// migrations/shared (one text serves both dialects: sqldb rebinds the ?
// placeholders for PostgreSQL). No other file of the package holds SQL.
const (
	// Apps (miniapps).
	appColumns = `appid, name, description, category, developer_id, request_domains, released_code, created_at`

	insertApp = `INSERT INTO miniapps (appid, name, description, category, developer_id, secret_hash, request_domains, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	selectAppByID         = `SELECT ` + appColumns + ` FROM miniapps WHERE appid = ?`
	selectAppSecret       = `SELECT secret_hash, developer_id FROM miniapps WHERE appid = ?`
	updateAppSecret       = `UPDATE miniapps SET secret_hash = ? WHERE appid = ?`
	updateReleasedCode    = `UPDATE miniapps SET released_code = ? WHERE appid = ?`
	selectAppsOfDeveloper = `SELECT ` + appColumns + ` FROM miniapps WHERE developer_id = ? ORDER BY created_at`
	// selectDirectory takes the lower-cased LIKE pattern twice, then the
	// category twice ('' for every category), then the limit.
	selectDirectory = `SELECT ` + appColumns + ` FROM miniapps WHERE released_code > 0
		AND (LOWER(name) LIKE ? OR LOWER(description) LIKE ?) AND (? = '' OR category = ?) ORDER BY name LIMIT ?`

	// Versions (miniapp_versions).
	versionColumns = `appid, code, name, manifest, sha256, status, reason, created_at`

	selectTopVersionCode = `SELECT MAX(code) FROM miniapp_versions WHERE appid = ?`
	insertVersion        = `INSERT INTO miniapp_versions (appid, code, name, manifest, sha256, package, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'uploaded', ?)`
	selectVersion       = `SELECT ` + versionColumns + ` FROM miniapp_versions WHERE appid = ? AND code = ?`
	selectVersionsOfApp = `SELECT ` + versionColumns + ` FROM miniapp_versions WHERE appid = ? ORDER BY code DESC`
	// submitVersion and reviewVersion are transition's statements: the
	// new status first, the version and the status it was read in last.
	submitVersion = `UPDATE miniapp_versions SET status = ?, reason = '', submitted_at = ?, reviewed_at = NULL, reviewed_by = ''
		WHERE appid = ? AND code = ? AND status = ?`
	reviewVersion = `UPDATE miniapp_versions SET status = ?, reason = ?, reviewed_at = ?, reviewed_by = ?
		WHERE appid = ? AND code = ? AND status = ?`
	selectVersionPackage = `SELECT package FROM miniapp_versions WHERE appid = ? AND code = ?`

	// The review queue (miniapp_versions with its app): keyset pages,
	// each statement bound to (status, the previous page's last key...,
	// limit). Pending versions go oldest submitted first, reviewed ones
	// most recently reviewed first; appid and code break ties.
	reviewColumns = `v.appid, a.name, a.developer_id, v.code, v.name, v.status, v.submitted_at, v.reviewed_at, v.reviewed_by,
		v.reason, LENGTH(v.package), v.manifest`
	selectPendingReviews = `SELECT ` + reviewColumns + ` FROM miniapp_versions v JOIN miniapps a ON a.appid = v.appid
		WHERE v.status = ? AND (v.submitted_at, v.appid, v.code) > (?, ?, ?)
		ORDER BY v.submitted_at, v.appid, v.code LIMIT ?`
	selectDecidedReviews = `SELECT ` + reviewColumns + ` FROM miniapp_versions v JOIN miniapps a ON a.appid = v.appid
		WHERE v.status = ? AND (v.reviewed_at, v.appid, v.code) < (?, ?, ?)
		ORDER BY v.reviewed_at DESC, v.appid DESC, v.code DESC LIMIT ?`

	// Testers (miniapp_testers).
	insertTester        = `INSERT INTO miniapp_testers (appid, user_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	selectTesterAddedAt = `SELECT added_at FROM miniapp_testers WHERE appid = ? AND user_id = ?`
	selectIsTester      = `SELECT 1 FROM miniapp_testers WHERE appid = ? AND user_id = ?`
	deleteTester        = `DELETE FROM miniapp_testers WHERE appid = ? AND user_id = ?`
	selectTestersOfApp  = `SELECT user_id, added_at FROM miniapp_testers WHERE appid = ? ORDER BY added_at, user_id`
	selectTestingOfUser = `SELECT t.appid, a.name, t.added_at FROM miniapp_testers t
		JOIN miniapps a ON a.appid = t.appid WHERE t.user_id = ? ORDER BY a.name, t.appid`

	// Login codes (miniapp_codes).
	insertLoginCode         = `INSERT INTO miniapp_codes (code, appid, user_id, expires_at) VALUES (?, ?, ?, ?)`
	selectLoginCode         = `SELECT user_id, used, expires_at FROM miniapp_codes WHERE code = ? AND appid = ?`
	markLoginCodeUsed       = `UPDATE miniapp_codes SET used = 1 WHERE code = ? AND used = 0`
	deleteExpiredLoginCodes = `DELETE FROM miniapp_codes WHERE expires_at < ?`

	// Consents (miniapp_consents).
	insertConsent       = `INSERT INTO miniapp_consents (user_id, appid, scope, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	deleteConsent       = `DELETE FROM miniapp_consents WHERE user_id = ? AND appid = ? AND scope = ?`
	selectConsentScopes = `SELECT scope FROM miniapp_consents WHERE user_id = ? AND appid = ? ORDER BY scope`
	selectHasUserInfo   = `SELECT 1 FROM miniapp_consents WHERE user_id = ? AND appid = ? AND scope = 'userInfo'`
	// selectGrantsOfUser is ordered by app, so that an app's scopes are
	// adjacent; Plaza's own plaza.tester scope is no user's grant.
	selectGrantsOfUser = `SELECT c.appid, a.name, c.scope, c.granted_at FROM miniapp_consents c
		JOIN miniapps a ON a.appid = c.appid WHERE c.user_id = ? AND c.scope <> 'plaza.tester' ORDER BY a.name, c.scope`

	// Storage (miniapp_storage).
	selectStorageItem = `SELECT value FROM miniapp_storage WHERE user_id = ? AND appid = ? AND key = ?`
	// lockStorage (PostgreSQL only) serialises the writers of one user's
	// storage in one app until the transaction ends.
	lockStorage = `SELECT pg_advisory_xact_lock(hashtext(?))`
	// selectStorageUsedBesides is what the user's other keys take.
	selectStorageUsedBesides = `SELECT SUM(size) FROM miniapp_storage WHERE user_id = ? AND appid = ? AND key <> ?`
	upsertStorageItem        = `INSERT INTO miniapp_storage (user_id, appid, key, value, size) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, appid, key) DO UPDATE SET value = excluded.value, size = excluded.size`
	deleteStorageItem = `DELETE FROM miniapp_storage WHERE user_id = ? AND appid = ? AND key = ?`
)

// scanApp reads a row of appColumns.
func scanApp(row interface{ Scan(...any) error }) (App, error) {
	var a App
	var domains string
	var created int64
	if err := row.Scan(&a.AppID, &a.Name, &a.Description, &a.Category, &a.DeveloperID, &domains, &a.ReleasedCode, &created); err != nil {
		return a, err
	}
	json.Unmarshal([]byte(domains), &a.RequestDomains)
	a.CreatedAt = sqldb.FromMicro(created)
	return a, nil
}

// scanVersion reads a row of versionColumns.
func scanVersion(row interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var manifest string
	var created int64
	if err := row.Scan(&v.AppID, &v.Code, &v.Name, &manifest, &v.SHA256, &v.Status, &v.Reason, &created); err != nil {
		return v, err
	}
	json.Unmarshal([]byte(manifest), &v.Manifest)
	v.CreatedAt = sqldb.FromMicro(created)
	return v, nil
}

// scanReview reads a row of reviewColumns; the developer is filled in
// later.
func scanReview(row interface{ Scan(...any) error }) (Review, error) {
	var (
		r                   Review
		submitted, reviewed sql.NullInt64
		manifest            string
	)
	if err := row.Scan(&r.AppID, &r.AppName, &r.Developer.ID, &r.Version, &r.VersionName, &r.State, &submitted, &reviewed,
		&r.ReviewedBy, &r.Reason, &r.Size, &manifest); err != nil {
		return r, err
	}
	if submitted.Valid {
		t := sqldb.FromMicro(submitted.Int64)
		r.SubmittedAt = &t
	}
	if reviewed.Valid {
		t := sqldb.FromMicro(reviewed.Int64)
		r.ReviewedAt = &t
	}
	var m Manifest
	json.Unmarshal([]byte(manifest), &m)
	r.Description = m.Description
	if r.State == "submitted" {
		r.State = ReviewPending
	}
	return r, nil
}
