//! The body of a panel login: `POST /admin/api/session`.

use super::{
    body::{Fields, FromJsonObject},
    common::{LOGIN_EMAIL, OTP, PASSWORD},
    field::{Contract, ContractKind, Ex, Field, Mode},
};
use crate::contract_type;

/// Panel credentials.
#[derive(Debug)]
pub struct PanelLogin {
    pub email: String,
    pub password: String,
    /// The second factor, for an account that uses one.
    pub otp: Option<String>,
}

pub static PANEL_LOGIN: Contract = Contract {
    name: "PanelLogin",
    description: Some("Panel credentials."),
    kind: ContractKind::Create,
    fields: &[LOGIN_EMAIL, PASSWORD, OTP],
    example: None,
};

contract_type!(PanelLogin, PANEL_LOGIN);

impl FromJsonObject for PanelLogin {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&PANEL_LOGIN, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            email: f.take("email").text_or_empty(),
            password: f.take("password").text_or_empty(),
            otp: f.take("otp").text(),
        }
    }
}

/// A code from the user's authenticator app (or, to turn two-factor login
/// off or renew the recovery codes, a recovery code).
#[derive(Debug)]
pub struct TwoFactorCode {
    pub code: String,
}

pub static TWO_FACTOR_CODE: Contract = Contract {
    name: "TwoFactorCode",
    description: Some("A code from the authenticator app."),
    kind: ContractKind::Create,
    fields: &[Field::text("code")
        .required()
        .max(32)
        .describe("The 6 digits the authenticator app shows now (or a recovery code).")
        .example(Ex::Str("492039"))],
    example: None,
};

contract_type!(TwoFactorCode, TWO_FACTOR_CODE);

impl FromJsonObject for TwoFactorCode {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&TWO_FACTOR_CODE, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            code: f.take("code").text_or_empty(),
        }
    }
}
