//! The JSON API under `/api/v1`: plans, a plan's catalogue, evaluations (the same JSON as
//! `pdca evaluate --format json`) and the audit log, with errors as `{"error":{"code","message"}}`.
//! Each handler documents itself (`#[utoipa::path]`); [`router`] mounts them with `routes!`,
//! which puts them in the OpenAPI document as it routes them (see [`crate::openapi`]).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse as _, Response};
use pdca_core::Plan;
use pdca_core::access::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::frame::auth::CurrentUser;
use crate::frame::cache;
use crate::frame::etag::{self, Audience, Tagged};
use crate::frame::view::{AppPath, AppQuery, PlanQuery, choose_plan};
use crate::openapi::{
    __path_openapi_json, ApiError, ApiFiscalYear, ErrorBody, PageQuery, encode_cursor, number_key,
    openapi_json, paginate,
};
use crate::{AppState, WebError};
use pdca_app::json::{PlanCatalogue, PlanEvaluationJson, plan_json};

/// The routes of this module, with their operations.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(plans))
        .routes(routes!(plan))
        .routes(routes!(evaluations))
        .routes(routes!(audit))
}

/// A plan's current revision in the list of plans.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanSummary {
    /// The plan's id, e.g. medical-rd-2.
    id: String,
    /// Its name.
    name: String,
    /// The latest revision saved.
    revision: u32,
    /// The first fiscal year of the period.
    start_fy: i32,
    /// The last fiscal year of the period.
    end_fy: i32,
}

/// A page of plans, by id.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanPage {
    /// The plans of this page.
    plans: Vec<PlanSummary>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// `GET /api/v1/plans`: every plan's current revision, a page at a time, with an `ETag` (304
/// when unchanged).
#[utoipa::path(
    get,
    path = "/api/v1/plans",
    operation_id = "listPlans",
    summary = "Every plan's current revision, by id, a page at a time.",
    params(PageQuery, IfNoneMatch),
    responses(
        (status = 200, description = "A page of plans.", body = PlanPage, headers(
            ("ETag" = String, description = "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed."),
            ("Cache-Control" = String, description = "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use."))),
        (status = 304, description = NOT_MODIFIED_DESCRIPTION, headers(
            ("ETag" = String, description = "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed."),
            ("Cache-Control" = String, description = "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use."))),
        (status = 400, description = "`limit` is not 1–1000 (code `bad_request`, field `limit`) or `cursor` is not a cursor (code `invalid_cursor`).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = PASSWORD_CHANGE, body = ErrorBody),
    )
)]
pub(crate) async fn plans(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    AppQuery(page): AppQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let request = page.request()?;
    let make = || async {
        let plans = state.store.list_plans().await?;
        let (plans, next_cursor) = paginate(plans, |p| p.id.as_bytes().to_vec(), &request);
        let page = PlanPage {
            plans: plans
                .into_iter()
                .map(|p| PlanSummary {
                    id: p.id,
                    name: p.name,
                    revision: p.revision,
                    start_fy: p.start_fy.year(),
                    end_fy: p.end_fy.year(),
                })
                .collect(),
            next_cursor,
        };
        let bytes = serde_json::to_vec(&page)
            .map_err(|e| WebError::Internal(format!("the response as JSON: {e}")))?;
        Ok::<_, WebError>(Tagged::new(bytes))
    };
    // Clients poll the first page: it is made once per data version (read with the session or
    // token); other pages are made each time.
    let tagged = if page.is_first_default() {
        state.cache.plan_list(user.data_version, make).await?
    } else {
        make().await?
    };
    Ok(etag::respond(
        &headers,
        Audience::Private,
        tagged,
        [(header::CONTENT_TYPE, "application/json")],
    ))
}

/// `GET /api/v1/plans/{id}`: the plan catalogue, as `pdca plan export --format json`, with an
/// `ETag` (304 when unchanged).
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}",
    operation_id = "getPlan",
    summary = "A plan's catalogue (the JSON of `pdca plan export --format json`).",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), IfNoneMatch),
    responses(
        (status = 200, description = "The plan.", body = PlanCatalogue, headers(
            ("ETag" = String, description = "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed."),
            ("Cache-Control" = String, description = "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use."))),
        (status = 304, description = NOT_MODIFIED_DESCRIPTION, headers(
            ("ETag" = String, description = "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed."),
            ("Cache-Control" = String, description = "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use."))),
        (status = 400, description = BAD_PATH, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = PASSWORD_CHANGE, body = ErrorBody),
        (status = 404, description = "No such plan (code `not_found`).", body = ErrorBody),
    )
)]
pub(crate) async fn plan(
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
    let bytes = serde_json::to_vec(&plan_json(&plan))
        .map_err(|e| WebError::Internal(format!("the response as JSON: {e}")))?;
    Ok(etag::respond(
        &headers,
        Audience::Private,
        Tagged::new(bytes),
        [(header::CONTENT_TYPE, "application/json")],
    ))
}

