package trust

// Watch lists: importing a list (it replaces the list's previous version
// at once, on every node), searching it, and recording false positives.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/plaza-dev/plaza/internal/platform/errs"
	"github.com/plaza-dev/plaza/internal/platform/ids"
	"github.com/plaza-dev/plaza/internal/platform/outbox"
	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// Default list names of the two formats.
const (
	ListOFAC   = "ofac_sdn"
	ListCustom = "custom"
)

// Import formats.
const (
	FormatOFAC = "ofac"
	FormatCSV  = "csv"
)

// ScreenCutoff is the lowest score the administrators' screening shows
// (POST /admin/screen), so that near misses are seen; only scores at or
// above the review threshold hold money.
const ScreenCutoff = 0.7

const (
	insertBatchRows = 500  // entries an INSERT statement writes
	insertTxRows    = 5000 // entries a transaction writes
)

var listNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_]{0,39}$`)

// ImportResult is what an import answers.
type ImportResult struct {
	List     string `json:"list"`
	Imported int    `json:"imported"`
	ListHash string `json:"list_hash"`
	Version  string `json:"version"`
}

// Watchlist describes a list's current version.
type Watchlist struct {
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	Format     string    `json:"format"`
	Hash       string    `json:"list_hash"`
	Entries    int       `json:"entries"`
	ImportedBy string    `json:"imported_by"`
	ImportedAt time.Time `json:"imported_at"`
}

// ImportOFAC parses OFAC's files (alt and add may be nil) and imports them
// as list (ListOFAC when empty). Errors: invalid_argument naming the file
// and line; nothing is changed then.
func (s *Service) ImportOFAC(ctx context.Context, actor, list string, sdn, alt, add []byte) (*ImportResult, error) {
	if list == "" {
		list = ListOFAC
	}
	if err := checkListName(list); err != nil {
		return nil, err
	}
	entries, err := ParseOFAC(sdn, alt, add)
	if err != nil {
		return nil, err
	}
	files := map[string]string{"sdn.csv": fileHash(sdn)}
	if alt != nil {
		files["alt.csv"] = fileHash(alt)
	}
	if add != nil {
		files["add.csv"] = fileHash(add)
	}
	return s.importList(ctx, actor, list, FormatOFAC, entries, files)
}

// ImportCSV parses the generic CSV and imports it as list (ListCustom when
// empty). Errors: invalid_argument naming the line.
func (s *Service) ImportCSV(ctx context.Context, actor, list string, data []byte) (*ImportResult, error) {
	if list == "" {
		list = ListCustom
	}
	if err := checkListName(list); err != nil {
		return nil, err
	}
	entries, err := ParseWatchCSV(data)
	if err != nil {
		return nil, err
	}
	return s.importList(ctx, actor, list, FormatCSV, entries, map[string]string{"file": fileHash(data)})
}

func checkListName(list string) error {
	if !listNameRE.MatchString(list) {
		return errs.Field("list", "list must be 1 to 40 lower-case letters, digits or underscores, such as %q.", ListOFAC)
	}
	return nil
}

func fileHash(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// listHash is the SHA-256 of the entries as imported, one JSON object a
// line in file order: the same list gives the same hash whatever the
// file's quoting or line endings.
func listHash(entries []WatchEntry) string {
	h := sha256.New()
	for _, e := range entries {
		b, _ := json.Marshal(struct {
			ID      string   `json:"id"`
			Name    string   `json:"name"`
			Aliases []string `json:"aliases"`
			Type    string   `json:"type"`
			Country string   `json:"country"`
			Program string   `json:"program"`
		}{e.ID, e.Name, nonNil(e.Aliases), e.Type, e.Country, e.Program})
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func nonNil(a []string) []string {
	if a == nil {
		return []string{}
	}
	return a
}

// importList writes entries as a new version of list, then makes it the
// current one (and audits and announces it) in one transaction. Until
// that transaction commits every node screens against the old version; a
// crash before it leaves the old version whole.
func (s *Service) importList(ctx context.Context, actor, list, format string, entries []WatchEntry, files map[string]string) (*ImportResult, error) {
	version := ids.New("wlv")
	hash := listHash(entries)
	res := &ImportResult{List: list, Imported: len(entries), ListHash: hash, Version: version}
	started := time.Now()
	// This node's index is built while the rows are written.
	built := make(chan *listIndex, 1)
	go func() { built <- buildIndex(list, version, hash, entries) }()
	if err := s.writeVersion(ctx, list, version, entries); err != nil {
		s.dropVersion(version)
		return nil, err
	}
	now := s.now().UTC()
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		r, err := tx.Exec(ctx, flipWatchlist, list, version, format, hash, len(entries), actor, sqldb.Micro(now))
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.E(errs.Conflict, "A later import of %s finished first; this one was dropped.", list)
		}
		if _, err := tx.Exec(ctx, deleteOlderWatchEntries, list, version); err != nil {
			return err
		}
		if _, err := s.Append(ctx, tx, Entry{Actor: actor, Action: "watchlist.imported", Target: "watchlist:" + list,
			Details: map[string]any{"list": list, "format": format, "list_hash": hash, "entries": len(entries), "version": version, "files": files}}); err != nil {
			return err
		}
		if err := outbox.Add(ctx, tx, WatchlistChangedSubject, WatchlistChanged{List: list, Version: version}); err != nil {
			return err
		}
		tx.AfterCommit(func() {
			s.watchMu.Lock()
			s.watch.swap(<-built)
			s.watchMu.Unlock()
		})
		return nil
	})
	if err != nil {
		s.dropVersion(version)
		return nil, err
	}
	s.log.Info("watch list imported", "list", list, "entries", len(entries), "hash", hash, "by", actor, "took", time.Since(started))
	return res, nil
}

// writeVersion inserts entries under version, a few thousand a
// transaction, so that no transaction holds the writer long.
func (s *Service) writeVersion(ctx context.Context, list, version string, entries []WatchEntry) error {
	args := make([]any, 0, insertBatchRows*9)
	for start := 0; start < len(entries); start += insertTxRows {
		end := min(start+insertTxRows, len(entries))
		err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
			for b := start; b < end; b += insertBatchRows {
				be := min(b+insertBatchRows, end)
				args = args[:0]
				for i := b; i < be; i++ {
					e := &entries[i]
					aliases, _ := json.Marshal(nonNil(e.Aliases))
					args = append(args, version, list, i, e.ID, e.Name, string(aliases), e.Type, e.Country, e.Program)
				}
				if _, err := tx.Exec(ctx, insertWatchEntries(be-b), args...); err != nil {
					return fmt.Errorf("trust: writing watch list %s: %w", list, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// dropVersion removes what a failed import wrote (a crash's rows go at
// the next import of the list, which deletes every older version).
func (s *Service) dropVersion(version string) {
	if _, err := s.db.Exec(context.Background(), deleteWatchVersion, version); err != nil {
		s.log.Warn("removing a failed import", "version", version, "err", err)
	}
}

// Watchlists are the lists' current versions.
func (s *Service) Watchlists(ctx context.Context) ([]Watchlist, error) {
	rows, err := s.db.Query(ctx, selectWatchlists)
	if err != nil {
		return nil, err
	}
	return sqldb.ScanAll(rows, func(r *sql.Rows) (Watchlist, error) { return scanWatchlist(r) })
}

func scanWatchlist(row interface{ Scan(...any) error }) (Watchlist, error) {
	var (
		w  Watchlist
		at int64
	)
	err := row.Scan(&w.Name, &w.Version, &w.Format, &w.Hash, &w.Entries, &w.ImportedBy, &at)
	w.ImportedAt = sqldb.FromMicro(at)
	return w, err
}

// reloadWatchlists loads every list whose version changed.
func (s *Service) reloadWatchlists(ctx context.Context) error {
	ws, err := s.Watchlists(ctx)
	if err != nil {
		return fmt.Errorf("trust: loading watch lists: %w", err)
	}
	loaded := s.watch.load()
	for _, w := range ws {
		if x, ok := loaded[w.Name]; ok && x.version == w.Version {
			continue
		}
		if err := s.reloadWatchlist(ctx, w.Name); err != nil {
			return err
		}
	}
	return nil
}

// reloadWatchlist loads list's current version and swaps it in whole.
func (s *Service) reloadWatchlist(ctx context.Context, list string) error {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	for try := 0; try < 5; try++ {
		w, err := scanWatchlist(s.db.QueryRow(ctx, selectWatchlist, list))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("trust: loading watch list %s: %w", list, err)
		}
		if x, ok := s.watch.load()[list]; ok && x.version >= w.Version {
			return nil
		}
		rows, err := s.db.Query(ctx, selectWatchEntries, w.Version)
		if err != nil {
			return fmt.Errorf("trust: loading watch list %s: %w", list, err)
		}
		entries := make([]WatchEntry, 0, w.Entries)
		err = sqldb.Each(rows, func(r *sql.Rows) error {
			var (
				e       WatchEntry
				seq     int64
				aliases string
			)
			if err := r.Scan(&seq, &e.ID, &e.Name, &aliases, &e.Type, &e.Country, &e.Program); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(aliases), &e.Aliases); err != nil {
				return fmt.Errorf("entry %s: aliases: %w", e.ID, err)
			}
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return fmt.Errorf("trust: loading watch list %s: %w", list, err)
		}
		if len(entries) != w.Entries {
			continue // a later import replaced this version as it was read
		}
		s.watch.swap(buildIndex(list, w.Version, w.Hash, entries))
		return nil
	}
	return fmt.Errorf("trust: watch list %s kept changing while it loaded", list)
}

// WatchSearch narrows SearchWatchlist.
type WatchSearch struct {
	Q      string // a name, part of one, or an entry id; empty: every entry
	List   string // one list; empty: all
	Cursor string // a previous page's next_cursor
	Limit  int
}

// WatchPage is a page of entries.
type WatchPage struct {
	Items      []WatchEntry `json:"items"`
	Total      int          `json:"total"`
	NextCursor string       `json:"next_cursor"`
}

// SearchWatchlist pages the loaded lists' entries: all of them in list and
// file order, or, with a query, those whose id is it, whose names contain
// it, or whose names score at least ScreenCutoff against it, best first.
// Errors: invalid_argument (a bad cursor).
func (s *Service) SearchWatchlist(f WatchSearch) (*WatchPage, error) {
	offset := 0
	if f.Cursor != "" {
		n, err := strconv.Atoi(f.Cursor)
		if err != nil || n < 0 {
			return nil, errs.Field("cursor", "cursor must be a next_cursor from a previous page.")
		}
		offset = n
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	loaded := s.watch.load()
	var all []*indexedEntry
	q := strings.TrimSpace(f.Q)
	if q == "" {
		for _, name := range loaded.names() {
			if f.List == "" || f.List == name {
				all = append(all, loaded[name].entries...)
			}
		}
	} else {
		key := normalize(q, true)
		sub := key.joined
		var hits []scored
		for _, name := range loaded.names() {
			x := loaded[name]
			if f.List != "" && f.List != name {
				continue
			}
			found := map[*indexedEntry]float64{}
			for _, h := range x.match(&key, ScreenCutoff) {
				found[h.entry] = h.score
			}
			for _, e := range x.entries {
				if _, ok := found[e]; ok {
					continue
				}
				if e.ID == q {
					found[e] = 1
					continue
				}
				if sub == "" {
					continue
				}
				for i := range e.keys {
					if strings.Contains(e.keys[i].joined, sub) {
						found[e] = max(bestScore(&key, e), 0.01)
						break
					}
				}
			}
			for e, sc := range found {
				hits = append(hits, scored{e, sc})
			}
		}
		sortScored(hits)
		for _, h := range hits {
			all = append(all, h.entry)
		}
	}
	page := &WatchPage{Items: []WatchEntry{}, Total: len(all)}
	if offset < len(all) {
		end := min(offset+f.Limit, len(all))
		for _, e := range all[offset:end] {
			c := e.WatchEntry
			c.Aliases = nonNil(c.Aliases)
			page.Items = append(page.Items, c)
		}
		if end < len(all) {
			page.NextCursor = strconv.Itoa(end)
		}
	}
	return page, nil
}

// ScreenResult is what the administrators' screening answers.
type ScreenResult struct {
	Matches   []Match `json:"matches"`
	Threshold float64 `json:"threshold"`
	Cutoff    float64 `json:"cutoff"`
}

// ScreenName scores a name against every loaded list and returns the
// entries at or above ScreenCutoff (up to 20), best first, with the review
// threshold; no allow list applies. Errors: invalid_argument.
func (s *Service) ScreenName(name, country string) (*ScreenResult, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > maxEntryName {
		return nil, errs.Field("name", "name must be 1 to %d characters.", maxEntryName)
	}
	if len(country) > 2 {
		return nil, errs.Field("country", "country must be an ISO 3166-1 alpha-2 code.")
	}
	cutoff := min(ScreenCutoff, s.screenReview)
	res := &ScreenResult{Matches: []Match{}, Threshold: s.screenReview, Cutoff: cutoff}
	for i, h := range s.watch.screen(name, true, cutoff) {
		if i == 20 {
			break
		}
		res.Matches = append(res.Matches, toMatch(h))
	}
	return res, nil
}

// toMatch is h as answered; the score is rounded down to 3 decimals, so
// that a score shown is never above the one compared.
func toMatch(h scored) Match {
	return Match{EntryID: h.entry.ID, Name: h.entry.Name, Score: math.Floor(h.score*1000) / 1000, Program: h.entry.Program,
		List: h.entry.List, ListHash: h.entry.listHash}
}

// Allowed is a recorded false positive.
type Allowed struct {
	PartyType string `json:"party_type"`
	PartyID   string `json:"party_id"`
	List      string `json:"list"`
	EntryID   string `json:"entry_id"`
	Name      string `json:"name"`
}

// fingerprint identifies an entry's names: an allowed pair whose entry is
// renamed or gains an alias is screened again.
func fingerprint(e *WatchEntry) string {
	h := sha256.New()
	h.Write([]byte(e.Name))
	for _, a := range e.Aliases {
		h.Write([]byte{0})
		h.Write([]byte(a))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Allow records that party (PartyUser or PartyMerchant) is not entryID
// (of list, or of every loaded list that has it when list is empty):
// Screen no longer returns that pair. Allowing again is no change.
// Errors: invalid_argument, not_found (no such party or entry).
func (s *Service) Allow(ctx context.Context, actor, partyType, partyID, list, entryID string) ([]Allowed, error) {
	partyID, entryID = strings.TrimSpace(partyID), strings.TrimSpace(entryID)
	var target TargetType
	switch partyType {
	case PartyUser:
		target = TargetUser
	case PartyMerchant:
		target = TargetMerchant
	default:
		return nil, errs.Field("user_id", "Name the party: user_id or merchant_id.")
	}
	if partyID == "" || len(partyID) > 100 {
		return nil, errs.Field(partyType+"_id", "%s_id is required.", partyType)
	}
	if entryID == "" || len(entryID) > maxEntryID {
		return nil, errs.Field("entry_id", "entry_id is required.")
	}
	if s.targets != nil {
		_, ok, err := s.targets.Exists(ctx, target, partyID)
		if err != nil {
			return nil, fmt.Errorf("trust: looking up %s %s: %w", partyType, partyID, err)
		}
		if !ok {
			return nil, errs.E(errs.NotFound, "There is no %s %q.", partyType, partyID)
		}
	}
	loaded := s.watch.load()
	var found []*indexedEntry
	for _, name := range loaded.names() {
		if list != "" && list != name {
			continue
		}
		if e, ok := loaded[name].byID[entryID]; ok {
			found = append(found, e)
		}
	}
	if len(found) == 0 {
		return nil, errs.E(errs.NotFound, "No watch list has an entry %q.", entryID)
	}
	var out []Allowed
	now := s.now().UTC()
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		out = out[:0]
		for _, e := range found {
			fp := fingerprint(&e.WatchEntry)
			r, err := tx.Exec(ctx, insertWatchAllow, partyType, partyID, e.List, e.ID, fp, actor, sqldb.Micro(now))
			if err != nil {
				return err
			}
			a := Allowed{PartyType: partyType, PartyID: partyID, List: e.List, EntryID: e.ID, Name: e.Name}
			out = append(out, a)
			if n, _ := r.RowsAffected(); n == 0 {
				continue // already allowed: nothing new to audit
			}
			if _, err := s.Append(ctx, tx, Entry{Actor: actor, Action: "watchlist.allowed", Target: partyType + ":" + partyID,
				Details: map[string]any{"list": e.List, "entry_id": e.ID, "entry_name": e.Name, "fingerprint": fp}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// allowedFor is party's allowed pairs: list/entry → fingerprint.
func (s *Service) allowedFor(ctx context.Context, partyType, partyID string) (map[[2]string]string, error) {
	rows, err := s.db.Query(ctx, selectWatchAllows, partyType, partyID)
	if err != nil {
		return nil, err
	}
	out := map[[2]string]string{}
	err = sqldb.Each(rows, func(r *sql.Rows) error {
		var list, entry, fp string
		if err := r.Scan(&list, &entry, &fp); err != nil {
			return err
		}
		out[[2]string{list, entry}] = fp
		return nil
	})
	return out, err
}
