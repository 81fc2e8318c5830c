//! Panel login: `POST/GET/DELETE /admin/api/session`, and the [`StaffSession`]
//! extractor every other panel endpoint starts with.

use poem::{http::Method, web::Data, FromRequest, Request, RequestBody};
use poem_openapi::{payload::Json, ApiResponse, Object, OpenApi};

use super::AdminTags;
use crate::{
    auth::login_guard::{address_key, check_credentials, SecondFactor},
    auth::principal::role_scopes,
    auth::service::AuthError,
    auth::sessions::{cookie, cookie_token, csrf_matches, csrf_token, CSRF_HEADER},
    contract::{body::JsonBody, session::PanelLogin},
    domain::billing::IspConfig,
    domain::{staff::Role, visibility::Visibility},
    error::{ApiError, ApiResult, ErrorCode},
    http_security::request_is_https,
    ops::{Actor, Caller},
    state::AppState,
    store::staff_users::StaffUser,
};

/// The logged-in staff user of a panel request.
pub struct StaffSession {
    pub user: StaffUser,
    pub token: String,
    /// The user must set up a second factor before anything else.
    pub setup_required: bool,
    /// The caller's address (through `[server] trusted_proxies`).
    pub source: Option<std::net::IpAddr>,
}

impl StaffSession {
    /// The user as the caller of an operation: their role's scopes and
    /// visibility, as the API gate gives their session.
    pub fn caller(&self) -> Caller {
        let role = self.user.role;
        Caller {
            actor: Actor::User(self.user.id),
            scopes: role_scopes(role),
            role: Some(role),
            visibility: Visibility::of_role(Some(role), self.user.operator_id),
            source: self.source,
        }
    }

    /// 403 unless the user is an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.user.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                "Only administrators may do this.",
            ))
        }
    }
}

impl<'a> FromRequest<'a> for StaffSession {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let SetupSession(session) = SetupSession::from_request(req, body).await?;
        if session.setup_required {
            return Err(ApiError::from(AuthError::TwoFactorSetupRequired).into());
        }
        Ok(session)
    }
}

/// A panel session that may still have to set up its second factor: what the
/// session and two-factor endpoints take ([`StaffSession`] refuses it).
pub struct SetupSession(pub StaffSession);

impl<'a> FromRequest<'a> for SetupSession {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let unauthenticated = || -> poem::Error {
            ApiError::new(ErrorCode::Unauthenticated, "Please log in.").into()
        };
        let state = req.data::<AppState>().ok_or_else(unauthenticated)?.clone();
        let token = cookie_token(req.headers()).ok_or_else(unauthenticated)?;
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let presented = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !csrf_matches(&token, presented) {
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    "The CSRF token is missing or wrong; reload the panel.",
                )
                .into());
            }
        }
        let lookup = token.clone();
        let auth = state.auth.clone();
        let user = tokio::task::spawn_blocking(move || auth.session_user(&lookup))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::from)?
            .ok_or_else(unauthenticated)?;
        let setup_required = state.auth.must_set_up(&user);
        Ok(Self(StaffSession {
            user,
            token,
            setup_required,
            source: state.trusted_proxies.client_of(req),
        }))
    }
}

#[derive(Debug, Object)]
pub struct StaffUserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    /// What the role may do through the API (the panel hides what it may not).
    pub scopes: Vec<String>,
    /// Whether the user logs in with a second factor (TOTP).
    pub two_factor: bool,
}

impl From<&StaffUser> for StaffUserView {
    fn from(u: &StaffUser) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.to_string(),
            scopes: role_scopes(u.role)
                .names()
                .into_iter()
                .map(String::from)
                .collect(),
            two_factor: u.two_factor,
        }
    }
}

