//! Each user's task list and the schedule that the dashboard shows.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use pdca_core::Plan;
use pdca_core::access::{ActualState, Role};
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{FollowUpRound, ItemKind, RoundState};
use pdca_store::Visibility;

use crate::follow_up::round_page::round_href;
use crate::follow_up::rounds::{PlanOnly, may_read};
use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppQuery, Chrome, Here, choose_plan};
use crate::{AppState, WebError};

/// The routes of the task list.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/tasks", get(tasks_page))
}

pub(crate) struct Task {
    text: String,
    href: String,
}

#[derive(Template)]
#[template(path = "tasks/tasks.html")]
pub(crate) struct TasksPage {
    c: Chrome,
    title: &'static str,
    tasks: Vec<Task>,
}

/// Each user's tasks: reports overdue (a body's own, or all for the secretariat), values
/// awaiting approval (secretariat), B ratings without an issue and solution (secretariat and
/// committee), opinions requested from the committee in rounds at a meeting.
pub(crate) async fn tasks_for(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    plan: &Plan,
    today: time::Date,
) -> Result<Vec<Task>, WebError> {
    let role = user.role();
    let mut tasks = Vec::new();
    let rounds = state.store.rounds(&plan.id).await?;
    let current = state
        .store
        .current_actuals_as(&plan.id, Visibility::All)
        .await?;
    for round in rounds.iter().filter(|r| r.state.is_open()) {
        let fy = round.fiscal_year;
        let href = round_href(&plan.id, fy, None);
        if matches!(role, Role::Secretariat | Role::Body) {
            let own = user.user.body.as_deref();
            for (indicator, body) in overdue_reports(plan, round, &current, today) {
                if role == Role::Body && own != Some(body.as_str()) {
                    continue;
                }
                tasks.push(Task {
                    text: format!(
                        "{} {indicator}（{body}）: {}",
                        i18n::fiscal_year(lang, fy),
                        lang.text().round_deadline
                    ),
                    href: format!("/entry?fy={}", fy.year()),
                });
            }
        }
        if role == Role::Secretariat {
            let awaiting = current
                .iter()
                .filter(|c| c.contribution.year == fy && c.state == ActualState::Submitted)
                .count();
            if awaiting > 0 {
                tasks.push(Task {
                    text: format!(
                        "{}: {} {awaiting}",
                        i18n::fiscal_year(lang, fy),
                        lang.text().nav_approval
                    ),
                    href: format!("/approval?fy={}", fy.year()),
                });
            }
        }
        if matches!(role, Role::Secretariat | Role::Committee) {
            for rating in state.store.round_ratings(&plan.id, fy).await? {
                if rating.rating == Rating::B
                    && (rating.issue.is_none() || rating.solution.is_none())
                {
                    tasks.push(Task {
                        text: format!(
                            "{} {}: B — {}・{}",
                            i18n::fiscal_year(lang, fy),
                            rating.indicator_id,
                            lang.text().round_col_issue,
                            lang.text().round_col_solution
                        ),
                        href: href.clone(),
                    });
                }
            }
        }
        if role == Role::Committee && round.state != RoundState::Collecting {
            tasks.push(Task {
                text: format!(
                    "{}: {}",
                    i18n::fiscal_year(lang, fy),
                    i18n::item_kind_label(lang, ItemKind::Opinion)
                ),
                href: href.clone(),
            });
        }
    }
    Ok(tasks)
}

