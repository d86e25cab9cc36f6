//! Validation of imported actuals (`pdca_core::import`) against a small plan written here: every
//! bad input gives an error on the right row and column, quoting the text and saying what was
//! expected; the ways people write numbers, years and body names are accepted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pdca_core::import::{
    Field, ImportedActual, Layout, RawRow, RowError, escape_formula, unescape_formula,
    validate_rows,
};
use pdca_core::plan_file::parse_plan;
use pdca_core::{ActualValue, Actuals, Contribution, FiscalYear, Plan};

const PLAN: &str = r#"
[plan]
id = "test-plan"
name = "テスト計画"
start_fy = 2020
end_fy = 2024
default_bodies = ["amed"]

[[bodies]]
id = "amed"
name = "国立研究開発法人日本医療研究開発機構"
short_name = "AMED"

[[bodies]]
id = "mext"
name = "文部科学省"
short_name = "文科省"

[[bodies]]
id = "mhlw"
name = "厚生労働省"

[[projects]]
id = "p1"
name = "医薬品プロジェクト"

[[projects.indicators]]
id = "poc"
name = "非臨床POC取得件数"
kind = "output"
group = "シーズ研究に関する指標"
measure = "count"
target = { value = 25 }
bodies = ["amed", "mext"]

[[projects.indicators]]
id = "poc-sub"
name = "うち、企業導出件数"
kind = "output"
group = "シーズ研究に関する指標"
measure = "count"
parent = "poc"
target = { value = 10 }
bodies = ["amed", "mext"]

[[projects.indicators]]
id = "trials"
name = "治験移行率"
kind = "outcome"
group = "実用化に関する指標"
measure = "ratio"
target = { value = 75 }

[[projects.indicators]]
id = "volume"
name = "年間の相談件数"
kind = "outcome"
group = "実用化に関する指標"
measure = "level"
target = { value = 1000 }
bodies = ["mhlw"]

[[projects.indicators]]
id = "papers"
name = "論文掲載件数"
kind = "output"
group = "シーズ研究に関する指標"
measure = "count"
target = { value = 100 }

[[projects.indicators]]
id = "status"
name = "研究基盤の整備状況"
kind = "output"
group = "研究基盤に関する指標"
management = true
measure = "qualitative"
"#;

const HEADERS: [&str; 8] = [
    "indicator_id",
    "fiscal_year",
    "value",
    "numerator",
    "denominator",
    "body",
    "note",
    "source",
];

fn plan() -> Plan {
    parse_plan("test-plan.toml", PLAN)
        .unwrap_or_else(|e| panic!("the test plan does not parse:\n{e}"))
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn layout() -> Layout {
    let headers: Vec<String> = HEADERS.iter().map(|h| (*h).to_owned()).collect();
    Layout::from_headers(&headers, 1).unwrap()
}

/// Data rows in the canonical columns, numbered from row 2 (below the header).
fn rows(data: &[[&str; 8]]) -> Vec<RawRow> {
    data.iter()
        .enumerate()
        .map(|(i, cells)| RawRow::new(i + 2, cells))
        .collect()
}

fn validate(data: &[[&str; 8]]) -> Result<Vec<ImportedActual>, Vec<RowError>> {
    validate_with(data, &Actuals::new())
}

fn validate_with(
    data: &[[&str; 8]],
    current: &Actuals,
) -> Result<Vec<ImportedActual>, Vec<RowError>> {
    validate_rows(&plan(), &layout(), &rows(data), current)
}

/// The only error of a file that must fail.
fn only_error(data: &[[&str; 8]]) -> RowError {
    only(validate(data).expect_err("the file should be refused"))
}

fn only(errors: Vec<RowError>) -> RowError {
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    errors.into_iter().next().unwrap()
}

/// Asserts the error's row, column header, text, and that its message holds each of `says`.
fn assert_error(e: &RowError, row: usize, header: &str, text: &str, says: &[&str]) {
    assert_eq!(e.row, row, "{e:?}");
    assert_eq!(
        e.cell.as_ref().map(|c| c.header.as_str()),
        Some(header),
        "{e:?}"
    );
    assert_eq!(e.text, text, "{e:?}");
    for s in says {
        assert!(
            e.message.contains(s),
            "message {:?} should mention {s:?}",
            e.message
        );
    }
}

fn number(a: &ImportedActual) -> f64 {
    match a.contribution.value {
        ActualValue::Number(v) => v,
        ref other => panic!("not a number: {other:?}"),
    }
}

fn contribution(indicator: &str, year: i32, body: &str, v: f64) -> Contribution {
    Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Number(v),
    }
}

