-- Routers as RADIUS clients (NAS) of the built-in RADIUS server.
--
-- `radius_secret_sealed`: the shared secret, sealed with <data_dir>/seal.key
-- like router passwords; never returned. A router without one is not a NAS.
-- `nas_ip`: the address its RADIUS packets come from when that is not `host`.
-- `radius_require_message_authenticator`: refuse Access-Requests without a
-- Message-Authenticator (BlastRADIUS, CVE-2024-3596); on by default.
-- `radius_last_request_at`: when the router's last RADIUS packet arrived.
ALTER TABLE routers ADD COLUMN radius_secret_sealed TEXT;
ALTER TABLE routers ADD COLUMN nas_ip TEXT;
ALTER TABLE routers ADD COLUMN radius_require_message_authenticator BIGINT NOT NULL DEFAULT 1
    CHECK (radius_require_message_authenticator IN (0, 1));
ALTER TABLE routers ADD COLUMN radius_last_request_at TEXT;


-- Access-Requests look customers up by login name alone (the unique index
-- leads with the router).
CREATE INDEX customers_username ON customers (username) WHERE username IS NOT NULL;
