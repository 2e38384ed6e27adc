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
	buckets             map[string][]int32
}

func buildIndex(name, version, hash string, entries []WatchEntry) *listIndex {
	x := &listIndex{name: name, version: version, hash: hash, entries: make([]*indexedEntry, len(entries)),
		byID: make(map[string]*indexedEntry, len(entries)), buckets: make(map[string][]int32, len(entries)*2)}
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
		for k := range e.keys {
			indexKeys(&e.keys[k], func(b string) {
				l := x.buckets[b]
				if len(l) == 0 || l[len(l)-1] != n {
					x.buckets[b] = append(l, n)
				}
			})
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

// candidates are the entries sharing a bucket with q. Short tokens (two
// letters or fewer: "al", "bin") are not looked up when q has longer ones,
// since they would bring in half the list.
func (x *listIndex) candidates(q *nameKey, seen map[int32]struct{}) {
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
		p := t
		if len(p) > 3 {
			p = p[:3]
		}
		for _, n := range x.buckets["p"+p] {
			seen[n] = struct{}{}
		}
		if q.sounds[i] != "" {
			for _, n := range x.buckets["s"+q.sounds[i]] {
				seen[n] = struct{}{}
			}
		}
	}
}

// match scores q against the candidates and returns those at or above
// cutoff, best first.
func (x *listIndex) match(q *nameKey, cutoff float64) []scored {
	seen := make(map[int32]struct{}, 64)
	x.candidates(q, seen)
	var out []scored
	for n := range seen {
		e := x.entries[n]
		if s := bestScore(q, e); s >= cutoff {
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
