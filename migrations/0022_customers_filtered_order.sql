-- A filtered list in the default order (newest first) reads only the rows it
-- shows. The package and operator indexes ended with the id alone, so a first
-- page filtered by one of them (any reseller's list is filtered by its
-- operator) read every matching row and sorted them, or walked the creation
-- index checking each row: 6-11 ms a page at 100,000 customers. Ending them
-- with the creation time lets the page walk the filter's own index backwards
-- and stop at the limit (~50 µs); they still serve the filter alone (counts,
-- the billing run's prepaid customers). A `sort=id` page with one of these
-- filters now sorts the matching rows (4-5 ms at 8,000 of them).
--
-- Status gets a second index instead: `(status, id)` also serves the order
-- `sort=status` (ties by id) and `?status=...&sort=id` without a sort.
DROP INDEX customers_package;
DROP INDEX customers_operator;
CREATE INDEX customers_package ON customers (package_id, created_at, id);
CREATE INDEX customers_operator ON customers (operator_id, created_at, id);
CREATE INDEX customers_status_created ON customers (status, created_at, id);
