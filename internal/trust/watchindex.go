package trust

// The in-memory watch lists that Screen and the search read: one immutable
// listIndex per list, swapped whole when a list is imported, so that a
// screening sees either the old list or the new one, never a mix.

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// WatchEntry is one watch-list entry: a person, an organisation, a vessel…
type WatchEntry struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
	Type    string   `json:"type"`    // "individual", "entity", "vessel", "aircraft", or the list's own word
	Country string   `json:"country"` // as the list gives it (OFAC: country names from add.csv, "; "-separated)
	Program string   `json:"program"` // sanctions programs, "; "-separated
	List    string   `json:"list"`
}

// person reports whether the entry may name a person, whose "LAST,
// First" names are reordered and whose middle names may be left out: any
// type but those of organisations and things (a list without types is
// read as people, the cautious way).
func (e *WatchEntry) person() bool {
	switch strings.ToLower(e.Type) {
	case "entity", "organization", "organisation", "company", "business", "vessel", "aircraft":
		return false
	}
	return true
}

type indexedEntry struct {
	WatchEntry
	keys     []nameKey // the name, then each alias
	listHash string    // the hash of the list version it belongs to
}

// listIndex is one list as loaded: never changed once built.
type listIndex struct {
	name, version, hash string
	entries             []*indexedEntry
	byID                map[string]*indexedEntry
	buckets             map[bucket][]int32
}

func buildIndex(name, version, hash string, entries []WatchEntry) *listIndex {
	x := &listIndex{name: name, version: version, hash: hash, entries: make([]*indexedEntry, len(entries)),
		byID: make(map[string]*indexedEntry, len(entries)), buckets: make(map[bucket][]int32, len(entries)*2)}
	for i := range entries {
		e := &indexedEntry{WatchEntry: entries[i], listHash: hash}
		e.List = name
		person := e.person()
		e.keys = make([]nameKey, 0, 1+len(e.Aliases))
		e.keys = append(e.keys, normalize(e.Name, person))
		for _, a := range e.Aliases {
			e.keys = append(e.keys, normalize(a, person))
		}
		x.entries[i] = e
		x.byID[e.ID] = e
		n := int32(i)
		file := func(b bucket) {
			l := x.buckets[b]
			if len(l) == 0 || l[len(l)-1] != n {
				x.buckets[b] = append(l, n)
			}
		}
		for k := range e.keys {
			file(compactKey(e.keys[k].compact))
			file(compactKey(e.keys[k].compactAlt))
			for t := range e.keys[k].tokens {
				indexKeys(&e.keys[k], t, file)
			}
		}
	}
	return x
}

// scored is an entry and its best score against a name.
type scored struct {
	entry *indexedEntry
	score float64
}

// bestScore is q's best score against e's name and aliases.
func bestScore(q *nameKey, e *indexedEntry) float64 {
	best := 0.0
	for i := range e.keys {
		if s := similarity(q, &e.keys[i]); s > best {
			best = s
			if best == 1 {
				break
			}
		}
	}
	return best
}

// boundedScore is bestScore, but 0 when it cannot reach cutoff: when the
// query tokens that share a bucket with e (mask) cannot pair well enough
// for the part score, only the whole-name score is computed, and only for
// names it applies to.
func boundedScore(q *nameKey, e *indexedEntry, mask uint16, cutoff float64) float64 {
	if partBound(q, mask) >= cutoff {
		return bestScore(q, e)
	}
	best := 0.0
	for i := range e.keys {
		k := &e.keys[i]
		if q.compact == k.compact || q.compact == k.compactAlt || q.compactAlt == k.compact {
			return 1
		}
		if wholeApplies(q, k) {
			best = max(best, wholeScore(q, k))
		}
	}
	return best
}

// candidates are the entries sharing a bucket with q. Short tokens (two
// letters or fewer: "al", "bin") are not looked up when q has longer ones,
// since they would bring in half the list.
// masks[n] holds a bit for each query token that brought entry n in, and
// candBit; the candidates are returned in the order found.
func (x *listIndex) candidates(q *nameKey, masks []uint16) []int32 {
	var out []int32
	mark := func(n int32, bit uint16) {
		if masks[n] == 0 {
			out = append(out, n)
		}
		masks[n] |= bit | candBit
	}
	long := false
	for _, t := range q.tokens {
		if len(t) > 2 {
			long = true
		}
	}
	for i, t := range q.tokens {
		if long && len(t) <= 2 {
			continue
		}
		bit := uint16(1) << i
		indexKeys(q, i, func(b bucket) {
			for _, n := range x.buckets[b] {
				mark(n, bit)
			}
		})
	}
	// Names split differently ("Alqaida", "Al Qaida") share the start of
	// their letters run together.
	for _, c := range []string{q.compact, q.compactAlt} {
		for _, n := range x.buckets[compactKey(c)] {
			mark(n, 0)
		}
	}
	return out
}

// candBit marks an entry as a candidate (query tokens use the low bits).
const candBit = 1 << 15

// compactKey is the bucket of a name's first four letters run together.
func compactKey(c string) bucket { return newBucket('c', c, 4) }

// match scores q against the candidates and returns those at or above
// cutoff, best first.
func (x *listIndex) match(q *nameKey, cutoff float64) []scored {
	masks := make([]uint16, len(x.entries))
	var out []scored
	for _, n := range x.candidates(q, masks) {
		e := x.entries[n]
		if s := boundedScore(q, e, masks[n]&^candBit, cutoff); s >= cutoff {
			out = append(out, scored{e, s})
		}
	}
	return out
}

// lists is the set of loaded lists, by name: replaced whole, never changed.
type lists map[string]*listIndex

// watch holds the loaded lists.
type watch struct {
	cur atomic.Pointer[lists]
	mu  sync.Mutex // serialises swaps
}

func newWatch() *watch {
	w := &watch{}
	w.cur.Store(&lists{})
	return w
}

func (w *watch) load() lists { return *w.cur.Load() }

// swap puts x in place of its list, unless the list already loaded is a
// later version (two reloads racing).
func (w *watch) swap(x *listIndex) {
	w.mu.Lock()
	defer w.mu.Unlock()
	old := w.load()
	if o, ok := old[x.name]; ok && o.version > x.version {
		return
	}
	next := make(lists, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[x.name] = x
	w.cur.Store(&next)
}

// screen scores name against every list, best first, at or above cutoff.
func (w *watch) screen(name string, person bool, cutoff float64) []scored {
	q := normalize(name, person)
	if len(q.tokens) == 0 {
		return nil
	}
	var out []scored
	for _, x := range w.load() {
		out = append(out, x.match(&q, cutoff)...)
	}
	sortScored(out)
	return out
}

func sortScored(out []scored) {
	slices.SortFunc(out, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		if c := strings.Compare(a.entry.List, b.entry.List); c != 0 {
			return c
		}
		return strings.Compare(a.entry.ID, b.entry.ID)
	})
}

// names are the loaded lists' names, sorted.
func (l lists) names() []string {
	out := make([]string, 0, len(l))
	for n := range l {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
