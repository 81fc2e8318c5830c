-- The audit trail: one row per change, written in the change's own
-- transaction. `actor` is `user:N`, `client:N`, `customer:N`, `system` (the
-- command line) or `job:NAME` (a background job); `source` the caller's
-- address when it came over the network. `customer_id` names the customer a
-- row is about, so a reseller's staff see the rows about their customers.
-- `changes` is a JSON object: field -> {"before": ..., "after": ...}; a
-- secret is recorded as changed, never its value. No foreign keys: the trail
-- outlives what it describes.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    source        TEXT,
    action        TEXT    NOT NULL,
    resource_type TEXT    NOT NULL,
    resource_id   INTEGER,
    customer_id   INTEGER,
    reason        TEXT,
    changes       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_customer ON audit_log (customer_id, id) WHERE customer_id IS NOT NULL;
CREATE INDEX audit_log_resource ON audit_log (resource_type, resource_id, id);
CREATE INDEX audit_log_at ON audit_log (at, id);
