package chat

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Kinds of voice and file messages, and what an upload is declared for.
const (
	KindVoice = "voice"
	KindFile  = "file"
	// MaxFileBytes bounds a file upload, which is streamed to storage.
	MaxFileBytes = 100 << 20
	// chunkBytes is the size of a chunk of a blob kept in the database.
	chunkBytes = 1 << 20
	// purposePending marks the media row of an upload still streaming
	// into the database: nothing may send, download or count it yet.
	purposePending = "pending"
)

// VoiceFile is what a voice or file message carries besides its media_id:
// the voice's duration as the server measured it; the file's original
// name, size and sniffed content type. Message embeds it.
type VoiceFile struct {
	DurationMS  int64  `json:"duration_ms,omitempty"`
	Name        string `json:"name,omitempty"`
	Size        int64  `json:"size,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// VoiceFileInput is what a client may send with a voice or file message
// (SendInput embeds it). The server's own measures win: duration_ms is
// checked against the contract's bound and then replaced by the
// upload's; name and size, when given, must be the upload's.
type VoiceFileInput struct {
	DurationMS int64  `json:"duration_ms,omitempty"`
	Name       string `json:"name,omitempty"`
	Size       int64  `json:"size,omitempty"`
}

// The messages' voice/file columns (00006_voicefiles.sql), appended to
// messageColumns, with their placeholders, writers and readers.
const (
	voiceFileColumns      = `, duration_ms, media_name, media_size, media_type`
	voiceFilePlaceholders = `, ?, ?, ?, ?`
)

func (v VoiceFile) args() []any {
	if v == (VoiceFile{}) {
		return []any{nil, nil, nil, nil}
	}
	return []any{v.DurationMS, v.Name, v.Size, v.ContentType}
}

// voiceFileScan receives the columns; set copies them to a message of a
// voice or file kind (and to no other: a tombstone shows nothing).
type voiceFileScan struct {
	duration, size sql.NullInt64
	name, typ      sql.NullString
}

func (s *voiceFileScan) dest() []any { return []any{&s.duration, &s.name, &s.size, &s.typ} }

func (s *voiceFileScan) set(m *Message) {
	if m.Kind != KindVoice && m.Kind != KindFile {
		return
	}
	m.VoiceFile = VoiceFile{DurationMS: s.duration.Int64, Name: s.name.String, Size: s.size.Int64, ContentType: s.typ.String}
}

// Statements of voice and file uploads.
const (
	insertUpload = `INSERT INTO media (id, owner_id, content_type, size, sha256, created_at, data, purpose, name, duration_ms)
		VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`
	finishUpload   = `UPDATE media SET purpose = ?, size = ?, sha256 = ? WHERE id = ? AND purpose = 'pending'`
	deleteUpload   = `DELETE FROM media WHERE id = ?`
	insertChunk    = `INSERT INTO media_chunks (media_id, idx, data) VALUES (?, ?, ?)`
	selectChunk    = `SELECT data FROM media_chunks WHERE media_id = ? AND idx = ?`
	selectSendable = `SELECT owner_id, purpose, content_type, size, name, duration_ms FROM media WHERE id = ?`
	selectDownload = `SELECT owner_id, purpose, content_type, size, sha256, created_at, name, data IS NOT NULL FROM media WHERE id = ?`
)

// Upload is an upload as its answer shows it: the media, what it was
// declared for, its name and, for voice, its measured duration.
type Upload struct {
	Media
	Kind       string `json:"kind"`
	Name       string `json:"name,omitempty"`
	DurationMS int64  `json:"duration_ms,omitempty"`
}

// UploadInput is an upload's declaration.
type UploadInput struct {
	Kind    string // image (the default), voice or file
	Name    string // the file name the client gave
	Claimed string // the part's Content-Type
	// Hint is the request's length when known, for an early quota answer.
	Hint int64
}

// UploadFrom stores an upload read from r, streaming it to storage.
// An image is read whole and checked as Upload does; a voice clip (at
// most MaxVoiceBytes) is read whole, must be Ogg or WebM Opus and is
// measured, at most MaxVoiceMS; a file (at most MaxFileBytes) is streamed,
// its opening bytes sniffed against its name (checkFileName).
// Errors: invalid_argument, payload_too_large, media_quota_exceeded.
func (s *Service) UploadFrom(ctx context.Context, userID string, in UploadInput, r io.Reader) (Upload, error) {
	switch in.Kind {
	case "":
		kind, rest, err := guessUploadKind(r)
		if err != nil {
			return Upload{}, err
		}
		in.Kind = kind
		return s.UploadFrom(ctx, userID, in, rest)
	case KindImage:
		data, err := readAtMost(r, MaxMediaBytes, "An image is at most %d MiB.")
		if err != nil {
			return Upload{}, err
		}
		m, err := s.Upload(ctx, userID, in.Claimed, data)
		return Upload{Media: m, Kind: KindImage}, err
	case KindVoice:
		data, err := readAtMost(r, MaxVoiceBytes, "A voice message is at most %d MiB.")
		if err != nil {
			return Upload{}, err
		}
		if len(data) == 0 {
			return Upload{}, errs.Field("file", "The file is empty.")
		}
		typ, ms, err := voiceDuration(data)
		if err != nil {
			return Upload{}, err
		}
		if ms > MaxVoiceMS {
			return Upload{}, errs.Field("file", "A voice message is at most %d seconds; this one lasts %.1f s.", MaxVoiceMS/1000, float64(ms)/1000)
		}
		if ms < 1 {
			return Upload{}, errs.Field("file", "The voice message holds no sound.")
		}
		name := cleanFileName(in.Name, "voice")
		return s.store(ctx, userID, Upload{Kind: KindVoice, Name: name, DurationMS: ms, Media: Media{ContentType: typ}}, bytes.NewReader(data), int64(len(data)))
	case KindFile:
		name := cleanFileName(in.Name, "file")
		head := make([]byte, sniffLen)
		n, err := io.ReadFull(r, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return Upload{}, readError(err, "A file is at most %d MiB.", MaxFileBytes)
		}
		head = head[:n]
		if n == 0 {
			return Upload{}, errs.Field("file", "The file is empty.")
		}
		typ, err := checkFileName(name, head)
		if err != nil {
			return Upload{}, err
		}
		return s.store(ctx, userID, Upload{Kind: KindFile, Name: name, Media: Media{ContentType: typ}}, io.MultiReader(bytes.NewReader(head), r), in.Hint)
	}
	return Upload{}, errs.Field("kind", "kind must be image, voice or file.")
}

// readAtMost reads r whole, refusing (payload_too_large) more than limit bytes.
func readAtMost(r io.Reader, limit int64, tooLarge string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, readError(err, tooLarge, limit)
	}
	if int64(len(data)) > limit {
		return nil, errs.E(errs.PayloadTooLarge, tooLarge, limit>>20)
	}
	return data, nil
}

// errTooLarge is what a capped reader returns past its cap.
var errTooLarge = errors.New("upload over its cap")

// capped counts what passes and fails past limit.
type capped struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, errTooLarge
	}
	return n, err
}

// readError turns a failed read of the upload into the client's error:
// payload_too_large past a cap (ours or the request's), else the body
// could not be read.
func readError(err error, tooLarge string, limit int64) error {
	if errors.Is(err, errTooLarge) || isMaxBytes(err) {
		return errs.E(errs.PayloadTooLarge, tooLarge, limit>>20)
	}
	return errs.Wrap(err, errs.InvalidArgument, "The upload could not be read to its end.")
}

// checkQuota refuses an upload of adding bytes that would take userID
// past the unsent quota. Errors: media_quota_exceeded.
func (s *Service) checkQuota(ctx context.Context, userID string, adding int64, counted bool) error {
	var count, total int64
	if err := s.db.QueryRow(ctx, selectUnsentMedia, userID).Scan(&count, &total); err != nil {
		return err
	}
	if counted {
		count-- // the pending row of this very upload
	}
	if count >= MaxUnsentMedia || total+adding > MaxUnsentBytes {
		return errs.E(CodeMediaQuota, "You have %d uploads (%d MiB) not yet sent in a message; at most %d files or %d MiB may wait. Send them, or wait: unsent uploads are deleted after %v.",
			count, total>>20, MaxUnsentMedia, MaxUnsentBytes>>20, UnsentMediaTTL)
	}
	return nil
}

// store streams a voice or file upload to the blob store: to a temporary
// file renamed to its hash (FileBlobs), or in chunks under a pending media
// row (DBBlobs), hashing as it goes; only a complete upload within its
// cap and the quota gets (or keeps) a media row. hint is its expected
// size for the early quota check (0: unknown).
func (s *Service) store(ctx context.Context, userID string, up Upload, r io.Reader, hint int64) (Upload, error) {
	if err := s.checkQuota(ctx, userID, max(hint-64<<10, 0), false); err != nil {
		return Upload{}, err
	}
	limit := int64(MaxFileBytes)
	tooLarge := "A file is at most %d MiB."
	if up.Kind == KindVoice {
		limit, tooLarge = MaxVoiceBytes, "A voice message is at most %d MiB."
	}
	up.ID = ids.New("med")
	up.URL = "/api/v1/media/" + up.ID
	up.CreatedAt = sqldb.FromMicro(sqldb.Micro(s.now()))
	src := &capped{r: r, limit: limit}
	var err error
	switch b := s.blobs.(type) {
	case FileBlobs:
		err = s.storeFile(ctx, b, userID, &up, src)
	case DBBlobs:
		err = s.storeChunks(ctx, userID, &up, src)
	default:
		err = fmt.Errorf("chat: blob store %T cannot stream", s.blobs)
	}
	var e *errs.Error
	switch {
	case err == nil:
		return up, nil
	case errors.Is(err, errStorage), errors.As(err, &e):
		return Upload{}, err
	}
	return Upload{}, readError(err, tooLarge, limit) // the upload's own read failed
}

// isMaxBytes tells whether err is the request body's cap (http.MaxBytesReader).
func isMaxBytes(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// storageWriter tags a write failure as the store's, not the client's.
type storageWriter struct{ w io.Writer }

func (s storageWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	if err != nil {
		err = storageErr(err)
	}
	return n, err
}

// errStorage wraps failures of the store itself (not of the upload).
var errStorage = errors.New("storing media")

func storageErr(err error) error { return fmt.Errorf("%w: %w", errStorage, err) }

// storeFile writes the upload to Dir/tmp, then under blobMu (which
// pruning and erasure take) renames it to its hash and inserts its row.
func (s *Service) storeFile(ctx context.Context, b FileBlobs, userID string, up *Upload, src *capped) error {
	tmpDir := filepath.Join(b.Dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return storageErr(err)
	}
	f, err := os.CreateTemp(tmpDir, up.ID+"-*")
	if err != nil {
		return storageErr(err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // gone already once renamed
	h := sha256.New()
	buf := make([]byte, 256<<10)
	n, err := io.CopyBuffer(io.MultiWriter(storageWriter{f}, h), src, buf)
	if err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil { // durable before it is acknowledged
		f.Close()
		return storageErr(err)
	}
	if err := f.Close(); err != nil {
		return storageErr(err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	up.Size = n
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	if err := s.checkQuota(ctx, userID, n, false); err != nil {
		return err
	}
	p := b.path(sum)
	if _, err := os.Stat(p); err != nil {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return storageErr(err)
		}
		if err := os.Rename(tmp, p); err != nil {
			return storageErr(err)
		}
	}
	if _, err := s.db.Exec(ctx, insertUpload, up.ID, userID, up.ContentType, n, sum, sqldb.Micro(up.CreatedAt), up.Kind, up.Name, up.DurationMS); err != nil {
		return storageErr(err)
	}
	return nil
}

// storeChunks inserts a pending media row, the upload's chunks under it
// (each its own statement: a slow upload holds no transaction open), and
// then completes the row; on any failure the row goes, and its chunks
// with it (ON DELETE CASCADE). A crash leaves a pending row that
// PruneUnsentMedia deletes after UnsentMediaTTL.
func (s *Service) storeChunks(ctx context.Context, userID string, up *Upload, src *capped) (err error) {
	if _, err := s.db.Exec(ctx, insertUpload, up.ID, userID, up.ContentType, 0, purposePending, sqldb.Micro(up.CreatedAt), purposePending, up.Name, up.DurationMS); err != nil {
		return storageErr(err)
	}
	defer func() {
		if err != nil {
			if _, derr := s.db.Exec(context.WithoutCancel(ctx), deleteUpload, up.ID); derr != nil && s.log != nil {
				s.log.Error("deleting a refused upload", "media_id", up.ID, "err", derr)
			}
		}
	}()
	h := sha256.New()
	buf := make([]byte, chunkBytes)
	var n int64
	for idx := int64(0); ; idx++ {
		k, rerr := io.ReadFull(src, buf)
		if k > 0 {
			h.Write(buf[:k])
			n += int64(k)
			if rerr == nil || errors.Is(rerr, io.ErrUnexpectedEOF) || errors.Is(rerr, io.EOF) {
				if _, err := s.db.Exec(ctx, insertChunk, up.ID, idx, buf[:k]); err != nil {
					return storageErr(err)
				}
			}
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	up.Size = n
	if err := s.checkQuota(ctx, userID, n, true); err != nil {
		return err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if _, err := s.db.Exec(ctx, finishUpload, up.Kind, n, sum, up.ID); err != nil {
		return storageErr(err)
	}
	return nil
}

// sendMedia checks the media of a message of kind image, voice or file
// that userID sends: their own upload, declared for that kind. It returns
// what the message carries of it. Errors: invalid_argument.
func (s *Service) sendMedia(ctx context.Context, userID string, in SendInput) (VoiceFile, error) {
	var (
		owner, purpose, typ, name string
		size, duration            int64
	)
	err := s.db.QueryRow(ctx, selectSendable, in.MediaID).Scan(&owner, &purpose, &typ, &size, &name, &duration)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (owner != userID || purpose == purposePending)) {
		return VoiceFile{}, errs.Field("media_id", "No upload of yours has that media_id.")
	}
	if err != nil {
		return VoiceFile{}, err
	}
	// The kind is the one it was uploaded (or recognised) for.
	if purpose != in.Kind {
		return VoiceFile{}, errs.Field("media_id", "That upload was made for a %s message, not a %s one; upload it with kind=%s.", purpose, in.Kind, in.Kind)
	}
	switch in.Kind {
	case KindVoice:
		return VoiceFile{DurationMS: duration, Size: size, ContentType: typ}, nil
	case KindFile:
		if in.Name != "" && in.Name != name {
			return VoiceFile{}, errs.Field("name", "name must be the upload's own (%q), or left out.", name)
		}
		if in.Size != 0 && in.Size != size {
			return VoiceFile{}, errs.Field("size", "size must be the upload's own (%d bytes), or left out.", size)
		}
		return VoiceFile{Name: name, Size: size, ContentType: typ}, nil
	}
	return VoiceFile{}, nil
}

// checkVoiceFile is checkSend's part for voice and file messages.
func checkVoiceFile(in SendInput) error {
	if in.MediaID == "" {
		return errs.Field("media_id", "A %s message needs the media_id of an upload made with kind=%s.", in.Kind, in.Kind)
	}
	if in.Text != "" {
		return errs.Field("text", "A %s message carries no text.", in.Kind)
	}
	if in.Kind == KindVoice && (in.DurationMS < 0 || in.DurationMS > MaxVoiceMS) {
		return errs.Field("duration_ms", "duration_ms is at most %d (a minute).", MaxVoiceMS)
	}
	if in.Kind == KindVoice && (in.Name != "" || in.Size != 0) {
		return errs.Field("name", "A voice message carries no name or size.")
	}
	if in.Kind == KindFile && in.DurationMS != 0 {
		return errs.Field("duration_ms", "A file message carries no duration_ms.")
	}
	if in.Size < 0 || len(in.Name) > MaxFileName {
		return errs.Field("name", "name has at most %d bytes, and size is not negative.", MaxFileName)
	}
	return nil
}

// Download is an upload opened for reading.
type Download struct {
	Media
	Kind string
	Name string
	Body io.ReadSeekCloser
}

// OpenMedia opens an upload for its owner or a member of a conversation
// it was sent in, to stream it (Range requests seek). Errors: not_found
// (also for everyone else, and for an upload still in progress).
func (s *Service) OpenMedia(ctx context.Context, userID, mediaID string) (Download, error) {
	var (
		d          = Download{Media: Media{ID: mediaID, URL: "/api/v1/media/" + mediaID}}
		owner, sum string
		created    int64
		inRow      bool
	)
	err := s.db.QueryRow(ctx, selectDownload, mediaID).Scan(&owner, &d.Kind, &d.ContentType, &d.Size, &sum, &created, &d.Name, &inRow)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && d.Kind == purposePending) {
		return Download{}, errs.E(errs.NotFound, "No such media.")
	}
	if err != nil {
		return Download{}, err
	}
	if owner != userID {
		var one int
		err := s.db.QueryRow(ctx, mediaVisibleTo, mediaID, userID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return Download{}, errs.E(errs.NotFound, "No such media.")
		}
		if err != nil {
			return Download{}, err
		}
	}
	d.CreatedAt = sqldb.FromMicro(created)
	if d.Body, err = s.openStream(ctx, mediaID, sum, d.Size, inRow); err != nil {
		return Download{}, fmt.Errorf("reading media %s: %w", mediaID, err)
	}
	return d, nil
}

// openStream opens an upload's bytes: a blob file, the row's data column
// (images on PostgreSQL), or its chunks.
func (s *Service) openStream(ctx context.Context, mediaID, sum string, size int64, inRow bool) (io.ReadSeekCloser, error) {
	if fb, ok := s.blobs.(FileBlobs); ok {
		return os.Open(fb.path(sum))
	}
	if inRow {
		var column []byte
		if err := s.db.QueryRow(ctx, selectMediaData, mediaID).Scan(&column); err != nil {
			return nil, err
		}
		data, err := s.blobs.Get(sum, column)
		if err != nil {
			return nil, err
		}
		return nopSeekCloser{bytes.NewReader(data)}, nil
	}
	return &chunkReader{ctx: ctx, db: s.db, id: mediaID, size: size, idx: -1}, nil
}

type nopSeekCloser struct{ io.ReadSeeker }

func (nopSeekCloser) Close() error { return nil }

// chunkReader reads a blob kept in media_chunks one chunk at a time.
type chunkReader struct {
	ctx  context.Context
	db   *sqldb.DB
	id   string
	size int64
	off  int64
	idx  int64 // the chunk in buf; -1 none
	buf  []byte
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.off >= c.size {
		return 0, io.EOF
	}
	idx := c.off / chunkBytes
	if idx != c.idx {
		var data []byte
		if err := c.db.QueryRow(c.ctx, selectChunk, c.id, idx).Scan(&data); err != nil {
			return 0, fmt.Errorf("chunk %d: %w", idx, err)
		}
		want := min(int64(chunkBytes), c.size-idx*chunkBytes)
		if int64(len(data)) != want {
			return 0, fmt.Errorf("chunk %d has %d bytes, want %d", idx, len(data), want)
		}
		c.buf, c.idx = data, idx
	}
	n := copy(p, c.buf[c.off-idx*chunkBytes:])
	c.off += int64(n)
	return n, nil
}

func (c *chunkReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += c.off
	case io.SeekEnd:
		offset += c.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start")
	}
	c.off = offset
	return offset, nil
}

func (c *chunkReader) Close() error { return nil }

// PruneUploadLeftovers removes the temporary files of uploads that a
// crash cut short (FileBlobs), older than a day.
func (s *Service) PruneUploadLeftovers() error {
	fb, ok := s.blobs.(FileBlobs)
	if !ok {
		return nil // DBBlobs: a pending row is pruned as an unsent upload
	}
	dir := filepath.Join(fb.Dir, "tmp")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	cutoff := s.now().Add(-UnsentMediaTTL)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) && strings.HasPrefix(e.Name(), "med") {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return nil
}

// guessUploadKind is what an upload declared for nothing is for, from its
// opening bytes (as clients that only know "POST /media" send them): an
// Opus clip in Ogg or WebM is a voice upload, an image an image, and the
// rest a file. It returns a reader of the whole upload again.
func guessUploadKind(r io.Reader) (string, io.Reader, error) {
	br := bufio.NewReaderSize(r, sniffLen)
	head, _ := br.Peek(sniffLen)
	switch typ := sniffBytes(head); {
	case len(head) == 0 || typ == "image/jpeg" || typ == "image/png" || typ == "image/gif" || typ == "image/webp":
		return KindImage, br, nil
	case bytes.HasPrefix(head, []byte("OggS")) || bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		data, err := io.ReadAll(io.LimitReader(br, MaxVoiceBytes+1))
		if err != nil {
			return "", nil, readError(err, "A file is at most %d MiB.", MaxFileBytes)
		}
		rest := io.MultiReader(bytes.NewReader(data), br)
		if int64(len(data)) <= MaxVoiceBytes {
			if _, _, err := voiceDuration(data); err == nil {
				return KindVoice, rest, nil
			}
		}
		return KindFile, rest, nil
	default:
		return KindFile, br, nil
	}
}
