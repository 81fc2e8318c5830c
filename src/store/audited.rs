//! What the audit trail records of each table it follows (see
//! `audit_rows`): the columns shown before → after, the secrets shown only
//! as changed, and the column naming the customer a row is about.

use super::audit_rows::Audited;

pub static CUSTOMER: Audited = Audited {
    table: "customers",
    resource_type: "customer",
    columns: &[
        "name",
        "email",
        "phone",
        "address",
        "connection_type",
        "package_id",
        "status",
        "onu_mac",
        "username",
        "router_id",
        "operator_id",
        "expires_at",
        "static_ip",
        "ipv6_prefix",
    ],
    secrets: &["login_password_sealed"],
    customer_column: Some("id"),
};

pub static PACKAGE: Audited = Audited {
    table: "packages",
    resource_type: "package",
    columns: &[
        "name",
        "price_minor",
        "wholesale_price_minor",
        "currency",
        "speed_down_kbps",
        "speed_up_kbps",
        "billing_cycle",
        "validity_days",
        "router_profile",
        "address_pool",
        "ipv6_pool",
        "ipv6_pd_pool",
        "burst_down_kbps",
        "burst_up_kbps",
        "burst_threshold_down_kbps",
        "burst_threshold_up_kbps",
        "burst_time_secs",
    ],
    secrets: &[],
    customer_column: None,
};

pub static BILL: Audited = Audited {
    table: "bills",
    resource_type: "bill",
    columns: &[
        "customer_id",
        "amount_minor",
        "paid_minor",
        "currency",
        "status",
        "due_date",
        "description",
        "period_start",
        "period_end",
    ],
    secrets: &[],
    customer_column: Some("customer_id"),
};

pub static PAYMENT: Audited = Audited {
    table: "payments",
    resource_type: "payment",
    columns: &[
        "customer_id",
        "bill_id",
        "amount_minor",
        "currency",
        "method",
        "transaction_id",
        "received_at",
    ],
    secrets: &[],
    customer_column: Some("customer_id"),
};

pub static STAFF_USER: Audited = Audited {
    table: "staff_users",
    resource_type: "staff_user",
    columns: &["email", "name", "role", "operator_id", "active"],
    secrets: &["password_hash"],
    customer_column: None,
};

pub static OPERATOR: Audited = Audited {
    table: "operators",
    resource_type: "operator",
    columns: &["name", "email", "phone", "balance_minor", "status"],
    secrets: &[],
    customer_column: None,
};

pub static ROUTER: Audited = Audited {
    table: "routers",
    resource_type: "router",
    columns: &[
        "name",
        "host",
        "port",
        "username",
        "use_tls",
        "tls_verify",
        "transport",
        "nas_ip",
        "radius_require_message_authenticator",
        "coa_port",
        "auth_mode",
        "address_pool",
    ],
    secrets: &["password_sealed", "radius_secret_sealed"],
    customer_column: None,
};

pub static DEVICE: Audited = Audited {
    table: "snmp_devices",
    resource_type: "device",
    columns: &[
        "kind",
        "name",
        "host",
        "port",
        "profile",
        "snmp_version",
        "v3_user",
        "v3_auth_protocol",
        "v3_priv_protocol",
    ],
    secrets: &["community_sealed", "v3_auth_sealed", "v3_priv_sealed"],
    customer_column: None,
};

pub static API_CLIENT: Audited = Audited {
    table: "api_clients",
    resource_type: "api_client",
    columns: &["name", "api", "client_uuid", "scopes", "tier"],
    secrets: &["secret_hash"],
    customer_column: None,
};

pub static WEBHOOK: Audited = Audited {
    table: "webhooks",
    resource_type: "webhook",
    columns: &["url", "events", "active"],
    secrets: &["secret_sealed"],
    customer_column: None,
};
