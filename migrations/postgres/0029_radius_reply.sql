-- What an Access-Accept gives a customer beyond the package's speed.
--
-- Packages: `address_pool` (Framed-Pool: the router's IP pool the session's
-- address comes from; unset: the router's PPP profile decides),
-- `ipv6_pool` (Framed-IPv6-Pool), `ipv6_pd_pool` (Delegated-IPv6-Prefix-Pool,
-- RFC 6911: the pool prefixes are delegated from), and MikroTik burst: the
-- burst rates, the thresholds and the burst time, all set or none.
-- Routers: `address_pool`, the Framed-Pool for logins through that router
-- whose package names none.
-- Customers: `static_ip` (Framed-IP-Address; one customer per address) and
-- `ipv6_prefix` (Delegated-IPv6-Prefix, e.g. 2001:db8:100::/56).
ALTER TABLE packages ADD COLUMN address_pool TEXT;
ALTER TABLE packages ADD COLUMN ipv6_pool TEXT;
ALTER TABLE packages ADD COLUMN ipv6_pd_pool TEXT;
ALTER TABLE packages ADD COLUMN burst_down_kbps BIGINT;
ALTER TABLE packages ADD COLUMN burst_up_kbps BIGINT;
ALTER TABLE packages ADD COLUMN burst_threshold_down_kbps BIGINT;
ALTER TABLE packages ADD COLUMN burst_threshold_up_kbps BIGINT;
ALTER TABLE packages ADD COLUMN burst_time_secs BIGINT;
ALTER TABLE routers ADD COLUMN address_pool TEXT;
ALTER TABLE customers ADD COLUMN static_ip TEXT;
ALTER TABLE customers ADD COLUMN ipv6_prefix TEXT;
CREATE UNIQUE INDEX customers_static_ip ON customers (static_ip) WHERE static_ip IS NOT NULL;
