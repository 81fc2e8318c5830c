//! The API's two security schemes and the extractors handlers use to get the
//! caller. Both are OAuth 2.0 flows issuing bearer tokens, so operations can list
//! their scopes in the document: v1 is the password flow (`POST /api/auth/login`),
//! v2 the client-credentials flow (`POST /api/v2/auth/token`).
//!
//! Authentication itself happens in the API gate before the handler runs; the
//! extractors only hand over the [`Principal`] the gate found.

use std::{collections::HashMap, sync::Arc};

use poem::{http::Method, Request, RequestBody};
use poem_openapi::{
    registry::{MetaApi, MetaOAuthFlow, MetaOAuthFlows, MetaSecurityScheme, Registry},
    ApiExtractor, ApiExtractorType, ExtractParamOptions, OAuthScopes, OpenApi,
};

use crate::{
    auth::{principal::Principal, scope::Scope, tokens::ApiVersion},
    error::{ApiError, ErrorCode},
};

pub const V1_SCHEME: &str = "v1_bearer";
pub const V2_SCHEME: &str = "v2_bearer";
/// Customers' own tokens (`/api/v2/me`): a kind apart from staff and clients.
pub const CUSTOMER_SCHEME: &str = "customer_bearer";

fn customer_scheme() -> MetaSecurityScheme {
    MetaSecurityScheme {
        ty: "http",
        description: Some(
            "Customer API. A customer logs in with `POST /api/v2/me/login` (login name and \
             password) or `POST /api/v2/me/otp` + `/api/v2/me/otp/verify` (a code by SMS) and \
             sends `Authorization: Bearer c_...`. Tokens last 3600 s and reach only the \
             customer's own records; staff and client tokens are refused here, and customer \
             tokens everywhere else. A password change ends the customer's other tokens.",
        ),
        name: None,
        key_in: None,
        scheme: Some("bearer"),
        bearer_format: Some("JWT"),
        flows: None,
        openid_connect_url: None,
    }
}

/// The customer calling a `/api/v2/me` operation (the gate checked the token).
pub struct CustomerAuth(pub Arc<crate::auth::customer_tokens::CustomerClaims>);

impl CustomerAuth {
    pub fn customer_id(&self) -> i64 {
        self.0.customer_id
    }

    /// The customer, for operations that need a login (not a payment-only
    /// token from the suspension page or a payment link).
    pub fn full(&self) -> Result<i64, ApiError> {
        match self.0.reach {
            crate::auth::customer_tokens::Reach::Full => Ok(self.0.customer_id),
            crate::auth::customer_tokens::Reach::Pay => Err(ApiError::new(
                ErrorCode::Forbidden,
                "Log in to see this: this token can only pay what is due.",
            )),
        }
    }
}

impl<'a> ApiExtractor<'a> for CustomerAuth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(CUSTOMER_SCHEME, customer_scheme());
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![CUSTOMER_SCHEME]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match req
            .extensions()
            .get::<Arc<crate::auth::customer_tokens::CustomerClaims>>()
        {
            Some(c) => Ok(Self(c.clone())),
            None => Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "The token is missing, invalid, expired or revoked.",
            )
            .into()),
        }
    }
}

fn v1_scheme() -> MetaSecurityScheme {
    MetaSecurityScheme {
        ty: "oauth2",
        description: Some(
            "API v1. Get a token pair with `POST /api/auth/login` (JSON `{\"email\",\"password\"}`, \
             or the OAuth 2.0 password grant as a form) and send `Authorization: Bearer <access_token>`. \
             Tokens last 3600 s; renew with `POST /api/auth/refresh`. Staff tokens carry the \
             scopes of the user's role; API client tokens the client's scopes.",
        ),
        name: None,
        key_in: None,
        scheme: None,
        bearer_format: None,
        flows: Some(MetaOAuthFlows {
            implicit: None,
            password: Some(MetaOAuthFlow {
                authorization_url: None,
                token_url: Some("/api/auth/login"),
                refresh_url: Some("/api/auth/refresh"),
                scopes: Scope::meta(),
            }),
            client_credentials: None,
            authorization_code: None,
        }),
        openid_connect_url: None,
    }
}

