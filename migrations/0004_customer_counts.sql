-- Customer counts by operator, status and package, kept by triggers, so a list's
-- total (and the dashboard) needs no scan of the customers table.
-- 0 stands for "no operator" / "no package".
CREATE TABLE customer_counts (
    operator_key INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    package_key  INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (operator_key, status, package_key)
) WITHOUT ROWID;

INSERT INTO customer_counts (operator_key, status, package_key, n)
SELECT COALESCE(operator_id, 0), status, COALESCE(package_id, 0), COUNT(*)
FROM customers GROUP BY 1, 2, 3;

CREATE TRIGGER customer_counts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_counts (operator_key, status, package_key, n)
    VALUES (COALESCE(new.operator_id, 0), new.status, COALESCE(new.package_id, 0), 1)
    ON CONFLICT (operator_key, status, package_key) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER customer_counts_delete AFTER DELETE ON customers BEGIN
    UPDATE customer_counts SET n = n - 1
    WHERE operator_key = COALESCE(old.operator_id, 0) AND status = old.status
      AND package_key = COALESCE(old.package_id, 0);
END;
CREATE TRIGGER customer_counts_update AFTER UPDATE OF operator_id, status, package_id ON customers BEGIN
    UPDATE customer_counts SET n = n - 1
    WHERE operator_key = COALESCE(old.operator_id, 0) AND status = old.status
      AND package_key = COALESCE(old.package_id, 0);
    INSERT INTO customer_counts (operator_key, status, package_key, n)
    VALUES (COALESCE(new.operator_id, 0), new.status, COALESCE(new.package_id, 0), 1)
    ON CONFLICT (operator_key, status, package_key) DO UPDATE SET n = n + 1;
END;
