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
use axum::routing::{MethodRouter, get, post};
use pdca_core::FiscalYear;
use pdca_core::access::{ActualState, Role};
use pdca_core::{ActualValue, Plan};
use pdca_store::{StoreError, StoredActual, Visibility};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::actuals::rules::{TypedValue, check_may_edit, editable, save_draft, validate_typed};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::view::{AppQuery, choose_plan, parse_optional_fy, unreadable_fy};
use crate::{AppState, WebError};

/// `GET` and `POST /api/v1/actuals`
pub const ACTUALS: &str = "/api/v1/actuals";
/// `POST /api/v1/actuals/submit`
pub const ACTUALS_SUBMIT: &str = "/api/v1/actuals/submit";
/// `POST /api/v1/actuals/approve`
pub const ACTUALS_APPROVE: &str = "/api/v1/actuals/approve";
/// `POST /api/v1/actuals/return`
pub const ACTUALS_RETURN: &str = "/api/v1/actuals/return";

/// The header a session-cookie client sends its CSRF token in.
const CSRF_HEADER: &str = "x-csrf-token";

/// The handlers of this module's paths (every method of a path in one).
pub(crate) fn handler(path: &str) -> Option<MethodRouter<AppState>> {
    Some(match path {
        ACTUALS => get(list_actuals).post(write_actual),
        ACTUALS_SUBMIT => post(submit),
        ACTUALS_APPROVE => post(approve),
        ACTUALS_RETURN => post(return_actual),
        _ => return crate::follow_up::api::handler(path),
    })
}

/// A stored value as the API shows it; `id` is its version.
pub(crate) fn actual_json(a: &StoredActual) -> Value {
    let c = &a.contribution;
    let (value, numerator, denominator, narrative) = match &c.value {
        ActualValue::Number(v) => (Some(*v), None, None, None),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => (None, Some(*numerator), Some(*denominator), None),
        ActualValue::Narrative(t) => (None, None, None, Some(t.clone())),
    };
    json!({
        "id": a.id,
        "version": a.id,
        "indicator_id": c.indicator,
        "fiscal_year": c.year.year(),
        "body": c.body,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "narrative": narrative,
        "note": a.note,
        "source": a.source,
        "state": a.state,
        "review_comment": a.review_comment,
        "recorded_by": a.recorded_by,
        "recorded_at": a.recorded_at,
    })
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

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    plan: Option<String>,
    fy: Option<String>,
    indicator: Option<String>,
}

/// `GET /api/v1/actuals[?plan=][&fy=][&indicator=]`: the current values the caller may see —
/// everything for the secretariat and the committee, approved values for the others, and a
/// body's own values whatever their state.
async fn list_actuals(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Value>, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let fy = parse_optional_fy(query.fy.as_deref())?;
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
    Ok(Json(Value::Array(
        rows.iter()
            .filter(|a| fy.is_none_or(|fy| a.contribution.year == fy))
            .filter(|a| indicator.is_none_or(|i| a.contribution.indicator == i))
            .map(actual_json)
            .collect(),
    )))
}

// ---------------------------------------------------------------------------------------------
// Writing

#[derive(Debug, Deserialize)]
struct ActualIn {
    plan: Option<String>,
    indicator_id: String,
    fiscal_year: Value,
    body: Option<String>,
    value: Option<Value>,
    numerator: Option<Value>,
    denominator: Option<Value>,
    narrative: Option<String>,
    note: Option<String>,
    source: Option<String>,
    version: Option<i64>,
}

