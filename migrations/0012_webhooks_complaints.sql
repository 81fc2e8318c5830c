-- Webhooks: endpoints, their deliveries (one per event and endpoint) and every
-- delivery attempt; support complaints; cursors of outbox readers.

CREATE TABLE webhooks (
    id                  INTEGER PRIMARY KEY,
    url                 TEXT    NOT NULL,
    -- JSON array of event names.
    events              TEXT    NOT NULL,
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- The signing secret, sealed with <data_dir>/seal.key (never stored in clear).
    secret_sealed       TEXT    NOT NULL,
    -- Events with an id up to this one happened before the endpoint (or its
    -- last activation) and are never sent to it.
    start_after_event   INTEGER NOT NULL DEFAULT 0,
    disabled_reason     TEXT,
    failing_since       TEXT,
    last_success_at     TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES events (id),
    status          TEXT    NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds at which the next attempt is due (pending only).
    next_attempt_at INTEGER,
    last_attempt_at TEXT,
    last_status_code INTEGER,
    last_error      TEXT,
    -- The delivery this one re-sends (it may have been removed by retention since).
    redelivery_of   INTEGER,
    created_at      TEXT    NOT NULL,
    finished_at     TEXT
);
CREATE INDEX webhook_deliveries_due
    ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at)
    WHERE finished_at IS NOT NULL;

CREATE TABLE webhook_attempts (
    id            INTEGER PRIMARY KEY,
    delivery_id   INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at  TEXT    NOT NULL,
    status_code   INTEGER,
    duration_ms   INTEGER NOT NULL,
    -- The first 1 KB of the response body.
    response_body TEXT,
    error         TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, id);

-- How far each outbox reader has read `events`.
CREATE TABLE outbox_cursors (
    name          TEXT    PRIMARY KEY,
    last_event_id INTEGER NOT NULL
);

CREATE TABLE complaints (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    priority    TEXT    NOT NULL DEFAULT 'medium'
                        CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    assigned_to INTEGER REFERENCES staff_users (id) ON DELETE SET NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    resolved_at TEXT
);
CREATE INDEX complaints_by_customer ON complaints (customer_id, id);
CREATE INDEX complaints_by_status ON complaints (status, id);
