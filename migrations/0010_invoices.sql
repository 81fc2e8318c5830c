-- Invoices: one numbered document per customer and month (INV-2026-000123),
-- grouping that month's bills and the payments that settled them.
CREATE TABLE invoices (
    id          INTEGER PRIMARY KEY,
    number      TEXT    NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    period      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    UNIQUE (customer_id, period)
);
CREATE INDEX invoices_created ON invoices (created_at, id);
ALTER TABLE bills ADD COLUMN invoice_id INTEGER REFERENCES invoices (id);
CREATE INDEX bills_invoice ON bills (invoice_id);
