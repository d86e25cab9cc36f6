//! A project's page: its measured indicators by kind and group, with each year's actual and
//! the figures of the as-of year, and its management indicators with their latest status.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Html;
use pdca_core::plan::{Indicator, IndicatorKind, Project};
use pdca_core::{Evaluation, FiscalYear, Rating};
use pdca_store::Visibility;

use super::figures::{self, Figures, RatingCell, year_total};
use super::pages::{framed, load, page_key, reader};
use crate::frame::auth::CurrentUser;
use crate::frame::cache::Evaluated;
use crate::frame::i18n::{self, Lang, Text};
use crate::frame::view::{AppPath, AppQuery, Chrome, Here, PlanQuery};
use crate::{AppState, WebError};
use pdca_app::json::target_text;

/// A project page's main part (the page's frame is [`super::pages`]' `Framed`).
#[derive(Template)]
#[template(path = "progress/project.html", block = "content")]
struct ProjectPage {
    c: Chrome,
    title: String,
    plan_name: String,
    as_of_heading: String,
    include_unapproved: bool,
    years: Vec<String>,
    sections: Vec<Section>,
    management: Vec<ManagementRow>,
    query: String,
}

struct Section {
    heading: &'static str,
    groups: Vec<Group>,
}

struct Group {
    name: String,
    rows: Vec<IndicatorRow>,
}

struct IndicatorRow {
    id: String,
    name: String,
    sub: bool,
    target: String,
    yearly: Vec<Option<String>>,
    f: Figures,
    rating: RatingCell,
}

struct ManagementRow {
    id: String,
    name: String,
    kind: &'static str,
    group: String,
    narrative: Option<String>,
}

pub(super) async fn project_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<PlanQuery>,
) -> Result<Html<Bytes>, WebError> {
    let cx = load(&state, &user, &query).await?;
    let project = cx
        .plan
        .projects
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| WebError::NotFound(format!("プロジェクト「{id}」")))?;
    let page = cx
        .page(
            page_key(lang, &user, &here),
            reader(&user),
            || project_main(&state, lang, &user, &here, &cx, project),
            |main| framed(lang, &user, &here, &project.name, main, ""),
        )
        .await?;
    Ok(Html(page))
}

/// Renders the main part of `project`'s page from the evaluation `cx`.
async fn project_main(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    cx: &Evaluated,
    project: &Project,
) -> Result<String, WebError> {
    let t = lang.text();
    let ratings = figures::committee_ratings(state, user, cx).await?;
    let by_id: HashMap<&str, &Evaluation> = cx
        .evaluation
        .indicators
        .iter()
        .map(|e| (e.id.as_str(), e))
        .collect();
    let years: Vec<FiscalYear> = cx
        .plan
        .period
        .years()
        .take_while(|fy| *fy <= cx.as_of)
        .collect();
    let sections = [IndicatorKind::Output, IndicatorKind::Outcome]
        .into_iter()
        .map(|kind| Section {
            heading: t.kind(kind),
            groups: groups(project, kind)
                .into_iter()
                .map(|(name, indicators)| Group {
                    name,
                    rows: indicators
                        .into_iter()
                        .filter_map(|i| {
                            by_id.get(i.id.as_str()).map(|e| {
                                indicator_row(t, cx, &years, i, e, ratings.get(&i.id).copied())
                            })
                        })
                        .collect(),
                })
                .collect(),
        })
        .filter(|s| !s.groups.is_empty())
        .collect();
    let management = project
        .indicators
        .iter()
        .filter(|i| i.management)
        .map(|i| ManagementRow {
            id: i.id.clone(),
            name: i.name.clone(),
            kind: t.kind(i.kind),
            group: i.group.clone(),
            narrative: by_id.get(i.id.as_str()).and_then(|e| e.narrative.clone()),
        })
        .collect();
    let page = ProjectPage {
        c: Chrome::new(lang, Some(user), here),
        title: project.name.clone(),
        plan_name: cx.plan.name.clone(),
        as_of_heading: i18n::as_of(lang, cx.as_of),
        include_unapproved: cx.visibility == Visibility::All,
        years: years
            .iter()
            .map(|fy| i18n::fiscal_year(lang, *fy))
            .collect(),
        sections,
        management,
        query: cx.query.clone(),
    };
    Ok(page.render()?)
}

/// The measured indicators of `kind` in plan order, in runs of the same group.
fn groups(project: &Project, kind: IndicatorKind) -> Vec<(String, Vec<&Indicator>)> {
    let mut groups: Vec<(String, Vec<&Indicator>)> = Vec::new();
    for i in project
        .indicators
        .iter()
        .filter(|i| i.kind == kind && !i.management)
    {
        match groups.last_mut() {
            Some((name, members)) if *name == i.group => members.push(i),
            _ => groups.push((i.group.clone(), vec![i])),
        }
    }
    groups
}

fn indicator_row(
    t: &Text,
    cx: &Evaluated,
    years: &[FiscalYear],
    i: &Indicator,
    e: &Evaluation,
    committee: Option<Rating>,
) -> IndicatorRow {
    IndicatorRow {
        id: i.id.clone(),
        name: i.name.clone(),
        sub: i.parent.is_some(),
        target: target_text(i),
        yearly: years
            .iter()
            .map(|fy| {
                cx.actuals
                    .year(&i.id, *fy)
                    .and_then(|ya| year_total(t, i, ya))
            })
            .collect(),
        f: Figures::new(t, i, e, &cx.actuals, cx.as_of),
        rating: RatingCell::new(t, e.status, committee),
    }
}
