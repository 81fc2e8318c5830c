//! The body of a panel login: `POST /admin/api/session`.

use super::{
    body::{Fields, FromJsonObject},
    common::{LOGIN_EMAIL, PASSWORD},
    field::{Contract, ContractKind, Mode},
};
use crate::contract_type;

/// Panel credentials.
#[derive(Debug)]
pub struct PanelLogin {
    pub email: String,
    pub password: String,
}

pub static PANEL_LOGIN: Contract = Contract {
    name: "PanelLogin",
    description: Some("Panel credentials."),
    kind: ContractKind::Create,
    fields: &[LOGIN_EMAIL, PASSWORD],
    example: None,
};

contract_type!(PanelLogin, PANEL_LOGIN);

impl FromJsonObject for PanelLogin {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&PANEL_LOGIN, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            email: f.take("email").text_or_empty(),
            password: f.take("password").text_or_empty(),
        }
    }
}
