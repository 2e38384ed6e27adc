package trust

// Screening: every money movement's parties are scored against the watch
// lists (OFAC's SDN list and generic CSV lists) before money moves.

import "context"

// Party types.
const (
	PartyUser     = "user"
	PartyMerchant = "merchant"
)

// Party is one side of a money movement (or a merchant being created or
// renamed), as screening sees it.
type Party struct {
	Type    string // PartyUser or PartyMerchant
	ID      string // account id or mchid: the allow list is kept per (party, entry)
	Name    string // the user's display name, or the merchant's name
	Country string // ISO 3166-1 alpha-2 region, when known
}

// Match is the watch-list entry a party scored at or above the review
// threshold against, with the list version it came from.
type Match struct {
	EntryID  string  `json:"entry_id"`
	Name     string  `json:"name"`
	Score    float64 `json:"score"`
	Program  string  `json:"program"`
	List     string  `json:"list"`
	ListHash string  `json:"list_hash"`
}

// Screen returns p's best match at or above the review threshold, or nil
// when p is clear: no entry scores that high, or each one that does was
// allowed for p (POST /watchlist/allow).
func (s *Service) Screen(ctx context.Context, p Party) (*Match, error) {
	return nil, nil // the screening engine replaces this
}
