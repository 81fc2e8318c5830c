-- The API request log, bounded and cheaper to write.
--
-- Rejected requests of unknown callers (no or bad credentials, unknown routes
-- before a caller is known) are counted instead of logged one by one: one row
-- per address, minute, method, route and status, with `count` the number of
-- requests it stands for (NULL: a row of one request, as before). The partial
-- unique index finds a minute's row to add to; only counted rows are in it.
ALTER TABLE api_request_log ADD COLUMN count INTEGER;
CREATE UNIQUE INDEX api_request_log_counted
    ON api_request_log (ip, substr(at, 1, 16), method, route, status)
    WHERE count IS NOT NULL;

-- The log is read newest first by id: the writer keeps `at` from going
-- backwards as ids grow, so a time range is an id range (found by a binary
-- search on the rowid) and the index on `at` is no longer needed. The other
-- two indexes end with the rowid implicitly, which orders each client's and
-- each status's rows by id; only rows of API clients are in the client index.
DROP INDEX api_request_log_at;
DROP INDEX api_request_log_client;
DROP INDEX api_request_log_status;
CREATE INDEX api_request_log_client ON api_request_log (api_client_id)
    WHERE api_client_id IS NOT NULL;
CREATE INDEX api_request_log_status ON api_request_log (status);
