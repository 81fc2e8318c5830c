//! The body of first-run setup: `POST /admin/api/setup`.

use super::{
    body::{Fields, FromJsonObject},
    common::NEW_PASSWORD,
    field::{Contract, ContractKind, Ex, Field, Mode},
    staff,
};
use crate::contract_type;

/// The first admin, with the setup code.
#[derive(Debug)]
pub struct Setup {
    pub code: String,
    pub email: String,
    pub name: String,
    pub password: String,
}

pub static SETUP: Contract = Contract {
    name: "SetupInput",
    description: None,
    kind: ContractKind::Create,
    fields: &[
        Field::text("setup_code")
            .required()
            .describe("The code printed in the server log at start (`ispbills admin setup-code`).")
            .example(Ex::Str("7Q4K-M2XD-93PF")),
        staff::EMAIL.example(Ex::Str("admin@example.com")),
        staff::NAME.example(Ex::Str("রহিম উদ্দিন")),
        NEW_PASSWORD,
    ],
    example: None,
};

contract_type!(Setup, SETUP);

impl FromJsonObject for Setup {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&SETUP, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            code: f.take("setup_code").text_or_empty(),
            email: f.take("email").text_or_empty(),
            name: f.take("name").text_or_empty(),
            password: f.take("password").text_or_empty(),
        }
    }
}