fn v2_scheme() -> MetaSecurityScheme {
    MetaSecurityScheme {
        ty: "oauth2",
        description: Some(
            "API v2. Exchange the client id and secret at `POST /api/v2/auth/token` (JSON, or the \
             OAuth 2.0 client-credentials grant as a form, credentials in the body or HTTP Basic) \
             and send `Authorization: Bearer v2_...`. Tokens last 1800 s; `POST /api/v2/auth/revoke` \
             ends one at once.",
        ),
        name: None,
        key_in: None,
        scheme: None,
        bearer_format: None,
        flows: Some(MetaOAuthFlows {
            implicit: None,
            password: None,
            client_credentials: Some(MetaOAuthFlow {
                authorization_url: None,
                token_url: Some("/api/v2/auth/token"),
                refresh_url: None,
                scopes: Scope::meta(),
            }),
            authorization_code: None,
        }),
        openid_connect_url: None,
    }
}

fn principal_for(req: &Request, api: ApiVersion) -> poem::Result<Arc<Principal>> {
    match req.extensions().get::<Arc<Principal>>() {
        Some(p) if p.api == api => Ok(p.clone()),
        _ => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "The token is missing, invalid, expired or revoked.",
        )
        .into()),
    }
}

macro_rules! auth_extractor {
    ($name:ident, $scheme:expr, $meta:expr, $api:expr, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(pub Arc<Principal>, pub Option<std::net::IpAddr>);

        impl $name {
            /// Who acts, as the operations take it, from which address.
            pub fn caller(&self) -> $crate::ops::Caller {
                let mut caller = $crate::ops::Caller::from(&*self.0);
                caller.source = self.1;
                caller
            }
        }

        impl<'a> ApiExtractor<'a> for $name {
            const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
            type ParamType = ();
            type ParamRawType = ();

            fn register(registry: &mut Registry) {
                registry.create_security_scheme($scheme, $meta);
            }

            fn security_schemes() -> Vec<&'static str> {
                vec![$scheme]
            }

            async fn from_request(
                req: &'a Request,
                _body: &mut RequestBody,
                _opts: ExtractParamOptions<Self::ParamType>,
            ) -> poem::Result<Self> {
                let addr = req
                    .extensions()
                    .get::<$crate::auth::client_addr::ClientAddr>()
                    .and_then(|a| a.0);
                principal_for(req, $api).map(|p| Self(p, addr))
            }
        }
    };
}

auth_extractor!(
    V1Auth,
    V1_SCHEME,
    v1_scheme(),
    ApiVersion::V1,
    "The caller of a v1 operation."
);
auth_extractor!(
    V2Auth,
    V2_SCHEME,
    v2_scheme(),
    ApiVersion::V2,
    "The caller of a v2 operation."
);

/// The API version a security scheme name stands for.
pub fn scheme_api(scheme: &str) -> Option<ApiVersion> {
    match scheme {
        V1_SCHEME => Some(ApiVersion::V1),
        V2_SCHEME => Some(ApiVersion::V2),
        _ => None,
    }
}

/// Puts both schemes into the document's components, whichever operations use them.
#[derive(Default)]
pub struct SecuritySchemes;

impl OpenApi for SecuritySchemes {
    fn meta() -> Vec<MetaApi> {
        Vec::new()
    }

    fn register(registry: &mut Registry) {
        <V1Auth as ApiExtractor>::register(registry);
        <V2Auth as ApiExtractor>::register(registry);
        <CustomerAuth as ApiExtractor>::register(registry);
    }

    fn add_routes(
        self,
        _route_table: &mut HashMap<String, HashMap<Method, poem::endpoint::BoxEndpoint<'static>>>,
    ) {
    }
}
