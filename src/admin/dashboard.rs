//! The panel dashboard's chart data that the public API has no operation for:
//! collections per day in the ISP's local time.

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, Object, OpenApi};

use super::{AdminTags, StaffSession};
use crate::{contract::money::Amount, error::ApiResult, ops, state::AppState};

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
        let (days, total) =
            ops::collections::per_day(&state.ctx(), &session.caller(), days).await?;
        let days = days
            .into_iter()
            .map(|d| DayTotal {
                date: d.date,
                amount: Amount(d.amount),
            })
            .collect();
        Ok(Json(Collections {
            currency: "BDT".into(),
            days,
            total: Amount(total),
        }))
    }
}
