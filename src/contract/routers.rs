//! Request bodies of the routers: `POST /api/v2/network/routers` and `PUT
//! /api/v2/network/routers/{id}` (one schema, `RouterInput`, for both).
//!
//! At the end, the answers: a router, a sync's result, an IP pool, a router log
//! entry, a customer's usage, and their wrappers.

use crate::{
    contract::{
        body::Fields,
        field::{Contract, ContractKind, EnumRef, Ex, Field, Mode, Normaliser, Text},
    },
    create_and_update,
    net_policy::{valid_host, HOST_PATTERN},
    network::rules::RouterPatch,
    wire_enum,
};

wire_enum! {
    pub enum AuthMode {
        Secrets = "secrets",
        Radius = "radius",
    }
}

wire_enum! {
    pub enum Transport {
        Api = "api",
        Rest = "rest",
    }
}

fn host(text: &str) -> Option<String> {
    valid_host(text).then(|| text.to_string())
}

fn ip(text: &str) -> Option<String> {
    text.parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_canonical().to_string())
}

/// An IP address (v4 or v6), written canonically.
pub const IP: Normaliser = Normaliser {
    apply: ip,
    message: "must be an IP address.",
    pattern: None,
};

/// A router's or SNMP device's address: an IP address or a host name.
pub const HOST: Normaliser = Normaliser {
    apply: host,
    message: "must be an IP address or a host name.",
    pattern: Some(HOST_PATTERN),
};

pub static ROUTER: Contract = Contract {
    name: "RouterInput",
    description: Some(
        "A router's fields. On create `name`, `host`, `username` and `password` are\n\
         required; `port` defaults by transport and TLS (8728, 8729, 80, 443).",
    ),
    kind: ContractKind::Shared,
    fields: &[
        Field::text("name")
            .required()
            .max(100)
            .example(Ex::Str("core-1")),
        Field::with("host", Text::line().max(253).normalised(HOST))
            .required()
            .describe("Address or host name on the LAN.")
            .example(Ex::Str("192.168.88.1")),
        Field::integer("port")
            .range(1, 65535)
            .nullable()
            .example(Ex::Int(8728)),
        Field::text("username")
            .required()
            .max(100)
            .example(Ex::Str("ispbills")),
        // Required on create but may be empty (a router with no password):
        // `from_fields` checks that it is sent.
        Field::text("password")
            .max(200)
            .nullable()
            .describe("Stored sealed; never shown.")
            .example(Ex::Str("s3cret-api-pass")),
        Field::enumeration("transport", Transport::VALUES, EnumRef::of::<Transport>())
            .nonblank()
            .nullable()
            .example(Ex::Str("api")),
        Field::boolean("use_tls")
            .nullable()
            .describe("API over TLS (8729) / REST over HTTPS. The router needs a certificate.")
            .example(Ex::Bool(false)),
        Field::boolean("tls_verify")
            .nullable()
            .describe("Check the router's certificate against public roots and its name.")
            .example(Ex::Bool(false)),
        Field::secret_line("radius_secret")
            .range(16, 128)
            .nullable()
            .describe(
                "RADIUS shared secret (16 to 128 characters): with it the router is a client \
                 of the built-in RADIUS server. Stored sealed; never shown. null removes it.",
            )
            .example(Ex::Str("a-long-random-radius-secret")),
        Field::with("nas_ip", Text::line().max(45).normalised(IP))
            .nullable()
            .describe("The address the router's RADIUS packets come from, when it is not `host`.")
            .example(Ex::Str("10.0.0.1")),
        Field::boolean("radius_require_message_authenticator")
            .nullable()
            .describe(
                "Ignore Access-Requests without a Message-Authenticator (BlastRADIUS, \
                 CVE-2024-3596). Default true; turn off only for a NAS that cannot send one.",
            )
            .example(Ex::Bool(true)),
        Field::integer("coa_port")
            .range(1, 65535)
            .nullable()
            .describe("UDP port the router takes CoA and Disconnect requests on (default 3799).")
            .example(Ex::Int(3799)),
        Field::enumeration("auth_mode", AuthMode::VALUES, EnumRef::of::<AuthMode>())
            .nonblank()
            .nullable()
            .describe(
                "How subscribers log in: `secrets` (default: the appliance writes a /ppp/secret or \
                 hotspot user per customer) or `radius` (the router asks the built-in RADIUS \
                 server; needs `radius_secret`).",
            )
            .example(Ex::Str("secrets")),
        Field::text("address_pool")
            .max(64)
            .nullable()
            .describe(
                "RADIUS: the router's IP pool (Framed-Pool) for logins whose package names \
                 none; null: the router's PPP profile decides.",
            )
            .example(Ex::Str("pool-home")),
    ],
    example: None,
};