// ---- accepted input ----

#[test]
fn accepts_a_clean_file_with_notes_and_sources() {
    let got = validate(&[
        [
            "poc",
            "2022",
            "3",
            "",
            "",
            "amed",
            "前年度から継続",
            "AMED調べ",
        ],
        ["trials", "2022", "", "3", "4", "", "", ""],
        ["status", "2021", "整備を開始した", "", "", "", "", ""],
    ])
    .unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].row, 2);
    assert_eq!(got[0].contribution, contribution("poc", 2022, "amed", 3.0));
    assert_eq!(got[0].note.as_deref(), Some("前年度から継続"));
    assert_eq!(got[0].source.as_deref(), Some("AMED調べ"));
    assert_eq!(
        got[1].contribution.value,
        ActualValue::Ratio {
            numerator: 3.0,
            denominator: 4.0
        }
    );
    assert_eq!(got[1].contribution.body, "amed", "the only body is implied");
    assert_eq!(
        got[2].contribution.value,
        ActualValue::Narrative("整備を開始した".into())
    );
}

#[test]
fn accepts_numbers_as_people_type_them() {
    let got = validate(&[
        ["papers", "2020", "２５", "", "", "", "", ""],
        ["papers", "2021", "1,234", "", "", "", "", ""],
        ["papers", "2022", "25件", "", "", "", "", ""],
        ["volume", "2022", "75％", "", "", "", "", ""],
        ["trials", "2022", "", "３", "１，２３４", "", "", ""],
    ])
    .unwrap();
    let values: Vec<f64> = got.iter().take(4).map(number).collect();
    assert_eq!(values, [25.0, 1234.0, 25.0, 75.0]);
    assert_eq!(
        got[4].contribution.value,
        ActualValue::Ratio {
            numerator: 3.0,
            denominator: 1234.0
        }
    );
}

#[test]
fn accepts_years_in_wareki_and_full_width() {
    let got = validate(&[
        ["papers", "R4", "1", "", "", "", "", ""],
        ["poc", "令和4年度", "1", "", "", "mext", "", ""],
        ["poc", "ＦＹ２０２２", "1", "", "", "amed", "", ""],
        ["volume", "令和２年度", "1", "", "", "", "", ""],
        ["papers", "2023年度", "1", "", "", "", "", ""],
    ])
    .unwrap();
    let years: Vec<i32> = got.iter().map(|a| a.contribution.year.year()).collect();
    assert_eq!(years, [2022, 2022, 2022, 2020, 2023]);
}

#[test]
fn accepts_body_ids_names_and_short_names() {
    let got = validate(&[
        ["poc", "2020", "1", "", "", "文部科学省", "", ""],
        ["poc", "2021", "1", "", "", "AMED", "", ""],
        ["poc", "2022", "1", "", "", "ＡＭＥＤ", "", ""],
        ["poc", "2023", "1", "", "", "文科省", "", ""],
        ["poc", "2024", "1", "", "", " Mext ", "", ""],
        ["volume", "2022", "1", "", "", "厚生労働省", "", ""],
    ])
    .unwrap();
    let bodies: Vec<&str> = got.iter().map(|a| a.contribution.body.as_str()).collect();
    assert_eq!(bodies, ["mext", "amed", "amed", "mext", "mext", "mhlw"]);
}

#[test]
fn skips_blank_rows_and_keeps_physical_row_numbers() {
    let got = validate(&[
        ["", "", "", "", "", "", "", ""],
        ["papers", "2022", "7", "", "", "", "", ""],
        [" ", "　", "", "", "", "", "", ""],
        ["papers", "2023", "8", "", "", "", "", ""],
    ])
    .unwrap();
    let rows: Vec<usize> = got.iter().map(|a| a.row).collect();
    assert_eq!(rows, [3, 5]);
}

