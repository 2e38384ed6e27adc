package chat

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"time"

	"github.com/plaza-dev/plaza/internal/account"
	"github.com/plaza-dev/plaza/internal/platform/export"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// The export's statements.
const (
	// selectMembershipsOf is every conversation the user is in, with what
	// they read and the seq they see it from.
	selectMembershipsOf = `SELECT conversation_id, read_seq, joined_seq FROM members WHERE user_id = ? ORDER BY conversation_id`
	// selectOwnMediaPage is a page of the user's uploads after an id
	// (without the bytes: those are read one at a time).
	selectOwnMediaPage = `SELECT id, content_type, size, sha256, created_at, sent_at FROM media WHERE owner_id = ? AND id > ? ORDER BY id LIMIT ?`
	selectMediaData    = `SELECT data FROM media WHERE id = ?`
)

// exportPage is how many rows the exporter reads at a time.
const exportPage = 500

// exportedConversation is a conversation in chat/conversations: the
// caller's view, with the seq they see it from.
type exportedConversation struct {
	Conversation
	JoinedSeq int64 `json:"joined_seq"`
	// MessagesPart names the part holding its messages.
	MessagesPart string `json:"messages_part"`
}

// readMark is one conversation's read position (chat/read_marks).
type readMark struct {
	ConversationID string `json:"conversation_id"`
	ReadSeq        int64  `json:"read_seq"`
}

// exportedMedia is one upload in chat/media.
type exportedMedia struct {
	Media
	SentAt *time.Time `json:"sent_at"`
	// File is the upload's path in the zip.
	File string `json:"file"`
}

type membershipRow struct {
	convID             string
	readSeq, joinedSeq int64
}

// Export writes what chat holds for userID (export.Exporter), as the user
// sees it in the client: chat/conversations (every conversation they are
// in, members as public profiles), chat/read_marks, one
// chat/messages/<conversation id> part per conversation with the messages
// they can see there (from their joining on: a member added later never
// saw what came before, and a conversation they left is no longer
// theirs to read), chat/media (their uploads) and the uploaded files
// themselves as media/<id>.<ext>. Messages are read and written a page at
// a time, files streamed from the blob store one at a time.
func (s *Service) Export(ctx context.Context, userID string, w *export.Writer) error {
	rows, err := s.db.Query(ctx, selectMembershipsOf, userID)
	if err != nil {
		return err
	}
	mships, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (membershipRow, error) {
		var m membershipRow
		return m, rows.Scan(&m.convID, &m.readSeq, &m.joinedSeq)
	})
	if err != nil {
		return err
	}
	a, err := w.Array("chat/conversations")
	if err != nil {
		return err
	}
	for _, m := range mships {
		c, err := s.Get(ctx, userID, m.convID)
		if err != nil {
			return err
		}
		for i, u := range c.Members {
			c.Members[i] = publicMember(u, userID)
		}
		if err := a.Add(exportedConversation{Conversation: c, JoinedSeq: m.joinedSeq, MessagesPart: "chat/messages/" + m.convID}); err != nil {
			return err
		}
	}
	if a, err = w.Array("chat/read_marks"); err != nil {
		return err
	}
	for _, m := range mships {
		if err := a.Add(readMark{ConversationID: m.convID, ReadSeq: m.readSeq}); err != nil {
			return err
		}
	}
	for _, m := range mships {
		if err := s.exportMessages(ctx, w, m); err != nil {
			return err
		}
	}
	return s.exportMedia(ctx, userID, w)
}

// publicMember is a member as the export shows them: the user themself
// whole, anyone else without region or admin flag.
func publicMember(u account.User, viewer string) account.User {
	if u.ID == viewer {
		return u
	}
	return u.Public()
}

