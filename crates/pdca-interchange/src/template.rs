//! Collection workbooks (報告様式): for one reporting body and one fiscal year, a workbook with
//! the body's indicators, its previous years filled in and protected, and only the input cells
//! unlocked, with Excel data validation. Its 実績 sheet is an ordinary actuals table (指標ID, 年度
//! and 報告機関 hidden; reference columns headed （参考） that the import skips), so a filled
//! workbook imports back through the same validated import as any XLSX.

use pdca_core::FiscalYear;
use pdca_core::actuals::{ActualValue, Actuals};
use pdca_core::import::{Field, REFERENCE_PREFIX};
use pdca_core::plan::{Measure, Plan};
use pdca_core::wording::{format_number, target_text};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use crate::InterchangeError;

const FONT: &str = "游ゴシック";

/// One indicator's line of the workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRow {
    /// p1-out-01.
    pub indicator_id: String,
    /// The name as the plan writes it.
    pub name: String,
    /// 25件, 75%, ….
    pub target: String,
    /// What is entered: a count or level, a numerator and denominator, or a narrative.
    pub measure: Measure,
    /// The body's values of the previous years, as text (empty when not reported).
    pub previous: Vec<String>,
    /// The body's current value of the year, prefilled when there is one.
    pub current: Option<ActualValue>,
}

/// A collection workbook's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The plan's name.
    pub plan_name: String,
    /// The body's id.
    pub body_id: String,
    /// The body's name.
    pub body_name: String,
    /// The year to report.
    pub fiscal_year: FiscalYear,
    /// The previous years of the plan period shown for reference.
    pub previous_years: Vec<FiscalYear>,
    /// The body's indicators in plan order.
    pub rows: Vec<TemplateRow>,
}

impl Template {
    /// The workbook of `body_id` for `fy`: every indicator of `plan` assigned to the body,
    /// with the body's own values of the previous years from `previous` (approved values) and
    /// its current value of the year from `current` (whatever its state), if any.
    pub fn build(
        plan: &Plan,
        body_id: &str,
        fy: FiscalYear,
        previous: &Actuals,
        current: &Actuals,
    ) -> Option<Template> {
        let body = plan.body(body_id)?;
        let previous_years: Vec<FiscalYear> = plan.period.years().take_while(|y| *y < fy).collect();
        let own = |actuals: &Actuals, indicator: &str, year: FiscalYear| {
            actuals.year(indicator, year).and_then(|ya| {
                ya.by_body
                    .iter()
                    .rev()
                    .find(|(b, _)| b == body_id)
                    .map(|(_, v)| v.clone())
            })
        };
        let rows = plan
            .indicators()
            .map(|(_, i)| i)
            .filter(|i| i.assignments.iter().any(|a| a.body == body_id))
            .map(|i| TemplateRow {
                indicator_id: i.id.clone(),
                name: i.name.clone(),
                target: if i.management {
                    "（その他管理指標）".to_owned()
                } else {
                    target_text(i)
                },
                measure: i.measure,
                previous: previous_years
                    .iter()
                    .map(|y| own(previous, &i.id, *y).map_or_else(String::new, |v| value_text(&v)))
                    .collect(),
                current: own(current, &i.id, fy),
            })
            .collect();
        Some(Template {
            plan_name: plan.name.clone(),
            body_id: body.id.clone(),
            body_name: body.name.clone(),
            fiscal_year: fy,
            previous_years,
            rows,
        })
    }
}

fn value_text(v: &ActualValue) -> String {
    match v {
        ActualValue::Number(n) => format_number(*n),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => format!(
            "{}/{}",
            format_number(*numerator),
            format_number(*denominator)
        ),
        ActualValue::Narrative(text) => text.clone(),
    }
}

/// The sheet the import reads.
pub const TEMPLATE_SHEET: &str = "実績";

/// A column of the 実績 sheet.
enum Column {
    /// A column the import reads, headed with the field's Japanese name.
    Field(Field),
    /// A reference column the import skips, headed （参考）….
    Reference(String),
}

/// The workbook as XLSX bytes.
pub fn write_template(t: &Template) -> Result<Vec<u8>, InterchangeError> {
    build(t).map_err(|e| InterchangeError::Write {
        file: "template.xlsx".to_owned(),
        message: e.to_string(),
    })
}

