//! A plan as a workbook (`pdca plan export --format xlsx`, `pdca plan import PLAN.xlsx`): the
//! header, bodies, glossary and one row per indicator on four sheets with Japanese headings, so
//! that the secretariat can review and revise a plan in Excel.
//!
//! Import turns the sheets into the plan file's structure ([`PlanDocument`](pdca_core::plan_file::PlanDocument)) and reads its TOML
//! text with `parse_plan`, so a workbook goes through exactly the validation of a plan file; the
//! problems found there are named by sheet, row and column again. The workbook is untrusted: it
//! passes the same bounded-inflation check as an actuals workbook and is read as a stream of
//! cells within [`Limits`](crate::Limits).

mod export;
mod import;
mod sheets;

use std::fmt;

use pdca_core::Plan;
use pdca_core::plan::{Comparator, Counting, IndicatorKind, Measure};

use crate::InterchangeError;

pub use export::export_plan_workbook;
pub use import::{import_plan_workbook, import_plan_workbook_limited};

/// The header sheet: one row per key (項目, 値).
pub const PLAN_SHEET: &str = "計画";
/// The reporting bodies.
pub const BODIES_SHEET: &str = "報告機関";
/// The glossary (optional on import).
pub const GLOSSARY_SHEET: &str = "用語";
/// One row per indicator, in plan order.
pub const INDICATORS_SHEET: &str = "指標";

/// Rows below the header that the drop-down lists of the fixed-value columns cover.
const VALIDATED_ROWS: u32 = 2000;

/// The header sheet's rows: label and `[plan]` key.
const HEADER_KEYS: [(&str, &str); 11] = [
    ("計画ID", "id"),
    ("計画名", "name"),
    ("開始年度", "start_fy"),
    ("終了年度", "end_fy"),
    ("版", "revision"),
    ("適用開始年度", "effective_from"),
    ("決定日", "decided_on"),
    ("変更内容", "revision_note"),
    ("評価の閾値", "on_track_threshold"),
    ("委員会", "committee"),
    ("既定の報告機関", "default_bodies"),
];

/// The columns of the indicator sheet, in the order written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Id,
    ProjectId,
    ProjectName,
    Kind,
    Group,
    Management,
    Name,
    Measure,
    Unit,
    TargetText,
    Value,
    Comparator,
    PerYear,
    Factor,
    BaselineFy,
    DeadlineFy,
    Parent,
    Bodies,
    Counting,
    Profile,
    Note,
    CountedFrom,
    AchievementTag,
}

impl Col {
    const ALL: [Col; 23] = [
        Col::Id,
        Col::ProjectId,
        Col::ProjectName,
        Col::Kind,
        Col::Group,
        Col::Management,
        Col::Name,
        Col::Measure,
        Col::Unit,
        Col::TargetText,
        Col::Value,
        Col::Comparator,
        Col::PerYear,
        Col::Factor,
        Col::BaselineFy,
        Col::DeadlineFy,
        Col::Parent,
        Col::Bodies,
        Col::Counting,
        Col::Profile,
        Col::Note,
        Col::CountedFrom,
        Col::AchievementTag,
    ];

    fn header(self) -> &'static str {
        match self {
            Col::Id => "指標ID",
            Col::ProjectId => "プロジェクトID",
            Col::ProjectName => "プロジェクト名",
            Col::Kind => "区分",
            Col::Group => "指標群",
            Col::Management => "管理指標",
            Col::Name => "指標名",
            Col::Measure => "測定方法",
            Col::Unit => "単位",
            Col::TargetText => "目標（文章）",
            Col::Value => "目標値",
            Col::Comparator => "比較",
            Col::PerYear => "年あたり",
            Col::Factor => "倍率",
            Col::BaselineFy => "基準年度",
            Col::DeadlineFy => "期限年度",
            Col::Parent => "親指標ID",
            Col::Bodies => "報告機関と分担",
            Col::Counting => "集計",
            Col::Profile => "年次の期待値",
            Col::Note => "注記",
            Col::CountedFrom => "成果から集計",
            Col::AchievementTag => "成果の区分",
        }
    }

    fn width(self) -> f64 {
        match self {
            Col::Name | Col::Note => 40.0,
            Col::ProjectName | Col::Group | Col::TargetText => 24.0,
            Col::Id | Col::Parent | Col::Bodies | Col::Profile => 14.0,
            _ => 10.0,
        }
    }

    /// The column's position, 0-based, as written.
    fn index(self) -> u16 {
        self as u16
    }

    /// The column a `parse_plan` key below `projects[p].indicators[i]` is written in.
    fn of_key(key: &str) -> Option<Col> {
        let key = key.split('[').next().unwrap_or(key);
        Some(match key {
            "id" => Col::Id,
            "name" => Col::Name,
            "kind" => Col::Kind,
            "group" => Col::Group,
            "management" => Col::Management,
            "measure" => Col::Measure,
            "unit" | "target.unit" => Col::Unit,
            "target" | "target.value" => Col::Value,
            "target.comparator" => Col::Comparator,
            "target.per_year" => Col::PerYear,
            "target.factor" => Col::Factor,
            "target.baseline_fy" => Col::BaselineFy,
            "target.deadline_fy" => Col::DeadlineFy,
            "parent" => Col::Parent,
            "bodies" => Col::Bodies,
            "counting" => Col::Counting,
            "expected_profile" => Col::Profile,
            "note" => Col::Note,
            "counted_from" => Col::CountedFrom,
            "achievement_tag" => Col::AchievementTag,
            _ => return None,
        })
    }
}

