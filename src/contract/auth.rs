//! The bodies of the API's logins: `POST /api/auth/login` and
//! `/api/auth/refresh` (v1), `POST /api/v2/auth/token` (v2). Each is also
//! accepted as an OAuth 2.0 form.
//!
//! At the end, the token answers.

use super::{
    body::{Fields, FromJsonObject},
    common::{LOGIN_EMAIL, OTP, PASSWORD},
    field::{Contract, ContractKind, Ex, Field, Mode},
    text::SingleLine,
};
use crate::contract_type;

/// The OAuth 2.0 form's `grant_type`, when sent, must be `grant` (it is not
/// in the JSON schema).
fn check_grant_type(f: &mut Fields, grant: &str) {
    if f.optional_string("grant_type")
        .is_some_and(|sent| sent != grant)
    {
        f.error("grant_type", format!("The grant type must be {grant}."));
    }
}

/// Staff credentials.
#[derive(Debug)]
pub struct LoginRequest {
    /// The staff user's email (`username` in the OAuth 2.0 form).
    pub email: SingleLine,
    pub password: String,
    /// The second factor, for an account that uses one.
    pub otp: Option<String>,
}

pub static LOGIN: Contract = Contract {
    name: "LoginRequest",
    description: Some("Staff credentials."),
    kind: ContractKind::Create,
    fields: &[
        // The OAuth 2.0 password grant names the email `username`.
        LOGIN_EMAIL
            .alias("username")
            .describe("The staff user's email (`username` in the OAuth 2.0 form)."),
        PASSWORD,
        OTP,
    ],
    example: None,
};

contract_type!(LoginRequest, LOGIN);

impl FromJsonObject for LoginRequest {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&LOGIN, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        check_grant_type(f, "password");
        Self {
            email: SingleLine(f.take("email").text_or_empty()),
            password: f.take("password").text_or_empty(),
            otp: f.take("otp").text(),
        }
    }
}

/// A refresh token to exchange.
#[derive(Debug)]
pub struct RefreshRequest {
    pub refresh_token: SingleLine,
}

pub static REFRESH: Contract = Contract {
    name: "RefreshRequest",
    description: Some("A refresh token to exchange."),
    kind: ContractKind::Create,
    fields: &[Field::text("refresh_token")
        .required()
        .example(Ex::Str("rt_3f9c0a7e5b1d4c2a8e6f0b9d7c5a3e1f"))],
    example: None,
};

contract_type!(RefreshRequest, REFRESH);

impl FromJsonObject for RefreshRequest {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&REFRESH, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        check_grant_type(f, "refresh_token");
        Self {
            refresh_token: SingleLine(f.take("refresh_token").text_or_empty()),
        }
    }
}

/// Client credentials (JSON as in the guide, or the OAuth 2.0 form).
#[derive(Debug)]
pub struct TokenRequest {
    /// The client id (UUID), unless sent with HTTP Basic.
    pub client_id: Option<SingleLine>,
    /// The client secret, unless sent with HTTP Basic.
    pub client_secret: Option<SingleLine>,
    /// `client_credentials` when sent (the OAuth 2.0 form requires it).
    pub grant_type: Option<SingleLine>,
}

pub static TOKEN: Contract = Contract {
    name: "TokenRequest",
    description: Some("Client credentials (JSON as in the guide, or the OAuth 2.0 form)."),
    kind: ContractKind::Create,
    fields: &[
        // Both or neither (then from HTTP Basic): the handler checks that.
        Field::text("client_id")
            .min(1)
            .nullable()
            .describe("The client id (UUID), unless sent with HTTP Basic.")
            .example(Ex::Str("6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b")),
        Field::text("client_secret")
            .min(1)
            .nullable()
            .describe("The client secret, unless sent with HTTP Basic.")
            .example(Ex::Str("s3cr3t-from-client-create")),
        Field::choice("grant_type", &["client_credentials"])
            .nullable()
            .message("must be client_credentials.")
            .describe("`client_credentials` when sent (the OAuth 2.0 form requires it).")
            .example(Ex::Str("client_credentials")),
    ],
    example: None,
};

contract_type!(TokenRequest, TOKEN);

impl FromJsonObject for TokenRequest {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&TOKEN, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            client_id: f.take("client_id").text().map(SingleLine),
            client_secret: f.take("client_secret").text().map(SingleLine),
            grant_type: f.take("grant_type").text().map(SingleLine),
        }
    }
}

// ---- The answers: the token answers (the seed's shapes) (row → JSON) ----

use poem_openapi::Object;

use crate::auth::service::TokenPair;

/// `{"access_token","token_type":"bearer","expires_in","refresh_token"}` (v1).
#[derive(Debug, Clone, Object)]
pub struct TokenPairResponse {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the access token expires (3600).
    pub expires_in: i64,
    /// Single use: exchange it at `POST /api/auth/refresh` for a new pair.
    pub refresh_token: String,
}

/// `{"access_token","token_type":"bearer","expires_in"}` (v2).
#[derive(Debug, Clone, Object)]
pub struct AccessTokenResponse {
    /// `v2_` followed by a JWT.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the token expires (1800).
    pub expires_in: i64,
}

impl From<TokenPair> for TokenPairResponse {
    fn from(p: TokenPair) -> Self {
        Self {
            access_token: p.access_token,
            token_type: "bearer".into(),
            expires_in: p.expires_in,
            refresh_token: p.refresh_token.unwrap_or_default(),
        }
    }
}

impl From<TokenPair> for AccessTokenResponse {
    fn from(p: TokenPair) -> Self {
        Self {
            access_token: p.access_token,
            token_type: "bearer".into(),
            expires_in: p.expires_in,
        }
    }
}
