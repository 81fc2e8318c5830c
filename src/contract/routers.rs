//! Request bodies of the routers: `POST /api/v2/network/routers` and `PUT
//! /api/v2/network/routers/{id}` (one schema, `RouterInput`, for both).

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
    pub enum Transport {
        Api = "api",
        Rest = "rest",
    }
}

fn host(text: &str) -> Option<String> {
    valid_host(text).then(|| text.to_string())
}

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
    }
}

/// The body of a create: every required field present.
pub struct NewRouter(pub RouterPatch);
/// The body of an update: only the fields sent change.
pub struct RouterChanges(pub RouterPatch);
create_and_update!(ROUTER, read_patch => NewRouter, RouterChanges);
