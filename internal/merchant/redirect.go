package merchant

import (
	"context"
	"net/url"
	"strings"
)

// ReturnURL is where the H5 pay page may send the payer after paying
// order prepayID: raw (the redirect_url the shop appended to h5_url) when
// it is an absolute http(s) URL on the same scheme and host (port
// included) as the order's notify_url — the one address the merchant
// registered with the order — and has no user info; "" otherwise, and the
// page then stays on Plaza. So an H5 link cannot be turned into an open
// redirect to anywhere by editing its query.
func (s *Service) ReturnURL(ctx context.Context, prepayID, raw string) string {
	if raw == "" || len(raw) > 2048 {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	o, err := s.orderBy(ctx, s.db, "prepay_id", prepayID)
	if err != nil || o.TradeType != TradeH5 {
		return ""
	}
	n, err := url.Parse(o.NotifyURL)
	if err != nil || !strings.EqualFold(n.Scheme, u.Scheme) || !strings.EqualFold(n.Host, u.Host) {
		return ""
	}
	return u.String()
}
