//! Actuals files in and out of pdca: reading CSV (UTF-8 or Shift_JIS, as Japanese Excel saves it)
//! and workbooks (XLSX, XLSM, XLS, ODS) into text rows for [`pdca_core::import::validate_rows`],
//! and writing current actuals as CSV, JSON or XLSX in the same columns, so that an export imports
//! back unchanged.
//!
//! Row numbers are the physical 1-based rows of the file or sheet, so that every error points
//! where a person looks.

mod open_data;
mod read;
mod template;
mod write;

use pdca_core::import::{Layout, RawRow, RowError};

pub use open_data::{
    ACTUALS_COLUMNS, OPEN_DATA_VERSION, PublishedActual, PublishedRating, RATINGS_COLUMNS,
    actuals_csv, published_actuals, published_ratings, ratings_csv, rows_json,
};
pub use read::{ACCEPTED_EXTENSIONS, read_table};
pub use template::{TEMPLATE_SHEET, Template, TemplateRow, write_template};
pub use write::{
    CSV_HEADERS, ExportRow, format_number, write_actuals_csv, write_actuals_json,
    write_actuals_xlsx,
};

/// A file read as text: its column layout and its data rows (every row after the header,
/// blank ones included; validation skips them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Which column holds which field.
    pub layout: Layout,
    /// The data rows, with their physical row numbers.
    pub rows: Vec<RawRow>,
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
}

/// Why a file could not be read as a table. Every message starts with the file's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterchangeError {
    /// The file name's extension is not one pdca reads.
    #[error("{file}: この形式は読めません。読める形式は {} です", ACCEPTED_EXTENSIONS.join(", "))]
    UnknownFormat {
        /// The file's name.
        file: String,
    },
    /// The bytes are neither UTF-8 nor Shift_JIS (nor UTF-16 with a byte order mark).
    #[error(
        "{file}: {line}行目に文字コードを読めないバイトがあります（UTF-8 か Shift_JIS の CSV として保存してください）"
    )]
    Encoding {
        /// The file's name.
        file: String,
        /// 1-based line holding the first undecodable byte.
        line: usize,
    },
    /// The CSV structure is broken at a row.
    #[error("{file}: {row}行目: {message}")]
    Csv {
        /// The file's name.
        file: String,
        /// 1-based physical row.
        row: usize,
        /// What is wrong.
        message: String,
    },
    /// A file could not be written.
    #[error("{file}: 書き出せませんでした（{message}）")]
    Write {
        /// The file's name.
        file: String,
        /// The writer's explanation.
        message: String,
    },
    /// The workbook could not be opened or its sheet read.
    #[error("{file}: ブックとして読めません（{message}）")]
    Workbook {
        /// The file's name.
        file: String,
        /// The reader's or writer's explanation.
        message: String,
    },
    /// The header row names unknown or repeated columns, or lacks required ones.
    #[error("{}", header_lines(file, errors))]
    Header {
        /// The file's name.
        file: String,
        /// One error per problem, on the header row.
        errors: Vec<RowError>,
    },
    /// No row holds anything, so there is not even a header.
    #[error("{file}: 空のファイルです（見出し行がありません）")]
    Empty {
        /// The file's name.
        file: String,
    },
}

fn header_lines(file: &str, errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| format!("{file}: {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}
