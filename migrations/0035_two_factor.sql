-- Two-factor login for staff (TOTP, RFC 6238). `totp_secret` is the sealed
-- secret of an enrolled user (`two_factor` = 1); `totp_pending` a sealed
-- secret shown for enrolment and not yet confirmed with a first code;
-- `totp_last_step` the last 30-second step whose code was accepted, so a code
-- works once. Recovery codes are stored as SHA-256 hashes and used once.
ALTER TABLE staff_users ADD COLUMN two_factor INTEGER NOT NULL DEFAULT 0 CHECK (two_factor IN (0, 1));
ALTER TABLE staff_users ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_users ADD COLUMN totp_pending TEXT;
ALTER TABLE staff_users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

CREATE TABLE staff_recovery_codes (
    id            INTEGER PRIMARY KEY,
    staff_user_id INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    code_hash     TEXT    NOT NULL,
    used_at       TEXT
);
CREATE INDEX staff_recovery_codes_user ON staff_recovery_codes (staff_user_id);