fn read_patch(f: &mut Fields, mode: Mode) -> RouterPatch {
    if mode.is_create() && !f.present("password") {
        f.error("password", "The password field is required.");
    }
    RouterPatch {
        name: f.take("name").text(),
        host: f.take("host").text(),
        port: f.take("port").int(),
        username: f.take("username").text(),
        password: f.take("password").text(),
        transport: f.take("transport").text(),
        use_tls: f.take("use_tls").bool(),
        tls_verify: f.take("tls_verify").bool(),
        radius_secret: f.take("radius_secret").patch_text(),
        nas_ip: f.take("nas_ip").patch_text(),
        radius_require_message_authenticator: f.take("radius_require_message_authenticator").bool(),
        coa_port: f.take("coa_port").int(),
        auth_mode: f.take("auth_mode").text(),
        address_pool: f.take("address_pool").patch_text(),
    }
}

/// The body of a create: every required field present.
pub struct NewRouter(pub RouterPatch);
/// The body of an update: only the fields sent change.
pub struct RouterChanges(pub RouterPatch);
create_and_update!(ROUTER, read_patch => NewRouter, RouterChanges);

// ---- The answers: how a router, a sync, an IP pool, a log entry and usage are shown (row → JSON) ----

use poem_openapi::Object;

use crate::{
    drivers::routeros::reconcile::SyncDiff,
    one, paginated,
    store::{
        radius_sessions::SessionRow,
        router_data::{LogRow, PoolRow, Sample},
        routers::RouterRow,
    },
};

/// A router and what the poller last saw (never its password).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Router {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: i64,
    pub username: String,
    /// `api` (8728/8729) or `rest` (RouterOS v7).
    pub transport: String,
    pub use_tls: bool,
    pub tls_verify: bool,
    /// `up`, `down` or `unknown` (not polled yet).
    pub status: String,
    #[oai(nullable)]
    pub status_since: Option<String>,
    #[oai(nullable)]
    pub last_seen_at: Option<String>,
    /// Why the last poll failed.
    #[oai(nullable)]
    pub last_error: Option<String>,
    #[oai(nullable)]
    pub identity: Option<String>,
    #[oai(nullable)]
    pub version: Option<String>,
    #[oai(nullable)]
    pub board: Option<String>,
    #[oai(nullable)]
    pub uptime: Option<String>,
    /// CPU load in percent.
    #[oai(nullable)]
    pub cpu_load: Option<i64>,
    /// Customers whose login lives on this router.
    pub customers: i64,
    #[oai(nullable)]
    pub last_sync_at: Option<String>,
    #[oai(nullable)]
    pub last_sync_error: Option<String>,
    /// The router is a client of the built-in RADIUS server: it has a
    /// RADIUS secret (which is never shown).
    pub radius_enabled: bool,
    /// Where its RADIUS packets come from, when not `host`.
    #[oai(nullable)]
    pub nas_ip: Option<String>,
    pub radius_require_message_authenticator: bool,
    /// Where the router takes CoA and Disconnect requests (UDP).
    pub coa_port: i64,
    /// `secrets` or `radius`.
    pub auth_mode: String,
    /// RADIUS: Framed-Pool for logins whose package names none.
    #[oai(nullable)]
    pub address_pool: Option<String>,
    /// When its last RADIUS request arrived.
    #[oai(nullable)]
    pub radius_last_request_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<RouterRow> for Router {
    fn from(r: RouterRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            host: r.host,
            port: r.port,
            username: r.username,
            transport: r.transport,
            use_tls: r.use_tls,
            tls_verify: r.tls_verify,
            status: r.status,
            status_since: r.status_since,
            last_seen_at: r.last_seen_at,
            last_error: r.last_error,
            identity: r.identity,
            version: r.version,
            board: r.board,
            uptime: r.uptime,
            cpu_load: r.cpu_load,
            customers: r.customers,
            last_sync_at: r.last_sync_at,
            last_sync_error: r.last_sync_error,
            radius_enabled: r.radius_enabled,
            nas_ip: r.nas_ip,
            radius_require_message_authenticator: r.radius_require_message_authenticator,
            coa_port: r.coa_port,
            auth_mode: r.auth_mode,
            address_pool: r.address_pool,
            radius_last_request_at: r.radius_last_request_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

paginated!(RouterList, Router);

one!(RouterOne, Router);

/// What a reconciliation did.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct SyncResult {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// Entries made by hand on the router (never touched).
    pub unmanaged: Vec<String>,
    /// Sessions ended because of a suspension.
    pub disconnected: Vec<String>,
    pub address_list_added: Vec<String>,
    pub address_list_removed: Vec<String>,
    /// RADIUS mode: the logins and address-list entries the appliance made
    /// earlier, which a sync with `remove_secrets=true` removes.
    pub secrets_to_remove: Vec<String>,
    /// RADIUS mode: what was set on the router so that it uses the built-in
    /// RADIUS server (`/radius`, `/ppp aaa`, `/radius incoming`, hotspot
    /// profiles); empty when it already did.
    pub radius_setup: Vec<String>,
    pub errors: Vec<String>,
}

impl From<SyncDiff> for SyncResult {
    fn from(d: SyncDiff) -> Self {
        Self {
            added: d.added,
            changed: d.changed,
            removed: d.removed,
            unmanaged: d.unmanaged,
            disconnected: d.disconnected,
            address_list_added: d.address_list_added,
            address_list_removed: d.address_list_removed,
            secrets_to_remove: d.secrets_to_remove,
            radius_setup: d.radius_setup,
            errors: d.errors,
        }
    }
}

one!(SyncResultOne, SyncResult);

/// An IP pool.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct IpPool {
    pub id: i64,
    pub router_id: i64,
    pub router: String,
    pub name: String,
    /// As the router writes them (`10.0.0.2-10.0.0.254`).
    pub ranges: String,
    /// Addresses in the ranges.
    pub size: i64,
    /// Addresses held by active sessions or static assignments.
    pub used: i64,
    pub updated_at: String,
}

