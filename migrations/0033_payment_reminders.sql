-- Reminders sent with a payment link: one row per bill (kind `bill`, target
-- the bill id) or prepaid expiry (kind `expiry`, target the expiry time) and
-- days-before, so each goes once however often the reminder job runs and on
-- however many nodes. The reminder itself is an event the SMS worker turns
-- into a message (charged to the SMS credits like every notification).
CREATE TABLE payment_reminders (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('bill', 'expiry')),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    target      TEXT    NOT NULL,
    days        INTEGER NOT NULL,
    event_id    INTEGER,
    created_at  TEXT    NOT NULL,
    UNIQUE (kind, customer_id, target, days)
);
CREATE INDEX payment_reminders_created ON payment_reminders (created_at);
-- Prepaid customers whose package ends on a given day.
CREATE INDEX customers_expires ON customers (expires_at) WHERE expires_at IS NOT NULL;
