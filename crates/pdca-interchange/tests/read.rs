//! Reading actuals files (`read_table`) in every encoding and format pdca accepts, and writing
//! them back (`write_actuals_*`) so that an export imports unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use encoding_rs::{SHIFT_JIS, UTF_16LE};
use pdca_core::import::{Field, ImportedActual, RawRow, validate_rows};
use pdca_core::plan_file::parse_plan;
use pdca_core::{ActualValue, Actuals, Contribution, FiscalYear, Plan};
use pdca_interchange::{
    CSV_HEADERS, ExportRow, InterchangeError, Table, format_number, read_table, write_actuals_csv,
    write_actuals_json, write_actuals_xlsx,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

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

[[projects.indicators]]
id = "status"
name = "研究基盤の整備状況"
kind = "output"
group = "研究基盤に関する指標"
management = true
measure = "qualitative"
"#;

const JAPANESE_CSV: &str = "指標ID,年度,実績,分子,分母,報告機関,備考,出典\r\n\
poc,令和4年度,２５,,,文部科学省,前年度比で増加,文科省調べ\r\n\
trials,R4,,3,4,,治験移行は３件,\r\n\
status,2022,基盤の整備を完了した,,,,,\r\n";

fn plan() -> Plan {
    parse_plan("test-plan.toml", PLAN).unwrap_or_else(|e| panic!("{e}"))
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn read(name: &str, bytes: &[u8]) -> Table {
    read_table(name, bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn validate(table: &Table) -> Vec<ImportedActual> {
    validate_rows(&plan(), &table.layout, &table.rows, &Actuals::new()).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn cells(row: &RawRow) -> Vec<&str> {
    row.cells().collect()
}

fn header_of(table: &Table, field: Field) -> Option<(usize, String)> {
    table
        .layout
        .column(field)
        .map(|c| (c.column, c.header.clone()))
}

/// The contributions the Japanese CSV holds.
fn japanese_contributions() -> Vec<Contribution> {
    vec![
        Contribution {
            indicator: "poc".into(),
            year: fy(2022),
            body: "mext".into(),
            value: ActualValue::Number(25.0),
        },
        Contribution {
            indicator: "trials".into(),
            year: fy(2022),
            body: "amed".into(),
            value: ActualValue::Ratio {
                numerator: 3.0,
                denominator: 4.0,
            },
        },
        Contribution {
            indicator: "status".into(),
            year: fy(2022),
            body: "amed".into(),
            value: ActualValue::Narrative("基盤の整備を完了した".into()),
        },
    ]
}

fn export_rows() -> Vec<ExportRow> {
    let mut rows: Vec<ExportRow> = japanese_contributions()
        .iter()
        .map(|c| ExportRow::from_contribution(c, None, None))
        .collect();
    rows[0].note = Some("前年度比で増加、うち2件は\n企業導出（\"速報値\"）".into());
    rows[0].source = Some("=HYPERLINK(\"http://example.invalid\")".into());
    rows[2].note = Some("-".into());
    rows.push(ExportRow::from_contribution(
        &Contribution {
            indicator: "volume".into(),
            year: fy(2023),
            body: "amed".into(),
            value: ActualValue::Number(12.5),
        },
        None,
        Some("AMED調べ".into()),
    ));
    rows
}

// ---- CSV encodings ----

#[test]
fn reads_utf8_csv() {
    let table = read(
        "actuals.csv",
        b"indicator_id,fiscal_year,value\npoc,2022,25\n",
    );
    assert_eq!(table.sheet, None);
    assert_eq!(header_of(&table, Field::Value), Some((3, "value".into())));
    assert_eq!(table.rows, vec![RawRow::new(2, ["poc", "2022", "25"])]);
}

#[test]
fn reads_utf8_csv_with_a_byte_order_mark() {
    let bytes = [b"\xEF\xBB\xBF".as_slice(), JAPANESE_CSV.as_bytes()].concat();
    let table = read("実績.CSV", &bytes);
    assert_eq!(
        header_of(&table, Field::IndicatorId),
        Some((1, "指標ID".into()))
    );
    let got: Vec<Contribution> = validate(&table)
        .into_iter()
        .map(|a| a.contribution)
        .collect();
    assert_eq!(got, japanese_contributions());
}

#[test]
fn reads_shift_jis_csv_with_japanese_headers_and_text() {
    let (bytes, _, unmappable) = SHIFT_JIS.encode(JAPANESE_CSV);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test input must not be UTF-8"
    );
    let table = read("jisseki.csv", &bytes);
    assert_eq!(header_of(&table, Field::Body), Some((6, "報告機関".into())));
    assert_eq!(header_of(&table, Field::Source), Some((8, "出典".into())));
    assert_eq!(table.rows.len(), 3);
    assert_eq!(
        cells(&table.rows[0]),
        [
            "poc",
            "令和4年度",
            "２５",
            "",
            "",
            "文部科学省",
            "前年度比で増加",
            "文科省調べ"
        ]
    );
    assert_eq!(table.rows[1].row, 3);
    let imported = validate(&table);
    let got: Vec<Contribution> = imported.iter().map(|a| a.contribution.clone()).collect();
    assert_eq!(got, japanese_contributions());
    assert_eq!(imported[1].note.as_deref(), Some("治験移行は３件"));
}

#[test]
fn reads_shift_jis_with_cp932_extensions() {
    // ① and ㈱ are NEC/IBM extensions that CP932 (Japanese Excel) has and plain Shift_JIS lacks.
    let text = "指標ID,年度,実績,備考\npoc,2022,1,①㈱髙橋\n";
    let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
    assert!(!unmappable);
    let table = read("a.csv", &bytes);
    assert_eq!(table.rows[0].cell(3).unwrap(), "①㈱髙橋");
}

#[test]
fn reads_utf16_unicode_text_with_tabs() {
    let text = "indicator_id\tfiscal_year\tvalue\tbody\r\npoc\t2022\t25\tAMED\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(UTF_16LE.decode_with_bom_removal(&bytes[2..]).0, text);
    let table = read("unicode.txt", &bytes);
    assert_eq!(cells(&table.rows[0]), ["poc", "2022", "25", "AMED"]);
    assert_eq!(table.rows[0].row, 2);
}

#[test]
fn full_width_values_are_kept_as_typed_and_accepted() {
    let csv = "indicator_id,fiscal_year,value,body\nｐｏｃ,ＦＹ２０２２,１，２３４件,ＡＭＥＤ\nvolume,令和５年度,７５％,\n";
    let table = read("a.csv", csv.as_bytes());
    assert_eq!(
        cells(&table.rows[0]),
        ["ｐｏｃ", "ＦＹ２０２２", "１，２３４件", "ＡＭＥＤ"]
    );
    let got = validate(&table);
    assert_eq!(got[0].contribution.indicator, "poc");
    assert_eq!(got[0].contribution.body, "amed");
    assert_eq!(got[0].contribution.value, ActualValue::Number(1234.0));
    assert_eq!(got[1].contribution.year, fy(2023));
    assert_eq!(got[1].contribution.value, ActualValue::Number(75.0));
}

// ---- CSV structure ----

#[test]
fn quoted_commas_and_newlines_in_notes_keep_physical_row_numbers() {
    let csv = "\n\
indicator_id,fiscal_year,value,body,note\n\
poc,2022,3,amed,\"1,234件のうち\n3件が\n\"\"導出\"\"\"\n\
\n\
poc,2023,\"1,234\",amed,ok\n";
    let table = read("a.csv", csv.as_bytes());
    assert_eq!(
        header_of(&table, Field::IndicatorId),
        Some((1, "indicator_id".into()))
    );
    let rows: Vec<usize> = table.rows.iter().map(|r| r.row).collect();
    assert_eq!(
        rows,
        [3, 7],
        "a blank line is skipped; row numbers are the lines where a record starts"
    );
    assert_eq!(
        table.rows[0].cell(4).unwrap(),
        "1,234件のうち\n3件が\n\"導出\""
    );
    assert_eq!(table.rows[1].cell(2).unwrap(), "1,234");
    let got = validate(&table);
    assert_eq!(
        got[0].note.as_deref(),
        Some("1,234件のうち\n3件が\n\"導出\"")
    );
    assert_eq!(got[1].contribution.value, ActualValue::Number(1234.0));
}

#[test]
fn a_bare_carriage_return_ends_a_line() {
    // Old Mac files end lines with CR alone; mixed with CRLF and LF in one file.
    let csv = "indicator_id,fiscal_year,value,body\rpoc,2022,3,amed\r\npoc,2023,4,amed\r\rpoc,2021,x,amed\n";
    let table = read("a.csv", csv.as_bytes());
    let rows: Vec<usize> = table.rows.iter().map(|r| r.row).collect();
    assert_eq!(
        rows,
        [2, 3, 5],
        "rows are numbered by the lines the reader sees"
    );
    let errors = validate_rows(&plan(), &table.layout, &table.rows, &Actuals::new()).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].row, 5, "{}", errors[0]);
}

#[test]
fn an_unquoted_comma_is_reported_at_its_row() {
    let csv = "indicator_id,fiscal_year,value\npoc,2022,3\npoc,2023,1,234\n";
    let err = read_table("a.csv", csv.as_bytes()).unwrap_err();
    match &err {
        InterchangeError::Csv { row, message, .. } => {
            assert_eq!(*row, 3);
            assert!(message.contains("D列"), "{message}");
            assert!(message.contains("\"…\" で囲んで"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("a.csv: 3行目"), "{err}");
}

#[test]
fn trailing_empty_cells_are_fine() {
    let table = read("a.csv", b"indicator_id,fiscal_year,value\npoc,2022,3,,\n");
    assert_eq!(table.rows.len(), 1);
}

// ---- header and file errors ----

#[test]
fn unknown_header() {
    let err = read_table("a.csv", b"indicator_id,fiscal_year,valu\npoc,2022,3\n").unwrap_err();
    let InterchangeError::Header { file, errors } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(file, "a.csv");
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let unknown = &errors[0];
    assert_eq!(unknown.row, 1);
    assert_eq!(unknown.text, "valu");
    assert_eq!(
        unknown.cell.as_ref().map(|c| (c.column, c.letter())),
        Some((3, "C".into()))
    );
    assert!(
        unknown.message.contains("indicator_id, fiscal_year, value"),
        "{}",
        unknown.message
    );
    assert!(
        errors[1].message.contains("value"),
        "no value column either: {}",
        errors[1].message
    );
    let text = err.to_string();
    assert!(text.starts_with("a.csv: 1行目, C列「valu」"), "{text}");
    assert!(text.lines().all(|l| l.starts_with("a.csv: ")), "{text}");
}

#[test]
fn header_found_below_blank_rows() {
    let table = read(
        "a.csv",
        b",,\n\nindicator_id,fiscal_year,value\npoc,2022,3\n",
    );
    assert_eq!(table.rows[0].row, 4);
    let err = read_table("a.csv", b",,\n\nindicator_id,fiscal_year,valu\n").unwrap_err();
    let InterchangeError::Header { errors, .. } = err else {
        panic!()
    };
    assert_eq!(errors[0].row, 3);
}

#[test]
fn missing_column() {
    let err = read_table("a.csv", "指標ID,実績\npoc,3\n".as_bytes()).unwrap_err();
    let InterchangeError::Header { errors, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].row, 1);
    assert!(
        errors[0].message.contains("fiscal_year"),
        "{}",
        errors[0].message
    );
    assert!(errors[0].message.contains("年度"), "{}", errors[0].message);
}

#[test]
fn undecodable_bytes() {
    // Neither UTF-8 nor Shift_JIS: 0xFF never starts a Shift_JIS character.
    let bytes = b"indicator_id,fiscal_year,value\npoc,2022,3\npoc,2023,\xFF\xFF\n";
    let err = read_table("broken.csv", bytes).unwrap_err();
    assert_eq!(
        err,
        InterchangeError::Encoding {
            file: "broken.csv".into(),
            line: 3
        }
    );
    let text = err.to_string();
    assert!(text.starts_with("broken.csv: 3行目"), "{text}");
    assert!(text.contains("UTF-8 か Shift_JIS"), "{text}");
}

#[test]
fn damaged_utf8_is_not_read_as_shift_jis() {
    let mut bytes = "indicator_id,fiscal_year,value,note\npoc,2022,3,備考\npoc,2023,4,"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(b"\xE5\x82\n");
    let err = read_table("a.csv", &bytes).unwrap_err();
    assert_eq!(
        err,
        InterchangeError::Encoding {
            file: "a.csv".into(),
            line: 3
        }
    );
    let with_bom = [b"\xEF\xBB\xBFindicator_id\n\n\xC0".as_slice()].concat();
    assert_eq!(
        read_table("b.csv", &with_bom).unwrap_err(),
        InterchangeError::Encoding {
            file: "b.csv".into(),
            line: 3
        }
    );
}

#[test]
fn unknown_format() {
    let err = read_table("actuals.pdf", b"%PDF").unwrap_err();
    assert_eq!(
        err,
        InterchangeError::UnknownFormat {
            file: "actuals.pdf".into()
        }
    );
    let text = err.to_string();
    assert!(text.starts_with("actuals.pdf: "), "{text}");
    assert!(text.contains(".csv") && text.contains(".xlsx"), "{text}");
    assert!(matches!(
        read_table("actuals", b""),
        Err(InterchangeError::UnknownFormat { .. })
    ));
}

#[test]
fn empty_files() {
    for bytes in [b"".as_slice(), b"\xEF\xBB\xBF", b"\n\n", b",,,\r\n , \r\n"] {
        let err = read_table("empty.csv", bytes).unwrap_err();
        assert_eq!(
            err,
            InterchangeError::Empty {
                file: "empty.csv".into()
            },
            "{bytes:?}"
        );
        assert!(err.to_string().starts_with("empty.csv: "));
    }
    let header_only = read("h.csv", b"indicator_id,fiscal_year,value\r\n");
    assert!(header_only.rows.is_empty());
}

#[test]
fn a_broken_workbook() {
    let err = read_table("book.xlsx", b"PK\x03\x04 not really a zip").unwrap_err();
    assert!(matches!(err, InterchangeError::Workbook { .. }), "{err:?}");
    assert!(err.to_string().starts_with("book.xlsx: "), "{err}");
}

// ---- workbooks ----

#[test]
fn xlsx_round_trip() {
    let rows = export_rows();
    let bytes = write_actuals_xlsx(&rows).unwrap();
    let table = read("export.XLSX", &bytes);
    assert_eq!(table.sheet.as_deref(), Some("actuals"));
    assert_eq!(header_of(&table, Field::Note), Some((7, "note".into())));
    assert_eq!(table.rows[0].row, 2);
    assert_eq!(
        cells(&table.rows[0])[..3],
        ["poc", "2022", "25"],
        "whole numbers without .0"
    );
    assert_eq!(table.rows[3].cell(2).unwrap(), "12.5");
    assert_eq!(cells(&table.rows[1])[3..5], ["3", "4"]);
    let got = validate(&table);
    assert_eq!(got.len(), rows.len());
    for (a, r) in got.iter().zip(&rows) {
        assert_eq!(
            ExportRow::from_contribution(&a.contribution, a.note.clone(), a.source.clone()),
            *r
        );
    }
}

#[test]
fn workbook_sheet_choice_offsets_dates_and_numbers() {
    let mut book = Workbook::new();
    let memo = book.add_worksheet();
    memo.set_name("メモ").unwrap();
    memo.write_string(0, 0, "この表は集計用です").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("実績").unwrap();
    // The table starts at B3.
    for (c, h) in (1_u16..).zip(["指標ID", "年度", "実績", "備考"]) {
        sheet.write_string(2, c, h).unwrap();
    }
    sheet.write_string(3, 1, "volume").unwrap();
    sheet.write_number(3, 2, 2022.0).unwrap();
    sheet.write_number(3, 3, 0.1 + 0.2).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let when = ExcelDateTime::from_ymd(2023, 4, 1).unwrap();
    sheet
        .write_datetime_with_format(3, 4, &when, &date)
        .unwrap();
    sheet.write_string(5, 1, "volume").unwrap();
    sheet.write_string(5, 2, "R5").unwrap();
    sheet.write_number(5, 3, -0.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let table = read("book.xlsm", &bytes);
    assert_eq!(table.sheet.as_deref(), Some("実績"));
    let id = table.layout.column(Field::IndicatorId).unwrap();
    assert_eq!(
        (id.column, id.letter()),
        (2, "B".into()),
        "column letters are the sheet's"
    );
    assert_eq!(
        table.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        [4, 5, 6]
    );
    assert_eq!(
        cells(&table.rows[0]),
        ["", "volume", "2022", "0.3", "2023-04-01"]
    );
    assert_eq!(table.rows[2].cell(3).unwrap(), "0");
    let got = validate(&table);
    assert_eq!(got[0].row, 4);
    assert_eq!(got[0].note.as_deref(), Some("2023-04-01"));
    assert_eq!(got[1].row, 6);
}

#[test]
fn first_sheet_without_a_preferred_name() {
    let mut book = Workbook::new();
    let first = book.add_worksheet();
    first.write_string(0, 0, "indicator_id").unwrap();
    first.write_string(0, 1, "fiscal_year").unwrap();
    first.write_string(0, 2, "value").unwrap();
    book.add_worksheet().write_string(0, 0, "other").unwrap();
    let table = read("b.xlsx", &book.save_to_buffer().unwrap());
    assert_eq!(table.sheet.as_deref(), Some("Sheet1"));
    assert!(table.rows.is_empty());
}

// ---- writers ----

#[test]
fn csv_export_imports_back_unchanged() {
    let rows = export_rows();
    let bytes = write_actuals_csv(&rows);
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte order mark for Excel"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("indicator_id,fiscal_year,value,numerator,denominator,body,note,source")
    );
    assert_eq!(CSV_HEADERS.join(","), text.lines().next().unwrap());
    assert!(text.contains("\r\npoc,2022,25,,,mext,"), "{text}");
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"http://example.invalid\"\")\"\r\n"),
        "formulas are guarded: {text}"
    );

    let table = read("export.csv", &bytes);
    assert_eq!(table.rows.len(), rows.len());
    assert_eq!(
        table.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        [2, 4, 5, 6],
        "the note spans two lines"
    );
    assert_eq!(
        cells(&table.rows[1]),
        ["trials", "2022", "", "3", "4", "amed", "", ""]
    );
    assert_eq!(
        cells(&table.rows[3]),
        ["volume", "2023", "12.5", "", "", "amed", "", "AMED調べ"]
    );
    let got = validate(&table);
    for (a, r) in got.iter().zip(&rows) {
        assert_eq!(
            ExportRow::from_contribution(&a.contribution, a.note.clone(), a.source.clone()),
            *r
        );
    }
    // And once more: the re-export is byte for byte the same.
    let again: Vec<ExportRow> = got
        .iter()
        .map(|a| ExportRow::from_contribution(&a.contribution, a.note.clone(), a.source.clone()))
        .collect();
    assert_eq!(write_actuals_csv(&again), bytes);
}

#[test]
fn json_export() {
    let mut rows = export_rows();
    rows[1].recorded_by = Some("amed-user".into());
    rows[1].recorded_at = Some("2023-06-13T09:00:00Z".into());
    rows[1].revision = Some(42);
    let json = write_actuals_json(&rows);
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(
        list[1],
        serde_json::json!({
            "indicator_id": "trials", "fiscal_year": 2022, "value": null,
            "numerator": 3, "denominator": 4, "body": "amed", "note": null, "source": null,
            "recorded_by": "amed-user", "recorded_at": "2023-06-13T09:00:00Z", "revision": 42
        })
    );
    assert_eq!(list[0]["value"], "25");
    assert_eq!(list[3]["value"], "12.5");
    assert_eq!(
        list[0]["source"], "=HYPERLINK(\"http://example.invalid\")",
        "JSON needs no formula guard"
    );
}

#[test]
fn numbers_are_formatted_without_a_trailing_zero() {
    for (v, s) in [
        (25.0, "25"),
        (12.5, "12.5"),
        (-3.0, "-3"),
        (-0.0, "0"),
        (1234567.0, "1234567"),
        (0.1, "0.1"),
    ] {
        assert_eq!(format_number(v), s);
    }
}
