package browsertest

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A package whose TestMain does not call Main has no one to close a shared
// Chromium or remove its profile, so each test gets its own, in its own
// temporary directory, closed with the test.
func TestWithoutMainEachTestHasItsOwnChromium(t *testing.T) {
	var first, second *chromedp.Browser
	t.Run("first", func(t *testing.T) {
		first = chromedp.FromContext(Allocator(t)).Browser
	})
	t.Run("second", func(t *testing.T) {
		second = chromedp.FromContext(Allocator(t)).Browser
	})
	if first == nil || second == nil {
		return // no Chromium here, and none required: the subtests skipped
	}
	if first == second {
		t.Fatal("without Main, two tests shared one Chromium")
	}
	if err := first.Process().Signal(nil); err == nil {
		// Signal(nil) succeeds while the process lives (and is not reaped).
		t.Fatal("the first test's Chromium outlived its test")
	}
}
