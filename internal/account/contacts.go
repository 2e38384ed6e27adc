package account

import (
	"context"
	"database/sql"
	"errors"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// SendContactRequest asks username to become the caller's contact. If they
// had already asked the caller, it accepts theirs instead and returns it,
// accepted. Errors: invalid_argument (oneself, message too long), not_found
// (no such user), conflict (already contacts, or already asked), forbidden
// (blocked, or their add_me setting refuses the caller).
func (s *Service) SendContactRequest(ctx context.Context, fromID, username, message string) (ContactRequest, error) {
	msg, err := cleanMessage(message)
	if err != nil {
		return ContactRequest{}, err
	}
	to, err := s.UserByUsername(ctx, username)
	if err != nil {
		return ContactRequest{}, err
	}
	if to.ID == fromID {
		return ContactRequest{}, errs.Field("username", "You cannot add yourself as a contact.")
	}
	if err := s.checkMayAsk(ctx, fromID, to); err != nil {
		return ContactRequest{}, err
	}
	var out ContactRequest
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if ok, err := areContacts(ctx, tx, fromID, to.ID); err != nil || ok {
			if ok {
				return errs.E(errs.Conflict, "%s is already your contact.", to.Username)
			}
			return err
		}
		now := sqldb.Micro(s.now())
		// They asked first: this request answers theirs.
		var theirs string
		err := tx.QueryRow(ctx, selectPendingBetween, to.ID, fromID).Scan(&theirs)
		if err == nil {
			if err := s.settle(ctx, tx, theirs, RequestAccepted, now); err != nil {
				return err
			}
			out, err = getRequest(ctx, tx, theirs)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := checkAddMe(ctx, tx, fromID, to); err != nil {
			return err
		}
		id := ids.New("cr")
		_, err = tx.Exec(ctx, insertRequest, id, fromID, to.ID, msg, RequestPending, now, now)
		if sqldb.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "You have already asked %s; wait for an answer.", to.Username)
		}
		if err != nil {
			return err
		}
		out, err = getRequest(ctx, tx, id)
		return err
	})
	if err != nil {
		return ContactRequest{}, err
	}
	return withDirection(out, fromID), nil
}

// ContactRequests lists the requests a user sent or received, newest
// first, limit at a time, before the cursor (a request id; "" to start).
func (s *Service) ContactRequests(ctx context.Context, userID, cursor string, limit int) ([]ContactRequest, string, error) {
	if cursor == "" {
		cursor = "~" // sorts after every id
	}
	rows, err := s.db.Query(ctx, selectRequestsFor, userID, userID, cursor, limit+1)
	if err != nil {
		return nil, "", err
	}
	out, err := sqldb.ScanAll(rows, scanRequestRow)
	if err != nil {
		return nil, "", err
	}
	for i := range out {
		out[i] = withDirection(out[i], userID)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// AnswerContactRequest accepts or declines a request sent to the caller;
// answering it again the same way returns it unchanged. Errors: not_found
// (no such request, or not one the caller sent or received), forbidden (the
// caller sent it), conflict (it was already answered the other way).
func (s *Service) AnswerContactRequest(ctx context.Context, userID, requestID string, accept bool) (ContactRequest, error) {
	want := RequestDeclined
	if accept {
		want = RequestAccepted
	}
	var out ContactRequest
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		r, err := getRequest(ctx, tx, requestID)
		if err != nil {
			return err
		}
		switch {
		case r.From.ID == userID:
			return errs.E(errs.Forbidden, "Only the person you asked can answer this request.")
		case r.To.ID != userID:
			return errs.E(errs.NotFound, "No such contact request.")
		case r.Status == want:
			out = r
			return nil
		case r.Status != RequestPending:
			return errs.E(errs.Conflict, "This request was already %s.", r.Status)
		}
		if err := s.settle(ctx, tx, r.ID, want, sqldb.Micro(s.now())); err != nil {
			return err
		}
		out, err = getRequest(ctx, tx, r.ID)
		return err
	})
	if err != nil {
		return ContactRequest{}, err
	}
	return withDirection(out, userID), nil
}

// settle moves a pending request to status; accepting makes both contacts.
func (s *Service) settle(ctx context.Context, tx *sqldb.Tx, id, status string, now int64) error {
	res, err := tx.Exec(ctx, updateRequestStatus, status, now, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Conflict, "This request was answered meanwhile.")
	}
	if status != RequestAccepted {
		return nil
	}
	r, err := getRequest(ctx, tx, id)
	if err != nil {
		return err
	}
	tx.AfterCommit(func() { s.changed(r.From.ID); s.changed(r.To.ID) })
	return addContacts(ctx, tx, r.From.ID, r.To.ID, now)
}

// Contacts lists a user's contacts by username, limit at a time after the
// cursor (a username; "" to start).
func (s *Service) Contacts(ctx context.Context, userID, cursor string, limit int) ([]User, string, error) {
	out, err := queryUsers(ctx, s.db, selectContacts, userID, cursor, limit+1)
	if err != nil {
		return nil, "", err
	}
	for i := range out {
		out[i] = out[i].ContactView()
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Username
	}
	return out, next, nil
}

// RemoveContact ends a contact on both sides (by id or username), with
// the notes each gave the other. Errors: not_found (no such user, or not
// a contact).
func (s *Service) RemoveContact(ctx context.Context, userID, username string) error {
	other, err := s.findUser(ctx, username)
	if err != nil {
		return err
	}
	res, err := s.db.Exec(ctx, deleteContact, userID, other.ID, other.ID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "%s is not your contact.", other.Username)
	}
	s.changed(userID)
	s.changed(other.ID)
	return nil
}

func withDirection(r ContactRequest, viewer string) ContactRequest {
	r.From, r.To = r.From.Public(), r.To.Public()
	if r.To.ID == viewer {
		r.Direction = "incoming"
	} else {
		r.Direction = "outgoing"
	}
	return r
}

// UsersByIDs returns the public view of each existing user among ids
// (erased users included, under their pseudonym), keyed by id.
func (s *Service) UsersByIDs(ctx context.Context, ids []string) (map[string]User, error) {
	out := make(map[string]User, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		users, err := usersByIDs(ctx, s.db, chunk)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			out[u.ID] = u.Public()
		}
	}
	return out, nil
}

// checkAddMe applies to's add_me setting to a new request from fromID.
// Errors: forbidden.
func checkAddMe(ctx context.Context, q sqldb.Querier, fromID string, to User) error {
	st, err := userSettings(ctx, q, to.ID)
	if err != nil {
		return err
	}
	switch st.AddMe {
	case AddMeNobody:
		return errs.E(errs.Forbidden, "%s does not accept contact requests.", to.Username)
	case AddMeContactsOfContacts:
		var one int
		err := q.QueryRow(ctx, selectSharedContact, fromID, to.ID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.Forbidden, "%s accepts contact requests only from friends of their contacts.", to.Username)
		}
		return err
	}
	return nil
}
