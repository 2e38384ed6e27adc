package chat

import (
	"context"
	"database/sql"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// KindErased is the tombstone of a message whose sender erased their
// account: id, seq, conversation and time stay (no one's history gets a
// gap), the text, media and reference are gone.
const KindErased = "erased"

// erasedLeaveClientID is the client_id of the system message an erased
// member leaves a group with: the unique (conversation, sender,
// client_id) index makes that note once per group, however often the
// erasure runs.
const erasedLeaveClientID = systemClientID + "erased"

// The erasure's statements.
const (
	// tombstoneSent empties every message a user sent, but the note they
	// left their groups with.
	tombstoneSent = `UPDATE messages SET kind = 'erased', text = '', media_id = NULL, ref_id = NULL,
		duration_ms = NULL, media_name = NULL, media_size = NULL, media_type = NULL
		WHERE sender_id = ? AND kind <> 'erased' AND client_id <> ?`
	selectGroupsOf = `SELECT m.conversation_id FROM members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.user_id = ? AND c.type = 'group' ORDER BY m.conversation_id`
	selectMediaSumsOf = `SELECT DISTINCT sha256 FROM media WHERE owner_id = ?`
	// countOthersBySum counts uploads of the same bytes by someone else.
	countOthersBySum = `SELECT COUNT(*) FROM media WHERE sha256 = ? AND owner_id <> ?`
	deleteMediaOf    = `DELETE FROM media WHERE owner_id = ?`
)

// EraseUser is chat's step of erasing an account (account.ErasureStep):
// in one transaction every message the user sent becomes a tombstone
// (KindErased, same id and seq, no text, media or reference), so the
// other members still read their groups and direct conversations, minus
// the erased person's content; then the user leaves each group with the
// system message "Deleted account left the group"; then their uploads go,
// rows and bytes (a file whose bytes someone else also uploaded stays for
// them). Each part is idempotent: run again after a crash, it finishes
// what is left and repeats nothing.
func (s *Service) EraseUser(ctx context.Context, userID string) error {
	s.ForgetUser(userID) // the pseudonym from now on, on this node
	if _, err := s.db.Exec(ctx, tombstoneSent, userID, erasedLeaveClientID); err != nil {
		return err
	}
	rows, err := s.db.Query(ctx, selectGroupsOf, userID)
	if err != nil {
		return err
	}
	groups, err := sqldb.ScanAll(rows, scanString)
	if err != nil {
		return err
	}
	for _, convID := range groups {
		if err := s.leaveErased(ctx, userID, convID); err != nil {
			return err
		}
	}
	return s.deleteMediaOf(ctx, userID)
}

// leaveErased takes an erased user out of a group with the note of it.
func (s *Service) leaveErased(ctx context.Context, userID, convID string) error {
	var recipients []string
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := s.handOver(ctx, tx, convID, userID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, deleteMember, convID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // left already
		}
		m, to, err := s.appendMessage(ctx, tx, Message{ConversationID: convID, Sender: Sender{ID: userID},
			Kind: KindSystem, Text: "Deleted account left the group", ClientID: erasedLeaveClientID})
		if err != nil {
			return err
		}
		recipients = to
		tx.AfterCommit(func() {
			filled, err := s.fillOne(context.Background(), m)
			if err == nil {
				s.deliver(context.Background(), recipients, []Message{filled})
			}
		})
		return nil
	})
	if err != nil || recipients == nil {
		return err
	}
	s.announce(ctx, convID, recipients)
	return nil
}

// deleteMediaOf deletes a user's uploads: first the files no one else's
// upload shares, then the rows (a crash between leaves rows whose files
// are gone, which the next run deletes; never a file without its row
// deleted later). Under blobMu, as uploads and pruning are.
func (s *Service) deleteMediaOf(ctx context.Context, userID string) error {
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	if deleter, files := s.blobs.(interface{ Delete(sum string) error }); files {
		rows, err := s.db.Query(ctx, selectMediaSumsOf, userID)
		if err != nil {
			return err
		}
		sums, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (string, error) {
			var s string
			return s, rows.Scan(&s)
		})
		if err != nil {
			return err
		}
		for _, sum := range sums {
			var others int
			if err := s.db.QueryRow(ctx, countOthersBySum, sum, userID).Scan(&others); err != nil {
				return err
			}
			if others == 0 {
				if err := deleter.Delete(sum); err != nil {
					return err
				}
			}
		}
	}
	_, err := s.db.Exec(ctx, deleteMediaOf, userID)
	return err
}
