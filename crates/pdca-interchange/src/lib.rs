//! Actuals files in and out of pdca: reading CSV (UTF-8 or Shift_JIS, as Japanese Excel saves it)
//! and workbooks (XLSX, XLSM, XLSB) into text rows for [`pdca_core::import::validate_rows`],
//! and writing current actuals as CSV, JSON or XLSX in the same columns, so that an export imports
//! back unchanged.
//!
//! Row numbers are the physical 1-based rows of the file or sheet, so that every error points
//! where a person looks. Files are untrusted: reading stays within [`Limits`] (inflated size,
//! rows, cells), and nothing a file declares sizes an allocation.

mod achievements;
mod annex_text;
mod limits;
mod open_data;
pub mod plan_workbook;
mod read;
mod template;
#[cfg(feature = "testing")]
pub mod testing;
mod workbook;
mod write;

use pdca_core::import::{Layout, RawRow, RowError};

#[cfg(feature = "testing")]
pub use achievements::achievements_workbook;
pub use achievements::{ACHIEVEMENT_SHEETS, RawTable, read_achievements};
pub use annex_text::{ANNEX_EXTENSIONS, AnnexTextError, docx_text, read_annex_text};
pub use limits::Limits;
pub use open_data::{
    ACHIEVEMENTS_COLUMNS, ACTUALS_COLUMNS, OPEN_DATA_VERSION, PublishedAchievement,
    PublishedActual, PublishedRating, RATINGS_COLUMNS, achievements_csv, actuals_csv,
    published_achievements, published_actuals, published_ratings, ratings_csv, rows_json,
};
pub use read::{ACCEPTED_EXTENSIONS, read_table, read_table_limited};
pub use template::{
    ACHIEVEMENT_TEMPLATE_ROWS, ACHIEVEMENT_TEMPLATE_SHEET, TEMPLATE_SHEET, Template, TemplateRow,
    write_template,
};
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
    /// A workbook format whose reading pdca cannot bound (.xls, .ods).
    #[error(
        "{file}: この形式（Excel 97-2003 の .xls、OpenDocument の .ods）のブックは受け付けていません。Excel などで開き、「名前を付けて保存」で「Excel ブック (*.xlsx)」か「CSV UTF-8 (コンマ区切り) (*.csv)」を選んで保存し直してから取り込んでください"
    )]
    RefusedFormat {
        /// The file's name.
        file: String,
    },
    /// A workbook inflates past [`Limits::max_inflated_bytes`].
    #[error("{}", inflated_message(file, sheet.as_deref(), part, *limit))]
    Inflated {
        /// The file's name.
        file: String,
        /// The sheet whose part is too large, when a sheet's is and it could be named.
        sheet: Option<String>,
        /// The zip entry during which the limit was passed.
        part: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// More data rows than [`Limits::max_rows`].
    #[error(
        "{}{row}行目: 取り込める行数の上限（見出しの下 {} 行）を超えています。{} 行以下ずつ複数のファイルに分けて、順に取り込んでください",
        place(file, sheet.as_deref()),
        limits::grouped(*limit),
        limits::grouped(*limit)
    )]
    TooManyRows {
        /// The file's name.
        file: String,
        /// The sheet, for a workbook.
        sheet: Option<String>,
        /// The first row past the limit.
        row: usize,
        /// The limit.
        limit: usize,
    },
    /// More cells (header columns × rows) than [`Limits::max_cells`].
    #[error(
        "{}{row}行目: 取り込めるセル数の上限（{}）を超えています（見出しは {columns} 列）。表に関係のない列を削除するか、行を分けて複数のファイルにしてください",
        place(file, Some(sheet)),
        limits::grouped(*limit)
    )]
    TooManyCells {
        /// The file's name.
        file: String,
        /// The sheet.
        sheet: String,
        /// The row at which the limit was passed.
        row: usize,
        /// The header's width.
        columns: usize,
        /// The limit.
        limit: usize,
    },
    /// A value right of the header's last column.
    #[error(
        "{file}: シート「{sheet}」のセル {cell} に値「{text}」がありますが、見出しは {last_column} 列までです。表の外の値を削除するか、その列に見出しを付けてください"
    )]
    OutsideHeader {
        /// The file's name.
        file: String,
        /// The sheet.
        sheet: String,
        /// The cell, as `XFD1048576`.
        cell: String,
        /// Its text (shortened).
        text: String,
        /// The letter of the header's last column.
        last_column: String,
    },
    /// No row holds anything, so there is not even a header.
    #[error("{file}: 空のファイルです（見出し行がありません）")]
    Empty {
        /// The file's name.
        file: String,
    },
}

/// "file: シート「…」の " or "file: " before a row number.
fn place(file: &str, sheet: Option<&str>) -> String {
    match sheet {
        Some(sheet) => format!("{file}: シート「{sheet}」の"),
        None => format!("{file}: "),
    }
}

fn inflated_message(file: &str, sheet: Option<&str>, part: &str, limit: u64) -> String {
    let what = match sheet {
        Some(sheet) => format!("シート「{sheet}」"),
        None => format!("ブックの中の部品「{part}」"),
    };
    format!(
        "{file}: {what}は展開すると読み込める大きさの上限（{}）を超えるため、読み込みませんでした。行を分けて複数のブックに保存し直すか、CSV で保存してから取り込んでください",
        limits::megabytes(limit)
    )
}

fn header_lines(file: &str, errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| format!("{file}: {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}
