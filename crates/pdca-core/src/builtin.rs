//! The built-in plan: the 2nd Medical R&D Promotion Plan (第2期医療分野研究開発推進計画,
//! FY2020–FY2024), encoded from the plan's KPI annex in `plans/medical-rd-2.toml`.

use crate::plan::Plan;
use crate::plan_file::{PlanFileErrors, parse_plan};

/// The built-in plan's id.
pub const BUILTIN_PLAN_ID: &str = "medical-rd-2";

/// The plan file's text, as shipped in the binary.
pub const BUILTIN_PLAN_TOML: &str = include_str!("../plans/medical-rd-2.toml");

/// The built-in plan, parsed.
pub fn builtin_plan() -> Result<Plan, PlanFileErrors> {
    parse_plan("medical-rd-2.toml (built-in)", BUILTIN_PLAN_TOML)
}
