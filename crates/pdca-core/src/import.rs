//! Validation of imported actuals: the rows of a CSV or XLSX file, as text, checked against a
//! plan and turned into contributions. Every problem names the row, the column and the text.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::actuals::{ActualValue, Actuals, Contribution};
use crate::fiscal_year::FiscalYear;
use crate::normalize::{QuantityError, normalize_text, parse_quantity};
use crate::plan::{Measure, Plan};

/// The columns of an actuals file, in their canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `indicator_id` / 指標ID
    IndicatorId,
    /// `fiscal_year` / 年度
    FiscalYear,
    /// `value` / 実績
    Value,
    /// `numerator` / 分子
    Numerator,
    /// `denominator` / 分母
    Denominator,
    /// `body` / 報告機関
    Body,
    /// `note` / 備考
    Note,
    /// `source` / 出典
    Source,
}

impl Field {
    /// Every field in canonical order.
    pub const ALL: [Field; 8] = [
        Field::IndicatorId,
        Field::FiscalYear,
        Field::Value,
        Field::Numerator,
        Field::Denominator,
        Field::Body,
        Field::Note,
        Field::Source,
    ];

    /// The English header.
    pub fn name(self) -> &'static str {
        match self {
            Field::IndicatorId => "indicator_id",
            Field::FiscalYear => "fiscal_year",
            Field::Value => "value",
            Field::Numerator => "numerator",
            Field::Denominator => "denominator",
            Field::Body => "body",
            Field::Note => "note",
            Field::Source => "source",
        }
    }

    /// The Japanese header.
    pub fn japanese(self) -> &'static str {
        match self {
            Field::IndicatorId => "指標ID",
            Field::FiscalYear => "年度",
            Field::Value => "実績",
            Field::Numerator => "分子",
            Field::Denominator => "分母",
            Field::Body => "報告機関",
            Field::Note => "備考",
            Field::Source => "出典",
        }
    }

    /// The field a header names, in English or Japanese, full-width or half-width, any case.
    pub fn from_header(header: &str) -> Option<Field> {
        let h = normalize_text(header).to_lowercase().replace(' ', "_");
        Field::ALL
            .into_iter()
            .find(|f| h == f.name() || h == normalize_text(f.japanese()))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where a cell sits in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    /// 1-based column number in the file.
    pub column: usize,
    /// The header as written in the file.
    pub header: String,
}

impl CellRef {
    /// The spreadsheet letter of the column (A, B, …, AA).
    pub fn letter(&self) -> String {
        column_letter(self.column)
    }
}

/// The spreadsheet letter of a 1-based column number.
pub fn column_letter(column: usize) -> String {
    let mut n = column;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The column layout of a file: which column holds which field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    columns: [Option<CellRef>; 8],
}

impl Layout {
    /// Reads a header row. Unknown or repeated headers are errors on row `header_row`.
    pub fn from_headers(headers: &[String], header_row: usize) -> Result<Layout, Vec<RowError>> {
        let mut layout = Layout::default();
        let mut errors = Vec::new();
        for (i, header) in headers.iter().enumerate() {
            let cell = CellRef {
                column: i + 1,
                header: header.clone(),
            };
            if header.trim().is_empty() {
                continue;
            }
            match Field::from_header(header) {
                Some(field) if layout.columns[field.index()].is_some() => errors.push(RowError {
                    row: header_row,
                    cell: Some(cell),
                    text: header.clone(),
                    message: format!("列「{}」が重複しています", field.name()),
                }),
                Some(field) => layout.columns[field.index()] = Some(cell),
                None => errors.push(RowError {
                    row: header_row,
                    cell: Some(cell),
                    text: header.clone(),
                    message: format!(
                        "見出し「{header}」は使えません（期待: {}、または {}）",
                        Field::ALL.map(Field::name).join(", "),
                        Field::ALL.map(Field::japanese).join(", ")
                    ),
                }),
            }
        }
        for field in [Field::IndicatorId, Field::FiscalYear] {
            if layout.columns[field.index()].is_none() {
                errors.push(RowError {
                    row: header_row,
                    cell: None,
                    text: String::new(),
                    message: format!("列「{}」（{}）がありません", field.name(), field.japanese()),
                });
            }
        }
        let has_values = [Field::Value, Field::Numerator, Field::Denominator]
            .iter()
            .any(|f| layout.columns[f.index()].is_some());
        if !has_values {
            errors.push(RowError {
                row: header_row,
                cell: None,
                text: String::new(),
                message: "列「value」（実績）か「numerator」「denominator」（分子・分母）が必要です".into(),
            });
        }
        if errors.is_empty() { Ok(layout) } else { Err(errors) }
    }

