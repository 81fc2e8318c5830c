-- Refunds of payments made online: through the gateway's refund API (bKash,
-- SSLCommerz) or, for a manual send-money payment, money the ISP sent back
-- by hand. A refund is written `processing` (and the online payment's
-- `refunded_minor` reserved) before the gateway is asked, so two refunds at
-- once cannot return more than was paid; `refunded` applies it to the books
-- (credit taken back, bills reopened, `payment.refunded`), `failed` releases
-- the reservation.
CREATE TABLE refunds (
    id                INTEGER PRIMARY KEY,
    reference         TEXT    NOT NULL UNIQUE,
    online_payment_id INTEGER NOT NULL REFERENCES online_payments (id),
    payment_id        INTEGER NOT NULL REFERENCES payments (id),
    customer_id       INTEGER NOT NULL REFERENCES customers (id),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    currency          TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('processing', 'refunded', 'failed')),
    gateway_refund_id TEXT,
    reason            TEXT    NOT NULL,
    detail            TEXT,
    created_by        INTEGER,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE INDEX refunds_online_payment ON refunds (online_payment_id, id);
CREATE INDEX refunds_customer ON refunds (customer_id, id);
CREATE INDEX refunds_processing ON refunds (state, updated_at) WHERE state = 'processing';
