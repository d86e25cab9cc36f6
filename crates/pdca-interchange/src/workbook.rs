//! Reading a workbook (XLSX, XLSM, XLSB) without trusting it.
//!
//! A workbook is a zip archive of XML (or binary) parts. Before calamine opens it, every entry
//! is inflated once into nothing, counting bytes, so that all entries together stay under
//! [`Limits::max_inflated_bytes`] whatever sizes the archive declares; calamine then reads the
//! same entries with the same zip reader, and so reads no more than was counted. The sheet is
//! read as a stream of cells (calamine's cell readers, which build no grid), and rows are built
//! from the cells that sit under the header's columns: neither the sheet's declared dimension
//! nor the position of its outermost cell sizes an allocation. Rows and kept cells are counted
//! against [`Limits::max_rows`] and [`Limits::max_cells`].
//!
//! `.xls` (BIFF in a compound file) and `.ods` are not read: calamine parses every sheet of such
//! a book into a dense grid when it opens it, sized from the sheet's declared or actual extent,
//! so their memory cannot be bounded here.

use std::io::{self, Cursor, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{DataRef, Reader, SheetType, Xlsb, Xlsx};
use pdca_core::import::{RawRow, column_letter};
use zip::ZipArchive;
use zip::result::ZipError;
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::read::Rows;
use crate::{InterchangeError, Limits};

/// The most columns a sheet has (XFD).
pub(crate) const SHEET_COLUMNS: u32 = 16_384;

/// The most rows a sheet has.
pub(crate) const SHEET_ROWS: u32 = 1_048_576;

/// The at most this many characters of a cell's text are quoted in a message.
const QUOTED_CHARS: usize = 40;

/// The workbook formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Office Open XML (.xlsx, .xlsm).
    Xlsx,
    /// Excel binary workbook (.xlsb).
    Xlsb,
}

/// Reads the table of a workbook's first worksheet named one of `sheets` (compared without
/// regard to case and surrounding spaces), else of its first worksheet; `on_header` interprets
/// the header row (see [`crate::read::read_rows`]).
pub(crate) fn read_workbook<H>(
    file: &str,
    bytes: &[u8],
    kind: Kind,
    limits: &Limits,
    sheets: &[&str],
    on_header: impl FnMut(Vec<String>, usize) -> Result<H, InterchangeError>,
) -> Result<Rows<H>, InterchangeError> {
    // calamine indexes its input in places; a panic on a malformed part is a refusal, not a
    // crash of the server or of the command.
    catch_unwind(AssertUnwindSafe(|| {
        read_guarded(file, bytes, kind, limits, sheets, on_header)
    }))
    .unwrap_or_else(|_| {
        Err(workbook_error(
            file,
            "ファイルの構造が壊れています。Excel で開き直して .xlsx で保存してください",
        ))
    })
}

pub(crate) fn workbook_error(file: &str, message: impl Into<String>) -> InterchangeError {
    InterchangeError::Workbook {
        file: file.to_owned(),
        message: message.into(),
    }
}

fn read_guarded<H>(
    file: &str,
    bytes: &[u8],
    kind: Kind,
    limits: &Limits,
    sheets: &[&str],
    on_header: impl FnMut(Vec<String>, usize) -> Result<H, InterchangeError>,
) -> Result<Rows<H>, InterchangeError> {
    check_archive(file, bytes, kind, limits)?;
    let book_error = |e: String| workbook_error(file, e);
    let sheet_error =
        |sheet: &str, e: &dyn std::fmt::Display| book_error(format!("シート「{sheet}」: {e}"));
    match kind {
        Kind::Xlsx => {
            let mut book: Xlsx<_> =
                Xlsx::new(Cursor::new(bytes)).map_err(|e| book_error(e.to_string()))?;
            let sheet = choose_sheet(file, &book, sheets)?;
            let mut cells = book
                .worksheet_cells_reader(&sheet)
                .map_err(|e| sheet_error(&sheet, &e))?;
            read_cells(SheetRows::new(file, &sheet, limits, on_header), || {
                cells.next_cell().map_err(|e| sheet_error(&sheet, &e))
            })
        }
        Kind::Xlsb => {
            let mut book: Xlsb<_> =
                Xlsb::new(Cursor::new(bytes)).map_err(|e| book_error(e.to_string()))?;
            let sheet = choose_sheet(file, &book, sheets)?;
            let mut cells = book
                .worksheet_cells_reader(&sheet)
                .map_err(|e| sheet_error(&sheet, &e))?;
            read_cells(SheetRows::new(file, &sheet, limits, on_header), || {
                cells.next_cell().map_err(|e| sheet_error(&sheet, &e))
            })
        }
    }
}