#[test]
fn raw_rows_hold_their_cells() {
    let row = RawRow::new(7, ["a", "", "備考,\n改行", " "]);
    assert_eq!(row.row, 7);
    assert_eq!(row.len(), 4);
    assert_eq!(
        row.cells().collect::<Vec<_>>(),
        ["a", "", "備考,\n改行", " "]
    );
    assert_eq!(row.cell(2), Some("備考,\n改行"));
    assert_eq!(row.cell(4), None);
    assert!(!row.is_blank());
    assert!(RawRow::new(1, ["", " ", "　"]).is_blank());
    assert!(RawRow::new(1, Vec::<String>::new()).is_empty());
    assert_eq!(
        format!("{row:?}"),
        r#"RawRow { row: 7, cells: ["a", "", "備考,\n改行", " "] }"#
    );
}

#[test]
fn reads_japanese_and_full_width_headers() {
    let headers: Vec<String> = [
        "指標ID",
        "年度",
        "実績",
        "分子",
        "分母",
        "報告機関",
        "備考",
        "出典",
    ]
    .map(String::from)
    .to_vec();
    let layout = Layout::from_headers(&headers, 1).unwrap();
    assert_eq!(layout.column(Field::IndicatorId).map(|c| c.column), Some(1));
    assert_eq!(layout.column(Field::Source).map(|c| c.column), Some(8));
    for (header, field) in [
        ("指標ｉｄ", Field::IndicatorId),
        ("ＩＮＤＩＣＡＴＯＲ＿ＩＤ", Field::IndicatorId),
        ("Fiscal Year", Field::FiscalYear),
        ("\u{feff}indicator_id", Field::IndicatorId),
        (" 実績 ", Field::Value),
    ] {
        assert_eq!(Field::from_header(header), Some(field), "{header}");
    }
}

#[test]
fn formula_guards_round_trip() {
    for text in ["=1+1", "+81", "-3件", "@SUM", "'=x", "plain", "'quoted", ""] {
        let escaped = escape_formula(text);
        assert!(!escaped.starts_with(['=', '+', '-', '@']), "{escaped}");
        assert_eq!(unescape_formula(&escaped), text);
    }
    let got = validate(&[[
        "status",
        "2022",
        "'=進捗あり",
        "",
        "",
        "",
        "'+注記",
        "'@出典",
    ]])
    .unwrap();
    assert_eq!(
        got[0].contribution.value,
        ActualValue::Narrative("=進捗あり".into())
    );
    assert_eq!(got[0].note.as_deref(), Some("+注記"));
    assert_eq!(got[0].source.as_deref(), Some("@出典"));
}

// ---- refused input ----

#[test]
fn unknown_indicator() {
    let e = only_error(&[["p9-out-99", "2022", "1", "", "", "", "", ""]]);
    assert_error(
        &e,
        2,
        "indicator_id",
        "p9-out-99",
        &["p9-out-99", "test-plan", "例: poc"],
    );
    assert_eq!(e.cell.as_ref().map(|c| c.letter()).as_deref(), Some("A"));
}

#[test]
fn empty_indicator() {
    let e = only_error(&[["", "2022", "1", "", "", "", "", ""]]);
    assert_error(&e, 2, "indicator_id", "", &["指標IDが空です", "例: poc"]);
}

#[test]
fn fiscal_year_outside_the_plan() {
    let e = only_error(&[["papers", "2019", "1", "", "", "", "", ""]]);
    assert_error(&e, 2, "fiscal_year", "2019", &["FY2019", "FY2020〜FY2024"]);
    let e = only_error(&[["papers", "令和7年度", "1", "", "", "", "", ""]]);
    assert_error(&e, 2, "fiscal_year", "令和7年度", &["FY2025", "計画期間"]);
}

#[test]
fn unparseable_fiscal_year() {
    let e = only_error(&[["papers", "来年度", "1", "", "", "", "", ""]]);
    assert_error(
        &e,
        2,
        "fiscal_year",
        "来年度",
        &["年度として読めません", "例: 2022"],
    );
    let e = only_error(&[["papers", "", "1", "", "", "", "", ""]]);
    assert_error(&e, 2, "fiscal_year", "", &["例: 2022"]);
}

#[test]
fn negative_count() {
    let e = only_error(&[["papers", "2022", "-1", "", "", "", "", ""]]);
    assert_error(&e, 2, "value", "-1", &["負の件数", "0以上の整数"]);
    let e = only_error(&[["papers", "2022", "▲2", "", "", "", "", ""]]);
    assert_error(&e, 2, "value", "▲2", &["負の件数"]);
}

#[test]
fn fractional_count() {
    let e = only_error(&[["papers", "2022", "2.5", "", "", "", "", ""]]);
    assert_error(&e, 2, "value", "2.5", &["小数の件数", "0以上の整数"]);
}

