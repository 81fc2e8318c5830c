-- The billing run makes at most one bill per customer and period.
CREATE UNIQUE INDEX bills_customer_period ON bills (customer_id, period_start)
    WHERE period_start IS NOT NULL;

-- Suspensions made by the billing run, and when a payment lifted them.
CREATE TABLE auto_suspension_log (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    bill_id        INTEGER REFERENCES bills (id),
    reason         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    reactivated_at TEXT
);
CREATE INDEX auto_suspension_log_customer ON auto_suspension_log (customer_id, id);
CREATE INDEX auto_suspension_log_created ON auto_suspension_log (created_at, id);
