package trust

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/httpx"
)

// Handler serves the trust routes: policies and the audit log to
// administrators (403 for anyone else), notices to every signed-in user.
type Handler struct {
	Service *Service
	Auth    *httpx.Auth
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	admin := h.Auth.Admin
	mux.Handle("POST /api/v1/admin/policies", admin(h.create))
	mux.Handle("GET /api/v1/admin/policies", admin(h.list))
	mux.Handle("GET /api/v1/admin/policies/{id}", admin(h.get))
	mux.Handle("POST /api/v1/admin/policies/{id}/cancel", admin(h.cancel))
	mux.Handle("DELETE /api/v1/admin/policies/{id}", admin(h.cancel))
	mux.Handle("GET /api/v1/admin/audit", admin(h.audit))
	mux.Handle("GET /api/v1/admin/audit/checkpoint", admin(h.checkpoint))
	mux.Handle("GET /api/v1/admin/audit/key", admin(h.key))
	mux.Handle("GET /api/v1/admin/audit/proof", admin(h.proof))
	mux.Handle("GET /api/v1/admin/audit/consistency", admin(h.consistency))
	mux.Handle("GET /api/v1/admin/audit/verify", admin(h.verify))
	mux.Handle("POST /api/v1/admin/watchlist/import", admin(h.importList))
	mux.Handle("GET /api/v1/admin/watchlist", admin(h.searchList))
	mux.Handle("GET /api/v1/admin/watchlists", admin(h.watchlists))
	mux.Handle("POST /api/v1/admin/watchlist/allow", admin(h.allow))
	mux.Handle("POST /api/v1/admin/screen", admin(h.screen))
	mux.Handle("GET /api/v1/notices", h.Auth.Required(h.notices))
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	var in NewPolicy
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.Service.Create(r.Context(), httpx.Caller(r).UserID, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"policy": p})
	return nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 50, 200)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, next, err := h.Service.List(r.Context(), ListFilter{State: State(q.Get("state")), TargetID: q.Get("target_id"),
		Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	p, err := h.Service.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"policy": p})
	return nil
}

// cancel serves both POST …/cancel {reason} and DELETE (whose body, with
// its reason, is optional).
func (h *Handler) cancel(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if r.Method == http.MethodPost || r.ContentLength > 0 {
		if err := httpx.Decode(w, r, &in); err != nil {
			return err
		}
	}
	p, err := h.Service.Cancel(r.Context(), httpx.Caller(r).UserID, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"policy": p})
	return nil
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 100, 1000)
	if err != nil {
		return err
	}
	after := int64(-1)
	s := r.URL.Query().Get("after")
	if s == "" {
		s = r.URL.Query().Get("cursor") // a page's next_cursor, as elsewhere
	}
	if s != "" {
		if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < -1 {
			return errs.Field("after", "after must be a record index.")
		}
	}
	items, next, err := h.Service.Entries(r.Context(), after, limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(items, next))
	return nil
}

func (h *Handler) checkpoint(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Service.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	writeText(w, c)
	return nil
}

func (h *Handler) key(w http.ResponseWriter, r *http.Request) error {
	k, err := h.Service.VerifierKey()
	if err != nil {
		return err
	}
	writeText(w, []byte(k+"\n"))
	return nil
}

func writeText(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func (h *Handler) proof(w http.ResponseWriter, r *http.Request) error {
	index, err := intParam(r, "index")
	if err != nil {
		return err
	}
	size, err := intParam(r, "size")
	if err != nil {
		return err
	}
	p, err := h.Service.InclusionProof(r.Context(), index, size)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"proof": encodeHashes(p)})
	return nil
}

