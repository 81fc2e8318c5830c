//! Token answers shared by v1 and v2 (the seed's shapes).

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
