package trust

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// NewPolicy is what an administrator asks for.
type NewPolicy struct {
	Kind        string     `json:"kind"`
	TargetType  TargetType `json:"target_type"`
	TargetID    string     `json:"target_id"`
	Regions     []string   `json:"regions"`
	Scopes      []Scope    `json:"scopes"`
	EffectiveAt time.Time  `json:"effective_at"`
	ExpiresAt   *time.Time `json:"expires_at"`
	Reason      string     `json:"reason"`
	LegalRef    string     `json:"legal_ref"`
}

const (
	maxReason   = 1000
	maxLegalRef = 200
)

// validate checks in and returns it cleaned (regions upper-cased, scopes
// without repeats). Errors: invalid_argument naming the field.
func (s *Service) validate(in NewPolicy) (NewPolicy, error) {
	if in.Kind != KindBlock {
		return in, errs.Field("kind", "kind must be %q.", KindBlock)
	}
	if !slices.Contains(TargetTypes, in.TargetType) {
		return in, errs.Field("target_type", "target_type must be one of app, merchant, user or developer.")
	}
	in.TargetID = strings.TrimSpace(in.TargetID)
	if in.TargetID == "" || len(in.TargetID) > 100 {
		return in, errs.Field("target_id", "target_id must name the target (up to 100 characters).")
	}
	if len(in.Regions) == 0 {
		return in, errs.Field("regions", `regions must list ISO 3166-1 alpha-2 codes, or be ["*"].`)
	}
	var regions []string
	for _, r := range in.Regions {
		r = strings.ToUpper(strings.TrimSpace(r))
		switch {
		case r == AllRegions && len(in.Regions) == 1:
		case r == AllRegions:
			return in, errs.Field("regions", `"*" stands for every region and cannot be combined with others.`)
		case !s.validRegion(r):
			return in, errs.Field("regions", "%q is not an ISO 3166-1 alpha-2 region code.", r)
		}
		if !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	in.Regions = regions
	if len(in.Scopes) == 0 {
		return in, errs.Field("scopes", "scopes must list at least one of distribution, hosting, payments or messaging.")
	}
	var scopes []Scope
	for _, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			return in, errs.Field("scopes", "%q is not a scope: use distribution, hosting, payments or messaging.", sc)
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	in.Scopes = scopes
	if in.EffectiveAt.IsZero() {
		return in, errs.Field("effective_at", "effective_at is required (RFC 3339; it may be in the past).")
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(in.EffectiveAt) {
		return in, errs.Field("expires_at", "expires_at must be after effective_at.")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" || utf8.RuneCountInString(in.Reason) > maxReason {
		return in, errs.Field("reason", "reason is required (up to %d characters): users are shown it.", maxReason)
	}
	in.LegalRef = strings.TrimSpace(in.LegalRef)
	if utf8.RuneCountInString(in.LegalRef) > maxLegalRef {
		return in, errs.Field("legal_ref", "legal_ref is at most %d characters.", maxLegalRef)
	}
	return in, nil
}

// Create records a policy by administrator actor, audits it and announces
// it to every node, all in one transaction. Errors: invalid_argument (with
// the field), not_found (the target does not exist).
func (s *Service) Create(ctx context.Context, actor string, in NewPolicy) (*Policy, error) {
	in, err := s.validate(in)
	if err != nil {
		return nil, err
	}
	name := ""
	if s.targets != nil {
		n, ok, err := s.targets.Exists(ctx, in.TargetType, in.TargetID)
		if err != nil {
			return nil, fmt.Errorf("trust: looking up %s %s: %w", in.TargetType, in.TargetID, err)
		}
		if !ok {
			return nil, errs.E(errs.NotFound, "There is no %s %q.", in.TargetType, in.TargetID)
		}
		name = n
	}
	now := s.now().UTC()
	p := &Policy{ID: ids.New("pol"), Kind: in.Kind, TargetType: in.TargetType, TargetID: in.TargetID, TargetName: name,
		Regions: in.Regions, Scopes: in.Scopes, EffectiveAt: in.EffectiveAt.UTC().Truncate(time.Microsecond),
		Reason: in.Reason, LegalRef: in.LegalRef, CreatedBy: actor, CreatedAt: now.Truncate(time.Microsecond)}
	var expires any
	if in.ExpiresAt != nil {
		t := in.ExpiresAt.UTC().Truncate(time.Microsecond)
		p.ExpiresAt = &t
		expires = sqldb.Micro(t)
	}
	p.State = p.StateAt(now)
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, insertPolicy, p.ID, p.Kind, p.TargetType, p.TargetID, p.TargetName,
			strings.Join(p.Regions, ","), joinScopes(p.Scopes), sqldb.Micro(p.EffectiveAt), expires,
			p.Reason, p.LegalRef, p.CreatedBy, sqldb.Micro(p.CreatedAt)); err != nil {
			return err
		}
		if _, err := s.Append(ctx, tx, Entry{Actor: actor, Action: "policy.created", Target: "policy:" + p.ID, Details: p}); err != nil {
			return err
		}
		return s.announce(ctx, tx, p.ID, "created")
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Cancel cancels policy id, before or after it took effect; the record
// stays. Errors: not_found, conflict (already cancelled or expired),
// invalid_argument (reason too long).
func (s *Service) Cancel(ctx context.Context, actor, id, reason string) (*Policy, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxReason {
		return nil, errs.Field("reason", "reason is at most %d characters.", maxReason)
	}
	var p *Policy
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if p, err = getPolicy(ctx, tx, id); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		switch p.StateAt(now) {
		case StateCancelled:
			return errs.E(errs.Conflict, "This policy was already cancelled.")
		case StateExpired:
			return errs.E(errs.Conflict, "This policy has already expired.")
		}
		res, err := tx.Exec(ctx, cancelPolicy, sqldb.Micro(now), actor, reason, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.E(errs.Conflict, "This policy was already cancelled.")
		}
		p.CancelledAt, p.CancelReason, p.State = &now, reason, StateCancelled
		if _, err := s.Append(ctx, tx, Entry{Actor: actor, Action: "policy.cancelled", Target: "policy:" + id,
			Details: map[string]string{"reason": reason}}); err != nil {
			return err
		}
		return s.announce(ctx, tx, id, "cancelled")
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// announce tells every node (this one included, at once) that policy id
// changed: the outbox carries the event in tx, and this node's index
// reloads it as soon as tx commits.
func (s *Service) announce(ctx context.Context, tx *sqldb.Tx, id, change string) error {
	if err := outbox.Add(ctx, tx, PolicyChangedSubject, PolicyChanged{PolicyID: id, Change: change}); err != nil {
		return err
	}
	tx.AfterCommit(func() {
		if err := s.reloadPolicy(context.WithoutCancel(ctx), id); err != nil {
			s.log.Warn("reloading policy", "policy", id, "err", err)
		}
	})
	return nil
}

// Get is policy id, its state as of now. Errors: not_found.
func (s *Service) Get(ctx context.Context, id string) (*Policy, error) {
	p, err := getPolicy(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	p.State = p.StateAt(s.now())
	return p, nil
}

func getPolicy(ctx context.Context, q sqldb.Querier, id string) (*Policy, error) {
	p, err := scanPolicy(q.QueryRow(ctx, selectPolicy, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "There is no policy %q.", id)
	}
	return p, err
}

// ListFilter narrows List: State as of now and TargetID, each off when
// empty; Cursor is a previous page's next_cursor.
type ListFilter struct {
	State    State
	TargetID string
	Cursor   string
	Limit    int
}

// List pages policies newest first; next is "" on the last page. Errors:
// invalid_argument (an unknown state).
func (s *Service) List(ctx context.Context, f ListFilter) (items []*Policy, next string, err error) {
	switch f.State {
	case "", StateScheduled, StateActive, StateExpired, StateCancelled:
	default:
		return nil, "", errs.Field("state", "state must be scheduled, active, expired or cancelled.")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	now := s.now()
	at := sqldb.Micro(now)
	rows, err := s.db.Query(ctx, listPolicies, f.TargetID, f.TargetID, f.Cursor, f.Cursor,
		string(f.State), string(f.State), at, at, f.Limit+1)
	if err != nil {
		return nil, "", err
	}
	items, err = sqldb.ScanAll(rows, func(r *sql.Rows) (*Policy, error) { return scanPolicy(r) })
	if err != nil {
		return nil, "", err
	}
	if len(items) > f.Limit {
		items = items[:f.Limit]
		next = items[len(items)-1].ID
	}
	for _, p := range items {
		p.State = p.StateAt(now)
	}
	return items, next, nil
}