struct Formats {
    header: Format,
    locked: Format,
    input: Format,
    hidden: Format,
}

fn build(t: &Template) -> Result<Vec<u8>, XlsxError> {
    let base = Format::new()
        .set_font_name(FONT)
        .set_border(FormatBorder::Thin);
    let f = Formats {
        header: base
            .clone()
            .set_bold()
            .set_background_color(0xDDEBF7)
            .set_text_wrap(),
        locked: base
            .clone()
            .set_background_color(0xF2F2F2)
            .set_text_wrap()
            .set_align(FormatAlign::Top),
        input: base.clone().set_unlocked().set_background_color(0xFFF2CC),
        hidden: base,
    };
    let mut book = Workbook::new();
    instructions(book.add_worksheet(), t)?;
    let sheet = book.add_worksheet();
    sheet.set_name(TEMPLATE_SHEET)?;
    let mut columns = vec![
        Column::Field(Field::IndicatorId),
        Column::Field(Field::FiscalYear),
        Column::Field(Field::Body),
        Column::Reference(format!("{REFERENCE_PREFIX}指標")),
        Column::Reference(format!("{REFERENCE_PREFIX}目標")),
    ];
    for y in &t.previous_years {
        columns.push(Column::Reference(format!(
            "{REFERENCE_PREFIX}{}",
            y.wareki()
        )));
    }
    let first_input = u16::try_from(columns.len()).unwrap_or(u16::MAX);
    for field in [
        Field::Value,
        Field::Numerator,
        Field::Denominator,
        Field::Note,
        Field::Source,
    ] {
        columns.push(Column::Field(field));
    }
    for (c, column) in (0_u16..).zip(&columns) {
        let header = match column {
            Column::Field(field) => field.japanese().to_owned(),
            Column::Reference(text) => text.clone(),
        };
        sheet.write_string_with_format(0, c, &header, &f.header)?;
    }
    let (value, numerator, denominator, note, source) = (
        first_input,
        first_input + 1,
        first_input + 2,
        first_input + 3,
        first_input + 4,
    );
    for (r, line) in (1_u32..).zip(&t.rows) {
        sheet.write_string_with_format(r, 0, &line.indicator_id, &f.hidden)?;
        sheet.write_number_with_format(r, 1, f64::from(t.fiscal_year.year()), &f.hidden)?;
        sheet.write_string_with_format(r, 2, &t.body_id, &f.hidden)?;
        sheet.write_string_with_format(r, 3, &line.name, &f.locked)?;
        sheet.write_string_with_format(r, 4, &line.target, &f.locked)?;
        for (c, text) in (5_u16..).zip(&line.previous) {
            sheet.write_string_with_format(r, c, text, &f.locked)?;
        }
        let (number_cell, ratio_cells) = match line.measure {
            Measure::Ratio => (false, true),
            _ => (true, false),
        };
        // The cells this indicator takes are unlocked (and prefilled); the others stay locked.
        if number_cell {
            match &line.current {
                Some(ActualValue::Number(n)) => {
                    sheet.write_number_with_format(r, value, *n, &f.input)?;
                }
                Some(ActualValue::Narrative(text)) => {
                    sheet.write_string_with_format(r, value, text, &f.input)?;
                }
                _ => {
                    sheet.write_blank(r, value, &f.input)?;
                }
            }
            sheet.write_blank(r, numerator, &f.locked)?;
            sheet.write_blank(r, denominator, &f.locked)?;
        } else {
            sheet.write_blank(r, value, &f.locked)?;
        }
        if ratio_cells {
            match &line.current {
                Some(ActualValue::Ratio {
                    numerator: n,
                    denominator: d,
                }) => {
                    sheet.write_number_with_format(r, numerator, *n, &f.input)?;
                    sheet.write_number_with_format(r, denominator, *d, &f.input)?;
                }
                _ => {
                    sheet.write_blank(r, numerator, &f.input)?;
                    sheet.write_blank(r, denominator, &f.input)?;
                }
            }
        }
        sheet.write_blank(r, note, &f.input)?;
        sheet.write_blank(r, source, &f.input)?;
        validate(sheet, r, line.measure, value, numerator, denominator)?;
    }
    for c in 0..3 {
        sheet.set_column_hidden(c)?;
    }
    sheet.set_column_width(3, 48)?;
    sheet.set_column_width(4, 16)?;
    for c in 5..first_input {
        sheet.set_column_width(c, 14)?;
    }
    sheet.set_column_width(value, 24)?;
    sheet.set_column_width(numerator, 10)?;
    sheet.set_column_width(denominator, 10)?;
    sheet.set_column_width(note, 30)?;
    sheet.set_column_width(source, 20)?;
    sheet.set_freeze_panes(1, 4)?;
    sheet.protect();
    book.save_to_buffer()
}

