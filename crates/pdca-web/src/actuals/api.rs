//! The actuals of the JSON API: reading current values as the caller's role may see them, and
//! writing (as drafts, with optimistic versions), submitting, approving and returning them.
//! The same checks as the entry form: the import's validation, who may edit what, and a stale
//! version refused with 409 and the current value. Session-cookie writes must send the CSRF
//! token in `X-CSRF-Token`; bearer tokens need none.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use pdca_core::FiscalYear;
use pdca_core::access::{ActualState, Role};
use pdca_core::{ActualValue, Plan};
use pdca_store::{StoreError, StoredActual, Visibility};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actuals::rules::{TypedValue, check_may_edit, editable, save_draft, validate_typed};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::view::{AppQuery, choose_plan};
use crate::openapi::{ApiError, ApiFiscalYear, ErrorBody, PageQuery, number_key, paginate};
use crate::progress::api::UNAUTHORIZED;
use crate::{AppState, WebError};

/// The header a session-cookie client sends its CSRF token in.
const CSRF_HEADER: &str = "x-csrf-token";

/// The routes of this module, with their operations.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_actuals, write_actual))
        .routes(routes!(submit))
        .routes(routes!(approve))
        .routes(routes!(return_actual))
}

/// Where a value stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ActualStateJson {
    /// Being entered by its body.
    Draft,
    /// Sent to the secretariat.
    Submitted,
    /// Approved: evaluations use it.
    Approved,
    /// Sent back to its body with a comment.
    Returned,
    /// Approved and locked with its year.
    Locked,
}

impl From<ActualState> for ActualStateJson {
    fn from(state: ActualState) -> Self {
        match state {
            ActualState::Draft => ActualStateJson::Draft,
            ActualState::Submitted => ActualStateJson::Submitted,
            ActualState::Approved => ActualStateJson::Approved,
            ActualState::Returned => ActualStateJson::Returned,
            ActualState::Locked => ActualStateJson::Locked,
        }
    }
}

/// A stored value (one revision) as the API shows it; `id` is its version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Actual {
    /// The revision's id.
    id: i64,
    /// The same: send it back to write or change this value.
    version: i64,
    /// The indicator.
    indicator_id: String,
    /// The fiscal year.
    fiscal_year: i32,
    /// The reporting body's id.
    body: String,
    /// A count or level.
    value: Option<f64>,
    /// A ratio's numerator.
    numerator: Option<f64>,
    /// A ratio's denominator.
    denominator: Option<f64>,
    /// A management indicator's narrative status.
    narrative: Option<String>,
    /// The body's note.
    note: Option<String>,
    /// Where the figure comes from.
    source: Option<String>,
    /// Where it stands.
    state: ActualStateJson,
    /// The secretariat's comment when it was returned.
    review_comment: Option<String>,
    /// Who recorded this revision.
    recorded_by: String,
    /// When, RFC 3339 in UTC.
    #[schema(format = DateTime)]
    recorded_at: String,
}

/// A stored value as the API shows it; `id` is its version.
pub(crate) fn actual_of(a: &StoredActual) -> Actual {
    let c = &a.contribution;
    let (value, numerator, denominator, narrative) = match &c.value {
        ActualValue::Number(v) => (Some(*v), None, None, None),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => (None, Some(*numerator), Some(*denominator), None),
        ActualValue::Narrative(t) => (None, None, None, Some(t.clone())),
    };
    Actual {
        id: a.id,
        version: a.id,
        indicator_id: c.indicator.clone(),
        fiscal_year: c.year.year(),
        body: c.body.clone(),
        value,
        numerator,
        denominator,
        narrative,
        note: a.note.clone(),
        source: a.source.clone(),
        state: a.state.into(),
        review_comment: a.review_comment.clone(),
        recorded_by: a.recorded_by.clone(),
        recorded_at: a.recorded_at.clone(),
    }
}

/// [`actual_of`] as JSON, for the `current` of a conflict.
fn actual_json(a: &StoredActual) -> Value {
    serde_json::to_value(actual_of(a)).unwrap_or(Value::Null)
}

