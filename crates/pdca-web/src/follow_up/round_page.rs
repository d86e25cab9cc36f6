//! One round's page: its state, the three viewpoints, the previous policy's follow-up and its meetings.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use pdca_core::access::Role;
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{ItemKind, LinkKind, RoundItem, default_schedule};
use pdca_core::{FiscalYear, Plan};
use serde::Deserialize;

use super::rounds::{may_read, shows_form};
use crate::frame::auth::{CurrentUser, Writers, who};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{
    AppPath, AppQuery, Chrome, Here, choose_plan, encode_query, parse_fy, refused,
};
use crate::{AppState, WebError};
use pdca_app::follow_up::RoundView;

pub(crate) fn round_href(plan_id: &str, fy: FiscalYear, done: Option<&str>) -> String {
    let mut pairs = vec![("plan", plan_id)];
    if let Some(done) = done {
        pairs.push(("done", done));
    }
    format!("/rounds/{}?{}", fy.year(), encode_query(pairs.into_iter()))
}

// ---------------------------------------------------------------------------------------------
// One round

pub(crate) struct IndicatorRow {
    id: String,
    name: String,
    sub: bool,
    proposal: String,
    status_class: &'static str,
    pace: String,
    rating: String,
    rating_value: String,
    reason: String,
    issue: String,
    solution: String,
    /// The rating's `recorded_at`, or `none`: what the form sends back.
    version: String,
}

pub(crate) struct ItemRow {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) points: String,
    pub(crate) body: String,
    pub(crate) links: Vec<(String, String)>,
    pub(crate) budget: String,
    pub(crate) by: String,
    pub(crate) reflected: bool,
}

pub(crate) struct ItemSection {
    kind: &'static str,
    label: &'static str,
    items: Vec<ItemRow>,
    form: bool,
    needs_title: bool,
    needs_points: bool,
    needs_body: bool,
    needs_budget: bool,
    /// Opinions name the meeting they were raised at.
    needs_meeting: bool,
    /// Revision proposals name the plan revision they led to.
    needs_revision: bool,
}

pub(crate) struct ClauseRow {
    clause: ItemRow,
    statuses: Vec<ItemRow>,
    movements: Vec<String>,
}

pub(crate) struct MeetingRow {
    id: i64,
    title: String,
    mark: &'static str,
    date: String,
    agenda: Vec<String>,
    /// (label and title, download link when a file is attached).
    materials: Vec<(String, String)>,
    minutes: String,
}

#[derive(Template)]
#[template(path = "follow_up/round.html")]
pub(crate) struct RoundPage {
    c: Chrome,
    title: String,
    plan_id: String,
    fy: i32,
    state: &'static str,
    deadline: String,
    counts: String,
    open: bool,
    secretariat: bool,
    can_advance: bool,
    can_rate: bool,
    missing: Vec<String>,
    indicators: Vec<IndicatorRow>,
    sections: Vec<ItemSection>,
    previous: Vec<ClauseRow>,
    meetings: Vec<MeetingRow>,
    bodies: Vec<(String, String)>,
    own_body: String,
    /// (id, title) of the round's meetings, for opinions.
    meeting_choices: Vec<(i64, String)>,
    /// (format, label) of the report downloads.
    reports: Vec<(&'static str, &'static str)>,
    next_meeting: u32,
    meeting_kind: u8,
    meeting_date: String,
    message: Option<String>,
    error: Option<String>,
}

pub(crate) fn item_row(item: &RoundItem, plan: &Plan, plan_id: &str) -> ItemRow {
    ItemRow {
        id: item.id,
        title: item.title.clone().unwrap_or_default(),
        text: item.text.clone(),
        points: item.points.clone().unwrap_or_default(),
        body: item
            .body_id
            .as_deref()
            .map(|b| {
                plan.body(b)
                    .map_or_else(|| b.to_owned(), |b| b.name.clone())
            })
            .unwrap_or_default(),
        links: item
            .links
            .iter()
            .map(|l| {
                let href = match l.kind {
                    LinkKind::Project => format!("/projects/{}?plan={plan_id}", l.id),
                    LinkKind::Indicator => format!("/trace/{}?plan={plan_id}", l.id),
                    LinkKind::Item => format!("#item-{}", l.id),
                };
                (href, l.to_string())
            })
            .collect(),
        budget: item.budget.clone().unwrap_or_default(),
        by: item.author.clone(),
        reflected: item.reflected,
    }
}

