//! The SMS screen's message templates: the texts the appliance sends for
//! bills, payments, suspensions and reminders, in English and Bangla, as the
//! config file sets them (`[sms.templates]`). The public API has no operation
//! for them; they are shown, not edited, in the panel.

use poem::web::Data;
use poem_openapi::{payload::Json, Object, OpenApi};

use super::{AdminTags, StaffSession};
use crate::{
    auth::scope::Scope,
    error::{ApiError, ApiResult, ErrorCode},
    state::AppState,
};

/// One template in both languages.
#[derive(Debug, Object)]
pub struct Template {
    /// The event it is sent for, e.g. `bill_generated`.
    pub name: String,
    pub en: String,
    pub bn: String,
}

pub struct SmsApi;

#[OpenApi(tag = "AdminTags::Sms")]
impl SmsApi {
    /// The SMS templates (needs `sms:read`).
    #[oai(
        path = "/admin/api/sms/templates",
        method = "get",
        operation_id = "admin_sms_templates"
    )]
    async fn templates(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
    ) -> ApiResult<Json<Vec<Template>>> {
        if !session.caller().has(Scope::SmsRead) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "Your role may not read SMS.",
            ));
        }
        let t = &state.config.sms.templates;
        let pairs = [
            ("bill_generated", &t.bill_generated_en, &t.bill_generated_bn),
            (
                "payment_received",
                &t.payment_received_en,
                &t.payment_received_bn,
            ),
            (
                "customer_suspended",
                &t.customer_suspended_en,
                &t.customer_suspended_bn,
            ),
            (
                "customer_activated",
                &t.customer_activated_en,
                &t.customer_activated_bn,
            ),
            ("bill_reminder", &t.bill_reminder_en, &t.bill_reminder_bn),
            (
                "expiry_reminder",
                &t.expiry_reminder_en,
                &t.expiry_reminder_bn,
            ),
        ];
        Ok(Json(
            pairs
                .into_iter()
                .map(|(name, en, bn)| Template {
                    name: name.into(),
                    en: en.clone(),
                    bn: bn.clone(),
                })
                .collect(),
        ))
    }
}
