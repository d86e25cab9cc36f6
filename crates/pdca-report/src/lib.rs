//! The follow-up report of a round: built once as data ([`Report`]) from the round, its ratings
//! and items and the evaluation, then written as Markdown (for review and diffs), XLSX (a summary
//! sheet and one sheet per project) or PDF (typeset with typst, with the bundled IPAex Gothic
//! font). Pure: the caller loads the round and writes the bytes where it wants.

mod format;
mod markdown;
mod model;
#[cfg(feature = "pdf")]
mod pdf;
mod xlsx;

pub use format::{Format, UnknownFormat};
pub use markdown::markdown;
pub use model::{
    ACHIEVEMENTS_NOTE, AchievementRow, ChartData, ClauseRow, IndicatorGroup, IndicatorRow,
    IndicatorTable, IssueRow, ManagementRow, PriorityRow, ProjectSection, Report, ReportInput,
    SummaryRow,
};
#[cfg(feature = "pdf")]
pub use pdf::pdf;
pub use xlsx::xlsx;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The workbook writer failed.
    #[error("Excel ファイルを作成できませんでした: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The PDF could not be typeset.
    #[error("PDF を作成できませんでした: {0}")]
    Pdf(String),
}

/// A share (0–1) as a percentage without decimals: 64%.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "ー".to_owned(), |s| format!("{:.0}%", s * 100.0))
}
