//! The domain of pdca: plans as data, fiscal years, actuals and the KPI evaluation engine.
//!
//! Everything here is pure: no I/O, no async, no database types. The store, the command line and
//! the web application build on these types and functions.

pub mod access;
pub mod achievements;
pub mod actuals;
pub mod builtin;
pub mod evaluation;
pub mod fiscal_year;
pub mod follow_up;
pub mod import;
pub mod normalize;
pub mod plan;
pub mod plan_diff;
pub mod plan_draft;
pub mod plan_file;
pub mod plan_revision;
pub mod wording;

pub use actuals::{ActualValue, Actuals, Contribution};
pub use evaluation::{Evaluation, PlanEvaluation, Rating, Status, evaluate_plan};
pub use fiscal_year::FiscalYear;
pub use plan::{Plan, PlanHistory};
