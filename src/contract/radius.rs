//! The answers of the RADIUS routes: a session as accounting reported it.

use poem_openapi::Object;

use crate::{paginated, store::radius_sessions::SessionRow};

/// A RADIUS session: what the router's accounting said about one login.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct RadiusSession {
    pub id: i64,
    /// The router (NAS) that reported it (null once the router is removed).
    #[oai(nullable)]
    pub router_id: Option<i64>,
    #[oai(nullable)]
    pub router_name: Option<String>,
    /// The router's Acct-Session-Id.
    pub session_id: String,
    /// The customer whose login it is (null for a name the appliance does
    /// not know).
    #[oai(nullable)]
    pub customer_id: Option<i64>,
    pub username: String,
    /// The address the subscriber was given.
    #[oai(nullable)]
    pub framed_ip: Option<String>,
    /// Calling-Station-Id: the subscriber's MAC address for PPPoE.
    #[oai(nullable)]
    pub calling_station_id: Option<String>,
    pub started_at: String,
    /// The last accounting update.
    pub updated_at: String,
    #[oai(nullable)]
    pub stopped_at: Option<String>,
    /// Why it ended (Acct-Terminate-Cause), e.g. `User-Request`,
    /// `Lost-Carrier`, `NAS-Reboot`.
    #[oai(nullable)]
    pub terminate_cause: Option<String>,
    /// No Stop yet.
    pub active: bool,
    /// Seconds online (Acct-Session-Time).
    pub session_time: i64,
    /// Octets received from the subscriber (their upload), gigawords included.
    pub input_octets: i64,
    /// Octets sent to the subscriber (their download), gigawords included.
    pub output_octets: i64,
}

impl From<SessionRow> for RadiusSession {
    fn from(r: SessionRow) -> Self {
        Self {
            id: r.id,
            router_id: r.router_id,
            router_name: r.router_name,
            session_id: r.session_id,
            customer_id: r.customer_id,
            username: r.username,
            framed_ip: r.framed_ip,
            calling_station_id: r.calling_station_id,
            started_at: r.started_at,
            updated_at: r.updated_at,
            active: r.stopped_at.is_none(),
            stopped_at: r.stopped_at,
            terminate_cause: r.terminate_cause,
            session_time: r.session_time,
            input_octets: r.input_octets,
            output_octets: r.output_octets,
        }
    }
}

paginated!(RadiusSessionList, RadiusSession);
