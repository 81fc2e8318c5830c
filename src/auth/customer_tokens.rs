//! Customer tokens: a kind of their own, so no staff scope can be reached with
//! one. `c_` + an HS256 JWT with audience `ispbills-customer` and subject
//! `customer:N`; the staff verifier refuses it (wrong audience, wrong prefix)
//! and this one refuses staff tokens. `ver` is the customer's
//! `portal_auth_version` when issued (a password change bumps it, ending every
//! other session). `knd` is what the token may do: `full` (a login) or `pay`
//! (reached without a password — the suspension page, a payment link — it
//! can see what is due and start a payment, nothing else).

use jsonwebtoken::{decode, encode, Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    secrets,
    tokens::{SignedToken, TokenError, TokenSigner},
};

pub const CUSTOMER_PREFIX: &str = "c_";
const AUDIENCE: &str = "ispbills-customer";
const ISSUER: &str = "ispbills";
/// A login lasts an hour; a payment-only token half an hour.
pub const FULL_TTL_SECS: i64 = 3600;
pub const PAY_TTL_SECS: i64 = 1800;

/// What a customer token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// A login (password or one-time code): everything of the customer's own.
    Full,
    /// Proven by address or a signed link: what is due, and paying it.
    Pay,
}

impl Reach {
    fn as_str(self) -> &'static str {
        match self {
            Reach::Full => "full",
            Reach::Pay => "pay",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "full" => Some(Reach::Full),
            "pay" => Some(Reach::Pay),
            _ => None,
        }
    }

    fn ttl(self) -> i64 {
        match self {
            Reach::Full => FULL_TTL_SECS,
            Reach::Pay => PAY_TTL_SECS,
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
    ver: i64,
    knd: String,
}

/// What a valid customer token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerClaims {
    pub customer_id: i64,
    pub version: i64,
    pub reach: Reach,
    pub expires_at: i64,
    /// The token's own id (a logout revokes it).
    pub jti: String,
}

impl TokenSigner {
    /// Signs a token for customer `customer_id`.
    pub fn issue_customer(
        &self,
        customer_id: i64,
        version: i64,
        reach: Reach,
        now: OffsetDateTime,
    ) -> Result<SignedToken, String> {
        let jti = secrets::random_token(16).map_err(|e| e.to_string())?;
        let iat = now.unix_timestamp();
        let ttl = reach.ttl();
        let claims = RawClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: format!("customer:{customer_id}"),
            jti: jti.clone(),
            iat,
            exp: iat + ttl,
            ver: version,
            knd: reach.as_str().into(),
        };
        let jwt = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())?;
        Ok(SignedToken {
            token: format!("{CUSTOMER_PREFIX}{jwt}"),
            jti,
            expires_in: ttl,
            expires_at: iat + ttl,
        })
    }

    /// Checks a customer's bearer token (signature, audience, expiry by the
    /// appliance's clock); the version is checked by the caller.
    pub fn verify_customer(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<CustomerClaims, TokenError> {
        let jwt = token
            .strip_prefix(CUSTOMER_PREFIX)
            .ok_or(TokenError::WrongApi)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "aud", "iss"]);
        let c = decode::<RawClaims>(jwt, &self.decoding, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidAudience => TokenError::WrongApi,
                _ => TokenError::Invalid(e.to_string()),
            })?
            .claims;
        if c.exp <= now.unix_timestamp() {
            return Err(TokenError::Expired);
        }
        let customer_id = c
            .sub
            .strip_prefix("customer:")
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| TokenError::Invalid("bad subject".into()))?;
        let reach = Reach::parse(&c.knd).ok_or_else(|| TokenError::Invalid("bad kind".into()))?;
        Ok(CustomerClaims {
            customer_id,
            version: c.ver,
            reach,
            expires_at: c.exp,
            jti: c.jti,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{
        keys::JwtKey,
        tokens::{ApiVersion, Subject},
    };
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-05-01 10:00:00 UTC);

    fn signer() -> TokenSigner {
        TokenSigner::new(&JwtKey::from_bytes(vec![7; 64]))
    }

    #[test]
    fn customer_and_staff_tokens_never_stand_for_each_other() {
        let s = signer();
        let c = s.issue_customer(12, 3, Reach::Full, NOW).unwrap();
        assert!(c.token.starts_with("c_"));
        let claims = s.verify_customer(&c.token, NOW).unwrap();
        assert_eq!(
            (claims.customer_id, claims.version, claims.reach),
            (12, 3, Reach::Full)
        );
        // A customer token on a staff route, bare or with the prefix taken off.
        assert!(s.verify(&c.token, ApiVersion::V1, NOW).is_err());
        assert!(s.verify(&c.token, ApiVersion::V2, NOW).is_err());
        let bare = c.token.trim_start_matches("c_");
        assert_eq!(
            s.verify(bare, ApiVersion::V1, NOW),
            Err(TokenError::WrongApi)
        );
        let glued = format!("v2_{bare}");
        assert_eq!(
            s.verify(&glued, ApiVersion::V2, NOW),
            Err(TokenError::WrongApi)
        );
        // Staff tokens on a customer route, bare or with the prefix glued on.
        let staff = s
            .issue(ApiVersion::V1, Subject::User(12), Some(1), None, NOW)
            .unwrap();
        assert_eq!(
            s.verify_customer(&staff.token, NOW),
            Err(TokenError::WrongApi)
        );
        assert!(s
            .verify_customer(&format!("c_{}", staff.token), NOW)
            .is_err());
    }

    #[test]
    fn customer_tokens_expire_by_their_kind() {
        let s = signer();
        let pay = s.issue_customer(1, 0, Reach::Pay, NOW).unwrap();
        assert_eq!(pay.expires_in, PAY_TTL_SECS);
        let later = NOW + time::Duration::seconds(PAY_TTL_SECS);
        assert_eq!(
            s.verify_customer(&pay.token, later),
            Err(TokenError::Expired)
        );
        let full = s.issue_customer(1, 0, Reach::Full, NOW).unwrap();
        assert!(s.verify_customer(&full.token, later).is_ok());
    }
}
