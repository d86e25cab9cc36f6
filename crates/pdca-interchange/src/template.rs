//! Collection workbooks (報告様式): for one reporting body and one fiscal year, a workbook with
//! the body's indicators, its previous years filled in and protected, and only the input cells
//! unlocked, with Excel data validation. Its 実績 sheet is an ordinary actuals table (指標ID, 年度
//! and 報告機関 hidden; reference columns headed （参考） that the import skips), so a filled
//! workbook imports back through the same validated import as any XLSX.
//!
//! Its 成果一覧 sheet (only for a body with count indicators) is an empty achievements table
//! headed with the import's Japanese headers (指標ID, 年度, 報告機関, 課題番号, 成果名, 実施機関,
//! 日付, 区分, 公開, 顕著な成果, URL, 備考), with drop-down lists on 指標ID (the body's count
//! indicators that are not sub-targets), 報告機関, 公開 and 顕著な成果; it reads back through
//! `read_achievements` and `validate_achievement_rows`. Its example row is on the 記入方法 sheet,
//! which no import reads, so an example is never imported by mistake.

use pdca_core::FiscalYear;
use pdca_core::achievements::AchievementColumn;
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
    /// (id, name) of the body's count indicators that are not sub-targets, in plan order: the
    /// indicators its 成果一覧 sheet lists achievements for (none: no such sheet).
    pub achievement_indicators: Vec<(String, String)>,
    /// (indicator id, tag) for each sub-target of those indicators: the tags (区分) its
    /// achievements may carry, as the plan writes them, in plan order.
    pub achievement_tags: Vec<(String, String)>,
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
        let achievement_indicators: Vec<(String, String)> = plan
            .indicators()
            .map(|(_, i)| i)
            .filter(|i| i.measure == Measure::Count && i.parent.is_none())
            .filter(|i| i.assignments.iter().any(|a| a.body == body_id))
            .map(|i| (i.id.clone(), i.name.clone()))
            .collect();
        let mut achievement_tags: Vec<(String, String)> = Vec::new();
        for (_, sub) in plan.indicators() {
            if let (Some(parent), Some(tag)) = (sub.parent.as_deref(), sub.achievement_tag())
                && achievement_indicators.iter().any(|(id, _)| id == parent)
            {
                achievement_tags.push((parent.to_owned(), tag));
            }
        }
        Some(Template {
            plan_name: plan.name.clone(),
            body_id: body.id.clone(),
            body_name: body.name.clone(),
            fiscal_year: fy,
            previous_years,
            rows,
            achievement_indicators,
            achievement_tags,
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

/// The sheet the achievements import reads (see `read_achievements`).
pub const ACHIEVEMENT_TEMPLATE_SHEET: &str = "成果一覧";

/// How many rows of the 成果一覧 sheet carry the drop-down lists.
pub const ACHIEVEMENT_TEMPLATE_ROWS: u32 = 2000;

/// The 記入方法 sheet's name, and the column of it listing the indicators for 成果一覧's
/// drop-down list of 指標ID (column A, from `INDICATOR_LIST_ROW`).
const INSTRUCTIONS_SHEET: &str = "記入方法";

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
    let list_rows = instructions(book.add_worksheet(), t, &f)?;
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
    if let Some(list) = list_rows {
        achievements_sheet(book.add_worksheet(), t, &f, list)?;
    }
    book.save_to_buffer()
}

/// The 成果一覧 sheet: the import's Japanese headers, no rows (the example is on 記入方法),
/// drop-down lists over [`ACHIEVEMENT_TEMPLATE_ROWS`] rows. `list` is the 記入方法 rows (0-based,
/// first and last) holding the indicator ids in column A.
fn achievements_sheet(
    sheet: &mut Worksheet,
    t: &Template,
    f: &Formats,
    list: (u32, u32),
) -> Result<(), XlsxError> {
    sheet.set_name(ACHIEVEMENT_TEMPLATE_SHEET)?;
    let text = Format::new().set_font_name(FONT).set_num_format("@");
    for (c, column) in (0_u16..).zip(AchievementColumn::ALL) {
        sheet.write_string_with_format(0, c, column.japanese(), &f.header)?;
        let width = match column {
            AchievementColumn::IndicatorId => 14,
            AchievementColumn::FiscalYear => 10,
            AchievementColumn::Body => 12,
            AchievementColumn::ProjectCode => 16,
            AchievementColumn::Title => 48,
            AchievementColumn::Institution => 24,
            AchievementColumn::Date => 14,
            AchievementColumn::Tags => 16,
            AchievementColumn::Public => 8,
            AchievementColumn::Notable => 12,
            AchievementColumn::Url => 30,
            AchievementColumn::Note => 30,
        };
        sheet.set_column_width(c, width)?;
        // Text cells, so that a 課題番号 or a date keeps what was typed.
        sheet.set_column_format(c, &text)?;
    }
    let last = ACHIEVEMENT_TEMPLATE_ROWS;
    let col = |c: AchievementColumn| {
        (0_u16..)
            .zip(AchievementColumn::ALL)
            .find(|(_, x)| *x == c)
            .map_or(0, |(i, _)| i)
    };
    let stop = |rule: DataValidation, message: &str| -> Result<DataValidation, XlsxError> {
        rule.set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("入力値の確認")?
            .set_error_message(message)
    };
    let indicators = stop(
        DataValidation::new().allow_list_formula(Formula::new(format!(
            "='{INSTRUCTIONS_SHEET}'!$A${}:$A${}",
            list.0 + 1,
            list.1 + 1
        ))),
        "一覧から指標IDを選んでください（「記入方法」シートの指標一覧）。",
    )?;
    let c = col(AchievementColumn::IndicatorId);
    sheet.add_data_validation(1, c, last, c, &indicators)?;
    let body = DataValidation::new()
        .allow_list_strings(&[t.body_id.as_str()])?
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_title("入力値の確認")?
        .set_error_message(format!("報告機関は「{}」と記入してください。", t.body_id))?;
    let c = col(AchievementColumn::Body);
    sheet.add_data_validation(1, c, last, c, &body)?;
    let public = stop(
        DataValidation::new().allow_list_strings(&["公開", "非公開"])?,
        "「公開」または「非公開」を選んでください（空欄は非公開）。",
    )?;
    let c = col(AchievementColumn::Public);
    sheet.add_data_validation(1, c, last, c, &public)?;
    let notable = stop(
        DataValidation::new().allow_list_strings(&["あり", "なし"])?,
        "「あり」または「なし」を選んでください（空欄はなし）。",
    )?;
    let c = col(AchievementColumn::Notable);
    sheet.add_data_validation(1, c, last, c, &notable)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The example row of the 成果一覧 sheet, shown on 記入方法, in the columns' order: a valid
/// row for `t`'s first achievement indicator with a sub-target (with its tag), else its first.
fn achievement_example(t: &Template) -> Option<Vec<String>> {
    let (first, _) = t.achievement_indicators.first()?;
    let (id, tag) = match t.achievement_tags.first() {
        Some((id, tag)) => (id, tag.clone()),
        None => (first, String::new()),
    };
    let y = t.fiscal_year.year();
    Some(
        AchievementColumn::ALL
            .iter()
            .map(|c| match c {
                AchievementColumn::IndicatorId => id.clone(),
                AchievementColumn::FiscalYear => y.to_string(),
                AchievementColumn::Body => t.body_id.clone(),
                AchievementColumn::ProjectCode => format!("JP{:02}ab0001", y % 100),
                AchievementColumn::Title => "（記入例）抗体Aの非臨床POC取得".to_owned(),
                AchievementColumn::Institution => "（記入例）○○大学".to_owned(),
                AchievementColumn::Date => format!("{y}-10-01"),
                AchievementColumn::Tags => tag.clone(),
                AchievementColumn::Public => "公開".to_owned(),
                AchievementColumn::Notable => "なし".to_owned(),
                AchievementColumn::Url => "https://example.org/press/0001".to_owned(),
                AchievementColumn::Note => String::new(),
            })
            .collect(),
    )
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

/// The 記入方法 sheet; with achievement indicators, also the 成果一覧 example and the list of
/// indicators whose rows (first, last, 0-based) it returns.
fn instructions(
    sheet: &mut Worksheet,
    t: &Template,
    f: &Formats,
) -> Result<Option<(u32, u32)>, XlsxError> {
    sheet.set_name(INSTRUCTIONS_SHEET)?;
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
    let Some(example) = achievement_example(t) else {
        return Ok(None);
    };
    let tags = if t.achievement_tags.is_empty() {
        "（この機関の指標にはありません）".to_owned()
    } else {
        let mut tags: Vec<&str> = Vec::new();
        for (_, tag) in &t.achievement_tags {
            if !tags.contains(&tag.as_str()) {
                tags.push(tag);
            }
        }
        tags.join("、")
    };
    let mut r = 2 + u32::try_from(lines.len()).unwrap_or(0) + 1;
    let achievement_lines = [
        "成果一覧（件数の指標の内訳）".to_owned(),
        "8. 件数の指標の成果（非臨床POC、導出、承認など）は「成果一覧」シートに1件1行で記入してください。下の記入例の行は取り込まれません（このシートは取込みに使いません）。".to_owned(),
        "9. 必須は「指標ID」（一覧から選択）、「年度」、「成果名」です。「報告機関」は複数機関の指標で必須です。「日付」はその年度内の日付（例: 2024-10-01）を記入してください。".to_owned(),
        format!("10. 「区分」には「うち」の指標の区分（{tags}）を記入してください。複数あるときは「、」で区切ります。"),
        "11. 「公開」は公開／非公開（空欄は非公開）、「顕著な成果」はあり／なし（空欄はなし）を選んでください。".to_owned(),
        "12. 同じ成果を2行に書かないでください。他の機関や前年度と重複の可能性がある成果は、事務局が確認します。".to_owned(),
    ];
    for line in &achievement_lines {
        sheet.write_string_with_format(r, 0, line, &text)?;
        r += 1;
    }
    r += 1;
    sheet.write_string_with_format(r, 0, "【記入例】", &text)?;
    r += 1;
    for (c, column) in (0_u16..).zip(AchievementColumn::ALL) {
        sheet.write_string_with_format(r, c, column.japanese(), &f.header)?;
    }
    r += 1;
    for (c, cell) in (0_u16..).zip(&example) {
        sheet.write_string_with_format(r, c, cell, &f.locked)?;
    }
    r += 2;
    sheet.write_string_with_format(
        r,
        0,
        "【指標ID一覧】（成果一覧の「指標ID」の選択肢）",
        &text,
    )?;
    r += 1;
    let first = r;
    for (id, name) in &t.achievement_indicators {
        sheet.write_string_with_format(r, 0, id, &f.locked)?;
        sheet.write_string_with_format(r, 1, name, &f.locked)?;
        r += 1;
    }
    Ok(Some((first, r - 1)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use pdca_core::achievements::validate_achievement_rows;
    use pdca_core::import::RawRow;

    fn template() -> (pdca_core::Plan, Template) {
        let plan = pdca_core::builtin::builtin_plan().unwrap();
        let fy = FiscalYear::new(2023).unwrap();
        let t = Template::build(&plan, "amed", fy, &Actuals::new(), &Actuals::new()).unwrap();
        (plan, t)
    }

    #[test]
    fn the_achievements_sheet_reads_back_with_the_import_headers() {
        let (plan, t) = template();
        assert!(
            t.achievement_indicators
                .iter()
                .any(|(id, _)| id == "p3-out-01")
        );
        assert!(
            !t.achievement_indicators
                .iter()
                .any(|(id, _)| id == "p3-out-01-1"),
            "a sub-target is recorded on its parent"
        );
        assert!(
            !t.achievement_indicators
                .iter()
                .any(|(id, _)| id == "p1-out-04")
        );
        assert!(
            t.achievement_tags
                .contains(&("p3-out-01".to_owned(), "遺伝子治療".to_owned()))
        );
        let bytes = write_template(&t).unwrap();
        let table =
            crate::read_achievements("houkoku.xlsx", &bytes, &crate::Limits::COMMAND_LINE).unwrap();
        assert_eq!(table.sheet.as_deref(), Some(ACHIEVEMENT_TEMPLATE_SHEET));
        assert_eq!(table.header_row, 1);
        let expected: Vec<String> = AchievementColumn::ALL
            .iter()
            .map(|c| c.japanese().to_owned())
            .collect();
        assert_eq!(table.headers, expected);
        assert!(table.rows.iter().all(RawRow::is_blank));
        // The empty sheet imports nothing, without error.
        let empty = validate_achievement_rows(&plan, &table.headers, table.header_row, &table.rows);
        assert_eq!(empty.unwrap(), Vec::new());
        // The example row, written under the sheet's headers, is a valid row.
        let example = achievement_example(&t).unwrap();
        let rows = vec![RawRow::new(2, example.iter())];
        let imported =
            validate_achievement_rows(&plan, &table.headers, table.header_row, &rows).unwrap();
        assert_eq!(imported.len(), 1);
        let f = &imported[0].fields;
        assert_eq!(f.indicator, t.achievement_tags[0].0);
        assert_eq!(f.tags, [t.achievement_tags[0].1.clone()]);
        assert_eq!(f.year, t.fiscal_year);
        assert_eq!(f.body, "amed");
        assert!(f.public);
        assert!(!f.notable);
        // The drop-down choices are values the import reads.
        let mut row = example.clone();
        row[8] = "非公開".to_owned();
        row[9] = "あり".to_owned();
        let imported = validate_achievement_rows(
            &plan,
            &table.headers,
            table.header_row,
            &[RawRow::new(2, row.iter())],
        )
        .unwrap();
        assert!(!imported[0].fields.public);
        assert!(imported[0].fields.notable);
    }

    #[test]
    fn the_example_is_not_on_the_sheet_the_import_reads() {
        let (_, t) = template();
        let bytes = write_template(&t).unwrap();
        // The 実績 sheet still reads as before, and the 記入方法 sheet keeps the example.
        let table = crate::read_table("houkoku.xlsx", &bytes).unwrap();
        assert_eq!(table.sheet.as_deref(), Some(TEMPLATE_SHEET));
        let xml = sheet_xml(&bytes, "xl/worksheets/sheet3.xml");
        assert_eq!(xml.matches("<dataValidation ").count(), 4, "{xml}");
        assert!(
            xml.contains("&apos;記入方法&apos;!$A$") || xml.contains("'記入方法'!$A$"),
            "{xml}"
        );
        assert!(
            xml.contains("\"公開,非公開\"") || xml.contains("&quot;公開,非公開&quot;"),
            "{xml}"
        );
    }

    fn sheet_xml(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn a_body_without_count_indicators_gets_no_achievements_sheet() {
        let (_, mut t) = template();
        t.achievement_indicators.clear();
        let bytes = write_template(&t).unwrap();
        let table =
            crate::read_achievements("houkoku.xlsx", &bytes, &crate::Limits::COMMAND_LINE).unwrap();
        assert_ne!(table.sheet.as_deref(), Some(ACHIEVEMENT_TEMPLATE_SHEET));
    }
}