#[test]
fn a_level_may_be_fractional() {
    let got = validate(&[["volume", "2022", "12.5", "", "", "", "", ""]]).unwrap();
    assert_eq!(number(&got[0]), 12.5);
}

#[test]
fn value_that_is_not_a_number() {
    let e = only_error(&[["papers", "2022", "二十五", "", "", "", "", ""]]);
    assert_error(
        &e,
        2,
        "value",
        "二十五",
        &["数値として読めません", "例: 25"],
    );
}

#[test]
fn numerator_above_denominator() {
    let e = only_error(&[["trials", "2022", "", "5", "4", "", "", ""]]);
    assert_error(
        &e,
        2,
        "numerator",
        "5",
        &["分子 5 が分母 4 を超えています", "分母以下"],
    );
}

#[test]
fn fractional_or_negative_ratio_parts() {
    let errors = validate(&[["trials", "2022", "", "1.5", "-4", "", "", ""]]).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_error(&errors[0], 2, "numerator", "1.5", &["0以上の整数"]);
    assert_error(&errors[1], 2, "denominator", "-4", &["0以上の整数"]);
}

#[test]
fn value_for_a_ratio_indicator() {
    let e = only_error(&[["trials", "2022", "75%", "", "", "", "", ""]]);
    assert_error(
        &e,
        2,
        "value",
        "75%",
        &["割合の指標", "分子（numerator）と分母（denominator）"],
    );
}

#[test]
fn numerator_for_a_count_indicator() {
    let e = only_error(&[["papers", "2022", "3", "1", "", "", "", ""]]);
    assert_error(&e, 2, "numerator", "1", &["割合の指標ではない", "value"]);
}

#[test]
fn missing_body_for_an_indicator_with_two_bodies() {
    let e = only_error(&[["poc", "2022", "3", "", "", "", "", ""]]);
    assert_error(&e, 2, "body", "", &["複数の機関", "amed, mext"]);
}

#[test]
fn unknown_body() {
    let e = only_error(&[["poc", "2022", "3", "", "", "財務省", "", ""]]);
    assert_error(
        &e,
        2,
        "body",
        "財務省",
        &["計画にありません", "amed", "文部科学省", "AMED"],
    );
}

#[test]
fn body_not_assigned_to_the_indicator() {
    let e = only_error(&[["poc", "2022", "3", "", "", "厚生労働省", "", ""]]);
    assert_error(
        &e,
        2,
        "body",
        "厚生労働省",
        &["mhlw", "報告機関ではありません", "amed, mext"],
    );
}

#[test]
fn duplicate_row() {
    let errors = validate(&[
        ["poc", "2022", "3", "", "", "amed", "", ""],
        ["poc", "2022", "4", "", "", "AMED", "", ""],
        ["poc", "R4", "5", "", "", "amed", "", ""],
    ])
    .unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_error(
        &errors[0],
        3,
        "indicator_id",
        "poc",
        &["2行目と同じ", "1行にしてください"],
    );
    assert_error(&errors[1], 4, "indicator_id", "poc", &["2行目と同じ"]);
}

#[test]
fn empty_value() {
    let e = only_error(&[["papers", "2022", "", "", "", "", "", ""]]);
    assert_error(
        &e,
        2,
        "value",
        "",
        &["value（実績）が空です", "数値を書いてください"],
    );
    let e = only_error(&[["status", "2022", " ", "", "", "", "", ""]]);
    assert_error(&e, 2, "value", " ", &["状況の記述", "文章で"]);
    let e = only_error(&[["trials", "2022", "", "3", "", "", "", ""]]);
    assert_error(&e, 2, "denominator", "", &["denominator（分母）が空です"]);
}

#[test]
fn milestone_value() {
    let plan_text = PLAN.replace(
        "[[projects.indicators]]\nid = \"status\"",
        "[[projects.indicators]]\nid = \"launch\"\nname = \"着手\"\nkind = \"output\"\ngroup = \"g\"\nmeasure = \"milestone\"\ntarget = { deadline_fy = 2023 }\n\n[[projects.indicators]]\nid = \"status\"",
    );
    let plan = parse_plan("t.toml", &plan_text).unwrap();
    let ok = validate_rows(
        &plan,
        &layout(),
        &rows(&[["launch", "2022", "済", "", "", "", "", ""]]),
        &Actuals::new(),
    )
    .unwrap();
    assert_eq!(number(&ok[0]), 1.0);
    let errors = validate_rows(
        &plan,
        &layout(),
        &rows(&[["launch", "2022", "半分", "", "", "", "", ""]]),
        &Actuals::new(),
    )
    .unwrap_err();
    assert_error(&only(errors), 2, "value", "半分", &["1（済）か 0（未）"]);
}

