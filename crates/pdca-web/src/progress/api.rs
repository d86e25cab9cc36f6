//! The JSON API under `/api/v1`: plans, evaluations (the same JSON as `pdca evaluate --format
//! json`) and the audit log, with errors as `{"error":{"code","message"}}`. The router is built
//! from [`API_ROUTES`], the table the OpenAPI document is built from, so the two cannot drift.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use pdca_core::access::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::frame::auth::CurrentUser;
use crate::frame::cache;
use crate::frame::etag::{self, Audience, Tagged};
use crate::frame::view::{AppPath, AppQuery, PlanQuery};
use crate::openapi::{self, API_ROUTES};
use crate::{AppState, WebError};
use pdca_app::json::plan_json;

/// The routes of the API and its OpenAPI document.
pub(crate) fn router() -> Router<AppState> {
    // A path with several methods has one handler for all of them, mounted once.
    let mut mounted = std::collections::HashSet::new();
    API_ROUTES
        .iter()
        .filter(|route| mounted.insert(route.path))
        .filter_map(|route| handler(route.path).map(|h| (route.path, h)))
        .fold(Router::new(), |router, (path, handler)| {
            router.route(path, handler)
        })
}

/// The handler of each documented path.
pub(crate) fn handler(path: &str) -> Option<MethodRouter<AppState>> {
    Some(match path {
        openapi::OPENAPI => get(openapi_json),
        openapi::PLANS => get(plans),
        openapi::PLAN => get(plan),
        openapi::EVALUATIONS => get(evaluations),
        openapi::AUDIT => get(audit),
        _ => return crate::actuals::api::handler(path),
    })
}

/// `GET /api/openapi.json`: the API's description, readable without signing in.
async fn openapi_json() -> Json<Value> {
    Json(openapi::openapi_document())
}

/// `GET /api/v1/plans`: every plan's current revision, with an `ETag` (304 when unchanged).
async fn plans(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    // Clients poll this: it is made once per data version (read with the session or token).
    let tagged = state
        .cache
        .plan_list(user.data_version, || async {
            let plans = state.store.list_plans().await?;
            let plans = Value::Array(
                plans
                    .iter()
                    .map(|p| {
                        json!({
                            "id": p.id,
                            "name": p.name,
                            "revision": p.revision,
                            "start_fy": p.start_fy,
                            "end_fy": p.end_fy,
                        })
                    })
                    .collect(),
            );
            let bytes = serde_json::to_vec(&plans)
                .map_err(|e| WebError::Internal(format!("the response as JSON: {e}")))?;
            Ok(Tagged::new(bytes))
        })
        .await?;
    Ok(etag::respond(
        &headers,
        Audience::Private,
        tagged,
        [(header::CONTENT_TYPE, "application/json")],
    ))
}

/// `GET /api/v1/plans/{id}`: the plan catalogue, as `pdca plan export --format json`, with an
/// `ETag` (304 when unchanged).
async fn plan(
    State(state): State<AppState>,
    _user: CurrentUser,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
) -> Result<Response, WebError> {
    let plan = state
        .store
        .plan(&id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("計画「{id}」")))?;
    tagged_json(&headers, &plan_json(&plan))
}

/// `value` as JSON, answered 304 when the client holds it already (see [`etag`]).
fn tagged_json(headers: &HeaderMap, value: &Value) -> Result<Response, WebError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| WebError::Internal(format!("the response as JSON: {e}")))?;
    Ok(etag::respond(
        headers,
        Audience::Private,
        Tagged::new(bytes),
        [(header::CONTENT_TYPE, "application/json")],
    ))
}

/// `GET /api/v1/evaluations?as_of=FY[&plan=ID][&include_unapproved=true]`: exactly the JSON of
/// `pdca evaluate --format json`, with an `ETag` (304 when unchanged).
async fn evaluations(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    AppQuery(query): AppQuery<PlanQuery>,
) -> Result<Response, WebError> {
    let visibility = query.visibility(&user)?;
    if query.as_of.as_deref().is_none_or(|s| s.trim().is_empty()) {
        let current = query.plan(&state.store).await?;
        return Err(WebError::BadRequest {
            param: "as_of".to_owned(),
            message: format!(
                "評価年度が必要です。as_of=2023 のように、計画期間 {}〜{} の年度を指定してください",
                current.period.start, current.period.end
            ),
        });
    }
    // The year is checked against the plan's period when the evaluation is computed (a year
    // that is refused is never cached).
    let evaluated = cache::evaluated(&state, &user, &query, visibility).await?;
    Ok(etag::respond(
        &headers,
        Audience::Private,
        evaluated.json()?,
        [(header::CONTENT_TYPE, "application/json")],
    ))
}

#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    limit: Option<String>,
}

/// The most entries one request returns.
const MAX_AUDIT_LIMIT: u32 = 1000;

/// `GET /api/v1/audit?limit=N`: the latest entries of the audit log (secretariat only).
async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<AuditQuery>,
) -> Result<Json<Value>, WebError> {
    user.require(&[Role::Secretariat])?;
    let limit = match query.limit.as_deref().map(str::trim) {
        None | Some("") => 100,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_AUDIT_LIMIT).contains(n))
            .ok_or_else(|| WebError::BadRequest {
                param: "limit".to_owned(),
                message: format!(
                    "「{text}」は件数として使えません。1〜{MAX_AUDIT_LIMIT} の整数を指定してください"
                ),
            })?,
    };
    let entries = state.store.audit_log(limit).await?;
    Ok(Json(Value::Array(
        entries
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "subject": e.subject,
                    "old_value": e.old_value,
                    "new_value": e.new_value,
                    "note": e.note,
                })
            })
            .collect(),
    )))
}
