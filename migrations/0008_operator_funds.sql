-- Operator (reseller) funds move only through this ledger; operators.balance_minor
-- is its sum, kept in the same transaction as each row.
CREATE TABLE operator_ledger (
    id           INTEGER PRIMARY KEY,
    operator_id  INTEGER NOT NULL REFERENCES operators (id),
    amount_minor INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('fund', 'renewal', 'adjustment')),
    note         TEXT,
    customer_id  INTEGER REFERENCES customers (id),
    created_at   TEXT    NOT NULL
);
CREATE INDEX operator_ledger_operator ON operator_ledger (operator_id, id);
