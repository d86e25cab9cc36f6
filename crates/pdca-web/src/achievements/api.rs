//! Achievements (成果) in the JSON API: the list behind each count, a page at a time, with only
//! what the caller's role may see (`pdca_core::achievements::visible`): viewers get the public,
//! approved achievements' title, institution, year and indicator, and nothing else.

use axum::Json;
use axum::extract::State;
use pdca_core::Plan;
use pdca_core::achievements::AchievementView;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::frame::auth::CurrentUser;
use crate::frame::view::{AppPath, AppQuery};
use crate::openapi::{ApiError, ApiFiscalYear, ErrorBody, PageQuery, number_key, paginate};
use crate::progress::api::{PASSWORD_CHANGE, UNAUTHORIZED};
use crate::{AppState, WebError};
use pdca_app::achievements::achievements_for;

/// The routes of this module, with their operations.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_achievements))
}

/// Which achievements.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AchievementQuery {
    /// Only this indicator's achievements; a sub-target's are its parent's carrying its tag.
    indicator: Option<String>,
    /// Only this fiscal year's (calendar year's, for an indicator counted by calendar year).
    #[param(inline)]
    fy: Option<ApiFiscalYear>,
}

/// Where an achievement stands in the approval flow.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AchievementState {
    /// 一時保存.
    Draft,
    /// 提出済み.
    Submitted,
    /// 承認済み.
    Approved,
    /// 差戻し.
    Returned,
    /// 確定.
    Locked,
}

impl From<pdca_core::access::ActualState> for AchievementState {
    fn from(s: pdca_core::access::ActualState) -> Self {
        use pdca_core::access::ActualState as S;
        match s {
            S::Draft => Self::Draft,
            S::Submitted => Self::Submitted,
            S::Approved => Self::Approved,
            S::Returned => Self::Returned,
            S::Locked => Self::Locked,
        }
    }
}

/// An achievement as the caller may see it. Viewers get `id`, `indicator`, `fiscal_year`,
/// `title` and `institution` only; the other fields are absent for them.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AchievementJson {
    /// Its identity.
    id: i64,
    /// The indicator it counts towards (a sub-target's achievements are its parent's).
    indicator: String,
    /// The fiscal (or calendar) year.
    fiscal_year: i32,
    /// It in 和暦.
    fiscal_year_ja: String,
    /// 成果名・品目名.
    title: String,
    /// 実施機関.
    #[serde(skip_serializing_if = "Option::is_none")]
    institution: Option<String>,
    /// The version of the revision read (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
    /// The reporting body's id (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    /// 課題番号 (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    project_code: Option<String>,
    /// The date it was reached (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    date: Option<String>,
    /// 区分: the sub-targets' tags (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    /// Whether it may be published (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    public: Option<bool>,
    /// A candidate for 顕著な成果 (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    notable: Option<bool>,
    /// The evidence link (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// 備考 (not for viewers).
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    /// Where it stands (not for viewers, who see approved achievements only).
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<AchievementState>,
}

impl From<AchievementView> for AchievementJson {
    fn from(v: AchievementView) -> Self {
        let d = v.details;
        AchievementJson {
            id: v.id.0,
            indicator: v.indicator,
            fiscal_year: v.year.year(),
            fiscal_year_ja: v.year.wareki(),
            title: v.title,
            institution: v.institution,
            version: d.as_ref().map(|d| d.version),
            body: d.as_ref().map(|d| d.body.clone()),
            project_code: d.as_ref().and_then(|d| d.project_code.clone()),
            date: d.as_ref().and_then(|d| d.date.clone()),
            tags: d.as_ref().map(|d| d.tags.clone()),
            public: d.as_ref().map(|d| d.public),
            notable: d.as_ref().map(|d| d.notable),
            url: d.as_ref().and_then(|d| d.url.clone()),
            note: d.as_ref().and_then(|d| d.note.clone()),
            state: d.as_ref().map(|d| d.state.into()),
        }
    }
}

/// A page of achievements, by id.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AchievementPage {
    /// The achievements of this page.
    achievements: Vec<AchievementJson>,
    /// The `cursor` of the next page; null on the last.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

async fn plan_of(state: &AppState, id: &str) -> Result<Plan, WebError> {
    state
        .store
        .plan(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("計画「{id}」")))
}

/// `GET /api/v1/plans/{id}/achievements[?indicator=][&fy=][&limit=][&cursor=]`.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}/achievements",
    operation_id = "listAchievements",
    summary = "The achievements (成果) behind the counts that the caller may see, by id, a page at a time: everything for the secretariat and the committee; a body's own in any state and the others' approved ones; for viewers the public, approved ones with their title, institution, year and indicator only.",
    params(("id" = String, Path, description = "The plan's id.", example = "medical-rd-2"), AchievementQuery, PageQuery),
    responses(
        (status = 200, description = "A page of the achievements the caller may see.", body = AchievementPage),
        (status = 400, description = "`fy` is not a fiscal year, `limit` is not 1–1000 (code `bad_request`), `cursor` is not a cursor (code `invalid_cursor`), or the path is not UTF-8.", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = PASSWORD_CHANGE, body = ErrorBody),
        (status = 404, description = "No such plan, or no such indicator in it (code `not_found`).", body = ErrorBody),
    )
)]
async fn list_achievements(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<AchievementQuery>,
    AppQuery(page): AppQuery<PageQuery>,
) -> Result<Json<AchievementPage>, ApiError> {
    let request = page.request()?;
    let plan = plan_of(&state, &id).await?;
    let indicator = query
        .indicator
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let items = achievements_for(
        &state.store,
        &plan,
        user.role(),
        user.user.body.as_deref(),
        indicator,
        query.fy.map(|fy| fy.0),
    )
    .await?;
    let (items, next_cursor) = paginate(
        items,
        |a| number_key(u64::try_from(a.id.0).unwrap_or(0)),
        &request,
    );
    Ok(Json(AchievementPage {
        achievements: items.into_iter().map(AchievementJson::from).collect(),
        next_cursor,
    }))
}
