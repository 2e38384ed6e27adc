package chat

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// BlobStore keeps uploaded bytes by content hash. FileBlobs (the data
// folder) is the default on one node; with PostgreSQL the bytes go in the
// media table itself (DBBlobs), which every node shares.
type BlobStore interface {
	// Put stores data under its hash and returns what to keep in the
	// media row's data column (nil when the bytes live elsewhere).
	Put(sum string, data []byte) ([]byte, error)
	// Get returns the bytes of a media row.
	Get(sum string, column []byte) ([]byte, error)
}

// FileBlobs stores blobs as files under Dir/<first two hex>/<sha256>.
type FileBlobs struct{ Dir string }

func (f FileBlobs) path(sum string) string { return filepath.Join(f.Dir, sum[:2], sum) }

// Put writes the file once (same content, same name), atomically.
func (f FileBlobs) Put(sum string, data []byte) ([]byte, error) {
	p := f.path(sum)
	if _, err := os.Stat(p); err == nil {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	tmp := p + ".tmp" + ids.Token(4)
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return nil, err
	}
	return nil, os.Rename(tmp, p)
}

// Get reads the file.
func (f FileBlobs) Get(sum string, _ []byte) ([]byte, error) { return os.ReadFile(f.path(sum)) }

// Delete removes the file (gone already is fine).
func (f FileBlobs) Delete(sum string) error {
	if err := os.Remove(f.path(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// DBBlobs keeps the bytes in the media row.
type DBBlobs struct{}

func (DBBlobs) Put(_ string, data []byte) ([]byte, error)   { return data, nil }
func (DBBlobs) Get(_ string, column []byte) ([]byte, error) { return column, nil }

// imageTypes are the uploads chat takes, by sniffed content type.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// Media is an upload.
type Media struct {
	ID          string    `json:"media_id"`
	URL         string    `json:"url"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
}

// Upload stores an image from userID. The type is read from the bytes,
// never from what the client claims; claimed must agree when given.
// Errors: invalid_argument (not an image, or not the type claimed),
// payload_too_large.
func (s *Service) Upload(ctx context.Context, userID, claimed string, data []byte) (Media, error) {
	if len(data) == 0 {
		return Media{}, errs.Field("file", "The file is empty.")
	}
	if len(data) > MaxMediaBytes {
		return Media{}, errs.E(errs.PayloadTooLarge, "An image is at most %d MiB.", MaxMediaBytes>>20)
	}
	sniffed := http.DetectContentType(data)
	if !imageTypes[sniffed] {
		return Media{}, errs.Field("file", "Only JPEG, PNG, GIF and WebP images can be sent; this file is %s.", sniffed)
	}
	if claimed != "" && claimed != "application/octet-stream" && claimed != sniffed {
		return Media{}, errs.Field("file", "The file claims to be %s but its content is %s.", claimed, sniffed)
	}
	if err := checkImage(sniffed, data); err != nil {
		return Media{}, err
	}
	var count, bytes int64
	if err := s.db.QueryRow(ctx, selectUnsentMedia, userID).Scan(&count, &bytes); err != nil {
		return Media{}, err
	}
	if count >= MaxUnsentMedia || bytes+int64(len(data)) > MaxUnsentBytes {
		return Media{}, errs.E(CodeMediaQuota, "You have %d uploads (%d MiB) not yet sent in a message; at most %d files or %d MiB may wait. Send them, or wait: unsent uploads are deleted after %v.",
			count, bytes>>20, MaxUnsentMedia, MaxUnsentBytes>>20, UnsentMediaTTL)
	}
	raw := sha256.Sum256(data)
	sum := hex.EncodeToString(raw[:])
	// Blob and row under blobMu, which PruneUnsentMedia takes too: a file
	// it removes is then never one an upload is about to point at.
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	column, err := s.blobs.Put(sum, data)
	if err != nil {
		return Media{}, fmt.Errorf("storing media: %w", err)
	}
	m := Media{ID: ids.New("med"), ContentType: sniffed, Size: int64(len(data)), CreatedAt: sqldb.FromMicro(sqldb.Micro(s.now()))}
	m.URL = "/api/v1/media/" + m.ID
	if _, err := s.db.Exec(ctx, insertMedia, m.ID, userID, m.ContentType, m.Size, sum, sqldb.Micro(m.CreatedAt), column); err != nil {
		return Media{}, err
	}
	return m, nil
}

// Quotas of uploads not yet sent in any message.
const (
	MaxUnsentMedia = 200       // files per user
	MaxUnsentBytes = 256 << 20 // bytes per user: two 100 MiB files and more may wait
	// UnsentMediaTTL is how long an upload may wait to be sent before
	// PruneUnsentMedia deletes it.
	UnsentMediaTTL = 24 * time.Hour
)

// KeepMedia marks userID's own upload mediaID as in use elsewhere (a
// live room's cover or product picture), so that it is never pruned as
// unsent. Errors: not_found (no such upload of the user's).
func (s *Service) KeepMedia(ctx context.Context, userID, mediaID string) error {
	res, err := s.db.Exec(ctx, keepOwnMedia, sqldb.Micro(s.now()), mediaID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "No such upload of yours: upload the picture first (POST /api/v1/media).")
	}
	return nil
}

// PruneUnsentMedia deletes uploads never sent in a message and older than
// UnsentMediaTTL, with their bytes, and returns how many went. Its state is
// the database, so every node may run it: a row is deleted only while it
// is still unsent, and a send marks it sent in its own transaction.
func (s *Service) PruneUnsentMedia(ctx context.Context) (int64, error) {
	cutoff := sqldb.Micro(s.now().Add(-UnsentMediaTTL))
	var total int64
	for {
		batch, err := staleMediaBefore(ctx, s.db, cutoff, 500)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			return total, nil
		}
		deleter, files := s.blobs.(interface{ Delete(sum string) error })
		for _, st := range batch {
			s.blobMu.Lock()
			res, err := s.db.Exec(ctx, deleteStaleMedia, st.id)
			var n int64
			if err == nil {
				n, _ = res.RowsAffected()
			}
			if err == nil && n == 1 && files {
				var left int
				if err = s.db.QueryRow(ctx, countMediaBySum, st.sum).Scan(&left); err == nil && left == 0 {
					err = deleter.Delete(st.sum)
				}
			}
			s.blobMu.Unlock()
			if err != nil {
				return total, err
			}
			total += n
		}
		if len(batch) < 500 {
			return total, nil
		}
	}
}

// Open returns an upload's bytes to its owner or to a member of a
// conversation it was sent in. Errors: not_found (also for everyone else).
func (s *Service) Open(ctx context.Context, userID, mediaID string) (Media, []byte, error) {
	var (
		owner, sum string
		m          = Media{ID: mediaID}
		created    int64
		column     []byte
	)
	err := s.db.QueryRow(ctx, selectMedia, mediaID).Scan(&owner, &m.ContentType, &m.Size, &sum, &created, &column)
	if errors.Is(err, sql.ErrNoRows) {
		return Media{}, nil, errs.E(errs.NotFound, "No such media.")
	}
	if err != nil {
		return Media{}, nil, err
	}
	if owner != userID {
		var one int
		err := s.db.QueryRow(ctx, mediaVisibleTo, mediaID, userID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return Media{}, nil, errs.E(errs.NotFound, "No such media.")
		}
		if err != nil {
			return Media{}, nil, err
		}
	}
	data, err := s.blobs.Get(sum, column)
	if err != nil {
		return Media{}, nil, fmt.Errorf("reading media %s: %w", mediaID, err)
	}
	if raw := sha256.Sum256(data); !bytes.Equal(raw[:], mustHex(sum)) {
		return Media{}, nil, fmt.Errorf("media %s is corrupt", mediaID)
	}
	m.CreatedAt = sqldb.FromMicro(created)
	m.URL = "/api/v1/media/" + mediaID
	return m, data, nil
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}
