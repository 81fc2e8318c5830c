-- A filtered list in the default order (newest first) reads only the rows it
-- shows. The status, package and operator indexes ended with the id alone, so
-- a first page filtered by one of them (`?status=inactive`, or any reseller's
-- list, which is filtered by its operator) read every matching row and sorted
-- them, or walked the creation index checking each row: 6-11 ms a page at
-- 100,000 customers. Ending them with the creation time too lets the page walk
-- the filter's own index backwards and stop at the limit (~50 µs). The same
-- indexes still serve the filter alone (counts, `sort=id` after a sort).
DROP INDEX customers_status;
DROP INDEX customers_package;
DROP INDEX customers_operator;
CREATE INDEX customers_status ON customers (status, created_at, id);
CREATE INDEX customers_package ON customers (package_id, created_at, id);
CREATE INDEX customers_operator ON customers (operator_id, created_at, id);
