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
use pdca_core::follow_up::{
    ItemKind, Link, Material, MeetingKind, NewItem, RoundError, default_schedule, parse_date,
};
use pdca_core::{FiscalYear, Plan};
use pdca_store::NewMeeting;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::follow_up::round_forms::{apply_item, apply_rating, apply_state};
use crate::follow_up::rounds::{may_read, readable_meetings};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::view::AppPath;
use crate::openapi::{ApiError, ApiFiscalYear, ErrorBody, PageQuery, number_key, paginate};
use crate::progress::api::{BAD_PATH, UNAUTHORIZED};
use crate::{AppState, WebError};
use pdca_app::follow_up::schema::{
    MeetingJson, RatingMatrixJson, RoundItemJson, RoundJson, RoundStateJson,
};
use pdca_app::follow_up::{
    RoundView, item_document, meeting_document, rating_matrix_document, round_document,
};

const CSRF_HEADER: &str = "x-csrf-token";

/// The routes of this module, with their operations.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rounds, open_round))
        .routes(routes!(show_round))
        .routes(routes!(change_state))
        .routes(routes!(rate))
        .routes(routes!(add_item))
        .routes(routes!(list_meetings, add_meeting))
        .routes(routes!(ratings))
        .routes(routes!(report))
}

/// The 404 of the routes under a plan.
const NO_PLAN: &str = "No such plan (code `not_found`).";
/// The 404 of the routes under a round.
const NO_ROUND: &str = "No such plan, or no round of that year (code `not_found`).";
/// The 400 of a body that is not the JSON described.
const BAD_BODY: &str =
    "The body is not JSON of the schema, or a path segment is not UTF-8 (code `bad_request`).";
/// The 403 of the writes.
const WRITE_FORBIDDEN: &str = "The role may not do this, or a session sent no `X-CSRF-Token` (code `forbidden`, `csrf_mismatch` or `password_change_required`).";
/// The 403 of the reads.
const READ_FORBIDDEN: &str = "A viewer asking for a round that is not closed, or a session that must change its password (code `forbidden`, `password_change_required`).";
/// The 422 of the writes.
const REFUSED: &str =
    "The follow-up rules refuse it; the message says what is missing (code `unprocessable`).";

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
) -> Result<Json<RoundJson>, WebError> {
    let view = RoundView::load(&state.store, &plan.id, fy).await?;
    Ok(Json(round_document(&view)))
}

/// A round in the list of rounds.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoundSummary {
    /// The result fiscal year.
    fiscal_year: i32,
    /// It in 和暦.
    fiscal_year_ja: String,
    /// Where the round stands.
    state: RoundStateJson,
    /// The reporting deadline, YYYY-MM-DD.
    #[schema(format = Date)]
    deadline: String,
    /// Who opened it.
    opened_by: String,
    /// When, RFC 3339 in UTC.
    opened_at: String,
}

/// A page of rounds, by year.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoundPage {
    /// The rounds of this page.
    rounds: Vec<RoundSummary>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// `GET /api/v1/plans/{id}/rounds`: the rounds the caller may read, by year, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/rounds",
    operation_id = "listRounds",
    summary = "The plan's follow-up rounds the caller may read (viewers: closed rounds only), by year, a page at a time.",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), PageQuery),
    responses(
        (status = 200, description = "A page of rounds.", body = RoundPage),
        (status = 400, description = "`limit` is not 1–1000 (code `bad_request`, field `limit`), `cursor` is not a cursor (code `invalid_cursor`), or the path is not UTF-8.", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = crate::progress::api::PASSWORD_CHANGE, body = ErrorBody),
        (status = 404, description = NO_PLAN, body = ErrorBody),
    )
)]
async fn list_rounds(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<String>,
    crate::frame::view::AppQuery(page): crate::frame::view::AppQuery<PageQuery>,
) -> Result<Json<RoundPage>, ApiError> {
    let request = page.request()?;
    let plan = plan_of(&state, &id).await?;
    let rounds: Vec<_> = state
        .store
        .rounds(&plan.id)
        .await?
        .into_iter()
        .filter(|r| may_read(&user, r).is_ok())
        .collect();
    let (rounds, next_cursor) = paginate(
        rounds,
        |r| number_key(u64::try_from(r.fiscal_year.year()).unwrap_or(0)),
        &request,
    );
    Ok(Json(RoundPage {
        rounds: rounds
            .iter()
            .map(|r| RoundSummary {
                fiscal_year: r.fiscal_year.year(),
                fiscal_year_ja: r.fiscal_year.wareki(),
                state: r.state.into(),
                deadline: r.deadline.to_string(),
                opened_by: r.opened_by.clone(),
                opened_at: r.opened_at.clone(),
            })
            .collect(),
        next_cursor,
    }))
}