fn invalid(field: &str, message: impl Into<String>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "error": { "code": "invalid", "message": message.into(), "field": field } })),
    )
        .into_response()
}

fn conflict(message: String, current: Option<&StoredActual>) -> Response {
    (
        StatusCode::CONFLICT,
        Json(json!({ "error": {
            "code": "conflict",
            "message": message,
            "current": current.map(actual_json),
        } })),
    )
        .into_response()
}

fn read_only(message: String) -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({ "error": { "code": "forbidden", "message": message } })),
    )
        .into_response()
}

fn check_csrf(user: &CurrentUser, headers: &HeaderMap) -> Result<(), WebError> {
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    user.check_csrf(sent)
}

fn bad_json(rejection: JsonRejection) -> WebError {
    WebError::BadRequest {
        param: "body".to_owned(),
        message: rejection.body_text(),
    }
}

/// A JSON scalar as the text a form field would hold.
fn text_of(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The current row of one key, whatever its state.
async fn current_of(
    state: &AppState,
    plan: &Plan,
    indicator: &str,
    fy: FiscalYear,
    body: &str,
) -> Result<Option<StoredActual>, WebError> {
    Ok(state
        .store
        .revisions_of(&plan.id, indicator, Some(fy))
        .await?
        .into_iter()
        .filter(|a| a.contribution.body == body)
        .max_by_key(|a| a.id))
}

// ---------------------------------------------------------------------------------------------
// Reading

/// What to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// The plan's id; by default the built-in plan, or the only plan.
    plan: Option<String>,
    /// Only this fiscal year.
    #[param(inline)]
    fy: Option<ApiFiscalYear>,
    /// Only this indicator's values.
    indicator: Option<String>,
}

/// A page of values, by revision id.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ActualPage {
    /// The values of this page.
    actuals: Vec<Actual>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// `GET /api/v1/actuals[?plan=][&fy=][&indicator=][&limit=][&cursor=]`: the current values
/// the caller may see — everything for the secretariat and the committee, approved values for
/// the others, and a body's own values whatever their state — by revision id, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/actuals",
    operation_id = "listActuals",
    summary = "The current values with their state and version, as the caller's role may see them (approved values, plus a body's own values; everything for the secretariat and the committee), by revision id, a page at a time.",
    params(ListQuery, PageQuery),
    responses(
        (status = 200, description = "A page of the current values the caller may see.", body = ActualPage),
        (status = 400, description = "A parameter cannot be read, or `plan` is missing while there are several plans (code `bad_request`; `invalid_cursor` for `cursor`).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = crate::progress::api::PASSWORD_CHANGE, body = ErrorBody),
        (status = 404, description = "No such plan (code `not_found`).", body = ErrorBody),
    )
)]
async fn list_actuals(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<ListQuery>,
    AppQuery(page): AppQuery<PageQuery>,
) -> Result<Json<ActualPage>, ApiError> {
    let request = page.request()?;
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let fy = query.fy.map(|fy| fy.0);
    let all = state
        .store
        .current_actuals_as(&plan.id, Visibility::All)
        .await?;
    let rows: Vec<StoredActual> = if user.role().reads_unapproved() {
        all
    } else {
        let own = match user.role() {
            Role::Body => user.user.body.clone(),
            _ => None,
        };
        let approved = state
            .store
            .current_actuals_as(&plan.id, Visibility::Approved)
            .await?;
        let mut rows: Vec<StoredActual> = approved
            .into_iter()
            .filter(|a| own.as_deref() != Some(a.contribution.body.as_str()))
            .collect();
        rows.extend(
            all.into_iter()
                .filter(|a| own.as_deref() == Some(a.contribution.body.as_str())),
        );
        rows
    };
    let indicator = query
        .indicator
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let rows: Vec<StoredActual> = rows
        .into_iter()
        .filter(|a| fy.is_none_or(|fy| a.contribution.year == fy))
        .filter(|a| indicator.is_none_or(|i| a.contribution.indicator == i))
        .collect();
    let (rows, next_cursor) = paginate(
        rows,
        |a| number_key(u64::try_from(a.id).unwrap_or(0)),
        &request,
    );
    Ok(Json(ActualPage {
        actuals: rows.iter().map(actual_of).collect(),
        next_cursor,
    }))
}

