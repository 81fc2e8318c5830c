//! The panel dashboard's chart data that the public API has no operation for:
//! collections per day in the ISP's local time.

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, Object, OpenApi};
use time::{Duration, Time};

use super::{AdminTags, StaffSession};
use crate::{
    clock::format_timestamp, contract::money::Amount, domain::money::Money,
    domain::visibility::Visibility, error::ApiResult, state::AppState, store::payments,
};

/// Money collected on one local day.
#[derive(Debug, Object)]
pub struct DayTotal {
    /// `YYYY-MM-DD` in the ISP's time zone.
    pub date: String,
    pub amount: Amount,
}

#[derive(Debug, Object)]
pub struct Collections {
    pub currency: String,
    /// One entry per day, oldest first, today last (days without payments: 0).
    pub days: Vec<DayTotal>,
    pub total: Amount,
}

pub struct DashboardApi;

#[OpenApi(tag = "AdminTags::Dashboard")]
impl DashboardApi {
    /// Collections per day over the last `days` days (default 30, at most 366).
    #[oai(
        path = "/admin/api/dashboard/collections",
        method = "get",
        operation_id = "admin_collections"
    )]
    async fn collections(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        #[oai(validator(minimum(value = "1"), maximum(value = "366")))] days: Query<Option<i64>>,
    ) -> ApiResult<Json<Collections>> {
        let days = days.0.unwrap_or(30);
        let vis = Visibility::of_role(Some(session.user.role), session.user.operator_id);
        let offset = state.config.isp.offset();
        let today = state.clock.now().to_offset(offset).date();
        let first = today - Duration::days(days - 1);
        let since = format_timestamp(first.with_time(Time::MIDNIGHT).assume_offset(offset));
        let offset_secs = offset.whole_seconds();
        let found = state
            .db
            .read_async(move |c| payments::daily_collections(c, vis, &since, offset_secs))
            .await?;
        let mut total = 0;
        let days = (0..days)
            .map(|i| {
                let date = (first + Duration::days(i)).to_string();
                let minor = found
                    .iter()
                    .find(|(d, _)| *d == date)
                    .map_or(0, |(_, m)| m.0);
                total += minor;
                DayTotal {
                    date,
                    amount: Amount(Money(minor)),
                }
            })
            .collect();
        Ok(Json(Collections {
            currency: "BDT".into(),
            days,
            total: Amount(Money(total)),
        }))
    }
}
