//! The sheets of a plan workbook read as streams of cells: the bounded-inflation check of every
//! workbook first, then each sheet's cells one at a time, counted against [`Limits`], into rows
//! under the headings the sheet's first row names.

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, Xlsx};
use pdca_core::import::column_letter;
use pdca_core::normalize::normalize_text;

use super::{
    BODIES_SHEET, Col, GLOSSARY_SHEET, INDICATORS_SHEET, PLAN_SHEET, PlanCellError,
    PlanWorkbookErrors,
};
use crate::workbook::{
    Kind, SHEET_COLUMNS, SHEET_ROWS, cell_name, cell_text, check_archive, quoted, workbook_error,
};
use crate::{InterchangeError, Limits};

/// A cell's value as read: text, or a number as stored (not as shown).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    /// The text a person sees; whole numbers without ".0".
    pub(super) fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
        }
    }
}

/// One row of a sheet: its non-empty cells by 1-based column.
#[derive(Debug, Clone)]
pub(super) struct SheetRow {
    pub(super) row: usize,
    pub(super) cells: Vec<(usize, Cell)>,
}

/// A sheet read: the columns its header names, and the rows below it.
#[derive(Debug, Clone)]
pub(super) struct SheetTable {
    pub(super) name: &'static str,
    /// Heading → 1-based column.
    columns: HashMap<&'static str, usize>,
    pub(super) rows: Vec<SheetRow>,
}

impl SheetTable {
    pub(super) fn cell<'a>(&self, row: &'a SheetRow, header: &str) -> Option<&'a Cell> {
        let column = *self.columns.get(header)?;
        row.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, cell)| cell)
            .filter(|cell| !matches!(cell, Cell::Text(t) if t.trim().is_empty()))
    }
}

pub(super) struct Sheets {
    pub(super) plan: Option<SheetTable>,
    pub(super) bodies: Option<SheetTable>,
    pub(super) glossary: Option<SheetTable>,
    pub(super) indicators: Option<SheetTable>,
    pub(super) errors: Vec<PlanCellError>,
}

pub(super) fn read_book(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Sheets, PlanWorkbookErrors> {
    check_archive(file, bytes, Kind::Xlsx, limits)?;
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| workbook_error(file, e.to_string()))?;
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let mut reader = SheetReader {
        file,
        limits,
        cells: 0,
        errors: Vec::new(),
    };
    let mut read = |name: &'static str, headers: &[&'static str], required: bool| {
        let Some(actual) = names.iter().find(|n| n.trim() == name) else {
            if required {
                reader.errors.push(PlanCellError {
                    file: file.to_owned(),
                    sheet: Some(name.to_owned()),
                    row: None,
                    column: None,
                    message: format!(
                        "シート「{name}」がありません（計画のブックには {PLAN_SHEET}・{BODIES_SHEET}・{GLOSSARY_SHEET}・{INDICATORS_SHEET} のシートが必要です）"
                    ),
                });
            }
            return Ok(None);
        };
        reader.read(&mut book, actual, name, headers)
    };
    let plan = read(PLAN_SHEET, &["項目", "値"], true)?;
    let bodies = read(BODIES_SHEET, &["ID", "名称", "略称"], true)?;
    let glossary = read(GLOSSARY_SHEET, &["用語", "定義"], false)?;
    let headers: Vec<&'static str> = Col::ALL.iter().map(|c| c.header()).collect();
    let indicators = read(INDICATORS_SHEET, &headers, true)?;
    Ok(Sheets {
        plan,
        bodies,
        glossary,
        indicators,
        errors: reader.errors,
    })
}

/// Reads sheets as streams of cells, counting rows and cells against the limits.
struct SheetReader<'a> {
    file: &'a str,
    limits: &'a Limits,
    /// Cells kept so far, in every sheet.
    cells: usize,
    errors: Vec<PlanCellError>,
}

