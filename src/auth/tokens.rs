//! Access tokens: HS256 JWTs signed with the data dir's key. v1 tokens are plain
//! JWTs (audience `ispbills-v1`, 3600 s); v2 tokens are `v2_` + JWT (audience
//! `ispbills-v2`, 1800 s). Only HS256 is accepted; expiry is checked against the
//! appliance's [`Clock`](crate::clock::Clock), not the system time, so tests can
//! move time.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{keys::JwtKey, secrets};

pub const V1_ACCESS_TTL_SECS: i64 = 3600;
pub const V2_ACCESS_TTL_SECS: i64 = 1800;
/// Refresh tokens live 30 days (each use replaces it).
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;
pub const V2_PREFIX: &str = "v2_";
const ISSUER: &str = "ispbills";

/// Which API a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    V1,
    V2,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "v1" => Some(ApiVersion::V1),
            "v2" => Some(ApiVersion::V2),
            _ => None,
        }
    }

    fn audience(self) -> &'static str {
        match self {
            ApiVersion::V1 => "ispbills-v1",
            ApiVersion::V2 => "ispbills-v2",
        }
    }

    pub fn access_ttl_secs(self) -> i64 {
        match self {
            ApiVersion::V1 => V1_ACCESS_TTL_SECS,
            ApiVersion::V2 => V2_ACCESS_TTL_SECS,
        }
    }
}

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A staff user who logged in.
    User(i64),
    /// An API client.
    Client(i64),
}

impl Subject {
    fn to_claim(self) -> String {
        match self {
            Subject::User(id) => format!("user:{id}"),
            Subject::Client(id) => format!("client:{id}"),
        }
    }

