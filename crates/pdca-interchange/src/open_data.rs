//! Open data: what the public may read once a follow-up round has closed — the plan catalogue,
//! the locked actuals of the closed years, the committee's ratings with their issues and
//! solutions, and the approved public achievements (成果) of the closed years, each with only
//! what a viewer sees of it — as CSV (UTF-8 with a byte order mark, for Excel) and JSON, in the documented
//! schema of `docs/open-data.md`. Ids are the plan's stable ids.

use pdca_core::access::{ActualState, Role};
use pdca_core::achievements::{Achievement, visible};
use pdca_core::follow_up::CommitteeRating;
use pdca_core::import::escape_formula;
use pdca_core::{ActualValue, Contribution, FiscalYear, Plan};
use serde::Serialize;

use crate::InterchangeError;

/// The version of the open data schema; it changes only when a column changes meaning or goes.
pub const OPEN_DATA_VERSION: u32 = 1;

/// One published value: an indicator's value of one closed year from one body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedActual {
    /// The plan's id.
    pub plan_id: String,
    /// The project's id.
    pub project_id: String,
    /// The indicator's id.
    pub indicator_id: String,
    /// The indicator's name.
    pub indicator_name: String,
    /// The fiscal year (2022).
    pub fiscal_year: i32,
    /// 令和4年度.
    pub fiscal_year_ja: String,
    /// The reporting body's id.
    pub body_id: String,
    /// A count or level.
    pub value: Option<f64>,
    /// A ratio's numerator.
    pub numerator: Option<f64>,
    /// A ratio's denominator.
    pub denominator: Option<f64>,
    /// A management indicator's narrative.
    pub narrative: Option<String>,
    /// The unit (件, %).
    pub unit: String,
}

/// One published committee rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedRating {
    /// The plan's id.
    pub plan_id: String,
    /// The round's result year.
    pub fiscal_year: i32,
    /// 令和4年度.
    pub fiscal_year_ja: String,
    /// The indicator's id.
    pub indicator_id: String,
    /// The indicator's name.
    pub indicator_name: String,
    /// A, B or N.
    pub rating: String,
    /// 課題.
    pub issue: Option<String>,
    /// 解決策.
    pub solution: Option<String>,
}

/// One published achievement: only what a viewer sees of an approved, public achievement —
/// its indicator, year, title and institution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedAchievement {
    /// The plan's id.
    pub plan_id: String,
    /// The project's id.
    pub project_id: String,
    /// The indicator's id (the parent's, for a sub-target's achievement).
    pub indicator_id: String,
    /// The indicator's name.
    pub indicator_name: String,
    /// The fiscal (or calendar) year (2022).
    pub fiscal_year: i32,
    /// 令和4年度.
    pub fiscal_year_ja: String,
    /// 成果名.
    pub title: String,
    /// 実施機関.
    pub institution: Option<String>,
}

/// The published achievements: of `items` (each as its latest approved revision), those a
/// viewer may see ([`visible`]: approved or locked, and public) of `closed_years`, with only
/// what a viewer sees, ordered by indicator and year (then as given).
pub fn published_achievements(
    plan: &Plan,
    items: &[Achievement],
    closed_years: &[FiscalYear],
) -> Vec<PublishedAchievement> {
    let mut out: Vec<PublishedAchievement> = items
        .iter()
        .filter_map(|a| visible(Role::Viewer, None, a))
        .filter(|v| closed_years.contains(&v.year))
        .filter_map(|v| {
            let (project, indicator) = plan.indicators().find(|(_, i)| i.id == v.indicator)?;
            Some(PublishedAchievement {
                plan_id: plan.id.clone(),
                project_id: project.id.clone(),
                indicator_id: v.indicator,
                indicator_name: indicator.name.clone(),
                fiscal_year: v.year.year(),
                fiscal_year_ja: v.year.wareki(),
                title: v.title,
                institution: v.institution,
            })
        })
        .collect();
    // Stable: achievements of one indicator and year keep the order given (their ids).
    out.sort_by(|a, b| (&a.indicator_id, a.fiscal_year).cmp(&(&b.indicator_id, b.fiscal_year)));
    out
}

