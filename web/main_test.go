package web_test

import (
	"testing"

	bt "github.com/plaza-dev/plaza/internal/node/browsertest"
)

// The browser stories share one Chromium (bt.Allocator); Main closes it.
func TestMain(m *testing.M) { bt.Main(m) }
