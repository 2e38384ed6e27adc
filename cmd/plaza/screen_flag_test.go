package main

import (
	"os/exec"
	"strings"
	"testing"
)

// --screen-review must be a threshold above 0 and at most 1.
func TestScreenReviewFlagIsChecked(t *testing.T) {
	for _, v := range []string{"0", "-0.5", "1.5", "high"} {
		out, err := exec.Command(binary, "serve", "--data", t.TempDir(), "--screen-review", v).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "screen-review") {
			t.Errorf("--screen-review %s: %v, %s", v, err, out)
		}
	}
}
