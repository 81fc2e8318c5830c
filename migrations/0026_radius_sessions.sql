-- RADIUS accounting: one row per session a NAS reported (Start, Interim-Update,
-- Stop), keyed by the router and its Acct-Session-Id. Octets are the
-- subscriber's: input = received from them (upload), output = sent to them
-- (download), gigawords folded in. A session still open has no `stopped_at`;
-- Accounting-On/Off from a rebooted router closes its open ones.
CREATE TABLE radius_sessions (
    id                 INTEGER PRIMARY KEY,
    router_id          INTEGER REFERENCES routers (id) ON DELETE SET NULL,
    session_id         TEXT    NOT NULL,
    customer_id        INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    username           TEXT    NOT NULL,
    framed_ip          TEXT,
    calling_station_id TEXT,
    started_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    stopped_at         TEXT,
    terminate_cause    TEXT,
    session_time       INTEGER NOT NULL DEFAULT 0,
    input_octets       INTEGER NOT NULL DEFAULT 0,
    output_octets      INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX radius_sessions_key ON radius_sessions (router_id, session_id);
CREATE INDEX radius_sessions_customer ON radius_sessions (customer_id, started_at);
CREATE INDEX radius_sessions_started ON radius_sessions (started_at);
CREATE INDEX radius_sessions_open ON radius_sessions (router_id) WHERE stopped_at IS NULL;