/// Refuses what is not a workbook pdca can bound (an OLE compound file: an encrypted book or
/// an .xls) and a zip archive whose entries inflate past [`Limits::max_inflated_bytes`]: the
/// check every workbook passes before calamine opens it.
pub(crate) fn check_archive(
    file: &str,
    bytes: &[u8],
    kind: Kind,
    limits: &Limits,
) -> Result<(), InterchangeError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(workbook_error(
            file,
            "パスワードで保護されたブックか、Excel 97-2003 形式（.xls）のファイルです。保護を解除し、「Excel ブック (*.xlsx)」として保存し直してください",
        ));
    }
    if let Err(part) = check_inflated_size(file, bytes, limits)? {
        let sheet = match kind {
            Kind::Xlsx if is_sheet_part(&part) => sheet_of_part(bytes, &part),
            _ => None,
        };
        return Err(InterchangeError::Inflated {
            file: file.to_owned(),
            sheet,
            part,
            limit: limits.max_inflated_bytes,
        });
    }
    Ok(())
}

/// Takes the cells `next_cell` gives, one at a time, into `sheet_rows` (calamine's XLSX and
/// XLSB cell readers are two types with the same method and no trait in common).
fn read_cells<'a, H, F>(
    mut sheet_rows: SheetRows<'_, H, F>,
    mut next_cell: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, InterchangeError>,
) -> Result<Rows<H>, InterchangeError>
where
    F: FnMut(Vec<String>, usize) -> Result<H, InterchangeError>,
{
    while let Some(cell) = next_cell()? {
        let (row, column) = cell.get_position();
        sheet_rows.push(row, column, cell.get_value())?;
    }
    sheet_rows.finish()
}

fn choose_sheet<RS: io::Read + io::Seek, R: Reader<RS>>(
    file: &str,
    book: &R,
    preferred_names: &[&str],
) -> Result<String, InterchangeError> {
    let sheets: Vec<&String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| &s.name)
        .collect();
    let preferred = sheets.iter().find(|name| {
        let name = name.trim();
        preferred_names.iter().any(|p| name.eq_ignore_ascii_case(p))
    });
    preferred
        .or(sheets.first())
        .map(|s| (*s).clone())
        .ok_or_else(|| workbook_error(file, "ワークシートがありません"))
}

/// Whether a zip entry is a worksheet part (checked last, so that when a sheet is what is too
/// large, every other part is known to fit and the sheet can be named).
fn is_sheet_part(name: &str) -> bool {
    name.trim_start_matches('/')
        .to_ascii_lowercase()
        .starts_with("xl/worksheets/")
}

