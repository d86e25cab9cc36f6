//! Validation of imported actuals: the rows of a CSV or XLSX file, as text, checked against a
//! plan and turned into contributions. Every problem names the row, the column and the text.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::actuals::{ActualValue, Actuals, Contribution};
use crate::fiscal_year::{FiscalYear, FiscalYearError};
use crate::normalize::{QuantityError, normalize_cow, normalize_text, parse_quantity};
use crate::plan::{Indicator, Measure, Plan};

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
        // Japanese headers hold letters too (指標ID), so both sides are compared in lower case.
        let h = normalize_text(header.trim_start_matches('\u{feff}'))
            .to_lowercase()
            .replace(' ', "_");
        Field::ALL
            .into_iter()
            .find(|f| h == f.name() || h == normalize_text(f.japanese()).to_lowercase())
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
                message:
                    "列「value」（実績）か「numerator」「denominator」（分子・分母）が必要です"
                        .into(),
            });
        }
        if errors.is_empty() {
            Ok(layout)
        } else {
            Err(errors)
        }
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
///
/// Rows whose cells are all blank are skipped. Note, source and narrative texts lose a leading
/// apostrophe that [`escape_formula`] added on export.
pub fn validate_rows(
    plan: &Plan,
    layout: &Layout,
    rows: &[RawRow],
    current: &Actuals,
) -> Result<Vec<ImportedActual>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut out: Vec<ImportedActual> = Vec::with_capacity(rows.len());
    // The value cell of each accepted row, parallel to `out`, for the sub-target check's errors.
    let mut value_texts: Vec<&str> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(&str, FiscalYear, &str), usize> = HashMap::with_capacity(rows.len());
    let indicators: HashMap<&str, &Indicator> =
        plan.indicators().map(|(_, i)| (i.id.as_str(), i)).collect();
    let bodies = BodyIndex::new(plan);
    let examples = plan
        .indicators()
        .take(3)
        .map(|(_, i)| i.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let columns: [Option<usize>; 8] = Field::ALL.map(|f| layout.column(f).map(|c| c.column - 1));

    for raw in rows {
        if raw.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let text = |field: Field| -> &str {
            columns[field.index()]
                .and_then(|i| raw.cells.get(i))
                .map_or("", String::as_str)
        };
        let mut err = |field: Field, text: &str, message: String| {
            errors.push(RowError {
                row: raw.row,
                cell: layout.column(field).cloned(),
                text: text.to_owned(),
                message,
            });
        };
        let id_text = text(Field::IndicatorId);
        let id = normalize_cow(id_text);
        let Some(indicator) = indicators.get(id.as_ref()).copied() else {
            let message = if id.is_empty() {
                format!(
                    "指標IDが空です（計画「{}」の指標ID、例: {examples}）",
                    plan.id
                )
            } else {
                format!(
                    "指標ID「{id_text}」は計画「{}」にありません（計画の指標ID、例: {examples}）",
                    plan.id
                )
            };
            err(Field::IndicatorId, id_text, message);
            continue;
        };
        let fy_text = text(Field::FiscalYear);
        let year = match parse_year(fy_text) {
            Ok(fy) if plan.accepts_year(indicator, fy) => Some(fy),
            Ok(fy) => {
                err(
                    Field::FiscalYear,
                    fy_text,
                    format!(
                        "年度「{fy_text}」（{fy}）は計画期間 {}〜{} の外です（期間内の年度を書いてください）",
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
        let body_text = text(Field::Body);
        let assigned = || {
            indicator
                .assignments
                .iter()
                .map(|a| a.body.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let body: Option<&str> = if body_text.trim().is_empty() {
            match indicator.assignments.as_slice() {
                [only] => Some(only.body.as_str()),
                _ => {
                    err(
                        Field::Body,
                        body_text,
                        format!(
                            "指標「{}」は複数の機関が報告するため、報告機関（body）を指定してください（{}）",
                            indicator.id,
                            assigned()
                        ),
                    );
                    None
                }
            }
        } else {
            match bodies.find(body_text) {
                Some(b) if indicator.assignments.iter().any(|a| a.body == b) => Some(b),
                Some(b) => {
                    err(
                        Field::Body,
                        body_text,
                        format!(
                            "報告機関「{body_text}」（{b}）は指標「{}」の報告機関ではありません（この指標の報告機関: {}）",
                            indicator.id,
                            assigned()
                        ),
                    );
                    None
                }
                None => {
                    err(
                        Field::Body,
                        body_text,
                        format!(
                            "報告機関「{body_text}」は計画にありません（報告機関のID・名称・略称: {}）",
                            bodies.known
                        ),
                    );
                    None
                }
            }
        };
        let value = parse_value(indicator, &text, &mut err);
        let (Some(year), Some(body), Some(value)) = (year, body, value) else {
            continue;
        };
        match seen.entry((indicator.id.as_str(), year, body)) {
            Entry::Occupied(first) => {
                err(
                    Field::IndicatorId,
                    id_text,
                    format!(
                        "{}行目と同じ指標・年度・報告機関です（{} {year} {body}）。1つの指標・年度・報告機関は1行にしてください",
                        first.get(),
                        indicator.id
                    ),
                );
                continue;
            }
            Entry::Vacant(slot) => {
                slot.insert(raw.row);
            }
        }
        let text_of = |field: Field| {
            let t = unescape_formula(text(field).trim());
            (!t.is_empty()).then(|| t.to_owned())
        };
        out.push(ImportedActual {
            row: raw.row,
            contribution: Contribution {
                indicator: indicator.id.clone(),
                year,
                body: body.to_owned(),
                value,
            },
            note: text_of(Field::Note),
            source: text_of(Field::Source),
        });
        value_texts.push(text(Field::Value));
    }
    check_sub_targets(plan, layout, &out, &value_texts, current, &mut errors);
    errors.sort_by_key(|e| e.row);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Whether a cell's text would start a formula when a spreadsheet opens the file.
fn starts_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
        || text.strip_prefix('\'').is_some_and(starts_formula)
}

/// Prefixes an apostrophe to a text that a spreadsheet would otherwise run as a formula
/// ("=HYPERLINK(…)", "+…", "-…", "@…"), so that exported CSV files are safe to open in Excel.
/// [`validate_rows`] removes it again from notes, sources and narratives, so an export imports
/// back unchanged.
pub fn escape_formula(text: &str) -> Cow<'_, str> {
    if starts_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The inverse of [`escape_formula`].
pub fn unescape_formula(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) => rest,
        _ => text,
    }
}

/// A fiscal year as typed; four ASCII digits, by far the commonest form, skip the general parser
/// and its allocations.
fn parse_year(text: &str) -> Result<FiscalYear, FiscalYearError> {
    let t = text.trim();
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        let year = t
            .bytes()
            .fold(0_i32, |acc, b| acc * 10 + i32::from(b - b'0'));
        return FiscalYear::new(year);
    }
    text.parse()
}

/// The plan's bodies by every name a person may write: id, official name and short name, after
/// normalisation, and in lower case.
struct BodyIndex<'p> {
    by_name: HashMap<String, &'p str>,
    /// The accepted names, for error messages.
    known: String,
}

impl<'p> BodyIndex<'p> {
    fn new(plan: &'p Plan) -> Self {
        let mut by_name = HashMap::new();
        let mut known = Vec::new();
        for b in &plan.bodies {
            let names = [
                Some(b.id.as_str()),
                Some(b.name.as_str()),
                b.short_name.as_deref(),
            ];
            let mut written = Vec::new();
            for name in names.into_iter().flatten() {
                let n = normalize_text(name);
                if n.is_empty() {
                    continue;
                }
                by_name.entry(n.to_lowercase()).or_insert(b.id.as_str());
                if !written.contains(&n) {
                    written.push(n.clone());
                }
                by_name.entry(n).or_insert(b.id.as_str());
            }
            known.push(written.join("／"));
        }
        Self {
            by_name,
            known: known.join(", "),
        }
    }

    fn find(&self, text: &str) -> Option<&'p str> {
        let n = normalize_cow(text);
        self.by_name
            .get(n.as_ref())
            .or_else(|| self.by_name.get(&n.to_lowercase()))
            .copied()
    }
}

fn parse_value<'r>(
    indicator: &Indicator,
    text: &dyn Fn(Field) -> &'r str,
    err: &mut dyn FnMut(Field, &str, String),
) -> Option<ActualValue> {
    let value_text = text(Field::Value);
    let num_text = text(Field::Numerator);
    let den_text = text(Field::Denominator);
    let number =
        |field: Field, text: &str, err: &mut dyn FnMut(Field, &str, String)| -> Option<f64> {
            match parse_quantity(text) {
                Ok(v) => Some(v),
                Err(QuantityError::Empty) => {
                    err(
                        field,
                        text,
                        format!(
                            "{}（{}）が空です（数値を書いてください。例: 25, ２５, 1,234, 25件）",
                            field.name(),
                            field.japanese()
                        ),
                    );
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
            let text = unescape_formula(value_text.trim());
            if text.is_empty() {
                err(
                    Field::Value,
                    value_text,
                    "その他管理指標の実績（状況の記述）が空です（value に状況を文章で書いてください）".into(),
                );
                return None;
            }
            Some(ActualValue::Narrative(text.to_owned()))
        }
        Measure::Ratio => {
            if num_text.trim().is_empty()
                && den_text.trim().is_empty()
                && !value_text.trim().is_empty()
            {
                err(
                    Field::Value,
                    value_text,
                    format!(
                        "指標「{}」は割合の指標です。実績ではなく分子（numerator）と分母（denominator）を書いてください",
                        indicator.id
                    ),
                );
                return None;
            }
            let num = number(Field::Numerator, num_text, err);
            let den = number(Field::Denominator, den_text, err);
            let (num, den) = (num?, den?);
            let mut ok = true;
            for (field, text, v) in [
                (Field::Numerator, num_text, num),
                (Field::Denominator, den_text, den),
            ] {
                if v < 0.0 || v.fract() != 0.0 {
                    err(
                        field,
                        text,
                        format!("{}は0以上の整数です（「{text}」）", field.japanese()),
                    );
                    ok = false;
                }
            }
            if ok && num > den {
                err(
                    Field::Numerator,
                    num_text,
                    format!("分子 {num} が分母 {den} を超えています（分子は分母以下です）"),
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
                    err(
                        field,
                        text,
                        format!(
                            "指標「{}」は割合の指標ではないため、{}は書けません（実績は value に書いてください）",
                            indicator.id,
                            field.japanese()
                        ),
                    );
                    return None;
                }
            }
            let v = match indicator.measure {
                Measure::Milestone => match normalize_cow(value_text).as_ref() {
                    "済" | "達成" | "1" => 1.0,
                    "未" | "未達成" | "0" => 0.0,
                    _ => {
                        err(
                            Field::Value,
                            value_text,
                            format!(
                                "マイルストーンの実績は 1（済）か 0（未）です（「{value_text}」）"
                            ),
                        );
                        return None;
                    }
                },
                _ => number(Field::Value, value_text, err)?,
            };
            if indicator.measure == Measure::Count && (v < 0.0 || v.fract() != 0.0) {
                let what = if v < 0.0 {
                    "負の件数"
                } else {
                    "小数の件数"
                };
                err(
                    Field::Value,
                    value_text,
                    format!("{what}は書けません。件数は0以上の整数です（「{value_text}」）"),
                );
                return None;
            }
            Some(ActualValue::Number(v))
        }
    }
}

/// A sub-target's total for a year may not exceed its parent's total for the same year, counting
/// what is already recorded (`current`) with this file's rows replacing a body's earlier value.
fn check_sub_targets(
    plan: &Plan,
    layout: &Layout,
    imported: &[ImportedActual],
    value_texts: &[&str],
    current: &Actuals,
    errors: &mut Vec<RowError>,
) {
    let pairs: Vec<(&str, &str)> = plan
        .indicators()
        .filter_map(|(_, i)| i.parent.as_deref().map(|p| (i.id.as_str(), p)))
        .collect();
    if pairs.is_empty() {
        return;
    }
    let relevant: HashSet<&str> = pairs.iter().flat_map(|&(c, p)| [c, p]).collect();
    // This file's rows (indices into `imported`) for each relevant indicator and year, in order.
    let mut in_file: HashMap<(&str, FiscalYear), Vec<usize>> = HashMap::new();
    for (i, a) in imported.iter().enumerate() {
        let id = a.contribution.indicator.as_str();
        if relevant.contains(id) {
            in_file
                .entry((id, a.contribution.year))
                .or_default()
                .push(i);
        }
    }
    let total = |id: &str, year: FiscalYear| -> Option<f64> {
        let mut by_body: Vec<(&str, f64)> = current
            .year(id, year)
            .map(|y| {
                y.by_body
                    .iter()
                    .map(|(b, v)| (b.as_str(), number_of(v)))
                    .collect()
            })
            .unwrap_or_default();
        for &i in in_file.get(&(id, year)).into_iter().flatten() {
            let c = &imported[i].contribution;
            let v = number_of(&c.value);
            match by_body.iter_mut().find(|(b, _)| *b == c.body) {
                Some(slot) => slot.1 = v,
                None => by_body.push((c.body.as_str(), v)),
            }
        }
        (!by_body.is_empty()).then(|| by_body.iter().map(|(_, v)| v).sum())
    };
    let error = |i: usize, message: String| RowError {
        row: imported[i].row,
        cell: layout.column(Field::Value).cloned(),
        text: value_texts.get(i).copied().unwrap_or_default().to_owned(),
        message,
    };
    for &(child, parent) in &pairs {
        let years: BTreeSet<FiscalYear> = in_file
            .keys()
            .filter(|(id, _)| *id == child || *id == parent)
            .map(|&(_, y)| y)
            .collect();
        for year in years {
            let Some(parent_total) = total(parent, year) else {
                continue;
            };
            let child_total = total(child, year).unwrap_or(0.0);
            if child_total <= parent_total {
                continue;
            }
            let first = |id: &str| {
                in_file
                    .get(&(id, year))
                    .and_then(|rows| rows.first())
                    .copied()
            };
            if let Some(i) = first(child) {
                errors.push(error(
                    i,
                    format!(
                        "内数「{child}」の{year}の実績 {child_total} が親指標「{parent}」の実績 {parent_total} を超えています（内数は親指標の実績以下です）"
                    ),
                ));
            } else if let Some(i) = first(parent) {
                errors.push(error(
                    i,
                    format!(
                        "親指標「{parent}」の{year}の実績 {parent_total} が内数「{child}」の実績 {child_total} を下回ります（親指標は内数の実績以上です）"
                    ),
                ));
            }
        }
    }
}

/// The number a count contributes to a total (sub-targets are counts).
fn number_of(value: &ActualValue) -> f64 {
    match value {
        ActualValue::Number(v) => *v,
        ActualValue::Ratio { .. } | ActualValue::Narrative(_) => 0.0,
    }
}