impl SheetReader<'_> {
    fn error(&mut self, sheet: &str, row: Option<usize>, message: String) {
        self.errors.push(PlanCellError {
            file: self.file.to_owned(),
            sheet: Some(sheet.to_owned()),
            row,
            column: None,
            message,
        });
    }

    /// The sheet `actual` (named `name` in messages), its header checked against `headers`.
    /// `Ok(None)` when its header is wrong (the errors are recorded).
    fn read(
        &mut self,
        book: &mut Xlsx<Cursor<&[u8]>>,
        actual: &str,
        name: &'static str,
        headers: &[&'static str],
    ) -> Result<Option<SheetTable>, PlanWorkbookErrors> {
        let file = self.file;
        let sheet_error =
            |e: &dyn fmt::Display| workbook_error(file, format!("シート「{name}」: {e}"));
        let mut cells = book
            .worksheet_cells_reader(actual)
            .map_err(|e| sheet_error(&e))?;
        let mut rows: Vec<SheetRow> = Vec::new();
        while let Some(cell) = cells.next_cell().map_err(|e| sheet_error(&e))? {
            let (row, column) = cell.get_position();
            let value = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::Float(f) => Cell::Number(*f),
                DataRef::Int(i) => Cell::Number(*i as f64),
                other => Cell::Text(cell_text(other)),
            };
            if matches!(&value, Cell::Text(t) if t.is_empty()) {
                continue;
            }
            if row >= SHEET_ROWS || column >= SHEET_COLUMNS {
                return Err(sheet_error(&format!(
                    "{}行目・{}列目のセルは Excel のシートの範囲の外にあります",
                    u64::from(row) + 1,
                    u64::from(column) + 1
                ))
                .into());
            }
            let (row, column) = (row as usize + 1, column as usize + 1);
            match rows.last_mut() {
                Some(last) if last.row == row => {
                    if last.cells.last().is_some_and(|(c, _)| *c >= column) {
                        return Err(sheet_error(&format!(
                            "セル {} が重複しているか、列の順序が正しくありません。Excel で開き直して保存してください",
                            cell_name(row, column)
                        ))
                        .into());
                    }
                    last.cells.push((column, value));
                }
                Some(last) if last.row > row => {
                    return Err(sheet_error(&format!(
                        "セル {} が {}行目より後に書かれています（行の順序が正しくありません）",
                        cell_name(row, column),
                        last.row
                    ))
                    .into());
                }
                _ => {
                    if rows.len() > self.limits.max_rows {
                        return Err(InterchangeError::TooManyRows {
                            file: file.to_owned(),
                            sheet: Some(name.to_owned()),
                            row,
                            limit: self.limits.max_rows,
                        }
                        .into());
                    }
                    rows.push(SheetRow {
                        row,
                        cells: vec![(column, value)],
                    });
                }
            }
            self.cells += 1;
            if self.cells > self.limits.max_cells {
                return Err(InterchangeError::TooManyCells {
                    file: file.to_owned(),
                    sheet: name.to_owned(),
                    row,
                    columns: headers.len(),
                    limit: self.limits.max_cells,
                }
                .into());
            }
        }
        let mut rows = rows.into_iter();
        let Some(header) = rows.next() else {
            self.error(
                name,
                None,
                format!(
                    "見出しの行がありません（1行目に {} を書いてください）",
                    headers.join("、")
                ),
            );
            return Ok(None);
        };
        let mut columns = HashMap::new();
        let mut ok = true;
        for (column, cell) in &header.cells {
            let text = normalize_text(&cell.text());
            if text.is_empty() {
                continue;
            }
            match headers.iter().find(|h| normalize_text(h) == text) {
                Some(h) if columns.contains_key(h) => {
                    ok = false;
                    self.error(
                        name,
                        Some(header.row),
                        format!(
                            "見出し「{h}」が2つの列にあります（{}列）",
                            column_letter(*column)
                        ),
                    );
                }
                Some(h) => {
                    columns.insert(*h, *column);
                }
                None => {
                    ok = false;
                    self.error(
                        name,
                        Some(header.row),
                        format!(
                            "{}列の見出し「{}」は使えません（使える見出し: {}）",
                            column_letter(*column),
                            quoted(&text),
                            headers.join("、")
                        ),
                    );
                }
            }
        }
        let required = if name == INDICATORS_SHEET {
            &[
                Col::Id.header(),
                Col::ProjectId.header(),
                Col::Kind.header(),
                Col::Measure.header(),
            ][..]
        } else {
            headers.get(..1).unwrap_or_default()
        };
        for h in required {
            if !columns.contains_key(h) {
                ok = false;
                self.error(
                    name,
                    Some(header.row),
                    format!("見出し「{h}」の列がありません"),
                );
            }
        }
        let rows: Vec<SheetRow> = rows.collect();
        for r in &rows {
            if let Some((column, cell)) = r
                .cells
                .iter()
                .find(|(c, _)| !columns.values().any(|known| known == c))
            {
                ok = false;
                self.error(
                    name,
                    Some(r.row),
                    format!(
                        "セル {} に値「{}」がありますが、見出しのない列です。表の外の値を削除するか、その列に見出しを付けてください",
                        cell_name(r.row, *column),
                        quoted(&cell.text())
                    ),
                );
            }
        }
        Ok(ok.then_some(SheetTable {
            name,
            columns,
            rows,
        }))
    }
}
