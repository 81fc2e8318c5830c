-- A filtered list in the default order (newest first) reads only the rows it
-- shows. The status, package and operator indexes end with the id alone, so
-- a first page filtered by one of them (`?status=inactive`, or any reseller's
-- list, which is filtered by its operator) read every matching row and sorted
-- them, or walked the creation index checking each row: 6-11 ms a page at
-- 100,000 customers. Beside each, an index ending with the creation time lets
-- that page walk the filter's own index backwards and stop at the limit
-- (~50 µs). The old ones stay: they serve the same filters ordered by id
-- (`sort=id`, an integrator paging a reseller's customers), `sort=status`,
-- and the billing run's re-check of a chunk's ids, which would otherwise sort
-- or scan every matching row.
CREATE INDEX customers_status_created ON customers (status, created_at, id);
CREATE INDEX customers_package_created ON customers (package_id, created_at, id);
CREATE INDEX customers_operator_created ON customers (operator_id, created_at, id);
