-- +goose Up
-- When a session was last used (NULL: not since it was opened): the
-- device list shows it. Authenticate moves it at most once a minute per
-- session, so a busy client costs one small write a minute, not one a
-- request.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;

-- Who may send the user a contact request (by username, QR code or
-- card alike): 'everyone', 'contacts_of_contacts' (someone who shares a
-- contact with them) or 'nobody'. Answering a request they sent first is
-- always allowed.
ALTER TABLE user_settings ADD COLUMN add_me TEXT NOT NULL DEFAULT 'everyone';

-- +goose Down
ALTER TABLE user_settings DROP COLUMN add_me;
ALTER TABLE sessions DROP COLUMN last_seen_at;
