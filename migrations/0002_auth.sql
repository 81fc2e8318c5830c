-- API clients (Integrations -> API Management). v2 clients authenticate with
-- client_id + secret (stored as SHA-256); v1 clients hold refreshable token pairs.
CREATE TABLE api_clients (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL,
    api                 TEXT    NOT NULL CHECK (api IN ('v1', 'v2')),
    client_uuid         TEXT    UNIQUE,
    secret_hash         TEXT,
    scopes              TEXT    NOT NULL,
    tier                TEXT    NOT NULL DEFAULT 'standard' CHECK (tier IN ('standard', 'high-volume')),
    -- Bumped by every rotation: tokens carry it, so older ones stop working at once.
    credentials_version INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT    NOT NULL,
    last_used_at        TEXT,
    CHECK ((api = 'v2') = (client_uuid IS NOT NULL AND secret_hash IS NOT NULL))
);

-- A chain of refresh tokens, each replacing the one before. Presenting a retired
-- refresh token again revokes the whole family (and its access tokens).
CREATE TABLE token_families (
    id             INTEGER PRIMARY KEY,
    staff_user_id  INTEGER REFERENCES staff_users (id) ON DELETE CASCADE,
    api_client_id  INTEGER REFERENCES api_clients (id) ON DELETE CASCADE,
    created_at     TEXT    NOT NULL,
    revoked_at     TEXT,
    revoked_reason TEXT,
    CHECK ((staff_user_id IS NULL) <> (api_client_id IS NULL))
);
CREATE INDEX token_families_client ON token_families (api_client_id);
CREATE INDEX token_families_user ON token_families (staff_user_id);

CREATE TABLE refresh_tokens (
    id         INTEGER PRIMARY KEY,
    family_id  INTEGER NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Access tokens revoked before they expire (POST /api/v2/auth/revoke).
CREATE TABLE revoked_tokens (
    jti        TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

-- Every /api request: who, what, how it went. Written in batches, kept
-- for [api] request_log_retention_days.
CREATE TABLE api_request_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT    NOT NULL,
    api_client_id INTEGER,
    staff_user_id INTEGER,
    method        TEXT    NOT NULL,
    route         TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    status        INTEGER NOT NULL,
    duration_ms   INTEGER NOT NULL,
    ip            TEXT
);
CREATE INDEX api_request_log_at ON api_request_log (at);
CREATE INDEX api_request_log_client ON api_request_log (api_client_id, at);
CREATE INDEX api_request_log_status ON api_request_log (status, at);

-- Admin panel sessions (cookie), the token stored hashed. The CSRF token is
-- derived from the session token, so it needs no column.
CREATE TABLE staff_sessions (
    id            INTEGER PRIMARY KEY,
    staff_user_id INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    token_hash    TEXT    NOT NULL UNIQUE,
    created_at    TEXT    NOT NULL,
    expires_at    TEXT    NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (staff_user_id);

-- A counter that moves whenever a token's standing may have changed, maintained
-- by triggers so changes from any process (server or `ispbills client ...`)
-- count. The server polls it to drop its cache of checked tokens.
CREATE TABLE auth_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO auth_epoch (id, value) VALUES (1, 0);

CREATE TRIGGER auth_epoch_client_changed AFTER UPDATE OF api, scopes, tier, credentials_version, secret_hash ON api_clients
BEGIN UPDATE auth_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_client_deleted AFTER DELETE ON api_clients
BEGIN UPDATE auth_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_family_revoked AFTER UPDATE OF revoked_at ON token_families
BEGIN UPDATE auth_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_token_revoked AFTER INSERT ON revoked_tokens
BEGIN UPDATE auth_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_user_changed AFTER UPDATE OF role, active ON staff_users
BEGIN UPDATE auth_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_user_deleted AFTER DELETE ON staff_users
BEGIN UPDATE auth_epoch SET value = value + 1 WHERE id = 1; END;
