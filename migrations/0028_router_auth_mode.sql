-- How a router's subscribers authenticate: `secrets` (the appliance writes a
-- /ppp/secret or /ip/hotspot/user per customer over the router's API and
-- suspends by editing it) or `radius` (the router asks the built-in RADIUS
-- server; the appliance writes no logins and changes live sessions with
-- CoA/Disconnect). Existing routers keep `secrets`.
ALTER TABLE routers ADD COLUMN auth_mode TEXT NOT NULL DEFAULT 'secrets'
    CHECK (auth_mode IN ('secrets', 'radius'));
