//! Request bodies of the routers: `POST /api/v2/network/routers` and `PUT
//! /api/v2/network/routers/{id}`.

use poem_openapi::Object;

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        text::SingleLine,
    },
    net_policy::valid_host,
    network::rules::RouterPatch,
    schema_as,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum Transport {
    Api,
    Rest,
}

/// A router's fields. On create `name`, `host`, `username` and `password` are
/// required; `port` defaults by transport and TLS (8728, 8729, 80, 443).
#[derive(Debug, Object)]
pub struct RouterInput {
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<SingleLine>,
    /// Address or host name on the LAN.
    #[oai(nullable, validator(min_length = 1, max_length = 253))]
    pub host: Option<SingleLine>,
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "65535")))]
    pub port: Option<i64>,
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub username: Option<SingleLine>,
    /// Stored sealed; never shown.
    #[oai(nullable, validator(max_length = 200))]
    pub password: Option<SingleLine>,
    #[oai(nullable)]
    pub transport: Option<Transport>,
    /// API over TLS (8729) / REST over HTTPS. The router needs a certificate.
    #[oai(nullable)]
    pub use_tls: Option<bool>,
    /// Check the router's certificate against public roots and its name.
    #[oai(nullable)]
    pub tls_verify: Option<bool>,
}

fn read_patch(f: &mut Fields, creating: bool) -> RouterPatch {
    let mut p = RouterPatch::default();
    if creating || f.present("name") {
        let name = f.required_string("name");
        if name.chars().count() > 100 {
            f.error("name", "The name may not be longer than 100 characters.");
        }
        p.name = Some(name);
    }
    if creating || f.present("host") {
        let host = f.required_string("host");
        if !f.has_error("host") && !valid_host(&host) {
            f.error("host", "The host must be an IP address or a host name.");
        }
        p.host = Some(host);
    }
    if f.present("port") {
        p.port = Some(f.required_integer_in("port", 1, 65535));
    }
    if creating || f.present("username") {
        let username = f.required_string("username");
        if username.chars().count() > 100 {
            f.error(
                "username",
                "The username may not be longer than 100 characters.",
            );
        }
        p.username = Some(username);
    }
    if creating && !f.present("password") {
        f.error("password", "The password field is required.");
    }
    if let Some(pw) = f.optional_string("password") {
        if pw.chars().count() > 200 {
            f.error(
                "password",
                "The password may not be longer than 200 characters.",
            );
        }
        p.password = Some(pw);
    }
    p.transport = f.optional_choice("transport", &["api", "rest"]);
    p.use_tls = f.optional_bool("use_tls");
    p.tls_verify = f.optional_bool("tls_verify");
    p
}

/// The body of a create: every required field present.
pub struct NewRouter(pub RouterPatch);
/// The body of an update: only the fields sent change.
pub struct RouterChanges(pub RouterPatch);
schema_as!(NewRouter, RouterInput);
schema_as!(RouterChanges, RouterInput);

impl FromJsonObject for NewRouter {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, true))
    }
}

impl FromJsonObject for RouterChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, false))
    }
}