    /// The file column holding `field`, if present.
    pub fn column(&self, field: Field) -> Option<&CellRef> {
        self.columns[field.index()].as_ref()
    }
}

/// One data row of a file, as the texts of its cells (in file order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// 1-based row number in the file (the header is row 1 in a plain file).
    pub row: usize,
    /// The cells' texts in file column order.
    pub cells: Vec<String>,
}

/// A problem with one cell or row of an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based row number in the file.
    pub row: usize,
    /// The column, where one is to blame.
    pub cell: Option<CellRef>,
    /// The offending text.
    pub text: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}行目", self.row)?;
        if let Some(cell) = &self.cell {
            write!(f, ", {}列「{}」", cell.letter(), cell.header)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// An imported row after validation: a contribution with its note and source.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedActual {
    /// Row number it came from.
    pub row: usize,
    /// The value for an indicator, year and body.
    pub contribution: Contribution,
    /// 備考
    pub note: Option<String>,
    /// 出典
    pub source: Option<String>,
}

/// Validates every row against `plan`. `current` holds the values already recorded, so that a
/// sub-target can be checked against its parent's total for the same year. Returns every error
/// found, in row order; a file with any error must import nothing.
pub fn validate_rows(
    plan: &Plan,
    layout: &Layout,
    rows: &[RawRow],
    current: &Actuals,
) -> Result<Vec<ImportedActual>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut out: Vec<ImportedActual> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, FiscalYear, String), usize> = HashMap::new();
    let indicators: HashMap<&str, &crate::plan::Indicator> =
        plan.indicators().map(|(_, i)| (i.id.as_str(), i)).collect();
    let body_ids: HashSet<&str> = plan.bodies.iter().map(|b| b.id.as_str()).collect();

    for raw in rows {
        let cell = |field: Field| -> (Option<&CellRef>, &str) {
            match layout.column(field) {
                Some(c) => (Some(c), raw.cells.get(c.column - 1).map_or("", |s| s.as_str())),
                None => (None, ""),
            }
        };
        if raw.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut err = |field: Field, text: &str, message: String| {
            errors.push(RowError {
                row: raw.row,
                cell: layout.column(field).cloned(),
                text: text.to_owned(),
                message,
            });
        };
        let (_, id_text) = cell(Field::IndicatorId);
        let id = normalize_text(id_text);
        let Some(indicator) = indicators.get(id.as_str()).copied() else {
            let message = if id.is_empty() {
                "指標IDが空です".to_owned()
            } else {
                format!("指標ID「{id_text}」は計画「{}」にありません", plan.id)
            };
            err(Field::IndicatorId, id_text, message);
            continue;
        };
        let (_, fy_text) = cell(Field::FiscalYear);
        let year = match fy_text.parse::<FiscalYear>() {
            Ok(fy) if plan.accepts_year(indicator, fy) => Some(fy),
            Ok(fy) => {
                err(
                    Field::FiscalYear,
                    fy_text,
                    format!(
                        "年度「{fy_text}」（{fy}）は計画期間 {}〜{} の外です",
                        plan.period.start, plan.period.end
                    ),
                );
                None
            }
            Err(e) => {
                err(Field::FiscalYear, fy_text, e.to_string());
                None
            }
        };
        let (_, body_text) = cell(Field::Body);
        let body_norm = normalize_text(body_text);
        let body = if body_norm.is_empty() {
            match indicator.assignments.as_slice() {
                [only] => Some(only.body.clone()),
                _ => {
                    err(
                        Field::Body,
                        body_text,
                        format!(
                            "指標「{}」は複数の機関が報告するため、報告機関（body）を指定してください（{}）",
                            indicator.id,
                            indicator.assignments.iter().map(|a| a.body.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    );
                    None
                }
            }
        } else {
            let found = plan
                .bodies
                .iter()
                .find(|b| {
                    b.id == body_norm
                        || normalize_text(&b.name) == body_norm
                        || b.short_name.as_deref().is_some_and(|s| normalize_text(s) == body_norm)
                })
                .map(|b| b.id.clone());
            match found {
                Some(b) if indicator.assignments.iter().any(|a| a.body == b) => Some(b),
                Some(b) => {
                    err(
                        Field::Body,
                        body_text,
                        format!("報告機関「{b}」は指標「{}」の報告機関ではありません", indicator.id),
                    );
                    None
                }
                None => {
                    let known: Vec<&str> = body_ids.iter().copied().collect();
                    let mut known = known;
                    known.sort_unstable();
                    err(
                        Field::Body,
                        body_text,
                        format!("報告機関「{body_text}」は計画にありません（{}）", known.join(", ")),
                    );
                    None
                }
            }
        };
        let value = parse_value(indicator, &cell, &mut err);
        let (Some(year), Some(body), Some(value)) = (year, body, value) else { continue };
        let key = (indicator.id.clone(), year, body.clone());
        if let Some(first) = seen.insert(key, raw.row) {
            err(
                Field::IndicatorId,
                id_text,
                format!("{first}行目と同じ指標・年度・報告機関です（{} {year} {body}）", indicator.id),
            );
            continue;
        }
        let text_of = |field: Field| {
            let t = cell(field).1.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        out.push(ImportedActual {
            row: raw.row,
            contribution: Contribution {
                indicator: indicator.id.clone(),
                year,
                body,
                value,
            },
            note: text_of(Field::Note),
            source: text_of(Field::Source),
        });
    }
    check_sub_targets(plan, layout, &out, current, &mut errors);
    errors.sort_by_key(|e| e.row);
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn parse_value<'r>(
    indicator: &crate::plan::Indicator,
    cell: &dyn Fn(Field) -> (Option<&'r CellRef>, &'r str),
    err: &mut dyn FnMut(Field, &str, String),
) -> Option<ActualValue> {
    let (_, value_text) = cell(Field::Value);
    let (_, num_text) = cell(Field::Numerator);
    let (_, den_text) = cell(Field::Denominator);
    let number = |field: Field, text: &str, err: &mut dyn FnMut(Field, &str, String)| -> Option<f64> {
        match parse_quantity(text) {
            Ok(v) => Some(v),
            Err(QuantityError::Empty) => {
                err(field, text, format!("{}（{}）が空です", field.name(), field.japanese()));
                None
            }
            Err(e) => {
                err(field, text, e.to_string());
                None
            }
        }
    };
    match indicator.measure {
        Measure::Qualitative => {
            let text = value_text.trim();
            if text.is_empty() {
                err(Field::Value, value_text, "その他管理指標の実績（状況の記述）が空です".into());
                return None;
            }
            Some(ActualValue::Narrative(text.to_owned()))
        }
        Measure::Ratio => {
            if num_text.trim().is_empty() && den_text.trim().is_empty() && !value_text.trim().is_empty() {
                err(
                    Field::Value,
                    value_text,
                    format!("指標「{}」は割合の指標です。実績ではなく分子（numerator）と分母（denominator）を書いてください", indicator.id),
                );
                return None;
            }
            let num = number(Field::Numerator, num_text, err);
            let den = number(Field::Denominator, den_text, err);
            let (num, den) = (num?, den?);
            let mut ok = true;
            for (field, text, v) in [(Field::Numerator, num_text, num), (Field::Denominator, den_text, den)] {
                if v < 0.0 || v.fract() != 0.0 {
                    err(field, text, format!("{}は0以上の整数です（「{text}」）", field.japanese()));
                    ok = false;
                }
            }
            if ok && num > den {
                err(
                    Field::Numerator,
                    num_text,
                    format!("分子 {num} が分母 {den} を超えています"),
                );
                ok = false;
            }
            ok.then_some(ActualValue::Ratio {
                numerator: num,
                denominator: den,
            })
        }
        Measure::Count | Measure::Level | Measure::Milestone => {
            for (field, text) in [(Field::Numerator, num_text), (Field::Denominator, den_text)] {
                if !text.trim().is_empty() {
                    err(field, text, format!("指標「{}」は割合の指標ではないため、{}は書けません", indicator.id, field.japanese()));
                    return None;
                }
            }
            let v = match indicator.measure {
                Measure::Milestone => match normalize_text(value_text).as_str() {
                    "済" | "達成" | "1" => 1.0,
                    "未" | "未達成" | "0" => 0.0,
                    _ => {
                        err(Field::Value, value_text, format!("マイルストーンの実績は 1（済）か 0（未）です（「{value_text}」）"));
                        return None;
                    }
                },
                _ => number(Field::Value, value_text, err)?,
            };
            if indicator.measure == Measure::Count && (v < 0.0 || v.fract() != 0.0) {
                let what = if v < 0.0 { "負の件数" } else { "小数の件数" };
                err(Field::Value, value_text, format!("{what}は書けません。件数は0以上の整数です（「{value_text}」）"));
                return None;
            }
            Some(ActualValue::Number(v))
        }
    }
}

/// A sub-target's total for a year may not exceed its parent's total for the same year.
fn check_sub_targets(
    plan: &Plan,
    layout: &Layout,
    imported: &[ImportedActual],
    current: &Actuals,
    errors: &mut Vec<RowError>,
) {
    let children: Vec<&crate::plan::Indicator> = plan
        .indicators()
        .map(|(_, i)| i)
        .filter(|i| i.parent.is_some())
        .collect();
    if children.is_empty() {
        return;
    }
    let touched: HashSet<(&str, FiscalYear)> = imported
        .iter()
        .map(|a| (a.contribution.indicator.as_str(), a.contribution.year))
        .collect();
    let mut merged = current.clone();
    for a in imported {
        merged.insert(&a.contribution);
    }
    for child in children {
        let Some(parent) = child.parent.as_deref() else { continue };
        for a in imported.iter().filter(|a| a.contribution.indicator == child.id) {
            let year = a.contribution.year;
            if !touched.contains(&(child.id.as_str(), year)) && !touched.contains(&(parent, year)) {
                continue;
            }
            let child_total = merged.year(&child.id, year).map_or(0.0, |y| y.number);
            let Some(parent_total) = merged.year(parent, year).map(|y| y.number) else { continue };
            if child_total > parent_total {
                let text = match &a.contribution.value {
                    ActualValue::Number(v) => v.to_string(),
                    _ => String::new(),
                };
                errors.push(RowError {
                    row: a.row,
                    cell: layout.column(Field::Value).cloned(),
                    text,
                    message: format!(
                        "内数「{}」の{year}の実績 {child_total} が親指標「{parent}」の実績 {parent_total} を超えています",
                        child.id
                    ),
                });
            }
        }
        // A parent lowered below an unchanged child is caught too.
        for a in imported.iter().filter(|a| a.contribution.indicator == parent) {
            let year = a.contribution.year;
            if imported.iter().any(|c| c.contribution.indicator == child.id && c.contribution.year == year) {
                continue;
            }
            let parent_total = merged.year(parent, year).map_or(0.0, |y| y.number);
            if let Some(child_total) = merged.year(&child.id, year).map(|y| y.number) {
                if child_total > parent_total {
                    errors.push(RowError {
                        row: a.row,
                        cell: layout.column(Field::Value).cloned(),
                        text: parent_total.to_string(),
                        message: format!(
                            "親指標「{parent}」の{year}の実績 {parent_total} が内数「{}」の実績 {child_total} を下回ります",
                            child.id
                        ),
                    });
                }
            }
        }
    }
}
