-- Bills: what a customer owes for a period. Money in poisha; paid_minor grows as
-- payments settle it (status partial, then paid).
CREATE TABLE bills (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    paid_minor   INTEGER NOT NULL DEFAULT 0 CHECK (paid_minor >= 0 AND paid_minor <= amount_minor),
    currency     TEXT    NOT NULL DEFAULT 'BDT',
    status       TEXT    NOT NULL DEFAULT 'unpaid' CHECK (status IN ('unpaid', 'partial', 'paid', 'cancelled')),
    due_date     TEXT    NOT NULL,
    description  TEXT,
    period_start TEXT,
    period_end   TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX bills_customer ON bills (customer_id, id);
CREATE INDEX bills_status ON bills (status, due_date);
CREATE INDEX bills_created ON bills (created_at, id);