func (h *Handler) consistency(w http.ResponseWriter, r *http.Request) error {
	old, err := intParam(r, "old")
	if err != nil {
		return err
	}
	new, err := intParam(r, "new")
	if err != nil {
		return err
	}
	p, err := h.Service.ConsistencyProof(r.Context(), old, new)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"proof": encodeHashes(p)})
	return nil
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) error {
	v, err := h.Service.Verify(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) notices(w http.ResponseWriter, r *http.Request) error {
	p := httpx.Caller(r)
	items := h.Service.Notices(r.Context(), p.UserID, p.Region)
	if items == nil {
		items = []Notice{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func intParam(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil {
		return 0, errs.Field(name, "%s must be a whole number.", name)
	}
	return n, nil
}

func encodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// DecodeHashes reads a proof's base64 hashes. Errors are plain.
func DecodeHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, errs.E(errs.InvalidArgument, "proof hash %d is not a base64 SHA-256 hash", i)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// importList serves POST /admin/watchlist/import?format=ofac|csv&list=: OFAC's
// files as multipart parts sdn (required), alt and add; or the generic CSV
// as the body (or as a multipart part named file).
func (h *Handler) importList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	actor, list := httpx.Caller(r).UserID, q.Get("list")
	switch q.Get("format") {
	case FormatOFAC:
		r.Body = http.MaxBytesReader(w, r.Body, 3*MaxListFileBytes+1<<20)
		parts, err := readParts(r, "sdn", "alt", "add")
		if err != nil {
			return err
		}
		if parts["sdn"] == nil {
			return errs.Field("sdn", "Send OFAC's sdn.csv as the multipart part sdn (alt.csv as alt and add.csv as add are optional).")
		}
		res, err := h.Service.ImportOFAC(r.Context(), actor, list, parts["sdn"], parts["alt"], parts["add"])
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, res)
		return nil
	case FormatCSV:
		r.Body = http.MaxBytesReader(w, r.Body, MaxListFileBytes+1<<20)
		var data []byte
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			parts, err := readParts(r, "file")
			if err != nil {
				return err
			}
			if data = parts["file"]; data == nil {
				return errs.Field("file", "Send the CSV as the request body, or as the multipart part file.")
			}
		} else {
			var err error
			if data, err = readFile(r.Body); err != nil {
				return err
			}
		}
		res, err := h.Service.ImportCSV(r.Context(), actor, list, data)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, res)
		return nil
	}
	return errs.Field("format", "format must be ofac (multipart sdn, alt, add) or csv (header id,name,aliases,type,country,program).")
}

// readParts reads the named parts of a multipart form, each at most
// MaxListFileBytes; other parts are skipped.
func readParts(r *http.Request, names ...string) (map[string][]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errs.E(errs.InvalidArgument, "Send the files as multipart/form-data (parts %s).", strings.Join(names, ", "))
	}
	out := map[string][]byte{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, listUploadError(err)
		}
		name := part.FormName()
		if !slices.Contains(names, name) {
			continue
		}
		if out[name] != nil {
			return nil, errs.Field(name, "The part %s appears twice.", name)
		}
		data, err := readFile(part)
		if err != nil {
			return nil, err
		}
		if data == nil {
			data = []byte{}
		}
		out[name] = data
	}
}

func readFile(rd io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(rd, MaxListFileBytes+1))
	if err != nil {
		return nil, listUploadError(err)
	}
	if len(data) > MaxListFileBytes {
		return nil, errs.E(errs.PayloadTooLarge, "A list file is at most %d MiB.", MaxListFileBytes>>20)
	}
	return data, nil
}

func listUploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errs.E(errs.PayloadTooLarge, "The upload is larger than %d MiB.", tooLarge.Limit>>20)
	}
	return errs.Wrap(err, errs.InvalidArgument, "The upload could not be read (it may have been cut short).")
}

func (h *Handler) searchList(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 50, 500)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := h.Service.SearchWatchlist(WatchSearch{Q: q.Get("q"), List: q.Get("list"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}

func (h *Handler) watchlists(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.Service.Watchlists(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page(ws, ""))
	return nil
}

func (h *Handler) screen(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name    string `json:"name"`
		Country string `json:"country"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	res, err := h.Service.ScreenName(in.Name, in.Country)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, res)
	return nil
}

// allow serves POST /admin/watchlist/allow {user_id | merchant_id,
// entry_id, list?}.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID     string `json:"user_id"`
		MerchantID string `json:"merchant_id"`
		EntryID    string `json:"entry_id"`
		List       string `json:"list"`
	}
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	typ, id := PartyUser, in.UserID
	switch {
	case in.UserID != "" && in.MerchantID != "":
		return errs.Field("merchant_id", "Name one party: user_id or merchant_id, not both.")
	case in.MerchantID != "":
		typ, id = PartyMerchant, in.MerchantID
	}
	items, err := h.Service.Allow(r.Context(), httpx.Caller(r).UserID, typ, id, in.List, in.EntryID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}
