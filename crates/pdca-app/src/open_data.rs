//! The open data set: the files the public reads without signing in (`/open-data/…`) and
//! `pdca publish` writes — the plan catalogue, the locked actuals of the years whose follow-up
//! round has closed, the committee's ratings of those rounds, and the approved public
//! achievements of those years with only their indicator, year, title and institution
//! (`docs/open-data.md`).

use pdca_core::achievements::{AchievementId, Resolution};
use pdca_core::follow_up::RoundState;
use pdca_core::{FiscalYear, Plan};
use pdca_interchange::{
    InterchangeError, achievements_csv, actuals_csv, published_achievements, published_actuals,
    published_ratings, ratings_csv, rows_json,
};
use pdca_store::{AchievementFilter, Store, StoreError, Visibility};

use crate::json::plan_json;

/// Why the open data set could not be made.
#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A CSV or JSON file could not be written.
    #[error(transparent)]
    Write(#[from] InterchangeError),
    /// The plan catalogue could not be written as JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// The files of the open data set: (name, media type).
pub const OPEN_DATA_FILES: [(&str, &str); 7] = [
    ("plan.json", "application/json"),
    ("actuals.csv", "text/csv; charset=utf-8"),
    ("actuals.json", "application/json"),
    ("ratings.csv", "text/csv; charset=utf-8"),
    ("ratings.json", "application/json"),
    ("achievements.csv", "text/csv; charset=utf-8"),
    ("achievements.json", "application/json"),
];

/// Every file of the open data set of `plan`, as (name, bytes).
pub async fn open_data_files(
    store: &Store,
    plan: &Plan,
) -> Result<Vec<(&'static str, Vec<u8>)>, OpenDataError> {
    let closed: Vec<FiscalYear> = store
        .rounds(&plan.id)
        .await?
        .into_iter()
        .filter(|r| r.state == RoundState::Closed)
        .map(|r| r.fiscal_year)
        .collect();
    let values: Vec<_> = store
        .current_actuals_as(&plan.id, Visibility::Approved)
        .await?
        .into_iter()
        .map(|a| (a.contribution, a.state))
        .collect();
    let actuals = published_actuals(plan, &values, &closed);
    let mut rounds = Vec::new();
    for fy in &closed {
        rounds.push((*fy, store.round_ratings(&plan.id, *fy).await?));
    }
    let ratings = published_ratings(plan, &rounds);
    // Each achievement as its latest approved revision; a report set aside as the same as
    // another (「同じ成果」) is published once, as the report that stands.
    let approved = AchievementFilter {
        approved_only: true,
        ..AchievementFilter::default()
    };
    let set_aside: Vec<AchievementId> = store
        .duplicate_decisions(&plan.id)
        .await?
        .into_iter()
        .filter_map(|d| match d.resolution {
            Resolution::Same { kept } => Some(if kept == d.a { d.b } else { d.a }),
            Resolution::Distinct => None,
        })
        .collect();
    let mut items = store.achievements(&plan.id, &approved).await?;
    items.retain(|a| !set_aside.contains(&a.id));
    let achievements = published_achievements(plan, &items, &closed);
    Ok(vec![
        ("plan.json", serde_json::to_vec_pretty(&plan_json(plan))?),
        ("actuals.csv", actuals_csv(&actuals)?),
        ("actuals.json", rows_json(&actuals)?),
        ("ratings.csv", ratings_csv(&ratings)?),
        ("ratings.json", rows_json(&ratings)?),
        ("achievements.csv", achievements_csv(&achievements)?),
        ("achievements.json", rows_json(&achievements)?),
    ])
}
