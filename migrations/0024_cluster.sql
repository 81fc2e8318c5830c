-- Several appliance nodes on one database (PostgreSQL; one node on SQLite
-- uses the same tables).
--
-- A lease names what runs on one node at a time (the billing run, retention,
-- the pollers) and the node holding it until `expires_ms` (unix ms by the
-- holder's clock); a node's own liveness is the lease `node:<id>`.
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_ms INTEGER NOT NULL,
    renewed_at TEXT    NOT NULL
);

-- A webhook attempt in flight: the node making it, and until when (unix
-- seconds) no other node may attempt the delivery.
ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN claimed_until INTEGER;

-- The node handing a message to the gateway (status `sending`): its
-- interrupted sends are settled once that node is gone.
ALTER TABLE sms_messages ADD COLUMN sending_by TEXT;
