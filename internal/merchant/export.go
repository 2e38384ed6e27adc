package merchant

import (
	"context"

	"github.com/plaza-dev/plaza/internal/platform/export"
)

// Export writes the merchants userID owns (export.Exporter) as
// merchant/merchants: name, region, bound apps and whether credentials
// are registered — never the APIv3 key.
func (s *Service) Export(ctx context.Context, userID string, w *export.Writer) error {
	mchs, err := s.MerchantsOf(ctx, userID)
	if err != nil {
		return err
	}
	a, err := w.Array("merchant/merchants")
	if err != nil {
		return err
	}
	for _, m := range mchs {
		if err := a.Add(m); err != nil {
			return err
		}
	}
	return a.Close()
}
