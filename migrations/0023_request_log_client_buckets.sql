-- The request log's client index, kept cheap to append to with many clients.
--
-- Keyed (api_client_id, rowid), every batch of new rows added one entry at
-- the end of each active client's run: with 200 clients, 200 leaf pages
-- rewritten (and written to the WAL) per batch. Keyed by the row's bucket
-- of 4,096 ids first, new rows of all clients go into the newest bucket's few
-- leaf pages. A client's rows are read bucket by bucket, newest first
-- (`store::request_log`, whose BUCKET_BITS must match the shift below).
DROP INDEX api_request_log_client;
CREATE INDEX api_request_log_client ON api_request_log ((id >> 12), api_client_id)
    WHERE api_client_id IS NOT NULL;
