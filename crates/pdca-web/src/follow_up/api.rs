//! The follow-up cycle in the JSON API: rounds (open, read, move, close, reopen), ratings,
//! items, meetings and the ratings over the plan period. The same rules and role checks as the
//! pages (`rounds::may_*`, `rounds::apply_*`, and each write's [`Permitted`] roles, checked
//! before the body is read); the round's JSON is `pdca round show --format json`'s. Sessions
//! send their CSRF token in `X-CSRF-Token`; bearer tokens need none.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use pdca_core::follow_up::{
    ItemKind, Link, Material, MeetingKind, NewItem, RoundError, default_schedule, parse_date,
};
use pdca_core::{FiscalYear, Plan};
use pdca_store::NewMeeting;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::follow_up::round_forms::{apply_item, apply_rating, apply_state};
use crate::follow_up::rounds::{may_read, readable_meetings};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::view::{AppPath, parse_fy};
use crate::{AppState, WebError};
use pdca_app::follow_up::{RoundView, item_json, meeting_json, rating_matrix, round_json};

/// `GET, POST /api/v1/plans/{id}/rounds`
pub const ROUNDS: &str = "/api/v1/plans/{id}/rounds";
/// `GET /api/v1/plans/{id}/rounds/{fy}`
pub const ROUND: &str = "/api/v1/plans/{id}/rounds/{fy}";
/// `POST /api/v1/plans/{id}/rounds/{fy}/state`
pub const ROUND_STATE: &str = "/api/v1/plans/{id}/rounds/{fy}/state";
/// `POST /api/v1/plans/{id}/rounds/{fy}/ratings`
pub const ROUND_RATINGS: &str = "/api/v1/plans/{id}/rounds/{fy}/ratings";
/// `POST /api/v1/plans/{id}/rounds/{fy}/items`
pub const ROUND_ITEMS: &str = "/api/v1/plans/{id}/rounds/{fy}/items";
/// `GET, POST /api/v1/plans/{id}/meetings`
pub const MEETINGS: &str = "/api/v1/plans/{id}/meetings";
/// `GET /api/v1/plans/{id}/ratings`
pub const RATINGS: &str = "/api/v1/plans/{id}/ratings";
/// `GET /api/v1/plans/{id}/rounds/{fy}/report`
pub const ROUND_REPORT: &str = "/api/v1/plans/{id}/rounds/{fy}/report";

const CSRF_HEADER: &str = "x-csrf-token";

/// The handler of each path of this module.
pub(crate) fn handler(path: &str) -> Option<MethodRouter<AppState>> {
    Some(match path {
        ROUNDS => get(list_rounds).post(open_round),
        ROUND => get(show_round),
        ROUND_STATE => post(change_state),
        ROUND_RATINGS => post(rate),
        ROUND_ITEMS => post(add_item),
        MEETINGS => get(list_meetings).post(add_meeting),
        RATINGS => get(ratings),
        ROUND_REPORT => get(report),
        _ => return None,
    })
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

async fn plan_of(state: &AppState, id: &str) -> Result<Plan, WebError> {
    state
        .store
        .plan(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("計画「{id}」")))
}

async fn round_body(
    state: &AppState,
    plan: &Plan,
    fy: FiscalYear,
) -> Result<Json<Value>, WebError> {
    let view = RoundView::load(&state.store, &plan.id, fy).await?;
    Ok(Json(round_json(&view)))
}