/// The published values: `locked` holds the current values with their states; only locked
/// values of `closed_years` are published.
pub fn published_actuals(
    plan: &Plan,
    values: &[(Contribution, ActualState)],
    closed_years: &[FiscalYear],
) -> Vec<PublishedActual> {
    let mut out: Vec<PublishedActual> = values
        .iter()
        .filter(|(c, state)| *state == ActualState::Locked && closed_years.contains(&c.year))
        .filter_map(|(c, _)| {
            let (project, indicator) = plan.indicators().find(|(_, i)| i.id == c.indicator)?;
            let (value, numerator, denominator, narrative) = match &c.value {
                ActualValue::Number(v) => (Some(*v), None, None, None),
                ActualValue::Ratio {
                    numerator,
                    denominator,
                } => (None, Some(*numerator), Some(*denominator), None),
                ActualValue::Narrative(t) => (None, None, None, Some(t.clone())),
            };
            Some(PublishedActual {
                plan_id: plan.id.clone(),
                project_id: project.id.clone(),
                indicator_id: c.indicator.clone(),
                indicator_name: indicator.name.clone(),
                fiscal_year: c.year.year(),
                fiscal_year_ja: c.year.wareki(),
                body_id: c.body.clone(),
                value,
                numerator,
                denominator,
                narrative,
                unit: indicator.unit.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.indicator_id, a.fiscal_year, &a.body_id).cmp(&(
            &b.indicator_id,
            b.fiscal_year,
            &b.body_id,
        ))
    });
    out
}

/// The published ratings of closed rounds: (result year, ratings).
pub fn published_ratings(
    plan: &Plan,
    rounds: &[(FiscalYear, Vec<CommitteeRating>)],
) -> Vec<PublishedRating> {
    let mut out = Vec::new();
    for (fy, ratings) in rounds {
        for (_, indicator) in plan.indicators() {
            if let Some(r) = ratings.iter().find(|r| r.indicator_id == indicator.id) {
                out.push(PublishedRating {
                    plan_id: plan.id.clone(),
                    fiscal_year: fy.year(),
                    fiscal_year_ja: fy.wareki(),
                    indicator_id: indicator.id.clone(),
                    indicator_name: indicator.name.clone(),
                    rating: format!("{:?}", r.rating),
                    issue: r.issue.clone(),
                    solution: r.solution.clone(),
                });
            }
        }
    }
    out
}

/// The CSV header of [`PublishedActual`], in the column order of [`actuals_csv`].
pub const ACTUALS_COLUMNS: [&str; 12] = [
    "plan_id",
    "project_id",
    "indicator_id",
    "indicator_name",
    "fiscal_year",
    "fiscal_year_ja",
    "body_id",
    "value",
    "numerator",
    "denominator",
    "narrative",
    "unit",
];

/// The CSV header of [`PublishedRating`].
pub const RATINGS_COLUMNS: [&str; 8] = [
    "plan_id",
    "fiscal_year",
    "fiscal_year_ja",
    "indicator_id",
    "indicator_name",
    "rating",
    "issue",
    "solution",
];

/// The CSV header of [`PublishedAchievement`].
pub const ACHIEVEMENTS_COLUMNS: [&str; 8] = [
    "plan_id",
    "project_id",
    "indicator_id",
    "indicator_name",
    "fiscal_year",
    "fiscal_year_ja",
    "title",
    "institution",
];

fn number(v: Option<f64>) -> String {
    v.map(crate::format_number).unwrap_or_default()
}

fn csv_of<const N: usize>(
    name: &str,
    header: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> Result<Vec<u8>, InterchangeError> {
    let error = |e: csv::Error| InterchangeError::Write {
        file: name.to_owned(),
        message: e.to_string(),
    };
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(header).map_err(error)?;
        for row in rows {
            // Texts that a spreadsheet would run as formulas are defused, as in every export.
            let row = row.map(|cell| escape_formula(&cell).into_owned());
            writer.write_record(&row).map_err(error)?;
        }
        writer.flush().map_err(|e| error(e.into()))?;
    }
    Ok(out)
}

/// The published actuals as CSV.
pub fn actuals_csv(rows: &[PublishedActual]) -> Result<Vec<u8>, InterchangeError> {
    csv_of(
        "actuals.csv",
        ACTUALS_COLUMNS,
        rows.iter().map(|r| {
            [
                r.plan_id.clone(),
                r.project_id.clone(),
                r.indicator_id.clone(),
                r.indicator_name.clone(),
                r.fiscal_year.to_string(),
                r.fiscal_year_ja.clone(),
                r.body_id.clone(),
                number(r.value),
                number(r.numerator),
                number(r.denominator),
                r.narrative.clone().unwrap_or_default(),
                r.unit.clone(),
            ]
        }),
    )
}

/// The published ratings as CSV.
pub fn ratings_csv(rows: &[PublishedRating]) -> Result<Vec<u8>, InterchangeError> {
    csv_of(
        "ratings.csv",
        RATINGS_COLUMNS,
        rows.iter().map(|r| {
            [
                r.plan_id.clone(),
                r.fiscal_year.to_string(),
                r.fiscal_year_ja.clone(),
                r.indicator_id.clone(),
                r.indicator_name.clone(),
                r.rating.clone(),
                r.issue.clone().unwrap_or_default(),
                r.solution.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// The published achievements as CSV.
pub fn achievements_csv(rows: &[PublishedAchievement]) -> Result<Vec<u8>, InterchangeError> {
    csv_of(
        "achievements.csv",
        ACHIEVEMENTS_COLUMNS,
        rows.iter().map(|r| {
            [
                r.plan_id.clone(),
                r.project_id.clone(),
                r.indicator_id.clone(),
                r.indicator_name.clone(),
                r.fiscal_year.to_string(),
                r.fiscal_year_ja.clone(),
                r.title.clone(),
                r.institution.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// Rows as a JSON document `{"version": 1, "rows": [...]}`.
pub fn rows_json<T: Serialize>(rows: &[T]) -> Result<Vec<u8>, InterchangeError> {
    serde_json::to_vec_pretty(&serde_json::json!({
        "version": OPEN_DATA_VERSION,
        "rows": rows,
    }))
    .map_err(|e| InterchangeError::Write {
        file: "open data".to_owned(),
        message: e.to_string(),
    })
}
