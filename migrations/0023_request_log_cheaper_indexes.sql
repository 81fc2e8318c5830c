-- The request log's indexes, cheaper to append to.
--
-- The client index: keyed (api_client_id, rowid), every batch of new rows
-- added one entry at the end of each active client's run: with 200 clients,
-- 200 leaf pages rewritten (and written to the WAL) per batch. Keyed by the
-- row's bucket of 4,096 ids first, new rows of all clients go into the newest
-- bucket's few leaf pages. A client's rows are read bucket by bucket, newest
-- first (`store::request_log`, whose BUCKET_BITS must match the shift below).
DROP INDEX api_request_log_client;
CREATE INDEX api_request_log_client ON api_request_log ((id >> 12), api_client_id)
    WHERE api_client_id IS NOT NULL;

-- The status index holds the failed requests only (status 400 or more), the
-- rows one looks for by status; successful requests, nearly every row, no
-- longer pay for an index entry. A listing by a status below 400 reads the
-- log newest first and checks each row's status.
DROP INDEX api_request_log_status;
CREATE INDEX api_request_log_status ON api_request_log (status)
    WHERE status >= 400;
