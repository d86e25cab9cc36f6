//! Writing current actuals in the import columns: CSV for Excel (UTF-8 with a byte order mark),
//! JSON for programs, XLSX for people and for tests that need workbook inputs.

use pdca_core::import::{Field, escape_formula};
use pdca_core::{ActualValue, Contribution};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{Map, Value};

use crate::InterchangeError;

/// The CSV header, exactly as [`write_actuals_csv`] writes it and the importer reads it.
pub const CSV_HEADERS: [&str; 8] = [
    "indicator_id",
    "fiscal_year",
    "value",
    "numerator",
    "denominator",
    "body",
    "note",
    "source",
];

/// Japanese Excel's default font, so that a generated workbook looks like one made by hand.
pub(crate) const FONT: &str = "游ゴシック";

/// One current actual, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// The indicator's id.
    pub indicator_id: String,
    /// The fiscal (or calendar) year, e.g. 2022.
    pub fiscal_year: i32,
    /// A number formatted without a trailing ".0", or a narrative; none for a ratio.
    pub value: Option<String>,
    /// 分子, for a ratio.
    pub numerator: Option<f64>,
    /// 分母, for a ratio.
    pub denominator: Option<f64>,
    /// The reporting body's id.
    pub body: String,
    /// 備考.
    pub note: Option<String>,
    /// 出典.
    pub source: Option<String>,
    /// Who recorded the value (JSON only).
    pub recorded_by: Option<String>,
    /// When it was recorded, RFC 3339 (JSON only).
    pub recorded_at: Option<String>,
    /// The stored revision's id (JSON only).
    pub revision: Option<i64>,
}

impl ExportRow {
    /// The row for a contribution; who recorded it, when, and the revision are left for the
    /// caller to fill in.
    pub fn from_contribution(
        c: &Contribution,
        note: Option<String>,
        source: Option<String>,
    ) -> Self {
        let (value, numerator, denominator) = match &c.value {
            ActualValue::Number(v) => (Some(format_number(*v)), None, None),
            ActualValue::Ratio {
                numerator,
                denominator,
            } => (None, Some(*numerator), Some(*denominator)),
            ActualValue::Narrative(text) => (Some(text.clone()), None, None),
        };
        Self {
            indicator_id: c.indicator.clone(),
            fiscal_year: c.year.year(),
            value,
            numerator,
            denominator,
            body: c.body.clone(),
            note,
            source,
            recorded_by: None,
            recorded_at: None,
            revision: None,
        }
    }
}

/// A number as people write it: 25, not 25.0; 12.5; -3.
pub fn format_number(v: f64) -> String {
    if v == 0.0 {
        // Also turns -0 into 0.
        return "0".to_owned();
    }
    v.to_string()
}

/// A plain decimal number ("25", "-3", "12.5"): written as a number, never escaped.
fn plain_number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = match unsigned.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(unsigned),
    };
    ok.then(|| text.parse::<f64>().ok())
        .flatten()
        .filter(|v| v.is_finite())
}

/// The eight import columns of a row as text, texts guarded against formula injection.
fn csv_fields(r: &ExportRow) -> [String; 8] {
    let number = |v: Option<f64>| v.map(format_number).unwrap_or_default();
    let text = |t: &Option<String>| {
        t.as_deref()
            .map(|t| escape_formula(t).into_owned())
            .unwrap_or_default()
    };
    let value = match r.value.as_deref() {
        Some(v) if plain_number(v).is_some() => v.to_owned(),
        Some(v) => escape_formula(v).into_owned(),
        None => String::new(),
    };
    [
        r.indicator_id.clone(),
        r.fiscal_year.to_string(),
        value,
        number(r.numerator),
        number(r.denominator),
        r.body.clone(),
        text(&r.note),
        text(&r.source),
    ]
}

/// The actuals as CSV for Excel: UTF-8 with a byte order mark, CRLF line ends, the header
/// [`CSV_HEADERS`]. Texts that a spreadsheet would run as formulas get a leading apostrophe,
/// which the importer removes, so the file imports back unchanged.
pub fn write_actuals_csv(rows: &[ExportRow]) -> Vec<u8> {
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    out.push('\u{feff}');
    out.push_str(&CSV_HEADERS.join(","));
    out.push_str("\r\n");
    for r in rows {
        for (i, field) in csv_fields(r).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_csv_field(&mut out, field);
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn push_csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) || field.starts_with(' ') || field.ends_with(' ') {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// The actuals as a JSON array of objects with the CSV columns plus `recorded_by`,
/// `recorded_at` and `revision`; whole numerators and denominators are JSON integers.
pub fn write_actuals_json(rows: &[ExportRow]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut o = Map::new();
                o.insert("indicator_id".into(), r.indicator_id.clone().into());
                o.insert("fiscal_year".into(), r.fiscal_year.into());
                o.insert("value".into(), r.value.clone().into());
                o.insert(
                    "numerator".into(),
                    r.numerator.map_or(Value::Null, json_number),
                );
                o.insert(
                    "denominator".into(),
                    r.denominator.map_or(Value::Null, json_number),
                );
                o.insert("body".into(), r.body.clone().into());
                o.insert("note".into(), r.note.clone().into());
                o.insert("source".into(), r.source.clone().into());
                o.insert("recorded_by".into(), r.recorded_by.clone().into());
                o.insert("recorded_at".into(), r.recorded_at.clone().into());
                o.insert("revision".into(), r.revision.into());
                Value::Object(o)
            })
            .collect(),
    )
}

/// 25 rather than 25.0 for whole numbers that fit exactly.
fn json_number(v: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// The actuals as an XLSX workbook with one sheet `actuals`: a bold header row of
/// [`CSV_HEADERS`], numbers (years, counts, numerators, denominators) as numbers, texts as text.
pub fn write_actuals_xlsx(rows: &[ExportRow]) -> Result<Vec<u8>, InterchangeError> {
    build_xlsx(rows).map_err(|e| InterchangeError::Workbook {
        file: "actuals.xlsx".to_owned(),
        message: e.to_string(),
    })
}

fn build_xlsx(rows: &[ExportRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_font_name(FONT);
    let plain = Format::new().set_font_name(FONT);
    let sheet = book.add_worksheet();
    sheet.set_name("actuals")?;
    for (column, name) in (0_u16..).zip(CSV_HEADERS) {
        sheet.write_string_with_format(0, column, name, &header)?;
    }
    let column = |f: Field| f as u16;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string_with_format(row, column(Field::IndicatorId), &r.indicator_id, &plain)?;
        sheet.write_number_with_format(
            row,
            column(Field::FiscalYear),
            f64::from(r.fiscal_year),
            &plain,
        )?;
        if let Some(v) = &r.value {
            match plain_number(v) {
                Some(n) => sheet.write_number_with_format(row, column(Field::Value), n, &plain)?,
                None => sheet.write_string_with_format(row, column(Field::Value), v, &plain)?,
            };
        }
        for (field, v) in [
            (Field::Numerator, r.numerator),
            (Field::Denominator, r.denominator),
        ] {
            if let Some(v) = v {
                sheet.write_number_with_format(row, column(field), v, &plain)?;
            }
        }
        sheet.write_string_with_format(row, column(Field::Body), &r.body, &plain)?;
        for (field, t) in [(Field::Note, &r.note), (Field::Source, &r.source)] {
            if let Some(t) = t {
                sheet.write_string_with_format(row, column(field), t, &plain)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(column(Field::IndicatorId), 16)?;
    sheet.set_column_width(column(Field::Note), 40)?;
    book.save_to_buffer()
}
