-- Payments. (method, transaction_id) is unique: a gateway's repeated callback
-- cannot pay twice. NULL transaction ids (cash) do not collide.
CREATE TABLE payments (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    bill_id        INTEGER REFERENCES bills (id),
    amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
    currency       TEXT    NOT NULL DEFAULT 'BDT',
    method         TEXT    NOT NULL CHECK (method IN ('cash', 'bkash', 'nagad', 'rocket', 'bank', 'card', 'recharge_card')),
    transaction_id TEXT,
    received_at    TEXT    NOT NULL,
    UNIQUE (method, transaction_id)
);
CREATE INDEX payments_customer ON payments (customer_id, id);
CREATE INDEX payments_received ON payments (received_at, id);

-- How each payment settled bills, oldest first.
CREATE TABLE payment_allocations (
    payment_id   INTEGER NOT NULL REFERENCES payments (id),
    bill_id      INTEGER NOT NULL REFERENCES bills (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (payment_id, bill_id)
);
CREATE INDEX payment_allocations_bill ON payment_allocations (bill_id);

-- Customer credit moves only through this ledger; customers.balance_minor is its sum.
CREATE TABLE customer_ledger (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    amount_minor INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    payment_id   INTEGER REFERENCES payments (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX customer_ledger_customer ON customer_ledger (customer_id, id);

-- Idempotency-Key on money POSTs: the first answer, replayed for the same key.
CREATE TABLE idempotency_keys (
    caller          TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    response_status INTEGER NOT NULL,
    response_body   TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
