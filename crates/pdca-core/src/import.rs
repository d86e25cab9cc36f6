//! Validation of imported actuals: the rows of a CSV or XLSX file, as text, checked against a
//! plan and turned into contributions. Every problem names the row, the column and the text.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use crate::actuals::{ActualValue, Actuals, Contribution};
use crate::fiscal_year::{FiscalYear, FiscalYearError};
use crate::normalize::{
    QuantityError, TextKind, cell_control_error, normalize_cow, normalize_text, parse_quantity,
};
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

    /// How a message names the field: `備考（note）`.
    pub fn label(self) -> String {
        format!("{}（{}）", self.japanese(), self.name())
    }

    /// Whether the field holds running text (a narrative value, a note, a source) or one line.
    pub fn text_kind(self) -> TextKind {
        match self {
            Field::Value | Field::Note | Field::Source => TextKind::MultiLine,
            _ => TextKind::SingleLine,
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

/// Headers starting with this (or its half-width form) mark reference columns that an import
/// skips, such as the previous years and the indicator's name in a collection workbook.
pub const REFERENCE_PREFIX: &str = "（参考）";

/// Whether a header marks a reference column.
fn is_reference(header: &str) -> bool {
    normalize_text(header).starts_with(&normalize_text(REFERENCE_PREFIX))
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
            if header.trim().is_empty() || is_reference(header) {
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
///
/// A large import holds a million of these, so the cells are stored end to end in one string
/// with their end offsets, rather than as a string each: two allocations a row instead of one per
/// cell.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawRow {
    /// 1-based row number in the file (the header is row 1 in a plain file).
    pub row: usize,
    text: String,
    ends: Vec<u32>,
}

impl RawRow {
    /// A row of `cells` found at `row`.
    pub fn new<I, S>(row: usize, cells: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut raw = Self::with_capacity(row, 0, 0);
        for cell in cells {
            raw.push(cell.as_ref());
        }
        raw
    }

    /// An empty row at `row` with room for `cells` cells holding `bytes` bytes of text in all.
    pub fn with_capacity(row: usize, bytes: usize, cells: usize) -> Self {
        Self {
            row,
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(cells),
        }
    }

    /// Appends a cell. A row's text is limited to 4 GiB; cells past that read as missing.
    pub fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    /// The text of the cell at 0-based `index`, if the row has that many cells.
    pub fn cell(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(before) => self.ends.get(before).map_or(0, |&e| e as usize),
            None => 0,
        };
        self.text.get(start..end)
    }

    /// The cells' texts in file column order.
    pub fn cells(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.ends.len()).map(|i| self.cell(i).unwrap_or_default())
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cells at all.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Whether every cell is empty or white space (such rows are skipped).
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

impl fmt::Debug for RawRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRow")
            .field("row", &self.row)
            .field("cells", &self.cells().collect::<Vec<_>>())
            .finish()
    }
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
    // For each row in `out`: its indicator's position and its value cell, for the sub-target check.
    let mut accepted: Vec<(u32, &str)> = Vec::with_capacity(rows.len());
    // Indicators and bodies by position in the plan, so that the per-row checks compare integers.
    let indicator_list: Vec<&Indicator> = plan.indicators().map(|(_, i)| i).collect();
    let indicators: FastMap<&str, u32> = (0_u32..)
        .zip(&indicator_list)
        .map(|(n, i)| (i.id.as_str(), n))
        .collect();
    let bodies = BodyIndex::new(plan);
    // Each indicator's assigned bodies, as sorted body positions.
    let assigned_bodies: Vec<Vec<u32>> = indicator_list
        .iter()
        .map(|i| {
            let mut b: Vec<u32> = i
                .assignments
                .iter()
                .filter_map(|a| bodies.position(&a.body))
                .collect();
            b.sort_unstable();
            b
        })
        .collect();
    let mut seen = Seen::new(plan, indicator_list.len(), bodies.ids.len(), rows.len());
    let examples = indicator_list
        .iter()
        .take(3)
        .map(|i| i.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let columns: [Option<usize>; 8] =
        Field::ALL.map(|f| layout.column(f).and_then(|c| c.column.checked_sub(1)));

    for raw in rows {
        if raw.is_blank() {
            continue;
        }
        let text = |field: Field| -> &str {
            columns[field.index()]
                .and_then(|i| raw.cell(i))
                .unwrap_or_default()
        };
        let mut err = |field: Field, text: &str, message: String| {
            errors.push(RowError {
                row: raw.row,
                cell: layout.column(field).cloned(),
                text: text.to_owned(),
                message,
            });
        };
        // Control characters first: no other check should quote them, and PostgreSQL refuses
        // NUL in any text column. A one-line cell is trimmed when it is read, so a line break a
        // spreadsheet left at its end is no error; one inside it is.
        let mut refused = false;
        for field in Field::ALL {
            if let Some((shown, e)) =
                cell_control_error(&field.label(), text(field), field.text_kind())
            {
                err(field, &shown, e.to_string());
                refused = true;
            }
        }
        if refused {
            continue;
        }
        let id_text = text(Field::IndicatorId);
        let id = normalize_cow(id_text);
        let Some(&indicator_at) = indicators.get(id.as_ref()) else {
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
        let indicator = indicator_list[indicator_at as usize];
        let assigned_here = &assigned_bodies[indicator_at as usize];
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
        let body: Option<u32> = if body_text.trim().is_empty() {
            match assigned_here.as_slice() {
                [only] => Some(*only),
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
                Some(b) if assigned_here.binary_search(&b).is_ok() => Some(b),
                Some(b) => {
                    err(
                        Field::Body,
                        body_text,
                        format!(
                            "報告機関「{body_text}」（{}）は指標「{}」の報告機関ではありません（この指標の報告機関: {}）",
                            bodies.id(b),
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
        let (Some(year), Some(body_at), Some(value)) = (year, body, value) else {
            continue;
        };
        let body = bodies.id(body_at);
        if let Some(first) = seen.first_or_insert(indicator_at, year, body_at, raw.row) {
            err(
                Field::IndicatorId,
                id_text,
                format!(
                    "{first}行目と同じ指標・年度・報告機関です（{} {year} {body}）。1つの指標・年度・報告機関は1行にしてください",
                    indicator.id
                ),
            );
            continue;
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
        accepted.push((indicator_at, text(Field::Value)));
    }
    let sub_targets = SubTargets {
        layout,
        indicators: &indicator_list,
        imported: &out,
        accepted: &accepted,
        current,
    };
    sub_targets.check(&mut errors);
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
/// normalisation, and in lower case; each maps to the body's position in the plan.
struct BodyIndex<'p> {
    ids: Vec<&'p str>,
    by_id: FastMap<&'p str, u32>,
    by_name: FastMap<String, u32>,
    /// The accepted names, for error messages.
    known: String,
}

impl<'p> BodyIndex<'p> {
    fn new(plan: &'p Plan) -> Self {
        let mut by_name = FastMap::default();
        let mut known = Vec::new();
        for (n, b) in (0_u32..).zip(&plan.bodies) {
            let names = [
                Some(b.id.as_str()),
                Some(b.name.as_str()),
                b.short_name.as_deref(),
            ];
            let mut written = Vec::new();
            for name in names.into_iter().flatten() {
                let name = normalize_text(name);
                if name.is_empty() {
                    continue;
                }
                by_name.entry(name.to_lowercase()).or_insert(n);
                if !written.contains(&name) {
                    written.push(name.clone());
                }
                by_name.entry(name).or_insert(n);
            }
            known.push(written.join("／"));
        }
        Self {
            ids: plan.bodies.iter().map(|b| b.id.as_str()).collect(),
            by_id: (0_u32..)
                .zip(&plan.bodies)
                .map(|(n, b)| (b.id.as_str(), n))
                .collect(),
            by_name,
            known: known.join(", "),
        }
    }

    /// The body a cell names.
    fn find(&self, text: &str) -> Option<u32> {
        let n = normalize_cow(text);
        self.by_name
            .get(n.as_ref())
            .or_else(|| self.by_name.get(&n.to_lowercase()))
            .copied()
    }

    /// The position of the body with this id.
    fn position(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    fn id(&self, position: u32) -> &'p str {
        self.ids.get(position as usize).copied().unwrap_or_default()
    }
}

/// A multiplicative hasher (FxHash's) for maps whose keys come from the plan, not from the file
/// (positions, ids and names), so that no input can pile keys onto one bucket; std's SipHash costs
/// more than the rest of a row's checks.
#[derive(Default)]
struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_i32(&mut self, n: i32) {
        self.add(u64::from(n.cast_unsigned()));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

impl FastHasher {
    fn add(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The first row of each indicator, year and body seen so far (duplicates are errors). A large file fills much of the
/// key space, where a dense table beats a hash map's cache misses; a small file over a large plan
/// uses the map.
enum Seen {
    Dense {
        first_row: Vec<usize>,
        bodies: usize,
        first_year: i32,
        years: usize,
    },
    Sparse(FastMap<(u32, FiscalYear, u32), usize>),
}

impl Seen {
    fn new(plan: &Plan, indicators: usize, bodies: usize, rows: usize) -> Self {
        // Accepted years: the period and any relative target's baseline (see Plan::accepts_year).
        let first_year = plan
            .indicators()
            .filter_map(|(_, i)| match i.target {
                Some(crate::plan::Target::Relative { baseline, .. }) => Some(baseline),
                _ => None,
            })
            .fold(plan.period.start, FiscalYear::min)
            .year();
        let years = usize::try_from(plan.period.end.year() - first_year + 1).unwrap_or(0);
        let keys = indicators.saturating_mul(bodies).saturating_mul(years);
        if keys <= rows.saturating_mul(4).max(1 << 16) {
            Seen::Dense {
                first_row: vec![0; keys],
                bodies,
                first_year,
                years,
            }
        } else {
            Seen::Sparse(FastMap::with_capacity_and_hasher(rows, Default::default()))
        }
    }

    /// The row that already holds this key, or none after recording `row` for it.
    fn first_or_insert(
        &mut self,
        indicator: u32,
        year: FiscalYear,
        body: u32,
        row: usize,
    ) -> Option<usize> {
        match self {
            Seen::Dense {
                first_row,
                bodies,
                first_year,
                years,
            } => {
                let y = usize::try_from(year.year() - *first_year)
                    .ok()
                    .filter(|y| y < years);
                let slot = y.and_then(|y| {
                    let key = (indicator as usize * *bodies + body as usize) * *years + y;
                    first_row.get_mut(key)
                });
                // Slots hold row + 1, so that 0 means "not seen" whatever rows are numbered.
                match slot {
                    Some(slot) if *slot != 0 => Some(*slot - 1),
                    Some(slot) => {
                        *slot = row.saturating_add(1);
                        None
                    }
                    // Only accepted years reach here; were one outside the table, it would go
                    // unchecked rather than panic.
                    None => None,
                }
            }
            Seen::Sparse(map) => match map.entry((indicator, year, body)) {
                Entry::Occupied(first) => Some(*first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(row);
                    None
                }
            },
        }
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
struct SubTargets<'a> {
    layout: &'a Layout,
    /// The plan's indicators in order; `accepted` refers to them by position.
    indicators: &'a [&'a Indicator],
    imported: &'a [ImportedActual],
    /// For each of `imported`: its indicator's position and the value cell's text.
    accepted: &'a [(u32, &'a str)],
    current: &'a Actuals,
}

impl SubTargets<'_> {
    fn check(&self, errors: &mut Vec<RowError>) {
        let position: HashMap<&str, u32> = (0_u32..)
            .zip(self.indicators)
            .map(|(n, i)| (i.id.as_str(), n))
            .collect();
        // (child, parent) by position.
        let pairs: Vec<(u32, u32)> = (0_u32..)
            .zip(self.indicators)
            .filter_map(|(n, i)| Some((n, *position.get(i.parent.as_deref()?)?)))
            .collect();
        if pairs.is_empty() {
            return;
        }
        let mut relevant = vec![false; self.indicators.len()];
        for &(c, p) in &pairs {
            relevant[c as usize] = true;
            relevant[p as usize] = true;
        }
        // This file's rows (indices into `imported`) for each relevant indicator and year, in
        // row order.
        let mut in_file: FastMap<(u32, FiscalYear), Vec<usize>> = FastMap::default();
        for (i, (&(indicator, _), a)) in self.accepted.iter().zip(self.imported).enumerate() {
            if relevant[indicator as usize] {
                in_file
                    .entry((indicator, a.contribution.year))
                    .or_default()
                    .push(i);
            }
        }
        for &(child, parent) in &pairs {
            let years: BTreeSet<FiscalYear> = in_file
                .keys()
                .filter(|(i, _)| *i == child || *i == parent)
                .map(|&(_, y)| y)
                .collect();
            let (child_id, parent_id) = (self.id(child), self.id(parent));
            for year in years {
                let Some(parent_total) = self.total(&in_file, parent, year) else {
                    continue;
                };
                let child_total = self.total(&in_file, child, year).unwrap_or(0.0);
                if child_total <= parent_total {
                    continue;
                }
                let first = |i: u32| {
                    in_file
                        .get(&(i, year))
                        .and_then(|rows| rows.first())
                        .copied()
                };
                if let Some(i) = first(child) {
                    errors.push(self.error(
                        i,
                        format!(
                            "内数「{child_id}」の{year}の実績 {child_total} が親指標「{parent_id}」の実績 {parent_total} を超えています（内数は親指標の実績以下です）"
                        ),
                    ));
                } else if let Some(i) = first(parent) {
                    errors.push(self.error(
                        i,
                        format!(
                            "親指標「{parent_id}」の{year}の実績 {parent_total} が内数「{child_id}」の実績 {child_total} を下回ります（親指標は内数の実績以上です）"
                        ),
                    ));
                }
            }
        }
    }

    fn id(&self, indicator: u32) -> &str {
        self.indicators
            .get(indicator as usize)
            .map_or("", |i| i.id.as_str())
    }

    /// The indicator's total for the year after this import, or none if no body reports it.
    /// The file holds at most one row per body (duplicates are refused before this check).
    fn total(
        &self,
        in_file: &FastMap<(u32, FiscalYear), Vec<usize>>,
        indicator: u32,
        year: FiscalYear,
    ) -> Option<f64> {
        let rows = in_file
            .get(&(indicator, year))
            .map_or(&[][..], Vec::as_slice);
        let file_bodies: HashSet<&str> = rows
            .iter()
            .map(|&i| self.imported[i].contribution.body.as_str())
            .collect();
        let file_total: f64 = rows
            .iter()
            .map(|&i| number_of(&self.imported[i].contribution.value))
            .sum();
        let recorded = self.current.year(self.id(indicator), year);
        let kept_total: f64 = recorded
            .iter()
            .flat_map(|y| &y.by_body)
            .filter(|(b, _)| !file_bodies.contains(b.as_str()))
            .map(|(_, v)| number_of(v))
            .sum();
        (!rows.is_empty() || recorded.is_some_and(|y| !y.by_body.is_empty()))
            .then_some(file_total + kept_total)
    }

    fn error(&self, i: usize, message: String) -> RowError {
        RowError {
            row: self.imported[i].row,
            cell: self.layout.column(Field::Value).cloned(),
            text: self
                .accepted
                .get(i)
                .map_or("", |&(_, text)| text)
                .to_owned(),
            message,
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
