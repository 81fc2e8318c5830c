//! Authentication and authorisation: staff passwords (argon2id), v1 JWTs with
//! refresh-token families, v2 client credentials, scopes, rate limits and login
//! throttling.

pub mod cache;
pub mod client_addr;
pub mod clients;
pub mod config;
pub mod customer_login;
pub mod customer_tokens;
pub mod hash_pool;
pub mod keys;
pub mod login_guard;
pub mod password;
pub mod payment_links;
pub mod principal;
pub mod rate_limit;
pub mod scope;
pub mod sealed;
pub mod second_factor;
pub mod secrets;
pub mod service;
pub mod sessions;
pub mod setup_code;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