// ---------------------------------------------------------------------------------------------
// Writing

/// A value to record as a draft.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ActualWrite {
    /// The plan's id; by default the built-in plan, or the only plan.
    plan: Option<String>,
    /// The indicator.
    #[schema(example = "p1-out-01")]
    indicator_id: String,
    /// The fiscal year.
    #[schema(schema_with = ApiFiscalYear::json_field_schema)]
    fiscal_year: Value,
    /// The body's id, name or short name; a body user's own body by default.
    #[schema(example = "amed")]
    body: Option<String>,
    /// A count or level, as a number or as the text a form field would hold.
    #[schema(schema_with = scalar_schema)]
    value: Option<Value>,
    /// A ratio's numerator.
    #[schema(schema_with = scalar_schema)]
    numerator: Option<Value>,
    /// A ratio's denominator.
    #[schema(schema_with = scalar_schema)]
    denominator: Option<Value>,
    /// A management indicator's narrative status (instead of `value`).
    narrative: Option<String>,
    /// A note.
    note: Option<String>,
    /// Where the figure comes from.
    source: Option<String>,
    /// The version read; null or absent when nothing is recorded yet.
    #[serde(default, deserialize_with = "crate::openapi::json_int::optional")]
    version: Option<i64>,
}

/// A number, a text or null.
fn scalar_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![
            Type::Number,
            Type::String,
            Type::Null,
        ]))
        .build()
        .into()
}