const KINDS: [(&str, IndicatorKind); 4] = [
    ("アウトプット", IndicatorKind::Output),
    ("アウトカム", IndicatorKind::Outcome),
    ("output", IndicatorKind::Output),
    ("outcome", IndicatorKind::Outcome),
];

const MEASURES: [(&str, Measure); 10] = [
    ("件数", Measure::Count),
    ("割合", Measure::Ratio),
    ("水準", Measure::Level),
    ("達成時期", Measure::Milestone),
    ("定性", Measure::Qualitative),
    ("count", Measure::Count),
    ("ratio", Measure::Ratio),
    ("level", Measure::Level),
    ("milestone", Measure::Milestone),
    ("qualitative", Measure::Qualitative),
];

const COMPARATORS: [(&str, Comparator); 6] = [
    ("到達", Comparator::Reach),
    ("以上", Comparator::AtLeast),
    ("以下", Comparator::AtMost),
    ("reach", Comparator::Reach),
    ("at_least", Comparator::AtLeast),
    ("at_most", Comparator::AtMost),
];

const COUNTINGS: [(&str, Counting); 4] = [
    ("年度", Counting::FiscalYear),
    ("暦年", Counting::CalendarYear),
    ("fiscal_year", Counting::FiscalYear),
    ("calendar_year", Counting::CalendarYear),
];

/// The mark of a management indicator (その他管理指標).
const MARK: &str = "○";

/// The Japanese label written for `value` (the first of `choices` that maps to it).
fn label<T: PartialEq + Copy>(choices: &[(&'static str, T)], value: T) -> &'static str {
    choices
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(l, _)| l)
}

/// The Japanese labels of `choices`, for drop-down lists and messages.
fn labels<T>(choices: &[(&'static str, T)]) -> Vec<&'static str> {
    let half = choices.len() / 2;
    choices.iter().take(half).map(|(l, _)| *l).collect()
}

/// A plan read from a workbook, with its text as a plan file (what the store keeps as the
/// plan's source).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedPlan {
    /// The validated plan.
    pub plan: Plan,
    /// `render_plan(&plan)`: the plan as a plan file.
    pub toml: String,
}

/// One problem in a plan workbook, by sheet, row (as Excel numbers it) and column heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCellError {
    /// The file's name as given by the caller.
    pub file: String,
    /// The sheet, when the problem lies in one.
    pub sheet: Option<String>,
    /// The 1-based row, when known.
    pub row: Option<usize>,
    /// The column's heading (目標値) or, for the header sheet, the item (開始年度).
    pub column: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for PlanCellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, " {sheet}")?;
            if let Some(row) = self.row {
                write!(f, " {row}行")?;
            }
            if let Some(column) = &self.column {
                write!(f, " {column}")?;
            }
            write!(f, ":")?;
        }
        write!(f, " {}", self.message)
    }
}

/// Why a plan workbook was not imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanWorkbookErrors {
    /// The file is not a workbook that can be read within the limits.
    #[error(transparent)]
    Unreadable(#[from] InterchangeError),
    /// Cells, or the plan they make, are not valid: every problem found.
    #[error("{}", lines(.0))]
    Invalid(Vec<PlanCellError>),
}

impl PlanWorkbookErrors {
    /// Every problem as one line each.
    pub fn messages(&self) -> Vec<String> {
        match self {
            PlanWorkbookErrors::Unreadable(e) => vec![e.to_string()],
            PlanWorkbookErrors::Invalid(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }
}

fn lines(errors: &[PlanCellError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
