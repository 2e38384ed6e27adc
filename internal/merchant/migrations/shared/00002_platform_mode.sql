-- +goose Up
-- How Plaza proves its answers to the merchant: 'public_key' (Wechatpay-Serial
-- is the PUB_KEY_ID_…) or 'certificate' (the platform certificate's serial,
-- and /v3/certificates serves the certificate).
ALTER TABLE merchants ADD COLUMN platform_mode TEXT NOT NULL DEFAULT 'public_key';

-- +goose Down
ALTER TABLE merchants DROP COLUMN platform_mode;
