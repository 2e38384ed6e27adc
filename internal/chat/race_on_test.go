//go:build race

package chat_test

// The race detector makes goroutine stacks and some allocations larger.
const raceEnabled = true