/// The download button's label of a report format.
pub(crate) fn report_label(format: pdca_report::Format) -> &'static str {
    match format {
        pdca_report::Format::Pdf => "PDF",
        pdca_report::Format::Markdown => "Markdown",
        pdca_report::Format::Xlsx => "Excel (XLSX)",
    }
}

pub(crate) fn rating_letter(r: Option<Rating>) -> String {
    r.map_or_else(|| "ー".to_owned(), |r| format!("{r:?}"))
}

pub(crate) fn pace_text(p: Option<f64>) -> String {
    p.map_or_else(|| "ー".to_owned(), |p| format!("{:.0}%", p * 100.0))
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn render_round(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan_id: Option<&str>,
    fy: FiscalYear,
    message: Option<String>,
    error: Option<String>,
) -> Result<RoundPage, WebError> {
    let plan = choose_plan(&state.store, plan_id).await?;
    let round = state
        .store
        .round(&plan.id, fy)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("{}のフォローアップ", fy.wareki())))?;
    may_read(user, &round)?;
    let view = RoundView::load(&state.store, &plan.id, fy).await?;
    let t = lang.text();
    let (_, total) = view.counts();
    let role = user.role();
    let open = round.state.is_open();
    let indicators = view
        .plan
        .indicators()
        .zip(&view.evaluation.indicators)
        .map(|((_, indicator), e)| {
            let r = view.rating(&indicator.id);
            IndicatorRow {
                id: indicator.id.clone(),
                name: indicator.name.clone(),
                sub: indicator.parent.is_some(),
                proposal: t.status_short(e.status).to_owned(),
                status_class: crate::frame::view::status_class(e.status),
                pace: pace_text(e.pace),
                rating: rating_letter(r.map(|r| r.rating)),
                rating_value: r
                    .map(|r| format!("{:?}", r.rating))
                    .or_else(|| e.rating.map(|r| format!("{r:?}")))
                    .unwrap_or_default(),
                reason: r.and_then(|r| r.reason.clone()).unwrap_or_default(),
                issue: r.and_then(|r| r.issue.clone()).unwrap_or_default(),
                solution: r.and_then(|r| r.solution.clone()).unwrap_or_default(),
                version: r.map_or_else(|| "none".to_owned(), |r| r.recorded_at.clone()),
            }
        })
        .collect();
    let sections = ItemKind::ALL
        .into_iter()
        .map(|kind| ItemSection {
            kind: kind.as_str(),
            label: i18n::item_kind_label(lang, kind),
            items: view
                .items(kind)
                .map(|i| item_row(i, &view.plan, &plan.id))
                .collect(),
            form: open && shows_form(role, kind),
            needs_title: matches!(kind, ItemKind::PriorityItem | ItemKind::PolicyClause),
            needs_points: kind == ItemKind::PriorityItem,
            needs_body: matches!(kind, ItemKind::PriorityMeasure | ItemKind::ClauseStatus),
            needs_budget: kind == ItemKind::PolicyClause,
            needs_meeting: kind == ItemKind::Opinion && !view.meetings.is_empty(),
            needs_revision: kind == ItemKind::RevisionProposal,
        })
        .collect();
    let previous = view
        .previous_clauses
        .iter()
        .map(|c| ClauseRow {
            clause: item_row(&c.clause, &view.plan, &plan.id),
            statuses: c
                .statuses
                .iter()
                .map(|s| item_row(s, &view.plan, &plan.id))
                .collect(),
            movements: c
                .movements
                .iter()
                .map(|m| {
                    format!(
                        "{}: {} → {}（{} → {}）",
                        m.indicator_id,
                        rating_letter(m.rating_before),
                        rating_letter(m.rating_after),
                        pace_text(m.pace_before),
                        pace_text(m.pace_after)
                    )
                })
                .collect(),
        })
        .collect();
    let meetings = view
        .meetings
        .iter()
        .map(|m| MeetingRow {
            id: m.id,
            title: m.title(),
            mark: m.kind.mark(),
            date: i18n::date(lang, m.date),
            agenda: m.agenda.clone(),
            materials: m
                .materials
                .iter()
                .map(|x| {
                    let href = if x.file_name.is_some() {
                        format!(
                            "/meetings/{}/materials/{}?plan={}",
                            m.id,
                            percent_encoding::utf8_percent_encode(
                                &x.label,
                                percent_encoding::NON_ALPHANUMERIC
                            ),
                            plan.id
                        )
                    } else {
                        String::new()
                    };
                    (format!("{} {}", x.label, x.title), href)
                })
                .collect(),
            minutes: m.minutes.clone().unwrap_or_default(),
        })
        .collect();
    Ok(RoundPage {
        c: Chrome::new(lang, Some(user), here),
        title: format!(
            "{} {} — {}",
            view.plan.name,
            i18n::fiscal_year(lang, fy),
            t.rounds_title
        ),
        plan_id: plan.id.clone(),
        fy: fy.year(),
        state: i18n::round_state_label(lang, round.state),
        deadline: i18n::date(lang, round.deadline),
        counts: total.sentence(),
        open,
        secretariat: role == Role::Secretariat,
        can_advance: open && round.state.advance().is_ok(),
        can_rate: open && user.require(<who::Raters as Writers>::ROLES).is_ok(),
        missing: if open {
            view.missing.iter().map(ToString::to_string).collect()
        } else {
            Vec::new()
        },
        indicators,
        sections,
        previous,
        meetings,
        bodies: view
            .plan
            .bodies
            .iter()
            .map(|b| (b.id.clone(), b.name.clone()))
            .collect(),
        own_body: user.user.body.clone().unwrap_or_default(),
        meeting_choices: view.meetings.iter().map(|m| (m.id, m.title())).collect(),
        reports: pdca_report::Format::ALL
            .iter()
            .map(|f| (f.as_str(), report_label(*f)))
            .collect(),
        next_meeting: state
            .store
            .meetings(&plan.id)
            .await?
            .iter()
            .map(|m| m.number + 1)
            .max()
            .unwrap_or(1),
        meeting_kind: if view.meetings.is_empty() { 1 } else { 2 },
        meeting_date: {
            let schedule = default_schedule(fy);
            if view.meetings.is_empty() {
                schedule.meeting_1.to_string()
            } else {
                schedule.meeting_2.to_string()
            }
        },
        message,
        error,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RoundQuery {
    plan: Option<String>,
    done: Option<String>,
}

/// `GET /rounds/{fy}[?plan=]`: one round.
pub(crate) async fn round_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppQuery(query): AppQuery<RoundQuery>,
) -> Result<Html<String>, WebError> {
    let fy = parse_fy(&fy)?;
    let message = query.done.map(|_| lang.text().round_done.to_owned());
    let page = render_round(
        &state,
        &user,
        lang,
        &here,
        query.plan.as_deref(),
        fy,
        message,
        None,
    )
    .await?;
    Ok(Html(page.render()?))
}

/// After a form: back to the round when done, the round with the refusal when refused.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn after_form(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan_id: &str,
    fy: FiscalYear,
    outcome: Result<(), String>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&round_href(plan_id, fy, Some("saved"))).into_response()),
        Err(message) => {
            let page = render_round(
                state,
                user,
                lang,
                here,
                Some(plan_id),
                fy,
                None,
                Some(message),
            )
            .await?;
            Ok(refused(page.render()?))
        }
    }
}
