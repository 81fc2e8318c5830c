//! CSV exports (v2, additions): `GET /api/v2/exports/customers`, `.../bills`,
//! `.../payments` and `.../audit`, each streamed as a `text/csv` attachment
//! (UTF-8 with a byte-order mark) with the filters of its list. The rows and
//! the streaming are `ops::exports`'s.

use futures_util::StreamExt;
use poem::{
    http::{header, StatusCode},
    web::Data,
    Body, IntoResponse, Response,
};
use poem_openapi::{
    param::Query,
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
    ApiResponse, OpenApi,
};

use crate::{
    api::{logs::audit_filter, security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        bills::{bill_filter, BillStatusFilter},
        customers::{filter as customer_filter, StatusFilter},
        filters::TimeBound,
        text::SingleLine,
    },
    error::ApiResult,
    ops::exports::{self, Export},
    state::AppState,
};

/// A CSV file, streamed: `200` with the rows as they are read.
pub struct CsvFile {
    name: String,
    chunks: exports::Chunks,
}

impl IntoResponse for CsvFile {
    fn into_response(self) -> Response {
        let stream = tokio_stream_of(self.chunks);
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", self.name),
            )
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::from_bytes_stream(stream))
    }
}

/// The channel's chunks as a stream of bytes.
fn tokio_stream_of(
    mut rx: exports::Chunks,
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)).boxed()
}

impl ApiResponse for CsvFile {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The rows as CSV: UTF-8 with a byte-order mark (so Excel shows \
                              Bangla), a header row of column names, money in major units, \
                              times as the API writes them.",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: "text/csv",
                    schema: String::schema_ref(),
                }],
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some("`attachment; filename=\"<what>-<YYYY-MM-DD>.csv\"`".into()),
                    required: true,
                    deprecated: false,
                    schema: String::schema_ref(),
                }],
            }],
        }
    }

    fn register(_registry: &mut Registry) {}
}

fn file(state: &AppState, auth: &V2Auth, what: Export) -> CsvFile {
    let ctx = state.ctx();
    CsvFile {
        name: what.filename(ctx.today()),
        chunks: exports::start(&ctx, &auth.caller(), what),
    }
}

#[derive(Default)]
pub struct ExportsV2;

#[OpenApi(tag = "ApiTags::Exports")]
impl ExportsV2 {
    /// Export customers as CSV (v2)
    ///
    /// Every customer the list's filters keep (`status`, `package_id`,
    /// `operator_id`, `search`, `from`/`to` created, `due`), in id order,
    /// streamed: 100,000 rows take the memory of a few hundred. Columns: id,
    /// username, name, phone, email, address, package, operator_id, status,
    /// connection_type, balance, expires_at, onu_mac, static_ip, ipv6_prefix,
    /// router_id, created_at. Login passwords are not exported. A reseller's
    /// staff get their own customers. Addition to the guide.
    #[oai(
        path = "/api/v2/exports/customers",
        method = "get",
        operation_id = "v2_export_customers"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn customers(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        status: Query<Option<StatusFilter>>,
        #[oai(validator(minimum(value = "1")))] package_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1")))] operator_id: Query<Option<i64>>,
        #[oai(validator(max_length = 100))] search: Query<Option<SingleLine>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
        due: Query<Option<bool>>,
    ) -> ApiResult<CsvFile> {
        let filter = customer_filter(
            status.0,
            package_id.0,
            operator_id.0,
            search.0.map(SingleLine::into_inner),
            from.0,
            to.0,
            None,
            due.0.unwrap_or(false),
        );
        Ok(file(&state, &auth, Export::Customers(filter)))
    }

    /// Export bills as CSV (v2)
    ///
    /// Filters as the bill list: `customer_id`, `status`, `from`/`to`
    /// (created); in id order, streamed. Columns: id, customer_id, amount,
    /// paid, currency, status, due_date, description, period_start,
    /// period_end, created_at. Addition to the guide.
    #[oai(
        path = "/api/v2/exports/bills",
        method = "get",
        operation_id = "v2_export_bills"
    )]
    async fn bills(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
        status: Query<Option<BillStatusFilter>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<CsvFile> {
        let filter = bill_filter(customer_id.0, status.0, from.0, to.0);
        Ok(file(&state, &auth, Export::Bills(filter)))
    }

    /// Export payments as CSV (v2)
    ///
    /// Filters: `customer_id`, `from`/`to` (received); in id order, streamed.
    /// Columns: id, customer_id, bill_id, amount, currency, method,
    /// transaction_id, received_at. Addition to the guide.
    #[oai(
        path = "/api/v2/exports/payments",
        method = "get",
        operation_id = "v2_export_payments"
    )]
    async fn payments(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<CsvFile> {
        let what = Export::Payments {
            customer_id: customer_id.0,
            from: from.0.map(TimeBound::start),
            to: to.0.map(TimeBound::end),
        };
        Ok(file(&state, &auth, what))
    }

    /// Export the audit trail as CSV (v2)
    ///
    /// Filters as the audit list (`actor`, `action`, `resource`,
    /// `resource_id`, `customer_id`, `from`/`to`), newest first, streamed;
    /// without `logs:read` only the rows about customers, and a reseller's
    /// staff only those about their own customers, without addresses.
    /// Columns: id, at, actor, actor_name, source, action, resource_type,
    /// resource_id, customer_id, reason, changes (JSON). Addition to the guide.
    #[oai(
        path = "/api/v2/exports/audit",
        method = "get",
        operation_id = "v2_export_audit"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        actor: Query<Option<SingleLine>>,
        action: Query<Option<SingleLine>>,
        resource: Query<Option<SingleLine>>,
        resource_id: Query<Option<i64>>,
        customer_id: Query<Option<i64>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<CsvFile> {
        let filter = audit_filter(
            actor.0,
            action.0,
            resource.0,
            resource_id.0,
            customer_id.0,
            (from.0, to.0),
        );
        Ok(file(&state, &auth, Export::Audit(filter)))
    }
}