/// The parameters of an evaluation.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct EvaluationQuery {
    /// The as-of fiscal year; it must lie in the plan's period (422 otherwise).
    #[param(inline, value_type = ApiFiscalYear, required = true)]
    as_of: Option<String>,
    /// The plan's id; by default the built-in plan, or the only plan.
    plan: Option<String>,
    /// `true` to use the latest values whatever their approval state (secretariat and
    /// committee only; 403 for other roles).
    #[param(value_type = Option<bool>, default = false)]
    include_unapproved: Option<String>,
}

/// `GET /api/v1/evaluations?as_of=FY[&plan=ID][&include_unapproved=true]`: exactly the JSON of
/// `pdca evaluate --format json`, with an `ETag` (304 when unchanged).
#[utoipa::path(
    get,
    path = "/api/v1/evaluations",
    operation_id = "evaluate",
    summary = "Every indicator's figures and status as of a fiscal year (the JSON of `pdca evaluate --format json`).",
    params(EvaluationQuery, IfNoneMatch),
    responses(
        (status = 200, description = "The evaluation.", body = PlanEvaluationJson, headers(
            ("ETag" = String, description = "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed."),
            ("Cache-Control" = String, description = "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use."))),
        (status = 304, description = NOT_MODIFIED_DESCRIPTION, headers(
            ("ETag" = String, description = "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed."),
            ("Cache-Control" = String, description = "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use."))),
        (status = 400, description = "A parameter cannot be read, or `plan` is missing while there are several plans; the message names it (code `bad_request`).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "`include_unapproved=true` for a role that reads approved values only, or a session that must change its password (code `forbidden`, `password_change_required`).", body = ErrorBody),
        (status = 404, description = "No such plan (code `not_found`).", body = ErrorBody),
        (status = 422, description = "`as_of` is outside the plan's period (code `unprocessable`).", body = ErrorBody),
    )
)]
pub(crate) async fn evaluations(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    AppQuery(query): AppQuery<EvaluationQuery>,
) -> Result<Response, WebError> {
    let include_unapproved = match query.include_unapproved.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(WebError::BadRequest {
                param: "include_unapproved".to_owned(),
                message: format!("「{other}」ではなく true か false を指定してください"),
            });
        }
    };
    // The plan is read (from the database) only for the message of a refusal: the answer to a
    // good request comes from the evaluation cache.
    let period = |plan: &Plan| {
        format!(
            "計画期間 {}〜{} の年度を指定してください",
            plan.period.start, plan.period.end
        )
    };
    let as_of = match query.as_of.as_deref().map(ApiFiscalYear::parse) {
        Some(Ok(as_of)) => as_of.0,
        refused => {
            let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
            let message = match refused {
                Some(Err(message)) => format!("{message}。{}", period(&plan)),
                _ => format!("評価年度が必要です。as_of=2023 のように、{}", period(&plan)),
            };
            return Err(WebError::BadRequest {
                param: "as_of".to_owned(),
                message,
            });
        }
    };
    let query = PlanQuery {
        plan: query.plan,
        as_of: Some(as_of.year().to_string()),
        include_unapproved: include_unapproved.then(|| "true".to_owned()),
    };
    let visibility = query.visibility(&user)?;
    let evaluated = match cache::evaluated(&state, &user, &query, visibility).await {
        Ok(evaluated) => evaluated,
        // The year was read above, so what `as_of` is refused for is the plan's period.
        Err(WebError::BadRequest { param, .. }) if param == "as_of" => {
            let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
            return Err(WebError::Unprocessable(format!(
                "as_of: {as_of} は計画「{}」の外です。{}",
                plan.id,
                period(&plan)
            )));
        }
        Err(e) => return Err(e),
    };
    Ok(etag::respond(
        &headers,
        Audience::Private,
        evaluated.json()?,
        [(header::CONTENT_TYPE, "application/json")],
    ))
}