    fn from_claim(s: &str) -> Option<Self> {
        let (kind, id) = s.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "user" => Some(Subject::User(id)),
            "client" => Some(Subject::Client(id)),
            _ => None,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct RawClaims {
    iss: String,
    aud: String,
    sub: String,
    jti: String,
    iat: i64,
    exp: i64,
    /// Token family (v1 tokens that can be refreshed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fam: Option<i64>,
    /// The client's credentials version when issued (rotation bumps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ver: Option<i64>,
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub api: ApiVersion,
    pub subject: Subject,
    pub jti: String,
    pub expires_at: i64,
    pub family: Option<i64>,
    pub version: Option<i64>,
}

/// Why a token was refused (all answered 401; the reason goes to the log).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("malformed or wrongly signed token: {0}")]
    Invalid(String),
    #[error("token expired")]
    Expired,
    #[error("token is for another API version")]
    WrongApi,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct TokenSigner {
    pub(super) encoding: EncodingKey,
    pub(super) decoding: DecodingKey,
}

/// A freshly signed token.
#[derive(Debug, Clone)]
pub struct SignedToken {
    pub token: String,
    pub jti: String,
    pub expires_in: i64,
    pub expires_at: i64,
}

impl TokenSigner {
    pub fn new(key: &JwtKey) -> Self {
        Self {
            encoding: EncodingKey::from_secret(key.bytes()),
            decoding: DecodingKey::from_secret(key.bytes()),
        }
    }

    /// Signs an access token for `subject`.
    pub fn issue(
        &self,
        api: ApiVersion,
        subject: Subject,
        family: Option<i64>,
        version: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<SignedToken, String> {
        let jti = secrets::random_token(16).map_err(|e| e.to_string())?;
        let iat = now.unix_timestamp();
        let ttl = api.access_ttl_secs();
        let claims = RawClaims {
            iss: ISSUER.into(),
            aud: api.audience().into(),
            sub: subject.to_claim(),
            jti: jti.clone(),
            iat,
            exp: iat + ttl,
            fam: family,
            ver: version,
        };
        let jwt = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())?;
        let token = match api {
            ApiVersion::V1 => jwt,
            ApiVersion::V2 => format!("{V2_PREFIX}{jwt}"),
        };
        Ok(SignedToken {
            token,
            jti,
            expires_in: ttl,
            expires_at: iat + ttl,
        })
    }

    /// Checks a bearer token presented to an `api` route.
    pub fn verify(
        &self,
        token: &str,
        api: ApiVersion,
        now: OffsetDateTime,
    ) -> Result<Claims, TokenError> {
        let jwt = match (api, token.strip_prefix(V2_PREFIX)) {
            (ApiVersion::V2, Some(jwt)) => jwt,
            (ApiVersion::V1, None) => token,
            _ => return Err(TokenError::WrongApi),
        };
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.validate_exp = false; // checked below against the clock
        validation.validate_nbf = false;
        validation.leeway = 0;
        validation.set_audience(&[api.audience()]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "aud", "iss"]);
        let data =
            decode::<RawClaims>(jwt, &self.decoding, &validation).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidAudience => TokenError::WrongApi,
                _ => TokenError::Invalid(e.to_string()),
            })?;
        let c = data.claims;
        if c.exp <= now.unix_timestamp() {
            return Err(TokenError::Expired);
        }
        let subject =
            Subject::from_claim(&c.sub).ok_or_else(|| TokenError::Invalid("bad subject".into()))?;
        Ok(Claims {
            api,
            subject,
            jti: c.jti,
            expires_at: c.exp,
            family: c.fam,
            version: c.ver,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    use time::macros::datetime;

    fn signer(byte: u8) -> TokenSigner {
        TokenSigner::new(&JwtKey::from_bytes(vec![byte; 64]))
    }

    const NOW: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);

    #[test]
    fn issued_tokens_verify_for_their_api_only() {
        let s = signer(7);
        let v1 = s
            .issue(ApiVersion::V1, Subject::User(3), Some(9), None, NOW)
            .unwrap();
        assert_eq!(v1.expires_in, 3600);
        let c = s.verify(&v1.token, ApiVersion::V1, NOW).unwrap();
        assert_eq!(
            (c.subject, c.family, c.jti.clone()),
            (Subject::User(3), Some(9), v1.jti)
        );
        assert_eq!(
            s.verify(&v1.token, ApiVersion::V2, NOW),
            Err(TokenError::WrongApi)
        );

        let v2 = s
            .issue(ApiVersion::V2, Subject::Client(5), None, Some(2), NOW)
            .unwrap();
        assert!(v2.token.starts_with("v2_"));
        assert_eq!(v2.expires_in, 1800);
        assert_eq!(
            s.verify(&v2.token, ApiVersion::V2, NOW).unwrap().version,
            Some(2)
        );
        assert_eq!(
            s.verify(&v2.token, ApiVersion::V1, NOW),
            Err(TokenError::WrongApi)
        );
        // A v1 JWT with the v2 prefix glued on is still the wrong audience.
        let glued = format!("v2_{}", v1.token);
        assert_eq!(
            s.verify(&glued, ApiVersion::V2, NOW),
            Err(TokenError::WrongApi)
        );
    }

    #[test]
    fn expired_tokens_are_refused() {
        let s = signer(7);
        let t = s
            .issue(ApiVersion::V1, Subject::User(1), None, None, NOW)
            .unwrap();
        let later = NOW + time::Duration::seconds(3599);
        assert!(s.verify(&t.token, ApiVersion::V1, later).is_ok());
        let expired = NOW + time::Duration::seconds(3600);
        assert_eq!(
            s.verify(&t.token, ApiVersion::V1, expired),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn wrong_key_tampered_and_none_alg_are_refused() {
        let s = signer(7);
        let t = s
            .issue(ApiVersion::V1, Subject::User(1), None, None, NOW)
            .unwrap();
        assert!(matches!(
            signer(8).verify(&t.token, ApiVersion::V1, NOW),
            Err(TokenError::Invalid(_))
        ));

        // Change the subject in the payload, keep the signature.
        let parts: Vec<&str> = t.token.split('.').collect();
        let mut payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        payload["sub"] = "user:2".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert!(matches!(
            s.verify(&tampered, ApiVersion::V1, NOW),
            Err(TokenError::Invalid(_))
        ));

        // alg none, no signature.
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{}.", parts[1]);
        assert!(matches!(
            s.verify(&unsigned, ApiVersion::V1, NOW),
            Err(TokenError::Invalid(_))
        ));

        // Another algorithm (HS512) with the right key.
        let other = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &payload,
            &EncodingKey::from_secret(&[7u8; 64]),
        )
        .unwrap();
        assert!(matches!(
            s.verify(&other, ApiVersion::V1, NOW),
            Err(TokenError::Invalid(_))
        ));

        assert!(matches!(
            s.verify("garbage", ApiVersion::V1, NOW),
            Err(TokenError::Invalid(_))
        ));
    }
}
