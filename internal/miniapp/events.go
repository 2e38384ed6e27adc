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
