-- VPN accounts: WireGuard, OpenVPN and L2TP/IPsec tunnels of a customer or a
-- router, whose client configs the appliance renders. The WireGuard private key
-- and the login password are sealed with <data_dir>/seal.key (never in clear).
-- An account belongs to exactly one customer or one router and goes with it.

CREATE TABLE vpn_accounts (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    protocol               TEXT    NOT NULL
                                   CHECK (protocol IN ('wireguard', 'openvpn', 'l2tp')),
    customer_id            INTEGER REFERENCES customers (id) ON DELETE CASCADE,
    router_id              INTEGER REFERENCES routers (id) ON DELETE CASCADE,
    -- Tunnel addresses in CIDR form, comma-separated ("10.66.0.2/32, fd66::2/128").
    addresses              TEXT    NOT NULL DEFAULT '',
    enabled                INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- WireGuard: the client's key pair (base64, as wg(8) writes keys).
    wg_public_key          TEXT,
    wg_private_key_sealed  TEXT,
    -- OpenVPN / L2TP: the login.
    username               TEXT,
    password_sealed        TEXT,
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL,
    CHECK ((customer_id IS NULL) <> (router_id IS NULL)),
    CHECK (protocol <> 'wireguard'
           OR (wg_public_key IS NOT NULL AND wg_private_key_sealed IS NOT NULL))
);
CREATE INDEX vpn_accounts_customer ON vpn_accounts (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX vpn_accounts_router ON vpn_accounts (router_id) WHERE router_id IS NOT NULL;
