package chat

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// registerVoiceFiles adds the media routes: uploads of images, voice
// clips and files, and their download.
func (h *Handler) registerVoiceFiles(mux *http.ServeMux) {
	a := h.Auth.Required
	mux.Handle("POST /api/v1/media", a(h.uploadMedia))
	mux.Handle("GET /api/v1/media/{id}", a(h.serveMedia))
}

// uploadMedia takes multipart/form-data with a part named file. What the
// upload is for comes from ?kind= (image, voice, file; image when left
// out, as before), or from a part named kind before the file.
func (h *Handler) uploadMedia(w http.ResponseWriter, r *http.Request) error {
	kind := r.URL.Query().Get("kind")
	// The body's cap: the largest upload plus room for the form around it.
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.Field("file", "Send the upload as multipart/form-data with a part named file.")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return errs.Field("file", "The form has no part named file.")
		}
		if err != nil {
			if isMaxBytes(err) {
				return errs.E(errs.PayloadTooLarge, "A file is at most %d MiB.", MaxFileBytes>>20)
			}
			return errs.Wrap(err, errs.InvalidArgument, "The upload could not be read as multipart/form-data.")
		}
		switch part.FormName() {
		case "kind":
			v, err := io.ReadAll(io.LimitReader(part, 16))
			if err != nil {
				return errs.Wrap(err, errs.InvalidArgument, "The upload could not be read as multipart/form-data.")
			}
			if kind != "" && kind != string(v) {
				return errs.Field("kind", "The form's kind differs from the one in the query.")
			}
			kind = string(v)
		case "file":
			m, err := h.Service.UploadFrom(r.Context(), httpx.Caller(r).UserID, UploadInput{
				Kind: kind, Name: part.FileName(), Claimed: part.Header.Get("Content-Type"), Hint: r.ContentLength,
			}, part)
			if err != nil {
				return err
			}
			httpx.WriteJSON(w, http.StatusCreated, m)
			return nil
		}
	}
}

// serveMedia streams an upload, with Range support (voice playback,
// resumed downloads). Files go out as attachments under their original
// name; nothing uploaded is ever sniffed, or run as a page from Plaza's
// origin (nosniff, a sandbox CSP, markup served as octets).
func (h *Handler) serveMedia(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Service.OpenMedia(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	defer d.Body.Close()
	hd := w.Header()
	hd.Set("Cache-Control", "private, max-age=86400, immutable")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	switch d.Kind {
	case KindFile:
		hd.Set("Content-Type", servedType(d.ContentType))
		hd.Set("Content-Disposition", attachment(d.Name))
	case KindVoice:
		hd.Set("Content-Type", d.ContentType)
	default: // images: checked to be plain images when uploaded
		if !strings.HasPrefix(d.ContentType, "image/") || strings.Contains(d.ContentType, "svg") {
			d.ContentType = typeOctets
		}
		hd.Set("Content-Type", d.ContentType)
	}
	hd.Set("ETag", `"`+d.ID+`"`) // an upload never changes
	http.ServeContent(w, r, "", d.CreatedAt, d.Body)
	return nil
}
