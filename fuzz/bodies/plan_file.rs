//! Fuzz body `plan_file`: any text as a plan file (`pdca_core::plan_file::parse_plan`: TOML,
//! then every validation with its error positions); a plan that parses is then evaluated with
//! no actuals at its last year.

use pdca_core::plan_file::parse_plan;
use pdca_core::{Actuals, evaluate_plan};

/// Runs the target on one input; panics only on a bug.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(plan) = parse_plan("fuzz.toml", &text) {
        let _ = evaluate_plan(&plan, &Actuals::default(), plan.period.end);
    }
}
