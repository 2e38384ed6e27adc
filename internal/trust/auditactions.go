package trust

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The audit feed's administrative and security actions: each reads its
// event by the publisher's JSON names (account, miniapp, pay and
// platform/secrets events.go) and says what the log records. source names
// the action once, so that a second delivery of the event is not logged
// again. Events carry no secret, PIN or password, and nothing here adds
// one.

// auditAdminMade: plaza admin create-admin made an administrator (or made
// an existing user one, with a new password).
func auditAdminMade(data []byte) (string, Entry, error) {
	var ev struct {
		UserID   string `json:"user_id"`
		Username string `json:"username"`
		Created  bool   `json:"created"`
		At       string `json:"at"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.UserID == "" || ev.At == "" {
		return "", Entry{}, fmt.Errorf("bad admin_made event %s", data)
	}
	// No username: the log outlives an erasure, and the id names the
	// account (pseudonymised, under the same id, once erased).
	return "account.admin_made:" + ev.UserID + ":" + ev.At, Entry{Actor: "operator", Action: "admin.made", Target: "user:" + ev.UserID,
		Details: map[string]any{"created": ev.Created, "at": ev.At}}, nil
}

// auditLoginLocked: too many wrong passwords locked a username (its
// account's, or a name no account has).
func auditLoginLocked(data []byte) (string, Entry, error) {
	var ev struct {
		Username    string `json:"username"`
		UserID      string `json:"user_id"`
		Failures    int    `json:"failures"`
		LockedUntil string `json:"locked_until"`
		At          string `json:"at"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.Username == "" || ev.LockedUntil == "" {
		return "", Entry{}, fmt.Errorf("bad login_locked event %s", data)
	}
	// An account is named by its id only (the log outlives an erasure); a
	// name no account has is what was locked, so it is the target.
	target := "username:" + ev.Username
	if ev.UserID != "" {
		target = "user:" + ev.UserID
	}
	return "account.login_locked:" + ev.Username + ":" + ev.LockedUntil, Entry{Actor: "system", Action: "account.locked", Target: target,
		Details: map[string]any{"failures": ev.Failures, "locked_until": ev.LockedUntil, "at": ev.At}}, nil
}

// auditVersionReviewed: an administrator approved or rejected a
// mini-program version.
func auditVersionReviewed(data []byte) (string, Entry, error) {
	var ev struct {
		AppID       string `json:"appid"`
		Version     int64  `json:"version"`
		VersionName string `json:"version_name"`
		Decision    string `json:"decision"`
		Reason      string `json:"reason"`
		ReviewerID  string `json:"reviewer_id"`
		DeveloperID string `json:"developer_id"`
		ReviewedAt  string `json:"reviewed_at"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.AppID == "" || ev.ReviewedAt == "" || (ev.Decision != "approved" && ev.Decision != "rejected") {
		return "", Entry{}, fmt.Errorf("bad version_reviewed event %s", data)
	}
	v := strconv.FormatInt(ev.Version, 10)
	return "miniapp.version_reviewed:" + ev.AppID + ":" + v + ":" + ev.ReviewedAt, Entry{Actor: ev.ReviewerID, Action: "miniapp.version_" + ev.Decision,
		Target: "app:" + ev.AppID, Details: map[string]any{"version": ev.Version, "version_name": ev.VersionName, "reason": ev.Reason,
			"developer_id": ev.DeveloperID, "reviewed_at": ev.ReviewedAt}}, nil
}

// auditAppSecretRotated: a developer replaced a mini-program's secret.
func auditAppSecretRotated(data []byte) (string, Entry, error) {
	var ev struct {
		AppID       string `json:"appid"`
		DeveloperID string `json:"developer_id"`
		RotatedAt   string `json:"rotated_at"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.AppID == "" || ev.RotatedAt == "" {
		return "", Entry{}, fmt.Errorf("bad secret_rotated event %s", data)
	}
	return "miniapp.secret_rotated:" + ev.AppID + ":" + ev.RotatedAt, Entry{Actor: ev.DeveloperID, Action: "miniapp.secret_rotated",
		Target: "app:" + ev.AppID, Details: map[string]any{"rotated_at": ev.RotatedAt}}, nil
}

// auditPINLocked: wrong payment PINs locked a user's payments.
func auditPINLocked(data []byte) (string, Entry, error) {
	var ev struct {
		UserID      string `json:"user_id"`
		Purpose     string `json:"purpose"`
		Failures    int    `json:"failures"`
		LockedUntil string `json:"locked_until"`
		At          string `json:"at"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.UserID == "" || ev.LockedUntil == "" {
		return "", Entry{}, fmt.Errorf("bad pin_locked event %s", data)
	}
	return "pay.pin_locked:" + ev.UserID + ":" + ev.LockedUntil, Entry{Actor: "system", Action: "pay.pin_locked", Target: "user:" + ev.UserID,
		Details: map[string]any{"purpose": ev.Purpose, "failures": ev.Failures, "locked_until": ev.LockedUntil, "at": ev.At}}, nil
}

// auditKeyRotated: an operator rotated a server secret (plaza admin
// rotate-secret); the fingerprint names the new key, not the key.
func auditKeyRotated(data []byte) (string, Entry, error) {
	var ev struct {
		RotationID  string `json:"rotation_id"`
		Purpose     string `json:"purpose"`
		Fingerprint string `json:"fingerprint"`
		By          string `json:"by"`
		At          string `json:"at"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.RotationID == "" || ev.Purpose == "" {
		return "", Entry{}, fmt.Errorf("bad key_rotated event %s", data)
	}
	return "secrets.key_rotated:" + ev.RotationID, Entry{Actor: "operator", Action: "secret.rotated", Target: "secret:" + ev.Purpose,
		Details: map[string]any{"fingerprint": ev.Fingerprint, "by": ev.By, "rotation_id": ev.RotationID, "at": ev.At}}, nil
}
