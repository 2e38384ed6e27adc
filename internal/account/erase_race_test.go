package account

import (
	"context"
	"sync"
	"testing"

	"github.com/plaza-dev/plaza/internal/platform/sqldb"
)

// raceHooks is a member of one group who is added to it again, by a
// contact, right after the first LeaveGroups: the window between taking
// the user out of their groups and erasing the account.
type raceHooks struct {
	mu     sync.Mutex
	member bool
	calls  int
}

func (h *raceHooks) MoneyHeld(context.Context, string) (string, error) { return "", nil }
func (h *raceHooks) DisableMerchants(context.Context, string) error    { return nil }
func (h *raceHooks) LeaveGroups(ctx context.Context, userID string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	h.member = h.calls == 1 // left, and at once added back by a contact
	return nil
}

// M8: an erased user must not stay in a group they were added to while
// their erasure ran (contacts can add them until the account is gone).
func TestEraseLeavesGroupsJoinedDuringErasure(t *testing.T) {
	t.Parallel()
	runDB(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		h := &raceHooks{member: true}
		s.SetErasureHooks(h)
		u, _ := signup(t, s, "ivy")
		if err := s.Erase(context.Background(), u.ID, "password1"); err != nil {
			t.Fatal(err)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.member {
			t.Fatalf("the erased user is still in the group they were added to during erasure (LeaveGroups called %d times)", h.calls)
		}
	})
}
