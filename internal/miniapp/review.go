package miniapp

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Versions: an upload, its review by an administrator, and the release
// that makes it the one users open.

// Upload stores a package as a new version; version.code must grow.
// Errors: not_found, invalid_argument, payload_too_large, conflict.
func (s *Service) Upload(ctx context.Context, developerID, appid string, data []byte) (Version, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return Version{}, err
	}
	p, err := ReadPackage(data, appid)
	if err != nil {
		return Version{}, err
	}
	var top sql.NullInt64
	if err := s.db.QueryRow(ctx, selectTopVersionCode, appid).Scan(&top); err != nil {
		return Version{}, err
	}
	if top.Valid && p.Manifest.Version.Code <= top.Int64 {
		return Version{}, errs.E(errs.Conflict, "manifest.json: version.code %d must be greater than %d, the last uploaded.", p.Manifest.Version.Code, top.Int64)
	}
	m, _ := json.Marshal(p.Manifest)
	v := Version{AppID: appid, Code: p.Manifest.Version.Code, Name: p.Manifest.Version.Name, Status: "uploaded", SHA256: p.SHA256,
		Manifest: p.Manifest, CreatedAt: sqldb.FromMicro(sqldb.Micro(s.now()))}
	_, err = s.db.Exec(ctx, insertVersion, appid, v.Code, v.Name, string(m), v.SHA256, data, sqldb.Micro(v.CreatedAt))
	if sqldb.IsUniqueViolation(err) {
		return Version{}, errs.E(errs.Conflict, "Version %d was just uploaded.", v.Code)
	}
	return v, err
}

// rowQuerier is a *sqldb.DB or a *sqldb.Tx.
type rowQuerier interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// version loads one version of appid through q. Errors: not_found.
func (s *Service) version(ctx context.Context, q rowQuerier, appid string, code int64) (Version, error) {
	v, err := scanVersion(q.QueryRow(ctx, selectVersion, appid, code))
	if errors.Is(err, sql.ErrNoRows) {
		return v, errs.E(errs.NotFound, "No version %d of %s.", code, appid)
	}
	return v, err
}

// transition moves a version from one of from to status, in tx, and
// returns it as it was read (with the new status): the update names the
// status it read, so of two transitions racing (two administrators, two
// nodes) one wins and the other is a conflict. set is the statement that
// writes the new status, bound to (status, args..., appid, code, the
// status read). Errors: not_found, conflict.
func (s *Service) transition(ctx context.Context, tx *sqldb.Tx, appid string, code int64, from []string, status, set string, args ...any) (Version, error) {
	v, err := s.version(ctx, tx, appid, code)
	if err != nil {
		return v, err
	}
	if !slices.Contains(from, v.Status) {
		return v, errs.E(errs.Conflict, "Version %d is %s; it cannot become %s.", code, v.Status, status)
	}
	res, err := tx.Exec(ctx, set, append(append([]any{status}, args...), appid, code, v.Status)...)
	if err != nil {
		return v, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return v, err
	} else if n == 0 {
		return v, errs.E(errs.Conflict, "Version %d changed meanwhile; look again.", code)
	}
	v.Status = status
	return v, nil
}

// Submit sends a version to review (from uploaded or rejected); it joins
// the end of the review queue. Errors: not_found, conflict.
func (s *Service) Submit(ctx context.Context, developerID, appid string, code int64) (Version, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return Version{}, err
	}
	var v Version
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var err error
		v, err = s.transition(ctx, tx, appid, code, []string{"uploaded", "rejected"}, "submitted", submitVersion, sqldb.Micro(s.now()))
		v.Reason = ""
		return err
	})
	return v, err
}

// MaxReviewReason bounds a review's reason (shown to the developer).
const MaxReviewReason = 2000

// Review is ReviewBy with no administrator to name (the demo's seeding,
// tools): the audit log's actor is "system".
func (s *Service) Review(ctx context.Context, appid string, code int64, approve bool, reason string) (Version, error) {
	return s.ReviewBy(ctx, "system", appid, code, approve, reason)
}

// ReviewBy approves or rejects a submitted version: reviewerID is the
// administrator; a rejection needs a reason. The decision and
// VersionReviewedSubject (for the audit log) are written in one
// transaction. Errors: invalid_argument, not_found, conflict.
func (s *Service) ReviewBy(ctx context.Context, reviewerID, appid string, code int64, approve bool, reason string) (Version, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReviewReason {
		return Version{}, errs.Field("reason", "A reason is at most %d characters.", MaxReviewReason)
	}
	status := "approved"
	if !approve {
		status = "rejected"
		if reason == "" {
			return Version{}, errs.Field("reason", "Tell the developer why the version is rejected.")
		}
	}
	a, err := s.App(ctx, appid)
	if err != nil {
		return Version{}, err
	}
	var v Version
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var err error
		at := sqldb.FromMicro(sqldb.Micro(s.now()))
		if v, err = s.transition(ctx, tx, appid, code, []string{"submitted"}, status, reviewVersion, reason, sqldb.Micro(at), reviewerID); err != nil {
			return err
		}
		v.Reason = reason
		return outbox.Add(ctx, tx, VersionReviewedSubject, VersionReviewed{AppID: appid, Version: code, VersionName: v.Name,
			Decision: status, Reason: reason, ReviewerID: reviewerID, DeveloperID: a.DeveloperID, ReviewedAt: at})
	})
	return v, err
}