impl From<PoolRow> for IpPool {
    fn from(p: PoolRow) -> Self {
        Self {
            id: p.id,
            router_id: p.router_id,
            router: p.router_name,
            name: p.name,
            ranges: p.ranges,
            size: p.size,
            used: p.used,
            updated_at: p.updated_at,
        }
    }
}

paginated!(PoolList, IpPool);

/// A router log entry.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct RouterLog {
    pub id: i64,
    #[oai(nullable)]
    pub router_id: Option<i64>,
    #[oai(nullable)]
    pub router: Option<String>,
    /// `api` (pulled from /log) or `syslog` (received).
    pub source: String,
    /// The sender's address (syslog).
    #[oai(nullable)]
    pub host: Option<String>,
    pub topics: String,
    pub message: String,
    pub logged_at: String,
}

impl From<LogRow> for RouterLog {
    fn from(l: LogRow) -> Self {
        Self {
            id: l.id,
            router_id: l.router_id,
            router: l.router_name,
            source: l.source,
            host: l.host,
            topics: l.topics,
            message: l.message,
            logged_at: l.logged_at,
        }
    }
}

paginated!(RouterLogList, RouterLog);

/// One usage sample.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct UsageSample {
    pub sampled_at: String,
    pub online: bool,
    #[oai(nullable)]
    pub address: Option<String>,
    /// Session uptime as the router writes it (`1d2h3m`).
    #[oai(nullable)]
    pub session_uptime: Option<String>,
    /// Bytes the customer downloaded in the session (router counters).
    #[oai(nullable)]
    pub bytes_in: Option<i64>,
    /// Bytes the customer uploaded.
    #[oai(nullable)]
    pub bytes_out: Option<i64>,
}

impl From<Sample> for UsageSample {
    fn from(s: Sample) -> Self {
        Self {
            sampled_at: s.sampled_at,
            online: s.online,
            address: s.address,
            session_uptime: s.uptime,
            bytes_in: s.bytes_in,
            bytes_out: s.bytes_out,
        }
    }
}

/// A customer's usage: the latest sample and the history (newest first).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Usage {
    pub customer_id: i64,
    /// The latest sample, if the customer has been sampled.
    #[oai(nullable)]
    pub current: Option<UsageSample>,
    pub samples: Vec<UsageSample>,
    /// The customer's latest RADIUS sessions (accounting), newest first.
    pub radius_sessions: Vec<crate::contract::radius::RadiusSession>,
}

impl Usage {
    /// A customer's samples and RADIUS sessions, newest first.
    pub fn of(customer_id: i64, samples: Vec<Sample>, sessions: Vec<SessionRow>) -> Self {
        let samples: Vec<UsageSample> = samples.into_iter().map(Into::into).collect();
        Self {
            customer_id,
            current: samples.first().cloned(),
            samples,
            radius_sessions: sessions.into_iter().map(Into::into).collect(),
        }
    }
}

one!(UsageOne, Usage);
