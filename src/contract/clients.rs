//! Request bodies of the panel's API clients (Integrations -> API
//! Management): create and change.

use poem_openapi::Object;

use crate::{
    auth::{
        clients::MAX_NAME_LEN,
        principal::Tier,
        scope::{Scope, ScopeSet},
        tokens::ApiVersion,
    },
    contract::body::{Fields, FromJsonObject},
};

/// Reads `scopes` (a list of names) into `f`'s messages.
fn read_scopes(f: &mut Fields, name: &str) -> Option<ScopeSet> {
    let list = f.optional_string_list(name)?;
    let mut set = ScopeSet::default();
    for s in &list {
        match Scope::parse(s) {
            Some(scope) => set.insert(scope),
            None => f.error(name, format!("The scope {s} does not exist.")),
        }
    }
    Some(set)
}

fn read_tier(f: &mut Fields) -> Option<Tier> {
    let tier = f.optional_string("tier")?;
    let parsed = Tier::parse(&tier);
    if parsed.is_none() {
        f.error("tier", "The tier must be standard or high-volume.");
    }
    parsed
}

fn check_name(f: &mut Fields, name: &str) {
    if name.chars().count() > MAX_NAME_LEN {
        f.error(
            "name",
            format!("The name may not be longer than {MAX_NAME_LEN} characters."),
        );
    }
}

fn names(set: ScopeSet) -> Vec<String> {
    set.names().into_iter().map(String::from).collect()
}

/// Scope names already checked by the reader.
pub fn scope_set(list: &[String]) -> ScopeSet {
    list.iter().filter_map(|s| Scope::parse(s)).collect()
}

/// A new client.
#[derive(Debug, Object)]
pub struct CreateClient {
    pub name: String,
    /// `v1` or `v2`.
    #[oai(rename = "type")]
    pub api: String,
    /// Scope names; all when absent.
    #[oai(nullable)]
    pub scopes: Option<Vec<String>>,
    /// `standard` (default) or `high-volume`.
    #[oai(nullable)]
    pub tier: Option<String>,
}

impl FromJsonObject for CreateClient {
    fn from_fields(f: &mut Fields) -> Self {
        let name = f.required_string("name");
        check_name(f, &name);
        let api = f.required_string("type");
        if ApiVersion::parse(&api).is_none() && !f.has_error("type") {
            f.error("type", "The type must be v1 or v2.");
        }
        let scopes = read_scopes(f, "scopes").map(names);
        let tier = read_tier(f).map(|t| t.as_str().to_string());
        Self {
            name,
            api,
            scopes,
            tier,
        }
    }
}

/// Changes to a client; each field optional.
#[derive(Debug, Object)]
pub struct UpdateClient {
    #[oai(nullable)]
    pub name: Option<String>,
    #[oai(nullable)]
    pub scopes: Option<Vec<String>>,
    #[oai(nullable)]
    pub tier: Option<String>,
}

impl FromJsonObject for UpdateClient {
    fn from_fields(f: &mut Fields) -> Self {
        let name = f.optional_string("name");
        if let Some(n) = &name {
            check_name(f, n);
        }
        let scopes = read_scopes(f, "scopes").map(names);
        let tier = read_tier(f).map(|t| t.as_str().to_string());
        Self { name, scopes, tier }
    }
}
