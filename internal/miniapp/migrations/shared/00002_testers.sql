-- +goose Up
-- Testers of an app's unreleased versions, named only by its developer.
CREATE TABLE miniapp_testers (
    appid    TEXT NOT NULL REFERENCES miniapps (appid),
    user_id  TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (appid, user_id)
);
CREATE INDEX miniapp_testers_user ON miniapp_testers (user_id);

-- Testers used to be kept as the consent scope plaza.tester, which any user
-- could grant themselves through PUT /consents/plaza.tester: none of those
-- grants can be trusted, so none is carried over (developers name their
-- testers again). Reserved plaza.* scopes are refused from now on.
DELETE FROM miniapp_consents WHERE scope LIKE 'plaza.%';

-- +goose Down
DROP TABLE miniapp_testers;