/// The session: who is logged in, and the token to send as `X-CSRF-Token`.
#[derive(Debug, Object)]
pub struct SessionView {
    pub user: StaffUserView,
    pub csrf_token: String,
    /// The ISP the panel shows times and printouts for.
    pub isp: IspView,
    /// The user's role must log in with a second factor and they have not
    /// set one up: until they do, the session can only set it up (anything
    /// else is 403 `TWO_FACTOR_SETUP_REQUIRED`).
    pub two_factor_setup_required: bool,
}

/// What the panel needs of `[isp]`: its local time and what goes on printouts.
#[derive(Debug, Object)]
pub struct IspView {
    pub name: String,
    /// The ISP's local time as an offset from UTC, e.g. `+06:00`: the panel
    /// shows every time in it.
    pub utc_offset: String,
    pub address: String,
    pub phone: String,
    /// Whether `[isp] logo` is set: the logo is at `/branding/logo`.
    pub logo: bool,
}

impl SessionView {
    pub fn new(isp: &IspConfig, user: &StaffUser, token: &str, setup_required: bool) -> Self {
        Self {
            two_factor_setup_required: setup_required,
            user: user.into(),
            csrf_token: csrf_token(token),
            isp: IspView {
                name: isp.name.clone(),
                utc_offset: isp.utc_offset.clone(),
                address: isp.address.clone(),
                phone: isp.phone.clone(),
                logo: !isp.logo.is_empty(),
            },
        }
    }
}

#[derive(ApiResponse)]
pub enum SessionOpened {
    /// Logged in; the session cookie is set.
    #[oai(status = 200)]
    Ok(Json<SessionView>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
pub enum SessionClosed {
    /// Logged out; the cookie is cleared.
    #[oai(status = 204)]
    NoContent(#[oai(header = "Set-Cookie")] String),
}

pub struct SessionApi;

#[OpenApi(tag = "AdminTags::Session")]
impl SessionApi {
    /// Log in to the panel (throttled like the API login).
    #[oai(
        path = "/admin/api/session",
        method = "post",
        operation_id = "admin_login"
    )]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<PanelLogin>,
    ) -> ApiResult<SessionOpened> {
        let secure = request_is_https(&state.config.server, &state.trusted_proxies, req);
        let PanelLogin {
            email,
            password,
            otp,
        } = body.0;
        let auth = state.auth.clone();
        let address = address_key(&state.trusted_proxies, req);
        // A user who must set up a second factor gets a session that can
        // only do that (see `StaffSession`).
        let factor = SecondFactor {
            otp,
            may_set_up: true,
        };
        let (user, token) = check_credentials(
            state.login_guard(),
            &address,
            email,
            password,
            factor,
            move |user| Ok((user.clone(), auth.open_session(user)?)),
        )
        .await?;
        let setup_required = state.auth.must_set_up(&user);
        let view = SessionView::new(&state.config.isp, &user, &token, setup_required);
        Ok(SessionOpened::Ok(Json(view), cookie(Some(&token), secure)))
    }

    /// The current session.
    #[oai(
        path = "/admin/api/session",
        method = "get",
        operation_id = "admin_session"
    )]
    async fn current(
        &self,
        state: Data<&AppState>,
        SetupSession(session): SetupSession,
    ) -> Json<SessionView> {
        Json(SessionView::new(
            &state.config.isp,
            &session.user,
            &session.token,
            session.setup_required,
        ))
    }

    /// Log out.
    #[oai(
        path = "/admin/api/session",
        method = "delete",
        operation_id = "admin_logout"
    )]
    async fn logout(
        &self,
        state: Data<&AppState>,
        req: &Request,
        SetupSession(session): SetupSession,
    ) -> ApiResult<SessionClosed> {
        let secure = request_is_https(&state.config.server, &state.trusted_proxies, req);
        let auth = state.auth.clone();
        tokio::task::spawn_blocking(move || auth.close_session(&session.token))
            .await
            .map_err(ApiError::internal)??;
        Ok(SessionClosed::NoContent(cookie(None, secure)))
    }
}
