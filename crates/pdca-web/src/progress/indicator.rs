//! An indicator's page: its facts, its figures (each linked to its explanation), its
//! sub-targets (内訳目標) with their figures, the chart with the same data as a table, the
//! yearly table by body and the revision history.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use pdca_core::plan::{Indicator, Measure, Target};
use pdca_core::{Actuals, Evaluation, FiscalYear, Plan};
use pdca_store::{StoredActual, Visibility};

use super::figures::{self, Figures, RatingCell, body_value, year_total};
use super::pages::load;
use crate::achievements::list::{AchievementSection, section};
use crate::frame::auth::CurrentUser;
use crate::frame::chart::{self, Chart, Series};
use crate::frame::i18n::{self, Lang, Text};
use crate::frame::view::{AppPath, AppQuery, Chrome, Here, PlanQuery};
use crate::{AppState, WebError};
use pdca_app::json::target_text;

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
    rating: RatingCell,
    figures: Vec<FigureLine>,
    outlook: String,
    narrative: Option<String>,
    warnings: Vec<String>,
    note: Option<String>,
    sub_targets: Vec<SubTarget>,
    bodies: Vec<String>,
    yearly: Vec<YearRow>,
    chart: Option<Chart>,
    chart_heading: &'static str,
    chart_name: String,
    chart_description: String,
    chart_table: Vec<ChartRow>,
    unit: String,
    has_expected: bool,
    history: Vec<HistoryRow>,
    achievements: Option<AchievementSection>,
    glossary: Vec<(String, String)>,
    query: String,
}

/// A figure with its label and the anchor of its explanation on the help page.
struct FigureLine {
    label: &'static str,
    term: &'static str,
    value: String,
    not_reported: bool,
}

/// A sub-target (内訳目標) with its figures.
struct SubTarget {
    id: String,
    name: String,
    target: String,
    f: Figures,
    rating: RatingCell,
}

/// A year of the chart's data.
struct ChartRow {
    year: String,
    actual: Option<String>,
    expected: Option<String>,
}

struct YearRow {
    label: String,
    cells: Vec<Option<String>>,
    total: Option<String>,
    /// The year, when the achievements section lists some of its achievements.
    listed: Option<i32>,
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

pub(super) async fn indicator_page(
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
    let ratings = figures::committee_ratings(&state, &user, &cx).await?;
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
    let achievements = section(&state, plan, indicator, &user, lang).await?;
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
                listed: achievements
                    .as_ref()
                    .is_some_and(|a| a.lists(fy))
                    .then(|| fy.year()),
            }
        })
        .collect();

    let f = Figures::new(t, indicator, e, &cx.actuals, cx.as_of);
    let figures = figure_lines(t, indicator, e, &f);
    let sub_targets = plan
        .indicators()
        .zip(&cx.evaluation.indicators)
        .filter(|((_, i), _)| i.parent.as_deref() == Some(indicator.id.as_str()))
        .map(|((_, i), e)| SubTarget {
            id: i.id.clone(),
            name: i.name.clone(),
            target: target_text(i),
            f: Figures::new(t, i, e, &cx.actuals, cx.as_of),
            rating: RatingCell::new(t, e.status, ratings.get(&i.id).copied()),
        })
        .collect();

    let (series, cumulative) = chart_series(plan, indicator, e, &cx.actuals, cx.as_of);
    let chart_heading = if cumulative {
        t.chart_heading
    } else {
        t.chart_yearly_heading
    };
    let years: Vec<FiscalYear> = plan.period.years().collect();
    let chart_table: Vec<ChartRow> = years
        .iter()
        .enumerate()
        .map(|(k, fy)| ChartRow {
            year: i18n::fiscal_year(lang, *fy),
            actual: value_at(&series.actual, k).map(|v| chart::value_label(v, &series.unit)),
            expected: value_at(&series.expected, k).map(|v| chart::value_label(v, &series.unit)),
        })
        .filter(|row| row.actual.is_some() || row.expected.is_some())
        .collect();
    let chart_name = chart_name(t, chart_heading, &series, &years, lang);
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
        rating: RatingCell::new(t, e.status, ratings.get(&indicator.id).copied()),
        figures,
        outlook: match e.p_attain {
            _ if !f.reported => t.nothing_reported.to_owned(),
            Some(p) => i18n::p_attain_sentence(lang, p),
            None => t.p_attain_not_applicable.to_owned(),
        },
        narrative: e.narrative.clone(),
        warnings: e.warnings.clone(),
        note: indicator.note.clone(),
        sub_targets,
        bodies: bodies.iter().map(|b| body_name(b)).collect(),
        yearly,
        has_expected: !series.expected.is_empty(),
        chart: Chart::new(&series),
        chart_heading,
        chart_name,
        chart_description: i18n::chart_description(lang, plan.period.start, plan.period.end),
        chart_table,
        unit: series.unit.clone(),
        history,
        achievements,
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

