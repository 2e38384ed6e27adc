package miniapp

import "time"

// VersionReleasedSubject is the bus subject of VersionReleased: a version
// became the one users open (a first release, an update or a roll-back).
// It is written to the outbox in the transaction that releases the
// version, so it is published, at least once, after that commits;
// consumers must be idempotent (a release of the version already released
// announces it again).
const VersionReleasedSubject = "events.miniapp.version_released"

// VersionReleased is VersionReleasedSubject's payload.
type VersionReleased struct {
	AppID       string    `json:"appid"`
	Version     int64     `json:"version"` // the manifest's version.code
	DeveloperID string    `json:"developer_id"`
	ReleasedAt  time.Time `json:"released_at"`
}

// VersionReviewedSubject is the bus subject of VersionReviewed: an
// administrator approved or rejected a submitted version. It is written
// to the outbox in the transaction that records the decision (at least
// once: consumers must be idempotent); the audit log records it.
const VersionReviewedSubject = "events.miniapp.version_reviewed"

// VersionReviewed is VersionReviewedSubject's payload.
type VersionReviewed struct {
	AppID       string    `json:"appid"`
	Version     int64     `json:"version"` // the manifest's version.code
	VersionName string    `json:"version_name"`
	Decision    string    `json:"decision"` // approved or rejected
	Reason      string    `json:"reason"`
	ReviewerID  string    `json:"reviewer_id"`
	DeveloperID string    `json:"developer_id"`
	ReviewedAt  time.Time `json:"reviewed_at"`
}