/// `GET /api/v1/plans/{id}/rounds`: the rounds the caller may read.
async fn list_rounds(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<Json<Value>, WebError> {
    let plan = plan_of(&state, &id).await?;
    let rounds = state.store.rounds(&plan.id).await?;
    Ok(Json(Value::Array(
        rounds
            .iter()
            .filter(|r| may_read(&user, r).is_ok())
            .map(|r| {
                json!({
                    "fiscal_year": r.fiscal_year,
                    "fiscal_year_ja": r.fiscal_year.wareki(),
                    "state": r.state,
                    "deadline": r.deadline.to_string(),
                    "opened_by": r.opened_by,
                    "opened_at": r.opened_at,
                })
            })
            .collect(),
    )))
}

#[derive(Debug, Deserialize)]
struct OpenBody {
    fy: Value,
    deadline: Option<String>,
}

fn fy_of(value: &Value) -> Result<FiscalYear, WebError> {
    match value {
        Value::String(s) => parse_fy(s),
        other => parse_fy(&other.to_string()),
    }
}

/// `POST /api/v1/plans/{id}/rounds` `{fy, deadline?}`: opens a round (secretariat).
async fn open_round(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    body: Result<Json<OpenBody>, JsonRejection>,
) -> Result<Response, WebError> {
    check_csrf(&user, &headers)?;
    let Json(body) = body.map_err(bad_json)?;
    let plan = plan_of(&state, &id).await?;
    let fy = fy_of(&body.fy)?;
    let deadline = match body.deadline.as_deref().map(str::trim) {
        None | Some("") => default_schedule(fy).deadline,
        Some(text) => parse_date(text).map_err(|e| WebError::Unprocessable(e.to_string()))?,
    };
    state
        .store
        .open_round(&plan, fy, deadline, &user.user.name)
        .await
        .map_err(|e| match e {
            pdca_store::StoreError::Invalid(m) => WebError::Unprocessable(m),
            other => other.into(),
        })?;
    let body = round_body(&state, &plan, fy).await?;
    Ok((StatusCode::CREATED, body).into_response())
}

/// `GET /api/v1/plans/{id}/rounds/{fy}`: the round (viewers: closed rounds only).
async fn show_round(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath((id, fy)): AppPath<(String, String)>,
) -> Result<Json<Value>, WebError> {
    let plan = plan_of(&state, &id).await?;
    let fy = parse_fy(&fy)?;
    let round = state
        .store
        .round(&plan.id, fy)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("{}のフォローアップ", fy.wareki())))?;
    may_read(&user, &round)?;
    round_body(&state, &plan, fy).await
}

