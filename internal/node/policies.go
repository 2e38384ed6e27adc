package node

import (
	"context"

	"github.com/plaza-dev/plaza/internal/trust"
)

// policies lets pay, merchant and chat ask trust (their Policies
// interfaces); n.Trust is read at call time because it is made after
// them. Before it exists (during New) nothing is blocked.
type policies struct{ n *Node }

func (p policies) Check(ctx context.Context, q trust.Question) error {
	if p.n.Trust == nil {
		return nil
	}
	return p.n.Trust.Check(ctx, q)
}
