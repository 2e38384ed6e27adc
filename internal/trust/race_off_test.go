//go:build !race

package trust

// RaceEnabled is whether the race detector is on: timing limits are not
// checked under it (it slows the code several times over).
const RaceEnabled = false