/// Inflates every entry of the archive into nothing, counting bytes, other parts first and
/// sheets last. `Ok(Err(part))` names the entry during which the total passed the limit.
fn check_inflated_size(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Result<(), String>, InterchangeError> {
    let broken = |e: &dyn std::fmt::Display| {
        workbook_error(
            file,
            format!("zip 形式として読めません（{e}）。Excel で開き直して .xlsx で保存してください"),
        )
    };
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    let mut order: Vec<(bool, usize)> = (0..archive.len())
        .map(|i| {
            let sheet = archive
                .name_for_index(i)
                .and_then(Result::ok)
                .is_some_and(|n| is_sheet_part(&n));
            (sheet, i)
        })
        .collect();
    order.sort_unstable();
    let mut total: u64 = 0;
    for (_, index) in order {
        let entry = match archive.by_index(index) {
            Ok(entry) => entry,
            // An entry the zip reader cannot inflate cannot be inflated by calamine either
            // (the same reader); it fails there if it is needed.
            Err(
                ZipError::UnsupportedArchive(_)
                | ZipError::CompressionMethodNotSupported(_)
                | ZipError::InvalidPassword,
            ) => continue,
            Err(e) => return Err(broken(&e)),
        };
        let name = entry.name().map_err(|e| broken(&e))?.into_owned();
        let budget = limits.max_inflated_bytes.saturating_sub(total);
        let mut limited = entry.take(budget.saturating_add(1));
        let read = io::copy(&mut limited, &mut io::sink()).map_err(|e| broken(&e))?;
        total = total.saturating_add(read);
        if total > limits.max_inflated_bytes {
            return Ok(Err(name));
        }
    }
    Ok(Ok(()))
}

/// The name of the sheet stored in the zip entry `part`, found by calamine itself: every sheet
/// part is replaced by a one-cell sheet holding its own entry name, every other part copied
/// (each fits the limit: they were counted before the sheets), and each sheet's first cell read.
fn sheet_of_part(bytes: &[u8], part: &str) -> Option<String> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for index in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(index) else {
            continue;
        };
        let Ok(name) = entry.name().map(std::borrow::Cow::into_owned) else {
            continue;
        };
        out.start_file(name.as_str(), options).ok()?;
        if is_sheet_part(&name) {
            let marker = xml_escape(&name);
            write!(
                out,
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{marker}</t></is></c></row></sheetData></worksheet>"#
            )
            .ok()?;
        } else {
            io::copy(&mut entry, &mut out).ok()?;
        }
    }
    let stub = out.finish().ok()?.into_inner();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(stub)).ok()?;
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    names.into_iter().find(|name| {
        book.worksheet_cells_reader(name)
            .ok()
            .and_then(|mut cells| cells.next_cell().ok().flatten())
            .is_some_and(|cell| match cell.get_value() {
                DataRef::String(s) => s == part,
                DataRef::SharedString(s) => *s == part,
                _ => false,
            })
    })
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell's place as a spreadsheet shows it: `XFD1048576`.
pub(crate) fn cell_name(row: usize, column: usize) -> String {
    format!("{}{row}", column_letter(column))
}

