-- SMS: the durable queue and history, and the credit ledger.

CREATE TABLE sms_messages (
    id                  INTEGER PRIMARY KEY,
    -- Ours, shown to callers (sms_...), unique per message.
    message_id          TEXT    NOT NULL UNIQUE,
    -- E.164.
    phone               TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    encoding            TEXT    NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
    parts               INTEGER NOT NULL,
    credits             INTEGER NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'queued'
                                CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    -- api, broadcast or notification.
    source              TEXT    NOT NULL,
    -- The outbox event a notification answers (one message per event).
    event_id            INTEGER,
    customer_id         INTEGER,
    broadcast_id        TEXT,
    requested_by        TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds at which a queued message is due.
    next_attempt_at     INTEGER,
    gateway             TEXT,
    provider_message_id TEXT,
    error               TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    sent_at             TEXT
);
CREATE INDEX sms_due ON sms_messages (next_attempt_at) WHERE status = 'queued';
CREATE INDEX sms_sending ON sms_messages (id) WHERE status = 'sending';
CREATE INDEX sms_by_phone ON sms_messages (phone, id);
CREATE INDEX sms_by_status ON sms_messages (status, id);
CREATE INDEX sms_by_created ON sms_messages (created_at);
CREATE UNIQUE INDEX sms_one_per_event ON sms_messages (event_id) WHERE event_id IS NOT NULL;

-- Credits: top-ups are positive, sends negative, refunds of messages that were
-- never sent positive. The balance is the sum and never goes below zero.
CREATE TABLE sms_credit_ledger (
    id          INTEGER PRIMARY KEY,
    delta       INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('topup', 'debit', 'refund')),
    message_id  INTEGER REFERENCES sms_messages (id),
    note        TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX sms_credit_ledger_by_time ON sms_credit_ledger (created_at);
