package trust

// Readers of the watch-list files: OFAC's SDN list as it publishes it in
// CSV (sdn.csv, alt.csv, add.csv: no header, every text field quoted, "-0-"
// for an empty one; OFAC's data specification), and Plaza's generic CSV
// (a header "id,name,aliases,type,country,program", aliases separated by
// ";"). A reader refuses the whole file at its first bad line, and says
// which: an import never keeps half a list.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// Limits on what a list file may hold.
const (
	MaxListFileBytes = 64 << 20 // one file; OFAC's sdn.csv is ~10-20 MB
	maxEntryID       = 100
	maxEntryName     = 350 // SDN_Name's size in OFAC's specification
	maxAliases       = 500
	maxEntryField    = 1000
)

// fileError is invalid_argument naming file and line.
func fileError(field, file string, line int, format string, args ...any) error {
	return errs.Field(field, "%s line %d: %s", file, line, fmt.Sprintf(format, args...))
}

// csvRecords calls fn with each record of data and its line number. A
// blank line is skipped; so is a last line holding only the end-of-file
// character (0x1A) that OFAC's files have carried.
func csvRecords(field, file string, data []byte, fn func(line int, rec []string) error) error {
	if !utf8.Valid(data) {
		// Find the line, for the message.
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return fileError(field, file, line, "the file is not UTF-8 text")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fileError(field, file, pe.StartLine, "%v (a quote is missing or misplaced, or the file is cut short)", pe.Err)
			}
			return errs.Wrap(err, errs.InvalidArgument, "%s could not be read as CSV.", file)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(strings.Trim(rec[0], "\x1a")) == "" {
			continue
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// ofacField is an OFAC field's value: "-0-" (with or without OFAC's
// trailing space) is empty.
func ofacField(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

// ofacPrograms turns OFAC's "SDGT] [SDT" into "SDGT; SDT".
func ofacPrograms(s string) string {
	s = strings.NewReplacer("] [", "; ", "[", "", "]", "").Replace(s)
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

func validEntNum(s string) bool {
	if s == "" || len(s) > 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ParseOFAC reads OFAC's SDN list: sdn.csv (12 columns: ent_num, SDN_Name,
// SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag,
// Vess_owner, Remarks) with, optionally, alt.csv (ent_num, alt_num,
// alt_type, alt_name, alt_remarks: the aliases) and add.csv (ent_num,
// Add_num, Address, City…, Country, Add_remarks: the countries). Errors:
// invalid_argument naming the file (field sdn, alt or add) and the line.
func ParseOFAC(sdn, alt, add []byte) ([]WatchEntry, error) {
	var entries []WatchEntry
	byNum := map[string]int{}
	err := csvRecords("sdn", "sdn.csv", sdn, func(line int, rec []string) error {
		if len(rec) != 12 {
			return fileError("sdn", "sdn.csv", line, "%d fields where OFAC's format has 12", len(rec))
		}
		num, name := ofacField(rec[0]), ofacField(rec[1])
		if !validEntNum(num) {
			return fileError("sdn", "sdn.csv", line, "ent_num %q is not a number", truncate(rec[0], 20))
		}
		if _, dup := byNum[num]; dup {
			return fileError("sdn", "sdn.csv", line, "ent_num %s appears twice", num)
		}
		if name == "" || utf8.RuneCountInString(name) > maxEntryName {
			return fileError("sdn", "sdn.csv", line, "SDN_Name must be 1 to %d characters", maxEntryName)
		}
		typ := strings.ToLower(ofacField(rec[2]))
		if typ == "" {
			typ = "entity"
		}
		byNum[num] = len(entries)
		entries = append(entries, WatchEntry{ID: num, Name: name, Type: typ, Program: ofacPrograms(ofacField(rec[3]))})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, errs.Field("sdn", "sdn.csv holds no entries.")
	}
	err = csvRecords("alt", "alt.csv", alt, func(line int, rec []string) error {
		if len(rec) != 5 {
			return fileError("alt", "alt.csv", line, "%d fields where OFAC's format has 5", len(rec))
		}
		i, ok := byNum[ofacField(rec[0])]
		if !ok {
			return fileError("alt", "alt.csv", line, "ent_num %q is not in sdn.csv", truncate(rec[0], 20))
		}
		name := ofacField(rec[3])
		if name == "" || utf8.RuneCountInString(name) > maxEntryName {
			return fileError("alt", "alt.csv", line, "alt_name must be 1 to %d characters", maxEntryName)
		}
		e := &entries[i]
		if len(e.Aliases) < maxAliases && name != e.Name && !slices.Contains(e.Aliases, name) {
			e.Aliases = append(e.Aliases, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = csvRecords("add", "add.csv", add, func(line int, rec []string) error {
		if len(rec) != 6 {
			return fileError("add", "add.csv", line, "%d fields where OFAC's format has 6", len(rec))
		}
		i, ok := byNum[ofacField(rec[0])]
		if !ok {
			return fileError("add", "add.csv", line, "ent_num %q is not in sdn.csv", truncate(rec[0], 20))
		}
		country := ofacField(rec[4])
		if country == "" || strings.EqualFold(country, "undetermined") {
			return nil
		}
		e := &entries[i]
		if !slices.Contains(strings.Split(e.Country, "; "), country) && len(e.Country) < maxEntryField {
			if e.Country != "" {
				e.Country += "; "
			}
			e.Country += country
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return entries, nil
}

// watchColumns are the generic CSV's columns.
var watchColumns = []string{"id", "name", "aliases", "type", "country", "program"}

// ParseWatchCSV reads the generic list format: a header naming the columns
// id, name, aliases, type, country and program (id and name required, in
// any order), then one entry a row, aliases separated by ";". Errors:
// invalid_argument naming the line.
func ParseWatchCSV(data []byte) ([]WatchEntry, error) {
	var (
		entries []WatchEntry
		col     map[string]int
		seen    = map[string]int{}
	)
	const field, file = "file", "CSV"
	err := csvRecords(field, file, data, func(line int, rec []string) error {
		if col == nil {
			col = map[string]int{}
			for i, h := range rec {
				h = strings.ToLower(strings.TrimSpace(h))
				if !slices.Contains(watchColumns, h) {
					return fileError(field, file, line, "unknown column %q in the header (the columns are %s)", truncate(h, 40), strings.Join(watchColumns, ","))
				}
				if _, dup := col[h]; dup {
					return fileError(field, file, line, "column %q appears twice in the header", h)
				}
				col[h] = i
			}
			if _, ok := col["id"]; !ok {
				return fileError(field, file, line, "the header has no id column (the columns are %s)", strings.Join(watchColumns, ","))
			}
			if _, ok := col["name"]; !ok {
				return fileError(field, file, line, "the header has no name column (the columns are %s)", strings.Join(watchColumns, ","))
			}
			return nil
		}
		if len(rec) != len(col) {
			return fileError(field, file, line, "%d fields where the header has %d", len(rec), len(col))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e := WatchEntry{ID: get("id"), Name: get("name"), Type: strings.ToLower(get("type")), Country: get("country"), Program: get("program")}
		switch {
		case e.ID == "" || len(e.ID) > maxEntryID:
			return fileError(field, file, line, "id must be 1 to %d characters", maxEntryID)
		case e.Name == "" || utf8.RuneCountInString(e.Name) > maxEntryName:
			return fileError(field, file, line, "name must be 1 to %d characters", maxEntryName)
		case len(e.Type) > 50 || len(e.Country) > maxEntryField || len(e.Program) > maxEntryField:
			return fileError(field, file, line, "type, country or program is too long")
		}
		if prev, dup := seen[e.ID]; dup {
			return fileError(field, file, line, "id %q was already used on line %d", truncate(e.ID, 40), prev)
		}
		seen[e.ID] = line
		for _, a := range strings.Split(get("aliases"), ";") {
			a = strings.TrimSpace(a)
			if a == "" || a == e.Name || slices.Contains(e.Aliases, a) {
				continue
			}
			if utf8.RuneCountInString(a) > maxEntryName || len(e.Aliases) >= maxAliases {
				return fileError(field, file, line, "an alias is longer than %d characters, or there are over %d", maxEntryName, maxAliases)
			}
			e.Aliases = append(e.Aliases, a)
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if col == nil {
		return nil, errs.Field(field, "The list is empty: it needs the header %s and at least one entry.", strings.Join(watchColumns, ","))
	}
	if len(entries) == 0 {
		return nil, errs.Field(field, "The list holds a header but no entries.")
	}
	return entries, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
