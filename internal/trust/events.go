package trust

import "time"

// PolicyChangedSubject carries PolicyChanged through the outbox when a
// policy is created or cancelled, in the transaction that does it; every
// node's index reloads the policy from the database on hearing it.
const PolicyChangedSubject = "events.trust.policy_changed"

// PolicyChanged names the policy that changed.
type PolicyChanged struct {
	PolicyID string `json:"policy_id"`
	Change   string `json:"change"` // "created" or "cancelled"
}

// PolicyFlippedSubject is a best-effort notification (not durable) that a
// policy took effect or expired just now, by the clock alone, so that
// clients and caches can refresh. Every node publishes it from its own
// timer, so it may be heard once per node.
const PolicyFlippedSubject = "trust.policy_flipped"

// PolicyFlipped says which policy flipped into which state, and when.
type PolicyFlipped struct {
	PolicyID string    `json:"policy_id"`
	State    State     `json:"state"` // active or expired
	At       time.Time `json:"at"`
}

// WatchlistChangedSubject carries WatchlistChanged through the outbox when
// a list is imported, in the transaction that makes the new version
// current; every node loads that version on hearing it.
const WatchlistChangedSubject = "events.trust.watchlist_changed"

// WatchlistChanged names the list and its new version.
type WatchlistChanged struct {
	List    string `json:"list"`
	Version string `json:"version"`
}
