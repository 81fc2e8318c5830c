-- ispbills: foreign_keys off
-- The staff role bound to an operator (reseller) was called `operator`, the
-- same word as the reseller itself; it is now `operator_staff`. SQLite cannot
-- change a CHECK in place, so staff_users is rebuilt (same columns, same ids)
-- with its triggers. The runner turns foreign keys off for this migration
-- (the first line above) and checks them before it commits: dropping the old
-- table must not cascade to sessions, tokens or complaints.
-- role: admin (everything) | operator_staff (an operator's staff, that
-- operator's customers only) | support (read + complaints)
CREATE TABLE staff_users_new (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'operator_staff', 'support')),
    password_hash TEXT    NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    operator_id   INTEGER REFERENCES operators (id)
);
INSERT INTO staff_users_new
    (id, email, name, role, password_hash, active, created_at, updated_at, operator_id)
SELECT id, email, name,
       CASE role WHEN 'operator' THEN 'operator_staff' ELSE role END,
       password_hash, active, created_at, updated_at, operator_id
FROM staff_users;
DROP TABLE staff_users;
ALTER TABLE staff_users_new RENAME TO staff_users;

CREATE TRIGGER auth_epoch_user_changed AFTER UPDATE OF role, active ON staff_users
BEGIN UPDATE auth_epoch SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_user_deleted AFTER DELETE ON staff_users
BEGIN UPDATE auth_epoch SET value = value + 1 WHERE id = 1; END;
-- Checked tokens cached by a running server are dropped.
UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