/// `POST /api/v1/actuals`: records a value as a draft if `version` is still the current one
/// (`null` when nothing is recorded yet): 201 with the stored revision, 422 with the field to
/// blame, or 409 with the current value.
#[utoipa::path(
    post,
    path = "/api/v1/actuals",
    operation_id = "writeActual",
    summary = "Records a value as a draft if `version` is still current (secretariat, or a body for its assigned indicators). Sessions send `X-CSRF-Token`.",
    request_body = ActualWrite,
    responses(
        (status = 201, description = "The stored revision; its `id` is the new version.", body = Actual),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = "No such plan (code `not_found`).", body = ErrorBody),
        (status = 409, description = "The version is stale (code `conflict`, with `current`).", body = ErrorBody),
        (status = 422, description = "A field is invalid: no such indicator or body, a year outside the plan's period, a value the indicator cannot take (code `invalid`, with `field`).", body = ErrorBody),
    )
)]
async fn write_actual(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Reporters>,
    headers: HeaderMap,
    input: Result<Json<ActualWrite>, JsonRejection>,
) -> Result<Response, WebError> {
    check_csrf(&user, &headers)?;
    let Json(input) = input.map_err(bad_json)?;
    let fy = match ApiFiscalYear::from_json(&input.fiscal_year) {
        Ok(fy) => fy.0,
        Err(message) => return Ok(invalid("fiscal_year", message)),
    };
    let plan = choose_plan(&state.store, input.plan.as_deref()).await?;
    let mut body = input.body.clone().unwrap_or_default();
    if user.role() == Role::Body {
        let own = user.user.body.clone().ok_or(WebError::Forbidden)?;
        if !body.trim().is_empty() && plan.body(body.trim()).map(|b| b.id.as_str()) != Some(&own) {
            return Err(WebError::Forbidden);
        }
        if let Some(indicator) = plan.indicator(input.indicator_id.trim()) {
            check_may_edit(&user, indicator, &own)?;
        }
        body = own;
    }
    let typed = TypedValue {
        indicator: input.indicator_id.clone(),
        value: match &input.narrative {
            Some(n) => n.clone(),
            None => text_of(input.value.as_ref()),
        },
        numerator: text_of(input.numerator.as_ref()),
        denominator: text_of(input.denominator.as_ref()),
        note: input.note.clone().unwrap_or_default(),
        source: input.source.clone().unwrap_or_default(),
    };
    let fy_text = fy.year().to_string();
    let validated = match validate_typed(&state, &plan, &fy_text, &body, &[typed]).await? {
        Ok(v) => v,
        Err(errors) => {
            let message = errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" / ");
            let field = errors.first().map_or("value", |e| e.field);
            return Ok(invalid(field, message));
        }
    };
    let Some(value) = validated.into_iter().next() else {
        return Ok(invalid("value", "値がありません"));
    };
    let c = value.contribution.clone();
    if let Some(indicator) = plan.indicator(&c.indicator) {
        check_may_edit(&user, indicator, &c.body)?;
    }
    let current = current_of(&state, &plan, &c.indicator, c.year, &c.body).await?;
    if !editable(user.role(), current.as_ref().map(|a| a.state)) {
        return Ok(read_only(format!(
            "指標「{}」{}・{} の実績は「{}」のため変更できません",
            c.indicator,
            c.year,
            c.body,
            current.as_ref().map_or("", |a| a.state.label_ja())
        )));
    }
    match save_draft(&state, &plan.id, value, input.version, &user.user.name).await {
        Ok(id) => {
            let stored = current_of(&state, &plan, &c.indicator, c.year, &c.body)
                .await?
                .filter(|a| a.id == id)
                .ok_or_else(|| WebError::Internal(format!("revision {id} not found")))?;
            Ok((StatusCode::CREATED, Json(actual_of(&stored))).into_response())
        }
        Err(e @ StoreError::Conflict { .. }) => {
            let message = e.to_string();
            let StoreError::Conflict { current, .. } = e else {
                return Err(WebError::Internal("unreachable".to_owned()));
            };
            Ok(conflict(message, current.as_deref()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The value whose state changes.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ActualStateChange {
    /// The plan's id; by default the built-in plan, or the only plan.
    plan: Option<String>,
    /// The indicator.
    #[schema(example = "p1-out-01")]
    indicator_id: String,
    /// The fiscal year.
    #[schema(schema_with = ApiFiscalYear::json_field_schema)]
    fiscal_year: Value,
    /// The body's id, name or short name; a body user's own body, or the indicator's only
    /// body, by default.
    #[schema(example = "amed")]
    body: Option<String>,
    /// The version read.
    #[serde(default, deserialize_with = "crate::openapi::json_int::optional")]
    #[schema(value_type = i64, required = true)]
    version: Option<i64>,
    /// Why: required to return a value.
    comment: Option<String>,
}

/// The 400 of a body that is not the JSON described.
const BAD_BODY: &str = "The body is not JSON of the schema: a field is missing or of another type (code `bad_request`).";
/// The 403 of the writes.
const WRITE_FORBIDDEN: &str = "The role may not do this, the value is read-only for it, or a session sent no `X-CSRF-Token` (code `forbidden`, `csrf_mismatch` or `password_change_required`).";

/// Takes the value named by `input` to `to`; the caller's role was checked for `to` before
/// the body was read ([`Permitted`] on each route).
async fn change_state(
    state: AppState,
    user: CurrentUser,
    headers: HeaderMap,
    input: Result<Json<ActualStateChange>, JsonRejection>,
    to: ActualState,
) -> Result<Response, WebError> {
    check_csrf(&user, &headers)?;
    let Json(input) = input.map_err(bad_json)?;
    let plan = choose_plan(&state.store, input.plan.as_deref()).await?;
    let Some(indicator) = plan.indicator(input.indicator_id.trim()) else {
        return Ok(invalid(
            "indicator_id",
            format!(
                "指標ID「{}」は計画「{}」にありません",
                input.indicator_id, plan.id
            ),
        ));
    };
    let fy = match ApiFiscalYear::from_json(&input.fiscal_year) {
        Ok(fy) => fy.0,
        Err(message) => return Ok(invalid("fiscal_year", message)),
    };
    let body = match (
        input.body.as_deref().map(str::trim),
        user.user.body.as_deref(),
    ) {
        (Some(b), _) if !b.is_empty() => match plan.body(b) {
            Some(b) => b.id.clone(),
            None => {
                return Ok(invalid(
                    "body",
                    format!("報告機関「{b}」は計画にありません"),
                ));
            }
        },
        (_, Some(own)) if user.role() == Role::Body => own.to_owned(),
        _ => match indicator.assignments.as_slice() {
            [only] => only.body.clone(),
            _ => return Ok(invalid("body", "報告機関（body）を指定してください")),
        },
    };
    if to == ActualState::Submitted {
        check_may_edit(&user, indicator, &body)?;
    }
    let Some(version) = input.version else {
        return Ok(invalid(
            "version",
            "読み込んだ版（version）を指定してください",
        ));
    };
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if to == ActualState::Returned && comment.is_none() {
        return Ok(invalid(
            "comment",
            "差し戻す理由（comment）を書いてください",
        ));
    }
    match state
        .store
        .set_state(
            &plan.id,
            &indicator.id,
            fy,
            &body,
            to,
            comment,
            Some(version),
            &user.user.name,
        )
        .await
    {
        Ok(id) => {
            let stored = current_of(&state, &plan, &indicator.id, fy, &body)
                .await?
                .filter(|a| a.id == id)
                .ok_or_else(|| WebError::Internal(format!("revision {id} not found")))?;
            Ok(Json(actual_of(&stored)).into_response())
        }
        Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid(_))) => {
            let message = e.to_string();
            let current = current_of(&state, &plan, &indicator.id, fy, &body).await?;
            Ok(conflict(message, current.as_ref()))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/actuals/submit`
#[utoipa::path(
    post,
    path = "/api/v1/actuals/submit",
    operation_id = "submitActual",
    summary = "Submits a draft or returned value to the secretariat (its body, or the secretariat).",
    request_body = ActualStateChange,
    responses(
        (status = 200, description = "The new revision; its `id` is the new version.", body = Actual),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = "No such plan (code `not_found`).", body = ErrorBody),
        (status = 409, description = "The version is stale or the state does not allow this (code `conflict`, with `current`).", body = ErrorBody),
        (status = 422, description = "A field is invalid: no such indicator or body, a missing version or comment (code `invalid`, with `field`).", body = ErrorBody),
    )
)]
async fn submit(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Reporters>,
    headers: HeaderMap,
    input: Result<Json<ActualStateChange>, JsonRejection>,
) -> Result<Response, WebError> {
    change_state(state, user, headers, input, ActualState::Submitted).await
}

/// `POST /api/v1/actuals/approve`
#[utoipa::path(
    post,
    path = "/api/v1/actuals/approve",
    operation_id = "approveActual",
    summary = "Approves a submitted value (secretariat only); evaluations then use it.",
    request_body = ActualStateChange,
    responses(
        (status = 200, description = "The new revision; its `id` is the new version.", body = Actual),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = "No such plan (code `not_found`).", body = ErrorBody),
        (status = 409, description = "The version is stale or the state does not allow this (code `conflict`, with `current`).", body = ErrorBody),
        (status = 422, description = "A field is invalid: no such indicator or body, a missing version or comment (code `invalid`, with `field`).", body = ErrorBody),
    )
)]
async fn approve(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    headers: HeaderMap,
    input: Result<Json<ActualStateChange>, JsonRejection>,
) -> Result<Response, WebError> {
    change_state(state, user, headers, input, ActualState::Approved).await
}

/// `POST /api/v1/actuals/return`
#[utoipa::path(
    post,
    path = "/api/v1/actuals/return",
    operation_id = "returnActual",
    summary = "Returns a submitted value to its body with a required comment (secretariat only).",
    request_body = ActualStateChange,
    responses(
        (status = 200, description = "The new revision; its `id` is the new version.", body = Actual),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = "No such plan (code `not_found`).", body = ErrorBody),
        (status = 409, description = "The version is stale or the state does not allow this (code `conflict`, with `current`).", body = ErrorBody),
        (status = 422, description = "A field is invalid: no such indicator or body, a missing version or comment (code `invalid`, with `field`).", body = ErrorBody),
    )
)]
async fn return_actual(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    headers: HeaderMap,
    input: Result<Json<ActualStateChange>, JsonRejection>,
) -> Result<Response, WebError> {
    change_state(state, user, headers, input, ActualState::Returned).await
}