/// A round to open.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct OpenBody {
    /// The result fiscal year; it must lie in the plan's period.
    #[schema(schema_with = ApiFiscalYear::json_field_schema)]
    fy: Value,
    /// The bodies' reporting deadline, YYYY-MM-DD; by default the usual one of the year.
    #[schema(format = Date)]
    deadline: Option<String>,
}

/// A date of a body's field in the years pdca handles (1900–2200), or 422.
fn check_year(date: time::Date) -> Result<(), WebError> {
    if (1900..=2200).contains(&date.year()) {
        Ok(())
    } else {
        Err(WebError::Unprocessable(format!(
            "日付 {date} は 1900〜2200 年の日付で指定してください"
        )))
    }
}

/// A fiscal year of a body's field, or 422.
fn fy_of(value: &Value) -> Result<FiscalYear, WebError> {
    ApiFiscalYear::from_json(value)
        .map(|fy| fy.0)
        .map_err(WebError::Unprocessable)
}

/// `POST /api/v1/plans/{id}/rounds` `{fy, deadline?}`: opens a round (secretariat).
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/rounds",
    operation_id = "openRound",
    summary = "Opens the follow-up of a result fiscal year with a reporting deadline (secretariat only).",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2")),
    request_body = OpenBody,
    responses(
        (status = 201, description = "The new round, as `pdca round show --format json`.", body = RoundJson),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = NO_PLAN, body = ErrorBody),
        (status = 409, description = "A round of that year is open already (code `conflict`).", body = ErrorBody),
        (status = 422, description = "`fy` is not a year of the plan's period, `deadline` is not a date, or the round exists (code `unprocessable`).", body = ErrorBody),
    )
)]
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
    check_year(deadline)?;
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
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/rounds/{fy}",
    operation_id = "getRound",
    summary = "A round: state, every indicator's automatic judgement (自動判定) and the committee's rating, issues and solutions, notable results, priority items, opinions, priority measures, policy clauses with their links, the previous policy's follow-up, meetings, and what is missing for closing (the JSON of `pdca round show --format json`).",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), ("fy" = inline(ApiFiscalYear), Path, description = "The round's result fiscal year.")),
    responses(
        (status = 200, description = "The round.", body = RoundJson),
        (status = 400, description = "`fy` is not a fiscal year of the pattern, or the path is not UTF-8 (code `bad_request`).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = READ_FORBIDDEN, body = ErrorBody),
        (status = 404, description = NO_ROUND, body = ErrorBody),
    )
)]
async fn show_round(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath((id, fy)): AppPath<(String, ApiFiscalYear)>,
) -> Result<Json<RoundJson>, WebError> {
    let plan = plan_of(&state, &id).await?;
    let fy = fy.0;
    let round = state
        .store
        .round(&plan.id, fy)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("{}のフォローアップ", fy.wareki())))?;
    may_read(&user, &round)?;
    round_body(&state, &plan, fy).await
}

/// What to do with a round.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct StateBody {
    /// advance, close or reopen.
    #[schema(value_type = StateAction)]
    action: String,
    /// Why (required to reopen).
    #[serde(default)]
    reason: String,
}

/// What to do with a round (the schema of `action`; the handler reads the text).
#[allow(dead_code)]
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum StateAction {
    /// collecting → meeting ① → meeting ②.
    Advance,
    /// Closes the round (refused with what is missing).
    Close,
    /// Reopens a closed round.
    Reopen,
}