/// Excel's own checks of the input cells: whole numbers ≥ 0 for counts, numbers ≥ 0 for
/// levels, and for ratios whole numbers with the numerator at most the denominator.
fn validate(
    sheet: &mut Worksheet,
    r: u32,
    measure: Measure,
    value: u16,
    numerator: u16,
    denominator: u16,
) -> Result<(), XlsxError> {
    let whole = || {
        DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
            .set_error_style(DataValidationErrorStyle::Stop)
    };
    match measure {
        Measure::Count => {
            let rule = whole()
                .set_error_title("入力値の確認")?
                .set_error_message("0以上の整数を入力してください。")?;
            sheet.add_data_validation(r, value, r, value, &rule)?;
        }
        Measure::Level => {
            let rule = DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                .set_error_title("入力値の確認")?
                .set_error_message("0以上の数値を入力してください。")?;
            sheet.add_data_validation(r, value, r, value, &rule)?;
        }
        Measure::Ratio => {
            let cell = |c: u16| {
                format!(
                    "{}{}",
                    pdca_core::import::column_letter(usize::from(c) + 1),
                    r + 1
                )
            };
            let (n, d) = (cell(numerator), cell(denominator));
            let rule = DataValidation::new()
                .allow_custom(Formula::new(format!(
                    "=AND(ISNUMBER({n}),{n}>=0,{n}=INT({n}),{n}<={d})"
                )))
                .set_error_title("入力値の確認")?
                .set_error_message("分子は0以上の整数で、分母以下にしてください。")?;
            sheet.add_data_validation(r, numerator, r, numerator, &rule)?;
            let rule = whole()
                .set_error_title("入力値の確認")?
                .set_error_message("分母は0以上の整数を入力してください。")?;
            sheet.add_data_validation(r, denominator, r, denominator, &rule)?;
        }
        Measure::Milestone | Measure::Qualitative => {}
    }
    Ok(())
}

/// The 記入方法 sheet.
fn instructions(sheet: &mut Worksheet, t: &Template) -> Result<(), XlsxError> {
    sheet.set_name("記入方法")?;
    let title = Format::new()
        .set_font_name(FONT)
        .set_bold()
        .set_font_size(14);
    let text = Format::new()
        .set_font_name(FONT)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    sheet.write_string_with_format(
        0,
        0,
        format!("{} {}実績 報告様式", t.plan_name, t.fiscal_year.wareki()),
        &title,
    )?;
    let lines = [
        format!("報告機関: {}", t.body_name),
        format!("対象年度: {}（{}）", t.fiscal_year.wareki(), t.fiscal_year),
        String::new(),
        "1. 「実績」シートの黄色のセルに記入してください。灰色のセルは参考情報で、変更できません。".to_owned(),
        "2. 件数の指標は「実績」に0以上の整数を記入してください（全角数字も使えます）。".to_owned(),
        "3. 割合の指標は「分子」と「分母」に整数を記入してください（分子は分母以下）。割合は自動で計算されます。".to_owned(),
        "4. その他管理指標は「実績」に状況を文章で記入してください。".to_owned(),
        "5. 必要に応じて「備考」と「出典」を記入してください。".to_owned(),
        "6. 行・列の追加や削除、シート名の変更はしないでください。非表示の列は取込みに使います。".to_owned(),
        "7. 記入後、pdca の「実績の入力」からこのファイルを取り込むと、確認画面（取込み前のプレビュー）が表示されます。誤りがあればセルの位置とともに表示され、すべて正しいときだけ一時保存として登録されます（提出は画面の「保存して提出」で行います）。".to_owned(),
    ];
    for (r, line) in (2_u32..).zip(&lines) {
        sheet.write_string_with_format(r, 0, line, &text)?;
    }
    sheet.set_column_width(0, 110)?;
    Ok(())
}