/// Text quoted in a message, shortened.
pub(crate) fn quoted(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(QUOTED_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Rows of a table built from a stream of cells in sheet order: only the non-empty cells of the
/// row being read are held until the row ends.
struct SheetRows<'a, H, F> {
    file: &'a str,
    sheet: &'a str,
    limits: &'a Limits,
    /// Interprets the header row (its texts from column A, and its row number).
    on_header: F,
    /// The row being read (1-based) and its non-empty cells (1-based column, text).
    current: Option<(usize, Vec<(usize, String)>)>,
    /// What `on_header` made of the header, its row and its width (the last column holding a
    /// header).
    header: Option<(H, usize, usize)>,
    rows: Vec<RawRow>,
    /// Cells kept so far, the header's included.
    cells: usize,
}

impl<'a, H, F> SheetRows<'a, H, F>
where
    F: FnMut(Vec<String>, usize) -> Result<H, InterchangeError>,
{
    fn new(file: &'a str, sheet: &'a str, limits: &'a Limits, on_header: F) -> Self {
        Self {
            file,
            sheet,
            limits,
            on_header,
            current: None,
            header: None,
            rows: Vec::new(),
            cells: 0,
        }
    }

    fn error(&self, message: String) -> InterchangeError {
        workbook_error(self.file, format!("シート「{}」: {message}", self.sheet))
    }

    /// Takes the cell at 0-based `(row, column)`.
    fn push(&mut self, row: u32, column: u32, value: &DataRef<'_>) -> Result<(), InterchangeError> {
        if matches!(value, DataRef::Empty) {
            return Ok(());
        }
        if row >= SHEET_ROWS || column >= SHEET_COLUMNS {
            return Err(self.error(format!(
                "{}行目・{}列目のセルは Excel のシートの範囲（1,048,576行 × 16,384列）の外にあります",
                u64::from(row) + 1,
                u64::from(column) + 1
            )));
        }
        let (row, column) = (row as usize + 1, column as usize + 1);
        let text = cell_text(value);
        if text.is_empty() {
            return Ok(());
        }
        match &self.current {
            Some((current, _)) if *current == row => {}
            Some((current, _)) if *current > row => {
                return Err(self.error(format!(
                    "セル {} が {}行目より後に書かれています（行の順序が正しくありません）。Excel で開き直して保存してください",
                    cell_name(row, column),
                    current
                )));
            }
            _ => {
                self.end_row()?;
                self.current = Some((row, Vec::new()));
            }
        }
        if let Some((_, _, width)) = &self.header
            && column > *width
        {
            if text.trim().is_empty() {
                return Ok(());
            }
            return Err(InterchangeError::OutsideHeader {
                file: self.file.to_owned(),
                sheet: self.sheet.to_owned(),
                cell: cell_name(row, column),
                text: quoted(&text),
                last_column: column_letter(*width),
            });
        }
        let Some((_, cells)) = &mut self.current else {
            return Ok(());
        };
        if cells.last().is_some_and(|(last, _)| *last >= column) {
            return Err(self.error(format!(
                "セル {} が重複しているか、列の順序が正しくありません。Excel で開き直して保存してください",
                cell_name(row, column)
            )));
        }
        cells.push((column, text));
        Ok(())
    }

    /// Turns the row being read into the header or a data row.
    fn end_row(&mut self) -> Result<(), InterchangeError> {
        let Some((row, cells)) = self.current.take() else {
            return Ok(());
        };
        match &self.header {
            None => {
                let Some(width) = cells
                    .iter()
                    .rev()
                    .find(|(_, t)| !t.trim().is_empty())
                    .map(|(c, _)| *c)
                else {
                    return Ok(());
                };
                self.count_cells(row, width)?;
                let mut texts = vec![String::new(); width];
                for (column, text) in cells {
                    if let Some(slot) = texts.get_mut(column - 1) {
                        *slot = text;
                    }
                }
                let header = (self.on_header)(texts, row)?;
                self.header = Some((header, row, width));
            }
            Some((_, header_row, width)) => {
                let (header_row, width) = (*header_row, *width);
                let data_rows = row - header_row;
                if data_rows > self.limits.max_rows {
                    return Err(InterchangeError::TooManyRows {
                        file: self.file.to_owned(),
                        sheet: Some(self.sheet.to_owned()),
                        row,
                        limit: self.limits.max_rows,
                    });
                }
                self.count_cells(row, width)?;
                // Rows left blank between data rows are kept (as rows without cells) so that
                // every row below the header has its place, as in the sheet.
                let first_missing = header_row + 1 + self.rows.len();
                self.rows
                    .extend((first_missing..row).map(|r| RawRow::new(r, [""; 0])));
                let bytes = cells.iter().map(|(_, t)| t.len()).sum();
                let mut raw = RawRow::with_capacity(row, bytes, width);
                let mut next = 1;
                for (column, text) in &cells {
                    while next < *column {
                        raw.push("");
                        next += 1;
                    }
                    raw.push(text);
                    next += 1;
                }
                while next <= width {
                    raw.push("");
                    next += 1;
                }
                self.rows.push(raw);
            }
        }
        Ok(())
    }

    fn count_cells(&mut self, row: usize, width: usize) -> Result<(), InterchangeError> {
        self.cells = self.cells.saturating_add(width);
        if self.cells > self.limits.max_cells {
            return Err(InterchangeError::TooManyCells {
                file: self.file.to_owned(),
                sheet: self.sheet.to_owned(),
                row,
                columns: width,
                limit: self.limits.max_cells,
            });
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Rows<H>, InterchangeError> {
        self.end_row()?;
        match self.header {
            Some((header, _, _)) => Ok(Rows {
                header,
                rows: self.rows,
                sheet: Some(self.sheet.to_owned()),
            }),
            None => Err(InterchangeError::Empty {
                file: self.file.to_owned(),
            }),
        }
    }
}

/// A cell as a person sees it: whole numbers without ".0", dates as YYYY-MM-DD.
pub(crate) fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => spreadsheet_number(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        DataRef::DateTime(dt) => spreadsheet_number(dt.as_f64()),
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_owned(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A cell's number as Excel shows it: at most 15 significant digits, so that 0.1 + 0.2 reads
/// "0.3", and without a trailing ".0".
fn spreadsheet_number(v: f64) -> String {
    let rounded = format!("{v:.14e}").parse::<f64>().unwrap_or(v);
    crate::format_number(rounded)
}