/// `POST /api/v1/plans/{id}/rounds/{fy}/state` `{action: advance|close|reopen, reason?}`.
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/rounds/{fy}/state",
    operation_id = "changeRoundState",
    summary = "Moves a round (advance: collecting → meeting ① → meeting ②), closes it (refused with what is missing) or reopens it with a reason (secretariat only).",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), ("fy" = inline(ApiFiscalYear), Path, description = "The round's result fiscal year.")),
    request_body = StateBody,
    responses(
        (status = 200, description = "The round after the change.", body = RoundJson),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = NO_ROUND, body = ErrorBody),
        (status = 409, description = "The round changed meanwhile (code `conflict`).", body = ErrorBody),
        (status = 422, description = REFUSED, body = ErrorBody),
    )
)]
async fn change_state(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    headers: HeaderMap,
    AppPath((id, fy)): AppPath<(String, ApiFiscalYear)>,
    body: Result<Json<StateBody>, JsonRejection>,
) -> Result<Json<RoundJson>, WebError> {
    check_csrf(&user, &headers)?;
    let Json(body) = body.map_err(bad_json)?;
    let plan = plan_of(&state, &id).await?;
    let fy = fy.0;
    apply_state(&state, &user, &plan, fy, &body.action, &body.reason)
        .await?
        .map_err(WebError::Unprocessable)?;
    round_body(&state, &plan, fy).await
}

/// A committee rating.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RateBody {
    /// The indicator.
    #[schema(example = "p1-out-01")]
    indicator_id: String,
    /// A, B or N.
    #[schema(value_type = pdca_app::json::RatingJson)]
    rating: String,
    /// Why the rating differs from the automatic judgement (required then).
    reason: Option<String>,
    /// 課題 (required with B).
    issue: Option<String>,
    /// 解決策 (required with B).
    solution: Option<String>,
    /// The `recorded_at` of the rating read (`"none"` when there was none); when given, a
    /// rating changed meanwhile is refused with 409.
    version: Option<String>,
}

/// `POST /api/v1/plans/{id}/rounds/{fy}/ratings` `{indicator_id, rating, reason?, issue?,
/// solution?}` (secretariat and committee).
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/rounds/{fy}/ratings",
    operation_id = "rateIndicator",
    summary = "Records the committee's rating A, B or N of an indicator; a rating differing from the automatic judgement (自動判定) needs a reason (secretariat and committee).",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), ("fy" = inline(ApiFiscalYear), Path, description = "The round's result fiscal year.")),
    request_body = RateBody,
    responses(
        (status = 200, description = "The round after the change.", body = RoundJson),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = NO_ROUND, body = ErrorBody),
        (status = 409, description = "The rating changed since `version` was read (code `conflict`).", body = ErrorBody),
        (status = 422, description = REFUSED, body = ErrorBody),
    )
)]
async fn rate(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Raters>,
    headers: HeaderMap,
    AppPath((id, fy)): AppPath<(String, ApiFiscalYear)>,
    body: Result<Json<RateBody>, JsonRejection>,
) -> Result<Json<RoundJson>, WebError> {
    check_csrf(&user, &headers)?;
    let Json(body) = body.map_err(bad_json)?;
    let plan = plan_of(&state, &id).await?;
    let fy = fy.0;
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

/// An item to add.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ItemBody {
    /// What it is. Notable results, priority items, policy clauses and revision proposals:
    /// the secretariat; opinions: the secretariat and the committee; priority measures and
    /// clause statuses: the bodies (their own) and the secretariat.
    #[schema(value_type = pdca_app::follow_up::schema::ItemKindJson)]
    kind: String,
    /// The text.
    text: String,
    /// A short title (priority items, policy clauses).
    title: Option<String>,
    /// 留意点 (priority items).
    points: Option<String>,
    /// The reporting body (priority measures, clause statuses).
    body_id: Option<String>,
    /// Project ids, indicator ids, or `#n` for another item.
    #[serde(default)]
    links: Vec<String>,
    /// 予算への反映 (policy clauses).
    budget: Option<String>,
    /// The meeting it was raised at (opinions).
    #[serde(default, deserialize_with = "crate::openapi::json_int::optional")]
    meeting_id: Option<i64>,
    /// The plan revision a revision proposal led to.
    #[serde(default, deserialize_with = "crate::openapi::json_int::optional")]
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    plan_revision: Option<u32>,
}

