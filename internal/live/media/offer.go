package media

import (
	"bytes"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/plaza-dev/plaza/internal/platform/errs"
)

// MaxOffer is the largest SDP offer accepted (64 KiB).
const MaxOffer = 64 << 10

// CheckOffer parses an SDP offer before any PeerConnection exists for it:
// it must be SDP (v=0 first), at most MaxOffer bytes, and have an m-line
// of wantKind ("video" for a host; "video" for a viewer too, since a room
// is its video). The errors are invalid_argument with a sentence saying
// what is wrong.
func CheckOffer(offer []byte, wantKind string) (*sdp.SessionDescription, error) {
	if len(offer) == 0 {
		return nil, errs.E(errs.InvalidArgument, "The offer is empty; send an SDP offer (Content-Type: application/sdp).")
	}
	if len(offer) > MaxOffer {
		return nil, errs.E(errs.InvalidArgument, "The SDP offer is larger than 64 KiB.")
	}
	if !bytes.HasPrefix(bytes.TrimLeft(offer, " \t\r\n"), []byte("v=0")) {
		return nil, errs.E(errs.InvalidArgument, "The offer is not SDP: an SDP offer starts with \"v=0\".")
	}
	var d sdp.SessionDescription
	if err := d.UnmarshalString(string(offer)); err != nil {
		return nil, errs.E(errs.InvalidArgument, "The offer is not valid SDP: %s.", strings.TrimSuffix(err.Error(), "."))
	}
	has := false
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media == wantKind && m.MediaName.Port.Value != 0 {
			has = true
		}
	}
	if !has {
		return nil, errs.E(errs.InvalidArgument, "The SDP offer has no %s m-line.", wantKind)
	}
	if _, ok := d.Attribute("ice-ufrag"); !ok {
		found := false
		for _, m := range d.MediaDescriptions {
			if _, ok := m.Attribute("ice-ufrag"); ok {
				found = true
			}
		}
		if !found {
			return nil, errs.E(errs.InvalidArgument, "The SDP offer has no ICE credentials (a=ice-ufrag).")
		}
	}
	return &d, nil
}
