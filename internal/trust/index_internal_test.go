package trust

import (
	"testing"
	"time"
)

// A full reload reads the database before a change that lands while it
// runs: the change must win over what the reload read.
func TestFullReloadKeepsChangesMadeWhileItRan(t *testing.T) {
	t.Parallel()
	at := time.Now()
	pol := func(id, target string) *Policy {
		return &Policy{ID: id, TargetType: TargetApp, TargetID: target, Regions: []string{"US"}, Scopes: []Scope{ScopeHosting}, EffectiveAt: at}
	}
	x := newIndex()
	x.put(pol("p1", "a"))
	x.put(pol("p2", "b"))
	read := []*Policy{pol("p1", "a"), pol("p2", "b")} // what the reload read

	x.beginLoad()
	x.remove("p1")         // cancelled meanwhile
	x.put(pol("p3", "c"))  // created meanwhile
	x.put(pol("p2", "b2")) // changed meanwhile (a new target, for the test)
	x.replaceAll(read)

	ask := func(target string) bool {
		return x.blocking(Question{Region: "US", Target: Target{TargetApp, target}, Scope: ScopeHosting, At: at}) != nil
	}
	for target, want := range map[string]bool{"a": false, "b": false, "b2": true, "c": true} {
		if got := ask(target); got != want {
			t.Errorf("target %s blocked=%v, want %v", target, got, want)
		}
	}
	if x.dirty != nil {
		t.Error("the load did not end")
	}
	// Outside a load, a full reload is the truth.
	x.beginLoad()
	x.replaceAll(read)
	if !ask("a") || ask("c") {
		t.Error("a reload without changes meanwhile did not replace the index")
	}
}
