package node

import (
	"context"

	"github.com/plaza-dev/plaza/internal/trust"
)

// NewTrust is newTrust, for tests until node.New makes the Service.
func NewTrust(ctx context.Context, n *Node) (*trust.Service, error) { return n.newTrust(ctx) }
