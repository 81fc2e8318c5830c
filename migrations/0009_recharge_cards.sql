-- Prepaid recharge cards. The PIN is stored as a keyed hash (HMAC with the data
-- dir's pin.key), so a copy of the database does not reveal or brute-force it.
CREATE TABLE recharge_cards (
    id           INTEGER PRIMARY KEY,
    serial       TEXT    NOT NULL UNIQUE,
    pin_hash     TEXT    NOT NULL UNIQUE,
    value_minor  INTEGER NOT NULL CHECK (value_minor > 0),
    currency     TEXT    NOT NULL DEFAULT 'BDT',
    batch        TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'unused' CHECK (status IN ('unused', 'used', 'void')),
    used_by      INTEGER REFERENCES customers (id),
    used_at      TEXT,
    payment_id   INTEGER REFERENCES payments (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX recharge_cards_batch ON recharge_cards (batch, id);
CREATE INDEX recharge_cards_status ON recharge_cards (status, id);