#[test]
fn every_error_of_a_file_is_reported_in_row_order() {
    let errors = validate(&[
        ["papers", "2022", "-1", "", "", "", "", ""],
        ["papers", "2023", "3", "", "", "", "", ""],
        ["nope", "2022", "1", "", "", "", "", ""],
        ["poc", "1999", "x", "", "", "財務省", "", ""],
    ])
    .unwrap_err();
    let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
    assert_eq!(rows, [2, 4, 5, 5, 5], "{errors:#?}");
}

// ---- sub-targets (うち…) ----

#[test]
fn sub_target_above_its_parent_in_the_same_file() {
    let errors = validate(&[
        ["poc", "2022", "3", "", "", "amed", "", ""],
        ["poc-sub", "2022", "５", "", "", "amed", "", ""],
    ])
    .unwrap_err();
    assert_error(
        &only(errors),
        3,
        "value",
        "５",
        &[
            "内数「poc-sub」",
            "FY2022",
            "5",
            "親指標「poc」の実績 3",
            "以下",
        ],
    );
}

#[test]
fn sub_target_within_its_parent_summed_over_bodies() {
    let got = validate(&[
        ["poc", "2022", "3", "", "", "amed", "", ""],
        ["poc", "2022", "2", "", "", "mext", "", ""],
        ["poc-sub", "2022", "4", "", "", "amed", "", ""],
        ["poc-sub", "2023", "4", "", "", "amed", "", ""],
    ]);
    assert!(got.is_ok(), "{got:#?}");
}

#[test]
fn sub_target_above_a_parent_already_recorded() {
    let current: Actuals = [
        contribution("poc", 2022, "amed", 3.0),
        contribution("poc", 2022, "mext", 1.0),
    ]
    .into_iter()
    .collect();
    let errors = validate_with(
        &[["poc-sub", "2022", "5", "", "", "mext", "", ""]],
        &current,
    )
    .unwrap_err();
    assert_error(
        &only(errors),
        2,
        "value",
        "5",
        &["内数「poc-sub」", "実績 5", "親指標「poc」の実績 4"],
    );
    // Within the recorded total it is accepted.
    assert!(
        validate_with(
            &[["poc-sub", "2022", "4", "", "", "mext", "", ""]],
            &current
        )
        .is_ok()
    );
}

#[test]
fn sub_target_counts_recorded_values_of_other_bodies() {
    let current: Actuals = [
        contribution("poc", 2022, "amed", 4.0),
        contribution("poc-sub", 2022, "amed", 3.0),
    ]
    .into_iter()
    .collect();
    let errors = validate_with(
        &[["poc-sub", "2022", "2", "", "", "mext", "", ""]],
        &current,
    )
    .unwrap_err();
    assert_error(&only(errors), 2, "value", "2", &["実績 5", "実績 4"]);
    // A body's new value replaces its recorded one rather than adding to it.
    assert!(
        validate_with(
            &[["poc-sub", "2022", "4", "", "", "amed", "", ""]],
            &current
        )
        .is_ok()
    );
}

#[test]
fn parent_lowered_below_a_recorded_sub_target() {
    let current: Actuals = [
        contribution("poc", 2022, "amed", 5.0),
        contribution("poc-sub", 2022, "amed", 4.0),
    ]
    .into_iter()
    .collect();
    let errors =
        validate_with(&[["poc", "2022", "3", "", "", "amed", "", ""]], &current).unwrap_err();
    assert_error(
        &only(errors),
        2,
        "value",
        "3",
        &["親指標「poc」", "実績 3", "内数「poc-sub」の実績 4", "以上"],
    );
}

#[test]
fn sub_target_without_any_parent_value_is_not_checked() {
    assert!(validate(&[["poc-sub", "2022", "5", "", "", "amed", "", ""]]).is_ok());
}

// ---- duplicates in large plans and baseline years ----

