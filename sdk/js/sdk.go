// Package js holds the bridge that mini-programs load as /__plaza/sdk.js.
package js

import _ "embed"

// Bridge is plaza.js.
//
//go:embed plaza.js
var Bridge []byte