/// One entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AuditEntry {
    /// Increasing with time.
    id: i64,
    /// When, RFC 3339 in UTC.
    #[schema(format = DateTime)]
    at: String,
    /// Who.
    actor: String,
    /// What kind of change: `plan.create`, `plan.revise`, `assignment.set`,
    /// `assignment.remove`, `user.create`, `user.disable`, `user.enable`,
    /// `user.password_reset`, `token.create`, `token.revoke`, `actual.state`, …
    action: String,
    /// What was changed.
    subject: String,
    /// The value before, as JSON text.
    old_value: Option<String>,
    /// The value after, as JSON text.
    new_value: Option<String>,
    /// A remark, such as a plan revision's note.
    note: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AuditPage {
    /// The entries of this page.
    entries: Vec<AuditEntry>,
    /// The `cursor` of the next (older) page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// The sort key of an audit entry: newest first.
fn audit_key(id: i64) -> Vec<u8> {
    number_key(u64::MAX - u64::try_from(id).unwrap_or(0))
}

/// The entries whose [`audit_key`] is greater than `after` are those with an id below the
/// bound returned (`None`: all of them).
fn audit_bound(after: &[u8]) -> Option<i64> {
    if after.is_empty() {
        return None;
    }
    let mut padded = [0u8; 8];
    let n = after.len().min(8);
    padded[..n].copy_from_slice(&after[..n]);
    let v = u128::from(u64::from_be_bytes(padded));
    // A key equal to a shorter cursor padded with zeros is longer, so greater: include it.
    let bound = u128::from(u64::MAX) - v + u128::from(after.len() < 8);
    Some(i64::try_from(bound).unwrap_or(i64::MAX))
}

/// `GET /api/v1/audit?limit=N&cursor=C`: the audit log, newest first (secretariat only).
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    operation_id = "auditLog",
    summary = "The audit log, newest first, a page at a time (secretariat only).",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of entries.", body = AuditPage),
        (status = 400, description = "`limit` is not 1–1000 (code `bad_request`, field `limit`) or `cursor` is not a cursor (code `invalid_cursor`).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not the secretariat (code `forbidden`).", body = ErrorBody),
    )
)]
pub(crate) async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(page): AppQuery<PageQuery>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Secretariat])?;
    let request = page.request()?;
    let limit = u32::try_from(request.limit + 1).unwrap_or(u32::MAX);
    let mut entries = state
        .store
        .audit_log_before(audit_bound(&request.after), limit)
        .await?;
    let more = entries.len() > request.limit;
    entries.truncate(request.limit);
    let next_cursor = more
        .then(|| entries.last().map(|e| encode_cursor(&audit_key(e.id))))
        .flatten();
    let page = AuditPage {
        entries: entries
            .into_iter()
            .map(|e| AuditEntry {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                old_value: e.old_value,
                new_value: e.new_value,
                note: e.note,
            })
            .collect(),
        next_cursor,
    };
    Ok(axum::Json(page).into_response())
}

/// The `If-None-Match` request header of the conditional routes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub(crate) struct IfNoneMatch {
    /// The `ETag` of a response received before (or a list of them, or `*`): if the response
    /// would be the same, it is 304 without a body. Compared weakly: `W/"…"` matches `"…"`.
    #[serde(rename = "If-None-Match")]
    #[param(rename = "If-None-Match")]
    _if_none_match: Option<String>,
}

/// The 304 of the conditional routes.
pub(crate) const NOT_MODIFIED_DESCRIPTION: &str =
    "Not modified: `If-None-Match` holds the current `ETag`. No body.";
/// The 401 of every route.
pub(crate) const UNAUTHORIZED: &str = "No valid session or API token (code `unauthorized`).";
/// The 403 of a route every role may read.
pub(crate) const PASSWORD_CHANGE: &str =
    "A session whose one-time password must be changed first (code `password_change_required`).";
/// The 400 of a path that is not UTF-8 once percent-decoded.
pub(crate) const BAD_PATH: &str =
    "A path segment is not UTF-8 once percent-decoded (code `bad_request`).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_bound_keeps_exactly_the_entries_after_the_cursor() {
        for id in [1_i64, 2, 255, 256, 1 << 40] {
            assert_eq!(audit_bound(&audit_key(id)), Some(id));
            for cursor in [
                audit_key(id)[..3].to_vec(),
                [audit_key(id), vec![0]].concat(),
            ] {
                let bound = audit_bound(&cursor).unwrap_or(i64::MAX);
                for other in [id - 1, id, id + 1] {
                    assert_eq!(other < bound, audit_key(other) > cursor, "{id} {other}");
                }
            }
        }
        assert_eq!(audit_bound(&[]), None);
    }
}
