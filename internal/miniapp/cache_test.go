package miniapp

import (
	"strings"
	"testing"
	"time"
)

func TestPackageCacheIsBounded(t *testing.T) {
	t.Parallel()
	c := newPkgCache(1000, 3)
	p := func(n int) *Package { return &Package{Files: map[string][]byte{"a": make([]byte, n-1)}} }
	c.put("a@1", p(400))
	c.put("a@2", p(400))
	if c.get("a@1") == nil {
		t.Fatal("a@1 was dropped too soon")
	}
	c.put("a@3", p(400)) // over 1000 bytes: the least recently used (a@2) goes
	if c.get("a@2") != nil || c.get("a@1") == nil || c.get("a@3") == nil {
		t.Fatal("not least recently used first")
	}
	c.put("huge@1", p(2000))
	if c.get("huge@1") != nil {
		t.Fatal("a package larger than the cache was kept")
	}
	for i := range 5 {
		c.put("b@"+strings.Repeat("x", i), p(10))
	}
	if n, size := c.stats(); n > 3 || size > 1000 {
		t.Fatalf("%d entries, %d bytes", n, size)
	}
}

// A launch opens its own label only, until it expires.
func TestLaunchTokens(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	s := NewService(Config{UnionKey: []byte("key"), Now: func() time.Time { return now }})
	label := "mpabc--v2--" + s.trialMAC("mpabc", 2)
	tok := s.launchToken(label, now.Add(LaunchTTL).Unix())
	if !s.checkLaunch(label, tok) {
		t.Fatal("a fresh launch was refused")
	}
	other := "mpabc--v3--" + s.trialMAC("mpabc", 3)
	for name, bad := range map[string]string{"other_label": "", "empty": "", "no_dot": "abc", "tampered": tok[:len(tok)-1] + "a"} {
		l, tk := label, bad
		if name == "other_label" {
			l, tk = other, tok
		}
		if s.checkLaunch(l, tk) {
			t.Fatalf("%s opened", name)
		}
	}
	now = now.Add(LaunchTTL + time.Second)
	if s.checkLaunch(label, tok) {
		t.Fatal("an expired launch opened")
	}
	if _, _, ok := s.parseTrial("mpabc--v02--" + s.trialMAC("mpabc", 2)); ok {
		t.Fatal("a non-canonical code parsed")
	}
	if _, _, ok := s.parseTrial(label); !ok {
		t.Fatal("the canonical label did not parse")
	}
}
