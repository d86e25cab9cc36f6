//! The plan dashboard: the indicators that need attention, the schedule, a card per project.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Html;
use pdca_core::{Rating, Status};
use pdca_store::Visibility;

use super::figures::{self, Badge, Figures, RatingCell, is_unlikely};
use super::pages::{framed, load, page_key, reader};
use crate::frame::auth::CurrentUser;
use crate::frame::cache::Evaluated;
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppQuery, Chrome, Here, PlanQuery, percent};
use crate::{AppState, WebError};

/// The dashboard's main part (the page's frame is [`super::pages`]' `Framed`).
#[derive(Template)]
#[template(path = "progress/dashboard.html", block = "content")]
struct DashboardPage {
    c: Chrome,
    title: &'static str,
    plan_name: String,
    /// The revision in force, linked to its changes from the one before when it is not the first.
    plan_revision: u32,
    plan_id: String,
    as_of_heading: String,
    years: Vec<YearOption>,
    can_include_unapproved: bool,
    include_unapproved: bool,
    attention: Vec<AttentionRow>,
    cards: Vec<ProjectCard>,
    legend: Vec<Badge>,
    query: String,
    schedule: Vec<crate::tasks::ScheduleRow>,
    overdue: Vec<String>,
}

struct YearOption {
    value: i32,
    label: String,
    selected: bool,
}

struct AttentionRow {
    id: String,
    /// The indicator's name; a sub-target's is its parent's with its own in brackets.
    name: String,
    project: String,
    rating: RatingCell,
    f: Figures,
}

struct ProjectCard {
    id: String,
    name: String,
    achieved: usize,
    a: usize,
    b: usize,
    n: usize,
    share_line: String,
    bar_class: String,
}

pub(super) async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlanQuery>,
) -> Result<Html<Bytes>, WebError> {
    let cx = load(&state, &user, &query).await?;
    let t = lang.text();
    let work = crate::tasks::home_work(&state, &user, lang, &cx.plan).await?;
    let page = cx
        .page(
            page_key(lang, &user, &here),
            reader(&user),
            || dashboard_main(&state, &user, lang, &here, &cx),
            |main| framed(lang, &user, &here, t.dashboard_title, main, &work),
        )
        .await?;
    Ok(Html(page))
}

/// The status an indicator counts as: the committee's rating where it has rated (an A of an
/// achieved indicator stays 達成), the automatic judgement otherwise.
fn counted(status: Status, committee: Option<Rating>) -> Status {
    match (committee, status) {
        (Some(Rating::A), Status::Achieved) => Status::Achieved,
        (Some(Rating::A), _) => Status::OnTrack,
        (Some(Rating::B), _) => Status::Insufficient,
        (Some(Rating::N), _) => Status::NotEvaluable,
        (None, status) => status,
    }
}

/// Renders the dashboard's main part from the evaluation `cx`.
async fn dashboard_main(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    cx: &Evaluated,
) -> Result<String, WebError> {
    let t = lang.text();
    let ratings: HashMap<String, Rating> = figures::committee_ratings(state, user, cx).await?;
    let mut attention: Vec<(Option<f64>, AttentionRow)> = Vec::new();
    let mut cards = Vec::new();
    let mut evaluations = cx.evaluation.indicators.iter();
    for project in &cx.plan.projects {
        let (mut achieved, mut a, mut b, mut n) = (0, 0, 0, 0);
        for indicator in &project.indicators {
            let Some(e) = evaluations.next() else { break };
            let committee = ratings.get(&indicator.id).copied();
            let status = counted(e.status, committee);
            match status {
                Status::Achieved => achieved += 1,
                Status::OnTrack => a += 1,
                Status::Insufficient => b += 1,
                Status::NotEvaluable => n += 1,
                Status::NotRated => {}
            }
            let f = Figures::new(t, indicator, e, &cx.actuals, cx.as_of);
            let unlikely = f.reported && is_unlikely(e.p_attain);
            if status == Status::Insufficient || (unlikely && status != Status::Achieved) {
                let name = cx.plan.full_name(indicator, t.paren_open, t.paren_close);
                attention.push((
                    e.p_attain.filter(|_| f.reported),
                    AttentionRow {
                        id: indicator.id.clone(),
                        name,
                        project: project.name.clone(),
                        rating: RatingCell::new(t, e.status, committee),
                        f,
                    },
                ));
            }
        }
        let rated = achieved + a + b + n;
        let good = achieved + a;
        let share = if rated == 0 {
            0.0
        } else {
            good as f64 / rated as f64
        };
        let tenth = (share * 10.0).round() as u32 * 10;
        cards.push(ProjectCard {
            id: project.id.clone(),
            name: project.name.clone(),
            achieved,
            a,
            b,
            n,
            share_line: i18n::share_line(lang, &percent(Some(share)), good, rated),
            bar_class: format!("w{tenth}"),
        });
    }
    // Least likely first; those without a probability (B by level or ratio) after them.
    attention.sort_by(|(p, _), (q, _)| match (p, q) {
        (Some(p), Some(q)) => p.total_cmp(q),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let (schedule, overdue) =
        crate::tasks::schedule(state, user, lang, &cx.plan, &cx.rounds, &cx.meetings).await?;
    let page = DashboardPage {
        schedule,
        overdue,
        c: Chrome::new(lang, Some(user), here),
        title: t.dashboard_title,
        plan_name: cx.plan.name.clone(),
        plan_revision: cx.plan.revision,
        plan_id: cx.plan.id.clone(),
        as_of_heading: i18n::as_of(lang, cx.as_of),
        years: cx
            .plan
            .period
            .years()
            .map(|fy| YearOption {
                value: fy.year(),
                label: i18n::fiscal_year(lang, fy),
                selected: fy == cx.as_of,
            })
            .collect(),
        can_include_unapproved: user.role().reads_unapproved(),
        include_unapproved: cx.visibility == Visibility::All,
        attention: attention.into_iter().map(|(_, row)| row).collect(),
        cards,
        legend: [
            Status::Achieved,
            Status::OnTrack,
            Status::Insufficient,
            Status::NotEvaluable,
        ]
        .into_iter()
        .map(|s| Badge::status(t, s))
        .collect(),
        query: cx.query.clone(),
    };
    Ok(page.render()?)
}