// exportMessages writes the messages the member sees in one conversation,
// a page at a time.
func (s *Service) exportMessages(ctx context.Context, w *export.Writer, m membershipRow) error {
	a, err := w.Array("chat/messages/" + m.convID)
	if err != nil {
		return err
	}
	after := max(0, m.joinedSeq-1)
	for {
		ms, err := queryMessages(ctx, s.db, selectAfter, m.convID, after, exportPage)
		if err != nil {
			return err
		}
		filled, err := s.fill(ctx, ms)
		if err != nil {
			return err
		}
		for _, msg := range filled {
			if err := a.Add(msg); err != nil {
				return err
			}
		}
		if len(ms) < exportPage {
			return a.Close()
		}
		after = ms[len(ms)-1].Seq
	}
}

// exportMedia writes chat/media, then each upload's bytes.
func (s *Service) exportMedia(ctx context.Context, userID string, w *export.Writer) error {
	type upload struct {
		exportedMedia
		sum string
	}
	a, err := w.Array("chat/media")
	if err != nil {
		return err
	}
	// The list first (one part at a time), then the files: the list is
	// re-read page by page for the files, so neither is held whole.
	page := func(after string, each func(upload) error) (string, int, error) {
		rows, err := s.db.Query(ctx, selectOwnMediaPage, userID, after, exportPage)
		if err != nil {
			return "", 0, err
		}
		list, err := sqldb.ScanAll(rows, func(rows *sql.Rows) (upload, error) {
			var u upload
			var created int64
			var sent sql.NullInt64
			if err := rows.Scan(&u.ID, &u.ContentType, &u.Size, &u.sum, &created, &sent); err != nil {
				return u, err
			}
			u.CreatedAt = sqldb.FromMicro(created)
			u.URL = "/api/v1/media/" + u.ID
			if sent.Valid {
				at := sqldb.FromMicro(sent.Int64)
				u.SentAt = &at
			}
			u.File = mediaFile(u.ID, u.ContentType)
			return u, nil
		})
		if err != nil {
			return "", 0, err
		}
		for _, u := range list {
			if err := each(u); err != nil {
				return "", 0, err
			}
			after = u.ID
		}
		return after, len(list), nil
	}
	for after := ""; ; {
		next, n, err := page(after, func(u upload) error { return a.Add(u.exportedMedia) })
		if err != nil {
			return err
		}
		if after = next; n < exportPage {
			break
		}
	}
	if err := a.Close(); err != nil {
		return err
	}
	for after := ""; ; {
		next, n, err := page(after, func(u upload) error {
			if !w.IncludesFiles() {
				return w.File(u.File, u.Size, nil)
			}
			r, err := s.openBlob(ctx, u.ID, u.sum, u.Size)
			if err != nil {
				return err
			}
			defer r.Close()
			return w.File(u.File, u.Size, r)
		})
		if err != nil {
			return err
		}
		if after = next; n < exportPage {
			return nil
		}
	}
}

// openBlob streams an upload's bytes: a file is read as it is copied; a
// blob kept in the database is one row, one upload in memory at a time.
func (s *Service) openBlob(ctx context.Context, mediaID, sum string, size int64) (io.ReadCloser, error) {
	if fb, ok := s.blobs.(FileBlobs); ok {
		f, err := os.Open(fb.path(sum))
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	var column []byte
	err := s.db.QueryRow(ctx, selectMediaData, mediaID).Scan(&column)
	if errors.Is(err, sql.ErrNoRows) {
		return io.NopCloser(bytes.NewReader(nil)), nil // deleted meanwhile
	}
	if err != nil {
		return nil, err
	}
	if column == nil { // streamed in chunks (voice and files)
		return s.openStream(ctx, mediaID, sum, size, false)
	}
	data, err := s.blobs.Get(sum, column)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// mediaFile is an upload's path in the export.
func mediaFile(id, contentType string) string {
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
		"audio/ogg": ".ogg", "audio/webm": ".webm", "application/pdf": ".pdf", "application/zip": ".zip"}[contentType]
	return "media/" + id + ext
}
