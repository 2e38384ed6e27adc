-- +goose Up
-- The review queue: when a version was sent to review, when and by which
-- administrator it was approved or rejected. Versions reviewed before
-- these columns existed take their upload time for both (their reviewer
-- is unknown).
ALTER TABLE miniapp_versions ADD COLUMN submitted_at BIGINT;
ALTER TABLE miniapp_versions ADD COLUMN reviewed_at BIGINT;
ALTER TABLE miniapp_versions ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
UPDATE miniapp_versions SET submitted_at = created_at WHERE status IN ('submitted', 'approved', 'rejected');
UPDATE miniapp_versions SET reviewed_at = created_at WHERE status IN ('approved', 'rejected');
CREATE INDEX miniapp_versions_submitted ON miniapp_versions (status, submitted_at, appid, code);
CREATE INDEX miniapp_versions_reviewed ON miniapp_versions (status, reviewed_at, appid, code);

-- +goose Down
DROP INDEX miniapp_versions_reviewed;
DROP INDEX miniapp_versions_submitted;
ALTER TABLE miniapp_versions DROP COLUMN reviewed_by;
ALTER TABLE miniapp_versions DROP COLUMN reviewed_at;
ALTER TABLE miniapp_versions DROP COLUMN submitted_at;