#[test]
fn duplicates_are_found_in_a_plan_too_large_for_a_dense_table() {
    // 400 indicators × 40 bodies × 5 years is more keys than a two-row file warrants.
    let mut text = String::from(
        "[plan]\nid = \"big\"\nname = \"大きな計画\"\nstart_fy = 2020\nend_fy = 2024\ndefault_bodies = [",
    );
    text.push_str(
        &(0..40)
            .map(|b| format!("\"b{b}\""))
            .collect::<Vec<_>>()
            .join(", "),
    );
    text.push_str("]\n");
    for b in 0..40 {
        text.push_str(&format!("[[bodies]]\nid = \"b{b}\"\nname = \"機関{b}\"\n"));
    }
    text.push_str("[[projects]]\nid = \"p\"\nname = \"p\"\n");
    for i in 0..400 {
        text.push_str(&format!(
            "[[projects.indicators]]\nid = \"i{i}\"\nname = \"n\"\nkind = \"output\"\ngroup = \"g\"\nmeasure = \"count\"\ntarget = {{ value = 10 }}\n"
        ));
    }
    let plan = parse_plan("big.toml", &text).unwrap();
    let data = rows(&[
        ["i399", "2024", "1", "", "", "b39", "", ""],
        ["i399", "2024", "2", "", "", "機関39", "", ""],
        ["i399", "2023", "2", "", "", "b39", "", ""],
    ]);
    let errors = validate_rows(&plan, &layout(), &data, &Actuals::new()).unwrap_err();
    assert_error(&only(errors), 3, "indicator_id", "i399", &["2行目と同じ"]);
}

#[test]
fn baseline_year_of_a_relative_target_is_accepted_once() {
    let plan_text = PLAN.replace(
        "target = { value = 1000 }",
        "target = { factor = 2, baseline_fy = 2018 }",
    );
    let plan = parse_plan("t.toml", &plan_text).unwrap();
    let data = rows(&[
        ["volume", "2018", "40", "", "", "", "", ""],
        ["volume", "2024", "80", "", "", "", "", ""],
        ["volume", "H30", "41", "", "", "", "", ""],
        ["volume", "2019", "41", "", "", "", "", ""],
    ]);
    let errors = validate_rows(&plan, &layout(), &data, &Actuals::new()).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_error(&errors[0], 4, "indicator_id", "volume", &["2行目と同じ"]);
    assert_error(&errors[1], 5, "fiscal_year", "2019", &["計画期間"]);
}

#[test]
fn control_characters_are_refused_naming_the_cell() {
    // A NUL in a narrative, a note and an id; an escape in a source. Tabs and line breaks stay
    // allowed in running text (narratives, notes, sources).
    let errors = validate(&[
        ["status", "2022", "整備\u{0}中", "", "", "amed", "", ""],
        ["poc", "2022", "3", "", "", "amed", "備考\u{0}", ""],
        ["poc\u{0}", "2021", "3", "", "", "amed", "", ""],
        ["poc", "2023", "3", "", "", "amed", "", "出典\u{1b}[31m"],
        [
            "papers",
            "2022",
            "4",
            "",
            "",
            "amed",
            "一行目\r\n\t二行目",
            "",
        ],
        ["poc", "2020", "3\t", "", "", "amed", "", ""],
        ["poc", "2021", "3", "", "", "am\ted", "", ""],
        ["poc-sub", "2022", "1", "", "", "amed\r\n", "", ""],
        ["poc", "2024", "3", "", "", "\tam\u{7f}ed", "", ""],
    ])
    .expect_err("control characters are refused");
    assert_eq!(errors.len(), 6, "{errors:#?}");
    assert_error(
        &errors[0],
        2,
        "value",
        "整備␀中",
        &["実績（value）", "U+0000"],
    );
    assert_error(&errors[1], 3, "note", "備考␀", &["備考（note）", "U+0000"]);
    assert_error(
        &errors[2],
        4,
        "indicator_id",
        "poc␀",
        &["指標ID（indicator_id）"],
    );
    assert_error(
        &errors[3],
        5,
        "source",
        "出典␛[31m",
        &["出典（source）", "U+001B ESC"],
    );
    assert_error(
        &errors[4],
        8,
        "body",
        "am␉ed",
        &["報告機関（body）", "改行・タブも"],
    );
    // A line break a spreadsheet left at the end of a one-line cell is trimmed, as ever; the
    // position counts from the cell's first character.
    assert_error(&errors[5], 10, "body", "␉am␡ed", &["U+007F DEL", "4文字目"]);
}
