package trust

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

// The evaluation floors at the default review threshold: a change to the
// matcher that falls below either fails the build.
const (
	evalPrecisionFloor = 0.90
	evalRecallFloor    = 0.95
)

type evalPair struct {
	party, entry, aliases, typ, kind string
	match                            bool
}

func readEval(t testing.TB) []evalPair {
	t.Helper()
	f, err := os.Open("testdata/screen_eval.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []evalPair
	for _, r := range rows[1:] {
		out = append(out, evalPair{party: r[0], entry: r[1], aliases: r[2], typ: r[3], match: r[4] == "1", kind: r[5]})
	}
	return out
}

func evalScore(p evalPair) float64 {
	e := WatchEntry{ID: "1", Name: p.entry, Type: p.typ}
	if p.aliases != "" {
		e.Aliases = strings.Split(p.aliases, ";")
	}
	w := newWatch()
	w.swap(buildIndex("eval", "v1", "", []WatchEntry{e}))
	// Through the index, as Screen goes: a pair the candidate buckets
	// miss scores 0.
	hits := w.screen(p.party, true, 0.5)
	if len(hits) == 0 {
		return 0
	}
	return hits[0].score
}

// TestScreenEvaluation scores the labelled pairs of screen_eval.csv (true
// matches with typos, reordering, aliases, honorifics, accents, Chinese
// and Cyrillic; common names that must not match) at the default review
// threshold and fails below the floors.
func TestScreenEvaluation(t *testing.T) {
	pairs := readEval(t)
	if len(pairs) < 60 {
		t.Fatalf("the evaluation set has %d pairs, want at least 60", len(pairs))
	}
	var tp, fp, fn, tn int
	for _, p := range pairs {
		s := evalScore(p)
		hit := s >= DefaultScreenReview
		switch {
		case hit && p.match:
			tp++
		case hit && !p.match:
			fp++
			t.Logf("false positive %.3f: %q vs %q (%s)", s, p.party, p.entry, p.kind)
		case !hit && p.match:
			fn++
			t.Logf("false negative %.3f: %q vs %q (%s)", s, p.party, p.entry, p.kind)
		default:
			tn++
		}
		if testing.Verbose() {
			t.Logf("%.3f %v %q vs %q (%s)", s, p.match, p.party, p.entry, p.kind)
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("screen_eval.csv: %d pairs (%d matches, %d non-matches) at %.2f: precision %.3f, recall %.3f (tp %d, fp %d, fn %d, tn %d)",
		len(pairs), tp+fn, fp+tn, DefaultScreenReview, precision, recall, tp, fp, fn, tn)
	if precision < evalPrecisionFloor || recall < evalRecallFloor {
		t.Fatalf("precision %.3f (floor %.2f), recall %.3f (floor %.2f)", precision, evalPrecisionFloor, recall, evalRecallFloor)
	}
}

// The story depends on this one pair.
func TestStoryPairMatches(t *testing.T) {
	s := evalScore(evalPair{party: "Ivan Sidorov", entry: "SIDOROV, Ivan Petrovich", typ: "individual"})
	if s < DefaultScreenReview {
		t.Fatalf("Ivan Sidorov vs SIDOROV, Ivan Petrovich = %.3f, want ≥ %.2f", s, DefaultScreenReview)
	}
}
