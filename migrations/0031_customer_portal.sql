-- The customer portal: customers log in with their login name and password
-- (the PPPoE/hotspot one, or a portal password of their own once they set
-- one: `portal_password_hash`, argon2) or with a one-time code sent by SMS.
-- `portal_auth_version` is in every customer token; changing the password
-- bumps it, which ends the customer's other sessions.
ALTER TABLE customers ADD COLUMN portal_password_hash TEXT;
ALTER TABLE customers ADD COLUMN portal_auth_version INTEGER NOT NULL DEFAULT 0;

-- One-time login codes: only a keyed hash of the code is kept. A code lives
-- five minutes, takes five wrong guesses, and is used once. The rows also
-- count the codes sent per number and per address for the send limits.
CREATE TABLE customer_otps (
    id          INTEGER PRIMARY KEY,
    phone       TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    code_hash   TEXT    NOT NULL,
    sent        INTEGER NOT NULL CHECK (sent IN (0, 1)),
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     TEXT
);
CREATE INDEX customer_otps_phone ON customer_otps (phone, created_at);
CREATE INDEX customer_otps_address ON customer_otps (address, created_at);

-- Online payments: one row per attempt to pay through a gateway (bKash,
-- SSLCommerz) or a manual send-money claim waiting for staff. `reference` is
-- ours (sent to the gateway as the invoice / transaction id); the gateway's
-- own ids come back as `gateway_payment_id` (bKash paymentID, SSLCommerz
-- session) and `gateway_trx_id` (the money transaction, unique per gateway:
-- a payment is booked once however often it is reported). `payment_id` is
-- the booked payment once verified.
CREATE TABLE online_payments (
    id                 INTEGER PRIMARY KEY,
    reference          TEXT    NOT NULL UNIQUE,
    customer_id        INTEGER NOT NULL REFERENCES customers (id),
    bill_id            INTEGER REFERENCES bills (id),
    gateway            TEXT    NOT NULL CHECK (gateway IN ('bkash', 'sslcommerz', 'manual')),
    amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
    currency           TEXT    NOT NULL,
    state              TEXT    NOT NULL
        CHECK (state IN ('pending', 'paid', 'failed', 'cancelled', 'expired', 'rejected')),
    origin             TEXT    NOT NULL,
    gateway_payment_id TEXT,
    gateway_trx_id     TEXT,
    manual_method      TEXT,
    manual_sender      TEXT,
    payment_id         INTEGER REFERENCES payments (id),
    refunded_minor     INTEGER NOT NULL DEFAULT 0,
    detail             TEXT,
    decided_by         INTEGER,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    expires_at         TEXT    NOT NULL
);
CREATE UNIQUE INDEX online_payments_gateway_trx ON online_payments (gateway, gateway_trx_id)
    WHERE gateway_trx_id IS NOT NULL;
CREATE UNIQUE INDEX online_payments_gateway_payment ON online_payments (gateway, gateway_payment_id)
    WHERE gateway_payment_id IS NOT NULL;
CREATE INDEX online_payments_customer ON online_payments (customer_id, id);
CREATE INDEX online_payments_pending ON online_payments (state, expires_at);

-- The suspension page knows a customer by the address their traffic comes
-- from: an open RADIUS session's, the router's active PPP list as polled,
-- or a static address.
CREATE INDEX radius_sessions_open_ip ON radius_sessions (framed_ip) WHERE stopped_at IS NULL;
CREATE INDEX usage_samples_address ON usage_samples (address, id) WHERE address IS NOT NULL;
