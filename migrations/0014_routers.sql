-- MikroTik routers, their polled state, reconciliation requests, IP pools,
-- router logs and usage samples; customers' login passwords (sealed).

CREATE TABLE routers (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    host            TEXT    NOT NULL,
    port            INTEGER NOT NULL,
    username        TEXT    NOT NULL,
    -- Sealed with <data_dir>/seal.key; never returned.
    password_sealed TEXT    NOT NULL,
    use_tls         INTEGER NOT NULL DEFAULT 0 CHECK (use_tls IN (0, 1)),
    tls_verify      INTEGER NOT NULL DEFAULT 0 CHECK (tls_verify IN (0, 1)),
    transport       TEXT    NOT NULL DEFAULT 'api' CHECK (transport IN ('api', 'rest')),
    status          TEXT    NOT NULL DEFAULT 'unknown' CHECK (status IN ('up', 'down', 'unknown')),
    status_since    TEXT,
    last_seen_at    TEXT,
    last_error      TEXT,
    identity        TEXT,
    version         TEXT,
    board           TEXT,
    uptime          TEXT,
    cpu_load        INTEGER,
    last_log_id     INTEGER NOT NULL DEFAULT 0,
    last_sync_at    TEXT,
    last_sync_error TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

ALTER TABLE customers ADD COLUMN login_password_sealed TEXT;
CREATE INDEX customers_router ON customers (router_id) WHERE router_id IS NOT NULL;

-- Routers whose logins must be reconciled (written with the customer change).
-- `seq` grows with every request, so a sync clears only what it saw.
CREATE TABLE router_sync_requests (
    router_id    INTEGER PRIMARY KEY,
    seq          INTEGER NOT NULL DEFAULT 1,
    requested_at TEXT    NOT NULL
);

CREATE TABLE ip_pools (
    id         INTEGER PRIMARY KEY,
    router_id  INTEGER NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    ranges     TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    used       INTEGER NOT NULL,
    updated_at TEXT    NOT NULL,
    UNIQUE (router_id, name)
);

CREATE TABLE router_logs (
    id          INTEGER PRIMARY KEY,
    router_id   INTEGER REFERENCES routers (id) ON DELETE SET NULL,
    -- 'api' (pulled from /log) or 'syslog' (received).
    source      TEXT    NOT NULL,
    host        TEXT,
    -- 'router', 'hotspot' or 'ppp-auth'.
    category    TEXT    NOT NULL,
    topics      TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    logged_at   TEXT    NOT NULL
);
CREATE INDEX router_logs_by_category ON router_logs (category, id);
CREATE INDEX router_logs_by_time ON router_logs (logged_at);

CREATE TABLE usage_samples (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    router_id   INTEGER NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    sampled_at  TEXT    NOT NULL,
    online      INTEGER NOT NULL,
    address     TEXT,
    uptime      TEXT,
    bytes_in    INTEGER,
    bytes_out   INTEGER
);
CREATE INDEX usage_samples_by_customer ON usage_samples (customer_id, id);
CREATE INDEX usage_samples_by_time ON usage_samples (sampled_at);
