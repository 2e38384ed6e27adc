package qrcode

import (
	"rsc.io/qr"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// scale is image pixels per module: a contact code (version 5, 37 modules
// and the 4-module quiet zone each side) is 360 px square, sharp on a
// phone's screen and easy for a camera.
const scale = 8

// PNG renders payload as a QR code (error correction M: a code on a
// cracked screen or a crumpled print still reads).
func PNG(payload string) ([]byte, error) {
	c, err := qr.Encode(payload, qr.M)
	if err != nil {
		return nil, errs.Wrap(err, errs.InvalidArgument, "This text cannot be made into a QR code.")
	}
	c.Scale = scale
	return c.PNG(), nil
}