/// `POST /api/v1/plans/{id}/rounds/{fy}/items`: adds an item; who may add which kind is the
/// pages' rule.
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/rounds/{fy}/items",
    operation_id = "addRoundItem",
    summary = "Adds a notable result, priority item, opinion, priority measure, policy clause, clause status or revision proposal, with links (by role: see the description of `kind`).",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), ("fy" = inline(ApiFiscalYear), Path, description = "The round's result fiscal year.")),
    request_body = ItemBody,
    responses(
        (status = 201, description = "The item as stored.", body = RoundItemJson),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = NO_ROUND, body = ErrorBody),
        (status = 409, description = "The round changed meanwhile (code `conflict`).", body = ErrorBody),
        (status = 422, description = REFUSED, body = ErrorBody),
    )
)]
async fn add_item(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Contributors>,
    headers: HeaderMap,
    AppPath((id, fy)): AppPath<(String, ApiFiscalYear)>,
    body: Result<Json<ItemBody>, JsonRejection>,
) -> Result<Response, WebError> {
    check_csrf(&user, &headers)?;
    let Json(body) = body.map_err(bad_json)?;
    let plan = plan_of(&state, &id).await?;
    let fy = fy.0;
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
    Ok((StatusCode::CREATED, Json(item_document(&stored))).into_response())
}

/// `GET /api/v1/plans/{id}/meetings`: the meetings the caller may read (viewers: those of
/// closed rounds only), by date, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/meetings",
    operation_id = "listMeetings",
    summary = "The committee's meetings with agenda and materials (viewers: those of closed rounds), by date, a page at a time.",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), PageQuery),
    responses(
        (status = 200, description = "A page of meetings.", body = MeetingPage),
        (status = 400, description = "`limit` is not 1–1000 (code `bad_request`, field `limit`), `cursor` is not a cursor (code `invalid_cursor`), or the path is not UTF-8.", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = crate::progress::api::PASSWORD_CHANGE, body = ErrorBody),
        (status = 404, description = NO_PLAN, body = ErrorBody),
    )
)]
async fn list_meetings(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<String>,
    crate::frame::view::AppQuery(page): crate::frame::view::AppQuery<PageQuery>,
) -> Result<Json<MeetingPage>, ApiError> {
    let request = page.request()?;
    let plan = plan_of(&state, &id).await?;
    let meetings = readable_meetings(&state, &user, &plan.id).await?;
    let (meetings, next_cursor) = paginate(
        meetings,
        |m| {
            let mut key = m.date.to_string().into_bytes();
            key.extend(number_key(u64::try_from(m.id).unwrap_or(0)));
            key
        },
        &request,
    );
    Ok(Json(MeetingPage {
        meetings: meetings.iter().map(meeting_document).collect(),
        next_cursor,
    }))
}

/// A page of meetings, by date.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MeetingPage {
    /// The meetings of this page.
    meetings: Vec<MeetingJson>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// A material of a new meeting.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct MaterialBody {
    /// 資料1, 資料2-1, 参考資料4.
    label: String,
    /// Its title.
    #[serde(default)]
    title: String,
}

/// A meeting to add.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct MeetingBody {
    /// 第35回 is 35: 1–9999.
    #[serde(deserialize_with = "crate::openapi::json_int::required")]
    #[schema(minimum = 1, maximum = 9999)]
    number: u32,
    /// ① (1) or ② (2).
    #[schema(schema_with = meeting_kind_schema)]
    kind: Value,
    /// The day, YYYY-MM-DD.
    #[schema(format = Date)]
    date: String,
    /// The round's result fiscal year, when it belongs to one.
    #[schema(schema_with = optional_fiscal_year_schema)]
    fy: Option<Value>,
    /// The committee; by default the plan's.
    committee: Option<String>,
    /// The agenda; drafted from the round when empty.
    #[serde(default)]
    agenda: Vec<String>,
    /// The materials.
    #[serde(default)]
    materials: Vec<MaterialBody>,
}

/// 1, 2, "1" or "2".
fn meeting_kind_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
        .enum_values(Some([
            Value::from(1),
            Value::from(2),
            Value::from("1"),
            Value::from("2"),
        ]))
        .build()
        .into()
}

