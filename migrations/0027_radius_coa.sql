-- Change-of-Authorization and Disconnect requests (RFC 5176) to routers:
-- queued with the customer change that calls for them (suspended,
-- reactivated, a new package, a disconnect asked by staff), one per open
-- RADIUS session, and claimed by one node at a time to be sent to the
-- router's `coa_port`. `next_attempt_at` and `claimed_until` are unix
-- seconds; `result` says how the last attempt went (ack, nak and its
-- Error-Cause, no answer).
ALTER TABLE routers ADD COLUMN coa_port INTEGER NOT NULL DEFAULT 3799
    CHECK (coa_port BETWEEN 1 AND 65535);

CREATE TABLE radius_coa_requests (
    id              INTEGER PRIMARY KEY,
    router_id       INTEGER NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    customer_id     INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    intent          TEXT    NOT NULL
        CHECK (intent IN ('suspend', 'reactivate', 'package', 'disconnect')),
    username        TEXT    NOT NULL,
    session_id      TEXT    NOT NULL,
    framed_ip       TEXT,
    reason          TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_by      TEXT,
    claimed_until   INTEGER,
    done_at         TEXT,
    result          TEXT
);
CREATE INDEX radius_coa_due ON radius_coa_requests (next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX radius_coa_customer ON radius_coa_requests (customer_id);
