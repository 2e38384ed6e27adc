package miniapp

import "github.com/plaza-dev/plaza/internal/miniapp/pkgzip"

// Packages are read and checked by pkgzip (see there for the rules).
type (
	// Manifest is a W3C MiniApp manifest.json.
	Manifest = pkgzip.Manifest
	// Icon is a manifest icon.
	Icon = pkgzip.Icon
	// Package is a validated mini-program package.
	Package = pkgzip.Package
)

// Package limits.
const (
	MaxPackageBytes = pkgzip.MaxPackageBytes
	MaxFileBytes    = pkgzip.MaxFileBytes
	MaxTotalBytes   = pkgzip.MaxTotalBytes
	MaxFiles        = pkgzip.MaxFiles
	MaxVersionCode  = pkgzip.MaxVersionCode
)

// ReadPackage checks a package zip for appid and returns its files
// (pkgzip.Read). Errors: invalid_argument, payload_too_large.
func ReadPackage(data []byte, appid string) (*Package, error) { return pkgzip.Read(data, appid) }
