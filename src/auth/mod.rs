//! Authentication: password hashing now; tokens and scopes as they arrive.

pub mod password;