/// The figures of the indicator, each with the anchor of its explanation; 未報告 in place of
/// the figures built on nothing when nothing was reported.
fn figure_lines(t: &Text, i: &Indicator, e: &Evaluation, f: &Figures) -> Vec<FigureLine> {
    let mut lines = Vec::new();
    let mut line = |label, term, value: Option<String>, applies: bool| {
        if !f.reported && applies {
            lines.push(FigureLine {
                label,
                term: "not-reported",
                value: t.no_report.to_owned(),
                not_reported: true,
            });
        } else if let Some(value) = value.filter(|v| !v.is_empty()) {
            lines.push(FigureLine {
                label,
                term,
                value,
                not_reported: false,
            });
        }
    };
    let cumulative = e.cumulative.is_some();
    line(
        if cumulative {
            t.col_cumulative
        } else {
            t.col_value
        },
        "",
        f.figure.clone(),
        i.measure != Measure::Qualitative,
    );
    line(t.col_expected, "expected", f.expected.clone(), false);
    line(
        t.col_progress,
        "progress",
        f.progress.clone(),
        e.progress.is_some(),
    );
    line(t.col_pace, "pace", f.pace.clone(), e.pace.is_some());
    line(t.col_projected_end, "", f.projected_end.clone(), false);
    line(
        t.col_p_attain,
        "outlook",
        f.outlook
            .as_ref()
            .map(|o| [o.word, " ", &o.percent].concat()),
        e.p_attain.is_some(),
    );
    lines
}

/// The value at year `k` of a series.
fn value_at(data: &[(usize, f64)], k: usize) -> Option<f64> {
    data.iter().find(|(i, _)| *i == k).map(|(_, v)| *v)
}

/// The chart's accessible name: what it draws, its unit, each year's value and the target —
/// 累計実績の推移（単位: 件）：令和2年度 3件、令和3年度 7件。目標 25件。
fn chart_name(
    t: &Text,
    heading: &str,
    series: &Series,
    years: &[FiscalYear],
    lang: Lang,
) -> String {
    let mut name = String::from(heading);
    if !series.unit.is_empty() {
        name.push_str(t.paren_open);
        name.push_str(t.unit_label);
        name.push_str(t.colon);
        name.push_str(&series.unit);
        name.push_str(t.paren_close);
    }
    name.push_str(t.colon);
    let values: Vec<String> = series
        .actual
        .iter()
        .filter_map(|&(k, v)| {
            years.get(k).map(|fy| {
                [
                    i18n::fiscal_year(lang, *fy),
                    " ".to_owned(),
                    chart::value_label(v, &series.unit),
                ]
                .concat()
            })
        })
        .collect();
    name.push_str(&values.join(t.list_separator));
    name.push_str(t.sentence_end);
    if let Some(target) = series.target {
        name.push_str(t.chart_target);
        name.push(' ');
        name.push_str(&chart::value_label(target, &series.unit));
        name.push_str(t.sentence_end);
    }
    name.trim_end().to_owned()
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
        unit: if indicator.measure == Measure::Ratio {
            "%".to_owned()
        } else {
            indicator.unit.clone()
        },
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
