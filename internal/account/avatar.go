package account

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/jpeg"
	_ "image/png" // decoder for image.Decode
	"net/http"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decoder for image.Decode

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Avatar limits and sizes.
const (
	MaxAvatarBytes  = 10 << 20   // an upload
	MaxAvatarPixels = 40_000_000 // width × height of an upload
	MaxAvatarSide   = 12_000     // either side of an upload
	AvatarSmall     = 120        // pixels a side: lists, bubbles
	AvatarLarge     = 480        // pixels a side: the profile, the viewer
)

// avatarTypes are the formats an avatar may be uploaded in, by sniffed
// content type.
var avatarTypes = map[string]string{"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}

// decodeSlots bounds how many avatars one node decodes at once: a decoded
// 40-megapixel image is 160 MB, so a burst of uploads must queue rather
// than exhaust memory.
var decodeSlots = make(chan struct{}, 2)

// avatarURL is the versioned address of a user's small avatar ("" for
// none); the version changes with the avatar, so clients cache it for good.
func avatarURL(userID, hash string) string {
	if hash == "" {
		return ""
	}
	return "/api/v1/users/" + userID + "/avatar?v=" + hash
}

// Avatar is one stored size of a user's avatar, a JPEG.
type Avatar struct {
	Hash string
	Data []byte
}

// resizeAvatar turns an uploaded image into the two JPEGs kept: it reads
// the type from the bytes, refuses what is not a JPEG, PNG or WebP image,
// or larger than the caps (checked from the header before decoding, so a
// small file that claims huge dimensions costs nothing), crops the
// centre square and scales it to AvatarSmall and AvatarLarge. Errors:
// invalid_argument, payload_too_large.
func resizeAvatar(data []byte) (small, large []byte, err error) {
	if len(data) == 0 {
		return nil, nil, errs.Field("file", "The file is empty.")
	}
	if len(data) > MaxAvatarBytes {
		return nil, nil, errs.E(errs.PayloadTooLarge, "An avatar is at most %d MiB.", MaxAvatarBytes>>20)
	}
	sniffed := http.DetectContentType(data)
	format, ok := avatarTypes[sniffed]
	if !ok {
		return nil, nil, errs.Field("file", "An avatar must be a JPEG, PNG or WebP image; this file is %s.", sniffed)
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return nil, nil, errs.Field("file", "The file is not a readable %s image.", sniffed)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxAvatarSide || cfg.Height > MaxAvatarSide ||
		cfg.Width*cfg.Height > MaxAvatarPixels {
		return nil, nil, errs.Field("file", "An avatar is at most %d megapixels and %d pixels a side; this image is %d×%d.",
			MaxAvatarPixels/1_000_000, MaxAvatarSide, cfg.Width, cfg.Height)
	}
	decodeSlots <- struct{}{}
	defer func() { <-decodeSlots }()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, errs.Field("file", "The %s image is damaged and could not be read.", sniffed)
	}
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	if side < 1 {
		return nil, nil, errs.Field("file", "The image is empty.")
	}
	crop := image.Rect(0, 0, side, side).Add(image.Pt(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2))
	// The square over white, as RGBA (a transparent PNG gets a white
	// background: JPEG has no alpha): the scalers' fast path reads RGBA,
	// where a decoded JPEG's YCbCr would cost a call per pixel. A large
	// photo is first halved cheaply down to twice the size, then
	// CatmullRom does the last step, where the quality shows.
	sq := image.NewRGBA(image.Rect(0, 0, side, side))
	stddraw.Draw(sq, sq.Bounds(), image.NewUniform(color.White), image.Point{}, stddraw.Src)
	stddraw.Draw(sq, sq.Bounds(), img, crop.Min, stddraw.Over)
	var src image.Image = sq
	if side > 2*AvatarLarge {
		src = scaleRGBA(sq, 2*AvatarLarge, draw.ApproxBiLinear)
	}
	big := scaleRGBA(src, AvatarLarge, draw.CatmullRom)
	if large, err = encodeJPEG(big); err != nil {
		return nil, nil, err
	}
	if small, err = encodeJPEG(scaleRGBA(big, AvatarSmall, draw.CatmullRom)); err != nil {
		return nil, nil, err
	}
	return small, large, nil
}

// scaleRGBA scales the square src to size×size.
func scaleRGBA(src image.Image, size int, s draw.Scaler) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	s.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

func encodeJPEG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 86}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SetAvatar replaces userID's avatar with the image in data (see
// resizeAvatar) and returns the user with the new avatar_url. Errors:
// invalid_argument, payload_too_large, not_found.
func (s *Service) SetAvatar(ctx context.Context, userID string, data []byte) (User, error) {
	small, large, err := resizeAvatar(data)
	if err != nil {
		return User{}, err
	}
	sum := sha256.Sum256(large)
	hash := hex.EncodeToString(sum[:8])
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, setAvatarHash, hash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.NotFound, "No such user.")
		}
		_, err = tx.Exec(ctx, upsertAvatar, userID, hash, small, large, sqldb.Micro(s.now()))
		return err
	})
	if err != nil {
		return User{}, err
	}
	s.changed(userID)
	return s.User(ctx, userID)
}

// RemoveAvatar deletes userID's avatar (none already is fine) and returns
// the user. Errors: not_found.
func (s *Service) RemoveAvatar(ctx context.Context, userID string) (User, error) {
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, setAvatarHash, nil, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, deleteAvatar, userID)
		return err
	})
	if err != nil {
		return User{}, err
	}
	s.changed(userID)
	return s.User(ctx, userID)
}

// AvatarOf returns a user's avatar at size "small" (the default) or
// "large" to any signed-in user. Errors: invalid_argument (size),
// not_found (no such user, or no avatar).
func (s *Service) AvatarOf(ctx context.Context, userID, size string) (Avatar, error) {
	column := selectAvatarSmall
	switch size {
	case "", "small":
	case "large":
		column = selectAvatarLarge
	default:
		return Avatar{}, errs.Field("size", "size is small or large.")
	}
	var a Avatar
	err := s.db.QueryRow(ctx, column, userID).Scan(&a.Hash, &a.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return Avatar{}, errs.E(errs.NotFound, "This user has no avatar.")
	}
	return a, err
}

// OnUserChanged registers f to be told, on this node, of a user whose
// profile changed (their avatar), so that caches drop them (chat's).
func (s *Service) OnUserChanged(f func(userID string)) { s.onChange = append(s.onChange, f) }

// The avatar's statements (users.avatar_hash, avatars).
const (
	setAvatarHash = `UPDATE users SET avatar_hash = ? WHERE id = ? AND deleted_at IS NULL`
	upsertAvatar  = `INSERT INTO avatars (user_id, hash, small, large, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, small = excluded.small, large = excluded.large, updated_at = excluded.updated_at`
	deleteAvatar      = `DELETE FROM avatars WHERE user_id = ?`
	selectAvatarSmall = `SELECT a.hash, a.small FROM avatars a JOIN users u ON u.id = a.user_id WHERE a.user_id = ? AND u.deleted_at IS NULL`
	selectAvatarLarge = `SELECT a.hash, a.large FROM avatars a JOIN users u ON u.id = a.user_id WHERE a.user_id = ? AND u.deleted_at IS NULL`
)