/// `POST /api/v1/actuals`: records a value as a draft if `version` is still the current one
/// (`null` when nothing is recorded yet): 201 with the stored revision, 422 with the field to
/// blame, or 409 with the current value.
async fn write_actual(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Reporters>,
    headers: HeaderMap,
    input: Result<Json<ActualIn>, JsonRejection>,
) -> Result<Response, WebError> {
    check_csrf(&user, &headers)?;
    let Json(input) = input.map_err(bad_json)?;
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
    let fy_text = text_of(Some(&input.fiscal_year));
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
            Ok((StatusCode::CREATED, Json(actual_json(&stored))).into_response())
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

#[derive(Debug, Deserialize)]
struct StateIn {
    plan: Option<String>,
    indicator_id: String,
    fiscal_year: Value,
    body: Option<String>,
    version: Option<i64>,
    comment: Option<String>,
}

/// Takes the value named by `input` to `to`; the caller's role was checked for `to` before
/// the body was read ([`Permitted`] on each route).
async fn change_state(
    state: AppState,
    user: CurrentUser,
    headers: HeaderMap,
    input: Result<Json<StateIn>, JsonRejection>,
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
    let fy_text = text_of(Some(&input.fiscal_year));
    let Ok(fy) = fy_text.parse::<FiscalYear>() else {
        return Ok(invalid("fiscal_year", unreadable_fy(&fy_text)));
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
            Ok(Json(actual_json(&stored)).into_response())
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
async fn submit(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Reporters>,
    headers: HeaderMap,
    input: Result<Json<StateIn>, JsonRejection>,
) -> Result<Response, WebError> {
    change_state(state, user, headers, input, ActualState::Submitted).await
}

/// `POST /api/v1/actuals/approve`
async fn approve(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    headers: HeaderMap,
    input: Result<Json<StateIn>, JsonRejection>,
) -> Result<Response, WebError> {
    change_state(state, user, headers, input, ActualState::Approved).await
}

/// `POST /api/v1/actuals/return`
async fn return_actual(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    headers: HeaderMap,
    input: Result<Json<StateIn>, JsonRejection>,
) -> Result<Response, WebError> {
    change_state(state, user, headers, input, ActualState::Returned).await
}

// ---------------------------------------------------------------------------------------------
// OpenAPI

/// The parameters of this module's operations.
pub(crate) fn parameters(method: &str, path: &str) -> Option<Value> {
    match (method, path) {
        ("get", ACTUALS) => Some(json!([
            { "name": "plan", "in": "query", "required": false, "description": "The plan's id; by default the built-in plan, or the only plan.", "schema": { "type": "string" } },
            { "name": "fy", "in": "query", "required": false, "description": "Only this fiscal year: 2023, FY2023, 令和5年度 or R5.", "schema": { "type": "string" } },
            { "name": "indicator", "in": "query", "required": false, "description": "Only this indicator's values.", "schema": { "type": "string" } }
        ])),
        ("post", ACTUALS | ACTUALS_SUBMIT | ACTUALS_APPROVE | ACTUALS_RETURN) => Some(json!([])),
        _ => None,
    }
}

/// The request body of this module's writes.
pub(crate) fn request_body(method: &str, path: &str) -> Option<Value> {
    let schema = match (method, path) {
        ("post", ACTUALS) => "#/components/schemas/ActualWrite",
        ("post", ACTUALS_SUBMIT | ACTUALS_APPROVE | ACTUALS_RETURN) => {
            "#/components/schemas/ActualStateChange"
        }
        _ => return None,
    };
    Some(json!({
        "required": true,
        "content": { "application/json": { "schema": { "$ref": schema } } }
    }))
}

/// The responses of this module's operations.
pub(crate) fn responses(method: &str, path: &str) -> Option<Value> {
    let error = |description: &str| {
        json!({
            "description": description,
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
        })
    };
    let actual = |description: &str| {
        json!({
            "description": description,
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Actual" } } }
        })
    };
    let common = [
        (
            "401",
            error("No valid session or API token (code `unauthorized`)."),
        ),
        (
            "403",
            error(
                "The role does not allow this, or the value is read-only for it (code `forbidden`; also `csrf_mismatch` for a session without `X-CSRF-Token`).",
            ),
        ),
    ];
    let mut out = serde_json::Map::new();
    match (method, path) {
        ("get", ACTUALS) => {
            out.insert(
                "200".into(),
                json!({
                    "description": "The current values the caller may see.",
                    "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Actual" } } } }
                }),
            );
            out.insert(
                "400".into(),
                error("A parameter cannot be used (code `bad_request`)."),
            );
        }
        ("post", ACTUALS | ACTUALS_SUBMIT | ACTUALS_APPROVE | ACTUALS_RETURN) => {
            if path == ACTUALS {
                out.insert(
                    "201".into(),
                    actual("The stored revision; its `id` is the new version."),
                );
            } else {
                out.insert(
                    "200".into(),
                    actual("The new revision; its `id` is the new version."),
                );
            }
            out.insert(
                "422".into(),
                error("A field is invalid (code `invalid`, with `field`)."),
            );
            out.insert("409".into(), error("The version is stale or the state does not allow this (code `conflict`, with `current`)."));
        }
        _ => return None,
    }
    for (code, response) in common {
        out.insert(code.into(), response);
    }
    Some(Value::Object(out))
}

/// The schemas of this module.
pub(crate) fn schemas() -> Value {
    let scalar = json!({ "type": ["number", "string", "null"] });
    json!({
        "Actual": {
            "type": "object",
            "required": ["id", "version", "indicator_id", "fiscal_year", "body", "state"],
            "properties": {
                "id": { "type": "integer" },
                "version": { "type": "integer", "description": "Send it back to write or change this value." },
                "indicator_id": { "type": "string" },
                "fiscal_year": { "type": "integer" },
                "body": { "type": "string" },
                "value": { "type": ["number", "null"] },
                "numerator": { "type": ["number", "null"] },
                "denominator": { "type": ["number", "null"] },
                "narrative": { "type": ["string", "null"] },
                "note": { "type": ["string", "null"] },
                "source": { "type": ["string", "null"] },
                "state": { "type": "string", "enum": ["draft", "submitted", "approved", "returned", "locked"] },
                "review_comment": { "type": ["string", "null"] },
                "recorded_by": { "type": "string" },
                "recorded_at": { "type": "string", "format": "date-time" }
            }
        },
        "ActualWrite": {
            "type": "object",
            "required": ["indicator_id", "fiscal_year", "version"],
            "properties": {
                "plan": { "type": "string" },
                "indicator_id": { "type": "string" },
                "fiscal_year": { "type": ["integer", "string"] },
                "body": { "type": "string", "description": "The body's id, name or short name; a body user's own body by default." },
                "value": scalar,
                "numerator": scalar,
                "denominator": scalar,
                "narrative": { "type": "string" },
                "note": { "type": "string" },
                "source": { "type": "string" },
                "version": { "type": ["integer", "null"], "description": "The version read; null when nothing is recorded yet." }
            }
        },
        "ActualStateChange": {
            "type": "object",
            "required": ["indicator_id", "fiscal_year", "version"],
            "properties": {
                "plan": { "type": "string" },
                "indicator_id": { "type": "string" },
                "fiscal_year": { "type": ["integer", "string"] },
                "body": { "type": "string" },
                "version": { "type": "integer" },
                "comment": { "type": "string", "description": "Required to return a value." }
            }
        }
    })
}
