//! `ispbills client ...`: API clients from the command line, for scripts.

use std::sync::Arc;

use clap::Subcommand;
use serde_json::json;

use super::common::open;
use crate::{
    auth::{
        clients::{ApiClient, Credentials, NewClient},
        keys::JwtKey,
        principal::Tier,
        scope::ScopeSet,
        service::Auth,
        tokens::{ApiVersion, TokenSigner},
    },
    clock::SystemClock,
    config::Config,
};

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create an API client and print its credentials (shown once)
    Create {
        /// A descriptive name ("Mobile App", "Billing CRM")
        #[arg(long)]
        name: String,
        /// v1 (token pair) or v2 (client id and secret)
        #[arg(long)]
        api: String,
        /// Comma-separated scopes [default: all]
        #[arg(long)]
        scopes: Option<String>,
        /// standard or high-volume
        #[arg(long, default_value = "standard")]
        tier: String,
        /// Print the credentials as JSON
        #[arg(long)]
        json: bool,
    },
    /// List API clients
    List {
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// New credentials for a client; the old ones stop working at once
    Rotate {
        /// The client's number (from `client list`)
        id: i64,
        /// Print the credentials as JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete a client; all its tokens stop working at once
    Delete {
        /// The client's number (from `client list`)
        id: i64,
    },
}

fn service(config: &Config) -> Result<Auth, String> {
    let db = open(config)?;
    let key = JwtKey::load_or_create(&config.data_dir)
        .map_err(|e| format!("cannot read the signing key: {e}"))?;
    Ok(Auth::new(db, TokenSigner::new(&key), Arc::new(SystemClock)))
}

fn credentials_json(client: &ApiClient, creds: &Credentials) -> serde_json::Value {
    match creds {
        Credentials::V2 {
            client_id,
            client_secret,
        } => json!({"id": client.id, "client_id": client_id, "client_secret": client_secret}),
        Credentials::V1(pair) => json!({
            "id": client.id,
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_in": pair.expires_in,
        }),
    }
}

fn print_credentials(client: &ApiClient, creds: &Credentials, as_json: bool) {
    if as_json {
        println!("{}", credentials_json(client, creds));
        return;
    }
    println!(
        "API client #{} \"{}\" ({})",
        client.id,
        client.name,
        client.api.as_str()
    );
    match creds {
        Credentials::V2 {
            client_id,
            client_secret,
        } => {
            println!("  client_id:     {client_id}");
            println!("  client_secret: {client_secret}");
        }
        Credentials::V1(pair) => {
            println!("  access_token:  {}", pair.access_token);
            println!(
                "  refresh_token: {}",
                pair.refresh_token.as_deref().unwrap_or_default()
            );
        }
    }
    println!("Store these now: they are shown only once.");
}

fn client_json(c: &ApiClient) -> serde_json::Value {
    json!({
        "id": c.id,
        "name": c.name,
        "type": c.api.as_str(),
        "client_id": c.client_id,
        "scopes": c.scopes.names(),
        "tier": c.tier.as_str(),
        "created_at": c.created_at,
        "last_used_at": c.last_used_at,
    })
}

pub(super) fn run(config: &Config, cmd: &ClientCommand) -> Result<(), String> {
    let auth = service(config)?;
    match cmd {
        ClientCommand::Create {
            name,
            api,
            scopes,
            tier,
            json,
        } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > crate::auth::clients::MAX_NAME_LEN {
                return Err("the name must be 1 to 100 characters".into());
            }
            let api = ApiVersion::parse(api).ok_or("--api must be v1 or v2")?;
            let scopes = match scopes {
                Some(s) => ScopeSet::parse(s)
                    .map_err(|bad| format!("unknown scope(s): {}", bad.join(", ")))?,
                None => ScopeSet::all(),
            };
            let tier = Tier::parse(tier).ok_or("--tier must be standard or high-volume")?;
            let (client, creds) = auth
                .create_client(&NewClient {
                    name: name.to_string(),
                    api,
                    scopes,
                    tier,
                })
                .map_err(|e| e.to_string())?;
            print_credentials(&client, &creds, *json);
            Ok(())
        }
        ClientCommand::List { json } => {
            let clients = auth.list_clients().map_err(|e| e.to_string())?;
            if *json {
                let all: Vec<_> = clients.iter().map(client_json).collect();
                println!("{}", serde_json::Value::Array(all));
            } else {
                for c in &clients {
                    println!(
                        "#{:<4} {:<3} {:<12} {:<24} created {} last used {}",
                        c.id,
                        c.api.as_str(),
                        c.tier.as_str(),
                        c.name,
                        c.created_at,
                        c.last_used_at.as_deref().unwrap_or("never")
                    );
                }
            }
            Ok(())
        }
        ClientCommand::Rotate { id, json } => {
            let (client, creds) = auth.rotate_client(*id).map_err(|e| match e {
                crate::auth::service::AuthError::Store(crate::store::StoreError::NotFound) => {
                    format!("no API client #{id}")
                }
                other => other.to_string(),
            })?;
            crate::jobs::auth_notify::notify_from_cli(&config.data_dir);
            print_credentials(&client, &creds, *json);
            Ok(())
        }
        ClientCommand::Delete { id } => {
            auth.delete_client(*id).map_err(|e| match e {
                crate::auth::service::AuthError::Store(crate::store::StoreError::NotFound) => {
                    format!("no API client #{id}")
                }
                other => other.to_string(),
            })?;
            crate::jobs::auth_notify::notify_from_cli(&config.data_dir);
            println!("deleted API client #{id}; its tokens no longer work");
            Ok(())
        }
    }
}
