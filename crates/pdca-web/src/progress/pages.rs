//! The reading pages: the plan dashboard, a project's indicator tables, and an indicator's
//! figures, chart, yearly table and revision history. Each page reads the plan, the as-of year
//! and the visibility from the query (`plan`, `as_of`, `include_unapproved`).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use pdca_core::actuals::YearActual;
use pdca_core::plan::{Indicator, IndicatorKind, Measure, Project, Target};
use pdca_core::{ActualValue, Actuals, Evaluation, FiscalYear, Plan, Status};
use pdca_store::{StoredActual, Visibility};

use crate::frame::auth::CurrentUser;
use crate::frame::cache::{self, Evaluated, PageKey, Reader};
use crate::frame::chart::{self, Chart, Series};
use crate::frame::i18n::{self, Lang, Text};
use crate::frame::view::{AppPath, AppQuery, Chrome, Here, PlanQuery, percent, status_class};
use crate::{AppState, WebError};
use pdca_app::json::{format_number, target_text};

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/projects/{id}", get(project_page))
        .route("/indicators/{id}", get(indicator_page))
}

/// What every page of a plan works from: the evaluation the query asks for, shared with every
/// other read of the same data (see [`crate::frame::cache`]).
async fn load(
    state: &AppState,
    user: &CurrentUser,
    query: &PlanQuery,
) -> Result<Arc<Evaluated>, WebError> {
    let visibility = query.visibility(user)?;
    cache::evaluated(state, user, query, visibility).await
}

/// A status as the tables show it: the short label in a badge, its meaning as text.
#[derive(Debug, Clone)]
struct Badge {
    short: &'static str,
    long: &'static str,
    class: &'static str,
}

