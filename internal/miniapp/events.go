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

// AppSecretRotatedSubject is the bus subject of AppSecretRotated: a
// developer replaced an app's secret (the old one stopped working). It is
// written to the outbox in the transaction that stores the new secret's
// hash; the audit log records it.
const AppSecretRotatedSubject = "events.miniapp.secret_rotated"

// AppSecretRotated is AppSecretRotatedSubject's payload; it carries no
// secret.
type AppSecretRotated struct {
	AppID       string    `json:"appid"`
	DeveloperID string    `json:"developer_id"`
	RotatedAt   time.Time `json:"rotated_at"`
}
