//! The traceability view of an indicator and the iCalendar feed.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use pdca_core::FiscalYear;
use pdca_core::follow_up::{FollowUpRound, ItemKind, LinkKind, RoundItem};

use super::round_page::ItemRow;
use super::round_parts::{item_row, pace_text, rating_letter};
use super::rounds::{PlanOnly, may_read, readable_meetings};
use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppPath, AppQuery, Chrome, Here, choose_plan};
use crate::{AppState, WebError};
use pdca_app::follow_up::{RoundView, calendar_ics};

// ---------------------------------------------------------------------------------------------
// Traceability

pub(crate) struct TraceYear {
    fy: String,
    fy_year: i32,
    proposal: String,
    pace: String,
    rating: String,
    reason: String,
    issue: String,
    solution: String,
    priorities: Vec<ItemRow>,
    clauses: Vec<ItemRow>,
    opinions: Vec<ItemRow>,
    next: String,
}

#[derive(Template)]
#[template(path = "follow_up/trace.html")]
pub(crate) struct TracePage {
    c: Chrome,
    title: String,
    plan_id: String,
    indicator_id: String,
    indicator_name: String,
    years: Vec<TraceYear>,
}

/// `GET /trace/{indicator}[?plan=]`: the chain from an indicator through every round: the
/// engine's proposal and the committee's rating, the issue and solution, the priority items
/// and opinions about it, the policy clauses that reflect it (directly or through a priority
/// item), and how it stood in the next round.
pub(crate) async fn trace_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppPath(indicator_id): AppPath<String>,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Html<String>, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let indicator = plan
        .indicator(&indicator_id)
        .ok_or_else(|| WebError::NotFound(format!("指標「{indicator_id}」")))?
        .clone();
    let rounds: Vec<FollowUpRound> = state
        .store
        .rounds(&plan.id)
        .await?
        .into_iter()
        .filter(|r| may_read(&user, r).is_ok())
        .collect();
    let t = lang.text();
    let years: Vec<FiscalYear> = rounds.iter().map(|r| r.fiscal_year).collect();
    let views = RoundView::load_all(&state.store, &plan.id, &years).await?;
    let about = |item: &RoundItem| {
        item.links
            .iter()
            .any(|l| l.kind == LinkKind::Indicator && l.id == indicator.id)
    };
    let mut years = Vec::new();
    for (n, view) in views.iter().enumerate() {
        let fy = view.content.round.fiscal_year;
        let e = view
            .evaluation
            .indicators
            .iter()
            .find(|e| e.id == indicator.id);
        let r = view.rating(&indicator.id);
        let priorities: Vec<&RoundItem> = view
            .items(ItemKind::PriorityItem)
            .filter(|i| about(i))
            .collect();
        let priority_links: Vec<String> = priorities.iter().map(|p| p.id.to_string()).collect();
        let clauses = view
            .items(ItemKind::PolicyClause)
            .filter(|c| {
                about(c)
                    || c.links
                        .iter()
                        .any(|l| l.kind == LinkKind::Item && priority_links.contains(&l.id))
            })
            .map(|c| item_row(c, &view.plan, &plan.id))
            .collect();
        let next = views.get(n + 1).map_or_else(String::new, |next| {
            let after = next
                .evaluation
                .indicators
                .iter()
                .find(|e| e.id == indicator.id);
            format!(
                "{}: {} {}, {} {}",
                i18n::fiscal_year(lang, next.content.round.fiscal_year),
                t.round_col_rating,
                rating_letter(next.rating(&indicator.id).map(|r| r.rating)),
                t.round_col_pace,
                pace_text(after.and_then(|e| e.pace))
            )
        });
        years.push(TraceYear {
            fy: i18n::fiscal_year(lang, fy),
            fy_year: fy.year(),
            proposal: e.map_or_else(String::new, |e| t.status_short(e.status).to_owned()),
            pace: pace_text(e.and_then(|e| e.pace)),
            rating: rating_letter(r.map(|r| r.rating)),
            reason: r.and_then(|r| r.reason.clone()).unwrap_or_default(),
            issue: r.and_then(|r| r.issue.clone()).unwrap_or_default(),
            solution: r.and_then(|r| r.solution.clone()).unwrap_or_default(),
            priorities: priorities
                .iter()
                .map(|p| item_row(p, &view.plan, &plan.id))
                .collect(),
            clauses,
            opinions: view
                .items(ItemKind::Opinion)
                .filter(|i| about(i))
                .map(|i| item_row(i, &view.plan, &plan.id))
                .collect(),
            next,
        });
    }
    let page = TracePage {
        c: Chrome::new(lang, Some(&user), &here),
        title: format!("{} — {}", t.trace_title, indicator.name),
        plan_id: plan.id.clone(),
        indicator_id: indicator.id.clone(),
        indicator_name: indicator.name.clone(),
        years,
    };
    Ok(Html(page.render()?))
}

// ---------------------------------------------------------------------------------------------
// Calendar and tasks

/// `GET /calendar.ics[?plan=]`: the deadlines of the rounds and the meetings the user may read,
/// as iCalendar.
pub(crate) async fn calendar(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Response, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let rounds: Vec<FollowUpRound> = state
        .store
        .rounds(&plan.id)
        .await?
        .into_iter()
        .filter(|r| may_read(&user, r).is_ok())
        .collect();
    let meetings = readable_meetings(&state, &user, &plan.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"pdca.ics\"",
            ),
        ],
        calendar_ics(&plan, &rounds, &meetings),
    )
        .into_response())
}
