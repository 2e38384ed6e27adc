package trust

// Screening: every money movement's parties are scored against the watch
// lists (OFAC's SDN list and generic CSV lists) before money moves.

import (
	"context"
	"fmt"
)

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
//
// It reads the lists from memory (every node keeps them current over the
// bus) and the allowed pairs from the database only when a name scores
// that high. A merchant's name is compared as an organisation's, anyone
// else's as a person's.
func (s *Service) Screen(ctx context.Context, p Party) (*Match, error) {
	hits := s.watch.screen(p.Name, p.Type != PartyMerchant, s.screenReview)
	if len(hits) == 0 {
		return nil, nil
	}
	var allowed map[[2]string]string
	if p.ID != "" {
		var err error
		if allowed, err = s.allowedFor(ctx, p.Type, p.ID); err != nil {
			return nil, fmt.Errorf("trust: reading allowed pairs: %w", err)
		}
	}
	for _, h := range hits {
		if fp, ok := allowed[[2]string{h.entry.List, h.entry.ID}]; ok && fp == fingerprint(&h.entry.WatchEntry) {
			continue
		}
		m := toMatch(h)
		return &m, nil
	}
	return nil, nil
}

// ScreenReview is the review threshold in force.
func (s *Service) ScreenReview() float64 { return s.screenReview }

// DefaultScreenReview is the review threshold when Config.ScreenReview is 0.
const DefaultScreenReview = 0.85