/// A fiscal year or null.
fn optional_fiscal_year_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(ApiFiscalYear::json_field_schema())
        .item(
            utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::Null),
        )
        .build()
        .into()
}

/// `POST /api/v1/plans/{id}/meetings`: adds a meeting (secretariat); without an agenda, the
/// agenda is drafted from the round.
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/meetings",
    operation_id = "addMeeting",
    summary = "Adds a meeting; without an agenda it is drafted from the round (secretariat only).",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2")),
    request_body = MeetingBody,
    responses(
        (status = 201, description = "The meeting as stored.", body = MeetingJson),
        (status = 400, description = BAD_BODY, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = WRITE_FORBIDDEN, body = ErrorBody),
        (status = 404, description = NO_PLAN, body = ErrorBody),
        (status = 409, description = "A meeting of that number exists (code `conflict`).", body = ErrorBody),
        (status = 422, description = REFUSED, body = ErrorBody),
    )
)]
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
    if !(1..=9999).contains(&body.number) {
        return Err(WebError::Unprocessable(format!(
            "会合の回数 {} は 1〜9999 で指定してください",
            body.number
        )));
    }
    let date = parse_date(&body.date).map_err(unprocessable)?;
    check_year(date)?;
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
    Ok((StatusCode::CREATED, Json(meeting_document(&meeting))).into_response())
}

/// `GET /api/v1/plans/{id}/ratings`: the committee's ratings per indicator per year, with the
/// counts per year, over the rounds the caller may read.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/ratings",
    operation_id = "ratingMatrix",
    summary = "The committee's ratings per indicator per year and the counts per year (e.g. 46項目中42項目がA), over the rounds the caller may read. One document, not a list: one column per round.",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2")),
    responses(
        (status = 200, description = "Ratings per indicator per year, with the counts.", body = RatingMatrixJson),
        (status = 400, description = BAD_PATH, body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = crate::progress::api::PASSWORD_CHANGE, body = ErrorBody),
        (status = 404, description = NO_PLAN, body = ErrorBody),
    )
)]
async fn ratings(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<Json<RatingMatrixJson>, WebError> {
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
    Ok(Json(rating_matrix_document(&plan, &history)))
}

/// The report's format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// pdf, xlsx or md.
    #[serde(default)]
    #[param(inline, value_type = ReportFormat, required = true)]
    format: String,
}

/// A report's format (the schema of `format`; the handler reads the text).
#[allow(dead_code)]
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum ReportFormat {
    /// PDF.
    Pdf,
    /// An Excel workbook.
    Xlsx,
    /// Markdown.
    Md,
}

/// `GET /api/v1/plans/{id}/rounds/{fy}/report?format=pdf|xlsx|md`: the round's report file.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/rounds/{fy}/report",
    operation_id = "roundReport",
    summary = "The follow-up report of a round as PDF, XLSX or Markdown (`pdca report`).",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), ("fy" = inline(ApiFiscalYear), Path, description = "The round's result fiscal year."), ReportQuery, crate::progress::api::IfNoneMatch),
    responses(
        (status = 200, description = "The report file, as an attachment.", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/markdown")), headers(
            ("ETag" = String, description = "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed."),
            ("Cache-Control" = String, description = "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use."),
            ("Content-Disposition" = String, description = "`attachment` with the file's name."))),
        (status = 304, description = crate::progress::api::NOT_MODIFIED_DESCRIPTION, headers(
            ("ETag" = String, description = "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed."),
            ("Cache-Control" = String, description = "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use."))),
        (status = 400, description = "`format` is not pdf, xlsx or md, or `fy` is not a fiscal year of the pattern (code `bad_request`).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = READ_FORBIDDEN, body = ErrorBody),
        (status = 404, description = NO_ROUND, body = ErrorBody),
    )
)]
async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    AppPath((id, fy)): AppPath<(String, ApiFiscalYear)>,
    crate::frame::view::AppQuery(query): crate::frame::view::AppQuery<ReportQuery>,
) -> Result<Response, WebError> {
    let plan = plan_of(&state, &id).await?;
    let fy = fy.0;
    crate::follow_up::meetings::report_file(&state, &user, &headers, &plan, fy, &query.format).await
}
