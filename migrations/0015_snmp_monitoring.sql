-- SNMP devices (OLTs, radios, other devices), the ONUs the OLTs report, signal
-- history, infrastructure status checks and the device access log.

CREATE TABLE snmp_devices (
    id                INTEGER PRIMARY KEY,
    -- 'olt', 'radio' or 'device'.
    kind              TEXT    NOT NULL CHECK (kind IN ('olt', 'radio', 'device')),
    name              TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    host              TEXT    NOT NULL,
    port              INTEGER NOT NULL DEFAULT 161,
    -- A profile id, or 'auto' (detected from sysObjectID / sysDescr).
    profile           TEXT    NOT NULL DEFAULT 'auto',
    snmp_version      TEXT    NOT NULL DEFAULT 'v2c' CHECK (snmp_version IN ('v2c', 'v3')),
    -- Sealed with <data_dir>/seal.key; never returned.
    community_sealed  TEXT,
    v3_user           TEXT,
    v3_auth_protocol  TEXT,
    v3_auth_sealed    TEXT,
    v3_priv_protocol  TEXT,
    v3_priv_sealed    TEXT,
    status            TEXT    NOT NULL DEFAULT 'unknown' CHECK (status IN ('up', 'down', 'unknown')),
    status_since      TEXT,
    last_seen_at      TEXT,
    last_error        TEXT,
    sys_descr         TEXT,
    sys_object_id     TEXT,
    sys_name          TEXT,
    uptime_secs       INTEGER,
    detected_profile  TEXT,
    vendor            TEXT,
    model             TEXT,
    -- Radio metrics as JSON (signal, ccq, frequency, ...).
    metrics           TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE INDEX snmp_devices_kind ON snmp_devices (kind, id);

CREATE TABLE onus (
    id            INTEGER PRIMARY KEY,
    olt_id        INTEGER NOT NULL REFERENCES snmp_devices (id) ON DELETE CASCADE,
    -- The OLT table index (stable per OLT).
    index_key     TEXT    NOT NULL,
    pon_port      TEXT    NOT NULL,
    onu_index     INTEGER NOT NULL,
    serial        TEXT,
    mac           TEXT,
    name          TEXT,
    status        TEXT    NOT NULL,
    rx_power_dbm  REAL,
    distance_m    INTEGER,
    customer_id   INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    last_online_at TEXT,
    updated_at    TEXT    NOT NULL,
    UNIQUE (olt_id, index_key)
);
CREATE INDEX onus_status ON onus (status, id);
CREATE INDEX onus_customer ON onus (customer_id);

-- ONU rx power and radio signal over time, for graphs.
CREATE TABLE signal_history (
    id          INTEGER PRIMARY KEY,
    -- 'onu' or 'radio'.
    subject     TEXT    NOT NULL,
    subject_id  INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    value       REAL    NOT NULL
);
CREATE INDEX signal_history_subject ON signal_history (subject, subject_id, id);
CREATE INDEX signal_history_at ON signal_history (at);

CREATE TABLE status_checks (
    name          TEXT    PRIMARY KEY,
    kind          TEXT    NOT NULL,
    target        TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'unknown',
    since         TEXT,
    latency_ms    INTEGER,
    last_error    TEXT,
    checked_at    TEXT
);

CREATE TABLE device_access_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    -- Who: an API client / staff label, or 'appliance' for its own work.
    actor        TEXT    NOT NULL,
    device_kind  TEXT    NOT NULL,
    device_id    INTEGER,
    device_name  TEXT,
    action       TEXT    NOT NULL,
    -- 'ok' or 'failed'.
    outcome      TEXT    NOT NULL,
    detail       TEXT
);
CREATE INDEX device_access_log_at ON device_access_log (at);
