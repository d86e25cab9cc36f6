//! The open data set: the files the public reads without signing in (`/open-data/…`) and
//! `pdca publish` writes — the plan catalogue, the locked actuals of the years whose follow-up
//! round has closed, and the committee's ratings of those rounds (`docs/open-data.md`).

use pdca_core::follow_up::RoundState;
use pdca_core::{FiscalYear, Plan};
use pdca_interchange::{
    InterchangeError, actuals_csv, published_actuals, published_ratings, ratings_csv, rows_json,
};
use pdca_store::{Store, StoreError, Visibility};

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
pub const OPEN_DATA_FILES: [(&str, &str); 5] = [
    ("plan.json", "application/json"),
    ("actuals.csv", "text/csv; charset=utf-8"),
    ("actuals.json", "application/json"),
    ("ratings.csv", "text/csv; charset=utf-8"),
    ("ratings.json", "application/json"),
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
    Ok(vec![
        ("plan.json", serde_json::to_vec_pretty(&plan_json(plan))?),
        ("actuals.csv", actuals_csv(&actuals)?),
        ("actuals.json", rows_json(&actuals)?),
        ("ratings.csv", ratings_csv(&ratings)?),
        ("ratings.json", rows_json(&ratings)?),
    ])
}
