//! Reading an achievements file (成果一覧) into its header and text rows, for
//! `pdca_core::achievements::validate_achievement_rows`: the formats, encodings, limits and
//! physical row numbers of an actuals file, with the header left for the core to interpret
//! (achievements have their own columns).

use pdca_core::import::RawRow;

use crate::read::read_rows;
use crate::{InterchangeError, Limits};

/// Sheet names an achievements workbook is read from before its first sheet (compared without
/// regard to case and surrounding spaces).
pub const ACHIEVEMENT_SHEETS: &[&str] = &["成果一覧", "achievements"];

/// A file read as text: its header row as written and the data rows below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTable {
    /// The header row's cells, from the first column of the file or sheet (column A), as
    /// written; a workbook's header ends at its last non-blank cell.
    pub headers: Vec<String>,
    /// The header's physical 1-based row (the first row holding anything).
    pub header_row: usize,
    /// Every row after the header, blank ones included (validation skips them), with its
    /// physical row number.
    pub rows: Vec<RawRow>,
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
}

/// Reads an achievements file held in memory, as [`crate::read_table_limited`] reads an
/// actuals file: CSV or TXT in UTF-8 (with or without a byte order mark), Shift_JIS or UTF-16
/// with a byte order mark; XLSX, XLSM or XLSB from the sheet named 成果一覧 or `achievements`,
/// else the first worksheet; `.xls` and `.ods` refused. The first non-blank row is the header;
/// reading stays within `limits`.
pub fn read_achievements(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<RawTable, InterchangeError> {
    let read = read_rows(
        file_name,
        bytes,
        limits,
        ACHIEVEMENT_SHEETS,
        |headers, row| Ok((headers, row)),
    )?;
    let (headers, header_row) = read.header;
    Ok(RawTable {
        headers,
        header_row,
        rows: read.rows,
        sheet: read.sheet,
    })
}

/// A workbook for other crates' tests: a sheet 説明 with one note, then the sheet `sheet`
/// holding `rows` (the first the header) as text cells from A1. Enabled by the `testing`
/// feature.
#[cfg(feature = "testing")]
pub fn achievements_workbook(sheet: &str, rows: &[&[&str]]) -> Result<Vec<u8>, InterchangeError> {
    let error =
        |e: rust_xlsxwriter::XlsxError| crate::workbook::workbook_error(sheet, e.to_string());
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("説明")
        .map_err(error)?
        .write_string(0, 0, "成果を記入してください")
        .map_err(error)?;
    let out = book.add_worksheet().set_name(sheet).map_err(error)?;
    for (r, cells) in (0_u32..).zip(rows) {
        for (c, text) in (0_u16..).zip(cells.iter()) {
            if !text.is_empty() {
                out.write_string(r, c, *text).map_err(error)?;
            }
        }
    }
    book.save_to_buffer().map_err(error)
}
