package secrets

import "time"

// KeyRotatedSubject carries a KeyRotated through the outbox for every
// rotation (see Rotate); the audit log (trust) records it.
const KeyRotatedSubject = "events.secrets.key_rotated"

// KeyRotated is one rotation: which key, the new key's Fingerprint (never
// the key), who ran it (By: the operator's account and host, as the CLI
// tells) and when. RotationID tells two rotations apart.
type KeyRotated struct {
	RotationID  string    `json:"rotation_id"`
	Purpose     Purpose   `json:"purpose"`
	Fingerprint string    `json:"fingerprint"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}