// Release makes an approved version the one users open (also to roll back
// to an earlier approved version), and announces it on
// VersionReleasedSubject through the outbox, in the same transaction.
// Errors: not_found, conflict.
func (s *Service) Release(ctx context.Context, developerID, appid string, code int64) (Version, error) {
	if _, err := s.owned(ctx, developerID, appid); err != nil {
		return Version{}, err
	}
	var v Version
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if v, err = s.version(ctx, tx, appid, code); err != nil {
			return err
		}
		if v.Status != "approved" && v.Status != "released" {
			return errs.E(errs.Conflict, "Version %d is %s; only an approved version can be released.", code, v.Status)
		}
		if _, err := tx.Exec(ctx, updateReleasedCode, code, appid); err != nil {
			return err
		}
		return outbox.Add(ctx, tx, VersionReleasedSubject, VersionReleased{AppID: appid, Version: code, DeveloperID: developerID,
			ReleasedAt: sqldb.FromMicro(sqldb.Micro(s.now()))})
	})
	if err != nil {
		return v, err
	}
	v.Status = "released"
	return v, nil
}

// The review queue's states (as GET /admin/miniapp-reviews names them):
// pending is a submitted version.
const (
	ReviewPending  = "pending"
	ReviewApproved = "approved"
	ReviewRejected = "rejected"
)

// Developer is an app's developer as the review queue shows them.
type Developer struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// Review is one version in the review queue. Version is the code the
// approve and reject routes take as {v}; Size the package's bytes;
// Description the manifest's. An approved version stays approved once
// released.
type Review struct {
	AppID       string     `json:"appid"`
	AppName     string     `json:"app_name"`
	Developer   Developer  `json:"developer"`
	Version     int64      `json:"version"`
	VersionName string     `json:"version_name"`
	State       string     `json:"state"`
	SubmittedAt *time.Time `json:"submitted_at"`
	ReviewedAt  *time.Time `json:"reviewed_at"`
	ReviewedBy  string     `json:"reviewed_by"`
	// Reviewer is the administrator who decided (nil while pending, or
	// when a command line decided without one).
	Reviewer    *Developer `json:"reviewer"`
	Reason      string     `json:"reason"`
	Size        int64      `json:"size"`
	Description string     `json:"description"`
}

// reviewCursor is a page's last key: the instant it is ordered by, then
// appid and code.
type reviewCursor struct {
	At    int64  `json:"t"`
	AppID string `json:"a"`
	Code  int64  `json:"c"`
}

// Reviews pages the review queue in state (pending, approved or
// rejected; "" is pending): pending oldest submitted first, the others
// most recently reviewed first. cursor is a previous page's next.
// Errors: invalid_argument (the state, the cursor).
func (s *Service) Reviews(ctx context.Context, state, cursor string, limit int) (items []Review, next string, err error) {
	if limit <= 0 {
		limit = 50
	}
	query, status := selectDecidedReviews, state
	c := reviewCursor{At: math.MaxInt64}
	switch state {
	case "", ReviewPending:
		query, status, c = selectPendingReviews, "submitted", reviewCursor{At: math.MinInt64}
	case ReviewApproved, ReviewRejected:
	default:
		return nil, "", errs.Field("state", "state must be pending, approved or rejected.")
	}
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || json.Unmarshal(b, &c) != nil {
			return nil, "", errs.Field("cursor", "cursor is not one this list gave.")
		}
	}
	rows, err := s.db.Query(ctx, query, status, c.At, c.AppID, c.Code, limit+1)
	if err != nil {
		return nil, "", err
	}
	items, err = sqldb.ScanAll(rows, func(r *sql.Rows) (Review, error) { return scanReview(r) })
	if err != nil {
		return nil, "", err
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		at := last.ReviewedAt
		if status == "submitted" {
			at = last.SubmittedAt
		}
		c = reviewCursor{At: sqldb.Micro(*at), AppID: last.AppID, Code: last.Version}
		b, _ := json.Marshal(c)
		next = base64.RawURLEncoding.EncodeToString(b)
	}
	people := map[string]Developer{}
	person := func(id string) (Developer, error) {
		if d, ok := people[id]; ok {
			return d, nil
		}
		d := Developer{ID: id}
		u, err := s.accounts.User(ctx, id)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return d, err
		}
		d.Username, d.DisplayName = u.Username, u.DisplayName
		people[id] = d
		return d, nil
	}
	for i := range items {
		if items[i].Developer, err = person(items[i].Developer.ID); err != nil {
			return nil, "", err
		}
		if id := items[i].ReviewedBy; id != "" && id != "system" {
			r, err := person(id)
			if err != nil {
				return nil, "", err
			}
			items[i].Reviewer = &r
		}
	}
	return items, next, nil
}
