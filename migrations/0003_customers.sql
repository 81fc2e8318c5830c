-- Resellers. Money is integer poisha.
CREATE TABLE operators (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    email         TEXT    COLLATE NOCASE UNIQUE,
    phone         TEXT,
    balance_minor INTEGER NOT NULL DEFAULT 0,
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX operators_status ON operators (status);

-- A staff user with role `operator` acts for one operator.
ALTER TABLE staff_users ADD COLUMN operator_id INTEGER REFERENCES operators (id);

CREATE TABLE packages (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    price_minor     INTEGER NOT NULL CHECK (price_minor >= 0),
    currency        TEXT    NOT NULL DEFAULT 'BDT',
    speed_down_kbps INTEGER NOT NULL CHECK (speed_down_kbps > 0),
    speed_up_kbps   INTEGER NOT NULL CHECK (speed_up_kbps > 0),
    billing_cycle   TEXT    NOT NULL DEFAULT 'monthly' CHECK (billing_cycle IN ('monthly', 'days')),
    validity_days   INTEGER NOT NULL DEFAULT 30 CHECK (validity_days > 0),
    router_profile  TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

CREATE TABLE customers (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    email           TEXT    COLLATE NOCASE,
    phone           TEXT    NOT NULL,
    address         TEXT,
    connection_type TEXT    NOT NULL CHECK (connection_type IN ('pppoe', 'hotspot', 'static', 'fiber', 'wireless')),
    package_id      INTEGER REFERENCES packages (id),
    status          TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'inactive', 'expired')),
    onu_mac         TEXT,
    username        TEXT,
    router_id       INTEGER,
    operator_id     INTEGER REFERENCES operators (id),
    balance_minor   INTEGER NOT NULL DEFAULT 0,
    expires_at      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE UNIQUE INDEX customers_email ON customers (email) WHERE email IS NOT NULL;
-- A login name is unique on its router (no router yet counts as one router).
CREATE UNIQUE INDEX customers_router_username ON customers (COALESCE(router_id, 0), username)
    WHERE username IS NOT NULL;
CREATE INDEX customers_status ON customers (status, id);
CREATE INDEX customers_package ON customers (package_id, id);
CREATE INDEX customers_operator ON customers (operator_id, id);
CREATE INDEX customers_created ON customers (created_at, id);
CREATE INDEX customers_name ON customers (name COLLATE NOCASE, id);
CREATE INDEX customers_phone ON customers (phone);

-- A customer's package over time; one open (active) row at most per customer.
CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    package_id  INTEGER NOT NULL REFERENCES packages (id),
    starts_at   TEXT    NOT NULL,
    expires_at  TEXT,
    ended_at    TEXT,
    status      TEXT    NOT NULL CHECK (status IN ('active', 'ended', 'expired', 'cancelled')),
    auto_renew  INTEGER NOT NULL DEFAULT 1 CHECK (auto_renew IN (0, 1))
);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id, id);
CREATE UNIQUE INDEX subscriptions_one_active ON subscriptions (customer_id) WHERE status = 'active';

-- The transactional outbox: written in the same transaction as the change it
-- reports; webhook delivery and notifications read it.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    type       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX events_type ON events (type, id);

-- Substring search over name, phone, email and login name (trigram index: a
-- search of three or more characters never scans the table).
CREATE VIRTUAL TABLE customers_search USING fts5(
    name, phone, email, username,
    content = 'customers', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (rowid, name, phone, email, username)
    VALUES (new.id, new.name, new.phone, new.email, new.username);
END;
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, name, phone, email, username)
    VALUES ('delete', old.id, old.name, old.phone, old.email, old.username);
END;
CREATE TRIGGER customers_search_update AFTER UPDATE OF name, phone, email, username ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, name, phone, email, username)
    VALUES ('delete', old.id, old.name, old.phone, old.email, old.username);
    INSERT INTO customers_search (rowid, name, phone, email, username)
    VALUES (new.id, new.name, new.phone, new.email, new.username);
END;