impl Badge {
    fn new(t: &Text, status: Status) -> Self {
        let (short, long) = (t.status_short(status), t.status_long(status));
        Self {
            short,
            // 達成 says it all; the others' letters need their meaning beside them.
            long: if long == short { "" } else { long },
            class: status_class(status),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dashboard

/// The dashboard's main part (the page's frame is [`Framed`]).
#[derive(Template)]
#[template(path = "progress/dashboard.html", block = "content")]
struct DashboardPage {
    c: Chrome,
    title: &'static str,
    plan_name: String,
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
    name: String,
    project: String,
    badge: Badge,
    p_attain: String,
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

async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlanQuery>,
) -> Result<Html<Bytes>, WebError> {
    let cx = load(&state, &user, &query).await?;
    let t = lang.text();
    let page = cx
        .page(
            page_key(lang, &user, &here),
            reader(&user),
            || dashboard_main(&state, &user, lang, &here, &cx),
            |main| framed(lang, &user, &here, t.dashboard_title, main),
        )
        .await?;
    Ok(Html(page))
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
    let mut attention: Vec<(Option<f64>, AttentionRow)> = Vec::new();
    let mut cards = Vec::new();
    let mut evaluations = cx.evaluation.indicators.iter();
    for project in &cx.plan.projects {
        let (mut achieved, mut a, mut b, mut n) = (0, 0, 0, 0);
        for indicator in &project.indicators {
            let Some(e) = evaluations.next() else { break };
            match e.status {
                Status::Achieved => achieved += 1,
                Status::OnTrack => a += 1,
                Status::Insufficient => b += 1,
                Status::NotEvaluable => n += 1,
                Status::NotRated => {}
            }
            let unlikely = e.p_attain.is_some_and(|p| p < 0.5);
            if e.status == Status::Insufficient || (unlikely && e.status != Status::Achieved) {
                attention.push((
                    e.p_attain,
                    AttentionRow {
                        id: indicator.id.clone(),
                        name: indicator.name.clone(),
                        project: project.name.clone(),
                        badge: Badge::new(t, e.status),
                        p_attain: percent(e.p_attain),
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
        .map(|s| Badge::new(t, s))
        .collect(),
        query: cx.query.clone(),
    };
    Ok(page.render()?)
}

/// What a cached main part of the page at `here` depends on besides the evaluation.
fn page_key(lang: Lang, user: &CurrentUser, here: &Here) -> PageKey {
    PageKey {
        here: here.0.clone(),
        lang,
        role: user.role(),
        today: crate::tasks::today(),
    }
}

/// Whose frame a page has.
fn reader(user: &CurrentUser) -> Reader {
    (user.user.id, user.csrf_token.clone())
}

/// A page: the frame for `user` around a `main` part rendered before.
fn framed(
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    title: &str,
    main: Arc<str>,
) -> Result<String, WebError> {
    let page = Framed {
        c: Chrome::new(lang, Some(user), here),
        title,
        main,
    };
    Ok(page.render()?)
}

/// The frame of every page (`base.html`) around a main part rendered before.
#[derive(Template)]
#[template(path = "progress/framed.html")]
struct Framed<'a> {
    c: Chrome,
    title: &'a str,
    main: Arc<str>,
}

// ---------------------------------------------------------------------------------------------
// Project page

/// A project page's main part (the page's frame is [`Framed`]).
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
    figure: String,
    progress: String,
    expected: String,
    badge: Badge,
    p_attain: String,
}

struct ManagementRow {
    id: String,
    name: String,
    kind: &'static str,
    group: String,
    narrative: Option<String>,
}

async fn project_page(
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
            || async { project_main(lang, &user, &here, &cx, project) },
            |main| framed(lang, &user, &here, &project.name, main),
        )
        .await?;
    Ok(Html(page))
}

/// Renders the main part of `project`'s page from the evaluation `cx`.
fn project_main(
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    cx: &Evaluated,
    project: &Project,
) -> Result<String, WebError> {
    let t = lang.text();
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
                            by_id
                                .get(i.id.as_str())
                                .map(|e| indicator_row(t, &cx.actuals, &years, i, e))
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
    actuals: &Actuals,
    years: &[FiscalYear],
    i: &Indicator,
    e: &Evaluation,
) -> IndicatorRow {
    let expected_share = match (e.expected, e.target, e.cumulative) {
        (Some(expected), Some(target), Some(_)) if target > 0.0 => Some(expected / target),
        _ => None,
    };
    IndicatorRow {
        id: i.id.clone(),
        name: i.name.clone(),
        sub: i.parent.is_some(),
        target: target_text(i),
        yearly: years
            .iter()
            .map(|fy| actuals.year(&i.id, *fy).and_then(|ya| year_total(t, i, ya)))
            .collect(),
        figure: figure(i, e),
        progress: percent(e.progress),
        expected: percent(expected_share),
        badge: Badge::new(t, e.status),
        p_attain: percent(e.p_attain),
    }
}

/// A year's actual, all bodies together.
fn year_total(t: &Text, i: &Indicator, ya: &YearActual) -> Option<String> {
    match i.measure {
        Measure::Count | Measure::Level => Some(format_number(ya.number)),
        Measure::Milestone => Some(milestone(t, ya.number).to_owned()),
        Measure::Ratio if ya.denominator > 0.0 => {
            Some(format!("{:.1}%", 100.0 * ya.numerator / ya.denominator))
        }
        Measure::Ratio => None,
        Measure::Qualitative => ya.narratives.last().map(|(_, text)| text.clone()),
    }
}

fn milestone(t: &Text, value: f64) -> &'static str {
    if value >= 1.0 {
        t.milestone_done
    } else {
        t.milestone_pending
    }
}

/// One body's value as reported.
fn body_value(t: &Text, i: &Indicator, value: &ActualValue) -> String {
    match value {
        ActualValue::Number(v) if i.measure == Measure::Milestone => milestone(t, *v).to_owned(),
        ActualValue::Number(v) => format_number(*v),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => format!(
            "{}/{}",
            format_number(*numerator),
            format_number(*denominator)
        ),
        ActualValue::Narrative(text) => text.clone(),
    }
}

/// The figure the evaluation rests on: the cumulative, or the value (the CLI's table column).
fn figure(indicator: &Indicator, e: &Evaluation) -> String {
    match (e.cumulative, e.value) {
        (Some(c), _) => format!("{}{}", format_number(c), indicator.unit),
        (None, Some(v)) if indicator.unit == "%" => format!("{v:.1}%"),
        (None, Some(v)) => format!("{}{}", format_number(v), indicator.unit),
        (None, None) => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Indicator page

#[derive(Template)]
#[template(path = "progress/indicator.html")]
struct IndicatorPage {
    c: Chrome,
    title: String,
    plan_name: String,
    project_id: String,
    project_name: String,
    id: String,
    kind: &'static str,
    group: String,
    management: bool,
    parent: Option<(String, String)>,
    as_of_heading: String,
    include_unapproved: bool,
    target: String,
    badge: Badge,
    figures: Vec<(&'static str, String)>,
    outlook: String,
    narrative: Option<String>,
    warnings: Vec<String>,
    note: Option<String>,
    bodies: Vec<String>,
    yearly: Vec<YearRow>,
    chart: Option<Chart>,
    chart_heading: &'static str,
    chart_description: String,
    has_expected: bool,
    history: Vec<HistoryRow>,
    glossary: Vec<(String, String)>,
    query: String,
}

struct YearRow {
    label: String,
    cells: Vec<Option<String>>,
    total: Option<String>,
}

struct HistoryRow {
    when: String,
    who: String,
    year: String,
    body: String,
    old: Option<String>,
    new: String,
    note: Option<String>,
    state: &'static str,
    comment: Option<String>,
}

async fn indicator_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<PlanQuery>,
) -> Result<Html<String>, WebError> {
    let cx = load(&state, &user, &query).await?;
    let t = lang.text();
    let (project, indicator, e) = cx
        .plan
        .indicators()
        .zip(&cx.evaluation.indicators)
        .find(|((_, i), _)| i.id == id)
        .map(|((p, i), e)| (p, i, e))
        .ok_or_else(|| WebError::NotFound(format!("指標「{id}」")))?;
    let plan = &cx.plan;
    let body_name = |body: &str| {
        plan.body(body)
            .map_or_else(|| body.to_owned(), |b| b.name.clone())
    };

    // The yearly table: the assigned bodies first, then any other body that reported.
    let reports = cx.actuals.years(&indicator.id);
    let mut bodies: Vec<String> = indicator
        .assignments
        .iter()
        .map(|a| a.body.clone())
        .collect();
    for ya in reports.into_iter().flat_map(|years| years.values()) {
        for (body, _) in &ya.by_body {
            if !bodies.contains(body) {
                bodies.push(body.clone());
            }
        }
    }
    let yearly = plan
        .period
        .years()
        .map(|fy| {
            let ya = cx.actuals.year(&indicator.id, fy);
            YearRow {
                label: i18n::fiscal_year(lang, fy),
                cells: bodies
                    .iter()
                    .map(|b| {
                        ya.and_then(|ya| ya.by_body.iter().find(|(body, _)| body == b))
                            .map(|(_, v)| body_value(t, indicator, v))
                    })
                    .collect(),
                total: ya.and_then(|ya| year_total(t, indicator, ya)),
            }
        })
        .collect();

    let mut figures = Vec::new();
    let mut figure_line = |label, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            figures.push((label, v));
        }
    };
    let unit = &indicator.unit;
    figure_line(
        if e.cumulative.is_some() {
            t.col_cumulative
        } else {
            t.col_value
        },
        Some(figure(indicator, e)),
    );
    figure_line(
        t.col_expected,
        e.expected
            .map(|x| format!("{}{unit}", format_number((x * 10.0).round() / 10.0))),
    );
    figure_line(t.col_progress, Some(percent(e.progress)));
    figure_line(t.col_pace, e.pace.map(|p| format!("{p:.2}")));
    figure_line(
        t.col_projected_end,
        e.projected_end
            .map(|x| format!("{}{unit}", format_number((x * 10.0).round() / 10.0))),
    );
    figure_line(t.col_p_attain, Some(percent(e.p_attain)));

    let (series, chart_heading) = chart_series(plan, indicator, e, &cx.actuals, cx.as_of);
    let history = history(
        lang,
        &state
            .store
            .revisions_of(&plan.id, &indicator.id, None)
            .await?,
        cx.visibility,
        indicator,
        &body_name,
    );
    let parent = indicator.parent.as_ref().and_then(|p| {
        plan.indicator(p)
            .map(|parent| (parent.id.clone(), parent.name.clone()))
    });
    let page = IndicatorPage {
        c: Chrome::new(lang, Some(&user), &here),
        title: indicator.name.clone(),
        plan_name: plan.name.clone(),
        project_id: project.id.clone(),
        project_name: project.name.clone(),
        id: indicator.id.clone(),
        kind: t.kind(indicator.kind),
        group: indicator.group.clone(),
        management: indicator.management,
        parent,
        as_of_heading: i18n::as_of(lang, cx.as_of),
        include_unapproved: cx.visibility == Visibility::All,
        target: if indicator.management {
            String::new()
        } else {
            target_text(indicator)
        },
        badge: Badge::new(t, e.status),
        figures,
        outlook: match e.p_attain {
            Some(p) => i18n::p_attain_sentence(lang, p),
            None => t.p_attain_not_applicable.to_owned(),
        },
        narrative: e.narrative.clone(),
        warnings: e.warnings.clone(),
        note: indicator.note.clone(),
        bodies: bodies.iter().map(|b| body_name(b)).collect(),
        yearly,
        has_expected: !series.expected.is_empty(),
        chart: Chart::new(&series),
        chart_heading: if chart_heading {
            t.chart_heading
        } else {
            t.chart_yearly_heading
        },
        chart_description: i18n::chart_description(lang, plan.period.start, plan.period.end),
        history,
        glossary: plan
            .glossary
            .iter()
            .filter(|g| indicator.name.contains(&g.term))
            .map(|g| (g.term.clone(), g.definition.clone()))
            .collect(),
        query: cx.query.clone(),
    };
    Ok(Html(page.render()?))
}

/// What the chart draws, and whether it is cumulative (true) or the year's value (false).
fn chart_series(
    plan: &Plan,
    indicator: &Indicator,
    e: &Evaluation,
    actuals: &Actuals,
    as_of: FiscalYear,
) -> (Series, bool) {
    let years: Vec<FiscalYear> = plan.period.years().collect();
    let mut series = Series {
        year_labels: chart::year_labels(years.iter().copied()),
        ..Series::default()
    };
    let so_far = years.iter().enumerate().take_while(|(_, fy)| **fy <= as_of);
    let cumulative = matches!(
        indicator.target,
        Some(Target::Cumulative { .. } | Target::PerYear { .. })
    ) || (indicator.measure == Measure::Count && indicator.target.is_none());
    match indicator.measure {
        Measure::Count if cumulative => {
            let mut sum = 0.0;
            for (i, fy) in so_far {
                sum += actuals.year(&indicator.id, *fy).map_or(0.0, |ya| ya.number);
                series.actual.push((i, sum));
            }
            if let Some(target) = e.target {
                let n = years.len() as f64;
                let mut expected = 0.0;
                for (k, _) in years.iter().enumerate() {
                    expected = match &indicator.expected_profile {
                        Some(profile) => expected + profile.get(k).copied().unwrap_or(0.0),
                        None => target * (k + 1) as f64 / n,
                    };
                    series.expected.push((k, expected));
                }
            }
            series.target = e.target;
            series.projected_end = e.projected_end;
            (series, true)
        }
        Measure::Count | Measure::Level | Measure::Ratio => {
            for (i, fy) in so_far {
                let Some(ya) = actuals.year(&indicator.id, *fy) else {
                    continue;
                };
                let value = if indicator.measure == Measure::Ratio {
                    (ya.denominator > 0.0).then(|| 100.0 * ya.numerator / ya.denominator)
                } else {
                    Some(ya.number)
                };
                if let Some(v) = value {
                    series.actual.push((i, v));
                }
            }
            series.target = e.target;
            (series, false)
        }
        Measure::Milestone | Measure::Qualitative => (Series::default(), false),
    }
}

/// The revisions the user may see, newest first, each with the value it replaced.
fn history(
    lang: Lang,
    revisions: &[StoredActual],
    visibility: Visibility,
    indicator: &Indicator,
    body_name: &dyn Fn(&str) -> String,
) -> Vec<HistoryRow> {
    let t = lang.text();
    let mut previous: HashMap<(FiscalYear, &str), String> = HashMap::new();
    let mut rows = Vec::new();
    for r in revisions
        .iter()
        .filter(|r| visibility == Visibility::All || r.state.is_approved())
    {
        let c = &r.contribution;
        let new = body_value(t, indicator, &c.value);
        let old = previous.insert((c.year, c.body.as_str()), new.clone());
        rows.push(HistoryRow {
            when: i18n::date_time(lang, &r.recorded_at),
            who: r.recorded_by.clone(),
            year: i18n::fiscal_year(lang, c.year),
            body: body_name(&c.body),
            old,
            new,
            note: r.note.clone(),
            state: i18n::state_label(lang, r.state),
            comment: r.review_comment.clone(),
        });
    }
    rows.reverse();
    rows
}