#[derive(Debug, Deserialize)]
struct StateBody {
    action: String,
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/plans/{id}/rounds/{fy}/state` `{action: advance|close|reopen, reason?}`.
async fn change_state(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    headers: HeaderMap,
    AppPath((id, fy)): AppPath<(String, String)>,
    body: Result<Json<StateBody>, JsonRejection>,
) -> Result<Json<Value>, WebError> {
    check_csrf(&user, &headers)?;
    let Json(body) = body.map_err(bad_json)?;
    let plan = plan_of(&state, &id).await?;
    let fy = parse_fy(&fy)?;
    apply_state(&state, &user, &plan, fy, &body.action, &body.reason)
        .await?
        .map_err(WebError::Unprocessable)?;
    round_body(&state, &plan, fy).await
}

#[derive(Debug, Deserialize)]
struct RateBody {
    indicator_id: String,
    rating: String,
    reason: Option<String>,
    issue: Option<String>,
    solution: Option<String>,
    /// The `recorded_at` of the rating read (`"none"` when there was none); when given, a
    /// rating changed meanwhile is refused with 409.
    version: Option<String>,
}

/// `POST /api/v1/plans/{id}/rounds/{fy}/ratings` `{indicator_id, rating, reason?, issue?,
/// solution?}` (secretariat and committee).
async fn rate(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Raters>,
    headers: HeaderMap,
    AppPath((id, fy)): AppPath<(String, String)>,
    body: Result<Json<RateBody>, JsonRejection>,
) -> Result<Json<Value>, WebError> {
    check_csrf(&user, &headers)?;
    let Json(body) = body.map_err(bad_json)?;
    let plan = plan_of(&state, &id).await?;
    let fy = parse_fy(&fy)?;
    let request = crate::follow_up::round_forms::RatingRequest {
        indicator: body.indicator_id,
        rating: body.rating,
        reason: body.reason,
        issue: body.issue,
        solution: body.solution,
        version: body.version,
    };
    apply_rating(&state, &user, &plan, fy, request)
        .await?
        .map_err(WebError::Unprocessable)?;
    round_body(&state, &plan, fy).await
}

#[derive(Debug, Deserialize)]
struct ItemBody {
    kind: String,
    text: String,
    title: Option<String>,
    points: Option<String>,
    body_id: Option<String>,
    #[serde(default)]
    links: Vec<String>,
    budget: Option<String>,
    meeting_id: Option<i64>,
    plan_revision: Option<u32>,
}

/// `POST /api/v1/plans/{id}/rounds/{fy}/items`: adds an item; who may add which kind is the
/// pages' rule.
async fn add_item(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Contributors>,
    headers: HeaderMap,
    AppPath((id, fy)): AppPath<(String, String)>,
    body: Result<Json<ItemBody>, JsonRejection>,
) -> Result<Response, WebError> {
    check_csrf(&user, &headers)?;
    let Json(body) = body.map_err(bad_json)?;
    let plan = plan_of(&state, &id).await?;
    let fy = parse_fy(&fy)?;
    let kind: ItemKind = body
        .kind
        .parse()
        .map_err(|e: RoundError| WebError::Unprocessable(e.to_string()))?;
    let links = body
        .links
        .iter()
        .map(|l| Link::parse(l, &plan))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| WebError::Unprocessable(e.to_string()))?;
    let item = NewItem {
        kind: Some(kind),
        title: body.title,
        text: body.text,
        points: body.points,
        body_id: body.body_id,
        links,
        budget: body.budget,
        meeting_id: body.meeting_id,
        plan_revision: body.plan_revision,
    };
    let stored = apply_item(&state, &user, &plan, fy, item)
        .await?
        .map_err(WebError::Unprocessable)?;
    Ok((StatusCode::CREATED, Json(item_json(&stored))).into_response())
}

/// `GET /api/v1/plans/{id}/meetings`: the meetings the caller may read (viewers: those of
/// closed rounds only), by date.
async fn list_meetings(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<Json<Value>, WebError> {
    let plan = plan_of(&state, &id).await?;
    let meetings = readable_meetings(&state, &user, &plan.id).await?;
    Ok(Json(Value::Array(
        meetings.iter().map(meeting_json).collect(),
    )))
}

#[derive(Debug, Deserialize)]
struct MaterialBody {
    label: String,
    #[serde(default)]
    title: String,
}

#[derive(Debug, Deserialize)]
struct MeetingBody {
    number: u32,
    kind: Value,
    date: String,
    fy: Option<Value>,
    committee: Option<String>,
    #[serde(default)]
    agenda: Vec<String>,
    #[serde(default)]
    materials: Vec<MaterialBody>,
}

/// `POST /api/v1/plans/{id}/meetings`: adds a meeting (secretariat); without an agenda, the
/// agenda is drafted from the round.
async fn add_meeting(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    body: Result<Json<MeetingBody>, JsonRejection>,
) -> Result<Response, WebError> {
    check_csrf(&user, &headers)?;
    let Json(body) = body.map_err(bad_json)?;
    let plan = plan_of(&state, &id).await?;
    let unprocessable = |e: RoundError| WebError::Unprocessable(e.to_string());
    let kind = match &body.kind {
        Value::String(s) => MeetingKind::parse(s),
        other => MeetingKind::parse(&other.to_string()),
    }
    .map_err(unprocessable)?;
    let date = parse_date(&body.date).map_err(unprocessable)?;
    let fy = body.fy.as_ref().map(fy_of).transpose()?;
    let mut materials = Vec::new();
    for m in &body.materials {
        pdca_core::follow_up::check_material_label(&pdca_core::normalize::normalize_text(&m.label))
            .map_err(unprocessable)?;
        materials.push((
            Material {
                label: pdca_core::normalize::normalize_text(&m.label),
                title: m.title.trim().to_owned(),
                file_name: None,
            },
            None,
        ));
    }
    let agenda = if body.agenda.is_empty() {
        let items = match fy {
            Some(fy) => state.store.round_items(&plan.id, Some(fy)).await?,
            None => Vec::new(),
        };
        pdca_core::follow_up::draft_agenda(kind, &plan, fy.unwrap_or(plan.period.start), &items)
    } else {
        body.agenda
    };
    let meeting = state
        .store
        .add_meeting(
            &NewMeeting {
                plan_id: plan.id.clone(),
                fiscal_year: fy,
                committee: body
                    .committee
                    .or_else(|| plan.committee.clone())
                    .unwrap_or_else(|| pdca_core::follow_up::DEFAULT_COMMITTEE.to_owned()),
                number: body.number,
                kind,
                date,
                agenda,
                materials,
            },
            &user.user.name,
        )
        .await
        .map_err(|e| match e {
            pdca_store::StoreError::Invalid(m) => WebError::Unprocessable(m),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(meeting_json(&meeting))).into_response())
}

/// `GET /api/v1/plans/{id}/ratings`: the committee's ratings per indicator per year, with the
/// counts per year, over the rounds the caller may read.
async fn ratings(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<Json<Value>, WebError> {
    let plan = plan_of(&state, &id).await?;
    let mut history = Vec::new();
    for round in state.store.rounds(&plan.id).await? {
        if may_read(&user, &round).is_ok() {
            history.push((
                round.fiscal_year,
                state
                    .store
                    .round_ratings(&plan.id, round.fiscal_year)
                    .await?,
            ));
        }
    }
    Ok(Json(rating_matrix(&plan, &history)))
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    #[serde(default)]
    format: String,
}

/// `GET /api/v1/plans/{id}/rounds/{fy}/report?format=pdf|xlsx|md`: the round's report file.
async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    AppPath((id, fy)): AppPath<(String, String)>,
    crate::frame::view::AppQuery(query): crate::frame::view::AppQuery<ReportQuery>,
) -> Result<Response, WebError> {
    let plan = plan_of(&state, &id).await?;
    let fy = parse_fy(&fy)?;
    crate::follow_up::meetings::report_file(&state, &user, &headers, &plan, fy, &query.format).await
}

/// The parameters of this module's operations.
pub(crate) fn parameters(path: &str) -> Option<Value> {
    let id = json!({ "name": "id", "in": "path", "required": true, "description": "The plan's id.", "schema": { "type": "string" } });
    let fy = json!({ "name": "fy", "in": "path", "required": true, "description": "The round's result fiscal year: 2023, FY2023, 令和5年度 or R5.", "schema": { "type": "string" } });
    match path {
        ROUNDS | MEETINGS | RATINGS => Some(json!([id])),
        ROUND | ROUND_STATE | ROUND_RATINGS | ROUND_ITEMS => Some(json!([id, fy])),
        ROUND_REPORT => Some(json!([id, fy, {
            "name": "format", "in": "query", "required": true,
            "description": "pdf, xlsx or md.",
            "schema": { "enum": pdca_report::Format::ALL.map(pdca_report::Format::as_str) }
        }])),
        _ => None,
    }
}

/// The request body of this module's writes.
pub(crate) fn request_body(method: &str, path: &str) -> Option<Value> {
    if method != "post" {
        return None;
    }
    let schema = match path {
        ROUNDS => json!({ "type": "object", "required": ["fy"], "properties": {
            "fy": { "type": ["string", "integer"] }, "deadline": { "type": "string", "format": "date" } } }),
        ROUND_STATE => json!({ "type": "object", "required": ["action"], "properties": {
            "action": { "enum": ["advance", "close", "reopen"] }, "reason": { "type": "string" } } }),
        ROUND_RATINGS => {
            json!({ "type": "object", "required": ["indicator_id", "rating"], "properties": {
            "indicator_id": { "type": "string" }, "rating": { "enum": ["A", "B", "N"] },
            "reason": { "type": "string" }, "issue": { "type": "string" }, "solution": { "type": "string" } } })
        }
        ROUND_ITEMS => json!({ "type": "object", "required": ["kind", "text"], "properties": {
            "kind": { "enum": ItemKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "text": { "type": "string" }, "title": { "type": "string" }, "points": { "type": "string" },
            "body_id": { "type": "string" },
            "links": { "type": "array", "items": { "type": "string" }, "description": "Project ids, indicator ids, or #n for another item." },
            "budget": { "type": "string" }, "meeting_id": { "type": "integer" }, "plan_revision": { "type": "integer" } } }),
        MEETINGS => {
            json!({ "type": "object", "required": ["number", "kind", "date"], "properties": {
            "number": { "type": "integer" }, "kind": { "enum": [1, 2, "1", "2"] }, "date": { "type": "string", "format": "date" },
            "fy": { "type": ["string", "integer"] }, "committee": { "type": "string" },
            "agenda": { "type": "array", "items": { "type": "string" } },
            "materials": { "type": "array", "items": { "type": "object", "properties": { "label": { "type": "string" }, "title": { "type": "string" } } } } } })
        }
        _ => return None,
    };
    Some(json!({ "required": true, "content": { "application/json": { "schema": schema } } }))
}

/// The responses of this module's operations.
pub(crate) fn responses(method: &str, path: &str) -> Option<Value> {
    let error = |description: &str| {
        json!({
            "description": description,
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
        })
    };
    let ok = |description: &str| json!({ "description": description, "content": { "application/json": { "schema": { "type": ["object", "array"] } } } });
    let (code, body) = match (method, path) {
        ("get", ROUNDS) => ("200", ok("The rounds the caller may read.")),
        ("post", ROUNDS) => (
            "201",
            ok("The new round, as `pdca round show --format json`."),
        ),
        ("get", ROUND) => ("200", ok("The round, as `pdca round show --format json`.")),
        ("post", ROUND_STATE | ROUND_RATINGS) => ("200", ok("The round after the change.")),
        ("post", ROUND_ITEMS) => ("201", ok("The item as stored.")),
        ("get", MEETINGS) => ("200", ok("The meetings.")),
        ("post", MEETINGS) => ("201", ok("The meeting as stored.")),
        ("get", RATINGS) => (
            "200",
            ok("Ratings per indicator per year, with the counts."),
        ),
        ("get", ROUND_REPORT) => {
            let file = json!({ "schema": { "type": "string", "format": "binary" } });
            let content: serde_json::Map<String, Value> = pdca_report::Format::ALL
                .iter()
                .map(|f| {
                    let media = f.content_type();
                    let media = media.split(';').next().unwrap_or(media);
                    (media.to_owned(), file.clone())
                })
                .collect();
            (
                "200",
                json!({ "description": "The report file, as an attachment.", "content": content }),
            )
        }
        _ => return None,
    };
    let mut out = serde_json::Map::new();
    out.insert(code.into(), body);
    out.insert(
        "401".into(),
        error("No valid session or API token (code `unauthorized`)."),
    );
    out.insert(
        "403".into(),
        error("The role does not allow this (code `forbidden`)."),
    );
    out.insert(
        "404".into(),
        error("No such plan or round (code `not_found`)."),
    );
    if path == ROUND_REPORT {
        out.insert(
            "400".into(),
            error("`format` is not pdf, xlsx or md, or `fy` is not a fiscal year (code `bad_request`)."),
        );
    }
    if method == "post" {
        out.insert("422".into(), error("The follow-up rules refuse it; the message says what is missing (code `unprocessable`)."));
    }
    Some(Value::Object(out))
}