/// The (indicator, body) pairs whose report of the round's year is overdue: the round is
/// collecting, its deadline has passed, and the body has no value of the year beyond a draft.
pub(crate) fn overdue_reports(
    plan: &Plan,
    round: &FollowUpRound,
    current: &[pdca_store::StoredActual],
    today: time::Date,
) -> Vec<(String, String)> {
    if round.state != RoundState::Collecting || today <= round.deadline {
        return Vec::new();
    }
    let reported: std::collections::HashSet<(&str, &str)> = current
        .iter()
        .filter(|c| c.contribution.year == round.fiscal_year && c.state != ActualState::Draft)
        .map(|c| {
            (
                c.contribution.indicator.as_str(),
                c.contribution.body.as_str(),
            )
        })
        .collect();
    plan.indicators()
        .flat_map(|(_, indicator)| {
            indicator
                .assignments
                .iter()
                .filter(|a| !reported.contains(&(indicator.id.as_str(), a.body.as_str())))
                .map(|a| (indicator.id.clone(), a.body.clone()))
        })
        .collect()
}

/// Today in Japan, where the deadlines are.
pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC))
        .date()
}

/// A dated line of the dashboard's schedule.
pub(crate) struct ScheduleRow {
    /// The day, in the page's language.
    pub date: String,
    /// What happens.
    pub text: String,
    /// Where to read more.
    pub href: String,
}

/// The dashboard's schedule (the open rounds' deadlines and their meetings, by date) and the
/// overdue reports of rounds past their deadline, per body: "AMED: 3件（p1-out-01, …）".
pub(crate) async fn schedule(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    plan: &Plan,
    rounds: &[FollowUpRound],
    meetings: &[pdca_core::follow_up::Meeting],
) -> Result<(Vec<ScheduleRow>, Vec<String>), WebError> {
    let rounds: Vec<&FollowUpRound> = rounds
        .iter()
        .filter(|r| r.state.is_open() && may_read(user, r).is_ok())
        .collect();
    if rounds.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let t = lang.text();
    let mut rows: Vec<(time::Date, ScheduleRow)> = Vec::new();
    for round in &rounds {
        rows.push((
            round.deadline,
            ScheduleRow {
                date: i18n::date(lang, round.deadline),
                text: format!(
                    "{} {}（{}）",
                    i18n::fiscal_year(lang, round.fiscal_year),
                    t.round_deadline,
                    i18n::round_state_label(lang, round.state)
                ),
                href: round_href(&plan.id, round.fiscal_year, None),
            },
        ));
    }
    for meeting in meetings {
        if let Some(fy) = meeting.fiscal_year
            && rounds.iter().any(|r| r.fiscal_year == fy)
        {
            rows.push((
                meeting.date,
                ScheduleRow {
                    date: i18n::date(lang, meeting.date),
                    text: format!("{}（{}）", meeting.title(), meeting.kind.mark()),
                    href: round_href(&plan.id, fy, None),
                },
            ));
        }
    }
    rows.sort_by_key(|(date, _)| *date);
    let today = today();
    let mut overdue = Vec::new();
    if rounds
        .iter()
        .any(|r| r.state == RoundState::Collecting && today > r.deadline)
    {
        let current = state
            .store
            .current_actuals_as(&plan.id, Visibility::All)
            .await?;
        for round in rounds.iter().copied() {
            let mut by_body: std::collections::BTreeMap<String, Vec<String>> =
                std::collections::BTreeMap::new();
            for (indicator, body) in overdue_reports(plan, round, &current, today) {
                by_body.entry(body).or_default().push(indicator);
            }
            for (body, indicators) in by_body {
                let name = plan.body(&body).map_or(body.clone(), |b| {
                    b.short_name.clone().unwrap_or(b.name.clone())
                });
                overdue.push(format!(
                    "{} {name}: {}（{}）",
                    i18n::fiscal_year(lang, round.fiscal_year),
                    indicators.len(),
                    indicators.join(", ")
                ));
            }
        }
    }
    Ok((rows.into_iter().map(|(_, row)| row).collect(), overdue))
}

/// `GET /tasks`: the signed-in user's task list.
pub(crate) async fn tasks_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Html<String>, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let tasks = tasks_for(&state, &user, lang, &plan, today()).await?;
    let page = TasksPage {
        c: Chrome::new(lang, Some(&user), &here),
        title: lang.text().tasks_title,
        tasks,
    };
    Ok(Html(page.render()?))
}
