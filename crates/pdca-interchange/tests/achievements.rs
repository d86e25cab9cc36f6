//! Reading achievements files (`read_achievements`): the header left as written, the rows with
//! their physical numbers, in every encoding and workbook format an actuals file may have, and
//! within the same limits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use encoding_rs::{SHIFT_JIS, UTF_16LE};
use pdca_core::import::RawRow;
use pdca_interchange::{InterchangeError, Limits, RawTable, read_achievements};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const ENGLISH: &str = "indicator_id,fiscal_year,body,project_code,title,institution,date,tags,public,notable,url,note";
const JAPANESE: &str =
    "指標ID,年度,報告機関,課題番号,成果名,実施機関,日付,区分,公開,顕著な成果,URL,備考";

fn read(name: &str, bytes: &[u8]) -> RawTable {
    read_achievements(name, bytes, &Limits::COMMAND_LINE).unwrap_or_else(|e| panic!("{e}"))
}

fn cells(row: &RawRow) -> Vec<&str> {
    row.cells().collect()
}

fn split(line: &str) -> Vec<String> {
    line.split(',').map(str::to_owned).collect()
}

#[test]
fn reads_utf8_csv_with_english_headers_as_written() {
    let text = format!(
        "\u{feff}{ENGLISH}\r\np1-out-01,2022,amed,JP22ab0001,\"新規抗体, 非臨床POC\",東京大学,2022-10-01,遺伝子治療,公開,○,https://example.jp/a,\r\n"
    );
    let table = read("成果.csv", text.as_bytes());
    assert_eq!(table.headers, split(ENGLISH));
    assert_eq!(table.header_row, 1);
    assert_eq!(table.sheet, None);
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].row, 2);
    assert_eq!(table.rows[0].cell(4), Some("新規抗体, 非臨床POC"));
    assert_eq!(table.rows[0].cell(9), Some("○"));
}

#[test]
fn reads_shift_jis_csv_with_japanese_headers_below_blank_lines() {
    let text = format!(
        "\r\n,,\r\n{JAPANESE}\r\np1-out-01,令和4年度,文部科学省,ＪＰ２２ａｂ０００２,①号抗体の導出,大阪大学,令和4年10月1日,,非公開,,,備考です\r\n , ,\r\np1-out-01,R4,amed,,別件,,,,,,,\r\n"
    );
    let (bytes, _, unmappable) = SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    let table = read("seika.CSV", &bytes);
    assert_eq!(table.headers, split(JAPANESE));
    assert_eq!(table.header_row, 3, "the first non-blank row is the header");
    assert_eq!(
        table.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        [4, 5, 6],
        "physical rows, a row of blank cells kept"
    );
    assert_eq!(
        cells(&table.rows[0]),
        [
            "p1-out-01",
            "令和4年度",
            "文部科学省",
            "ＪＰ２２ａｂ０００２",
            "①号抗体の導出",
            "大阪大学",
            "令和4年10月1日",
            "",
            "非公開",
            "",
            "",
            "備考です"
        ]
    );
    assert!(table.rows[1].is_blank());
}

#[test]
fn reads_utf16_unicode_text_with_tabs() {
    let text = format!(
        "{}\r\np1-out-01\t2022\tamed\t\t成果A\t\t\t\t\t\t\t\r\n",
        JAPANESE.replace(',', "\t")
    );
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    // encoding_rs only checks that the test's bytes decode the same way.
    assert_eq!(UTF_16LE.decode(&bytes).0, text);
    let table = read("seika.txt", &bytes);
    assert_eq!(table.headers, split(JAPANESE));
    assert_eq!(table.rows[0].cell(4), Some("成果A"));
}

#[test]
fn a_value_right_of_the_header_is_refused_with_its_row() {
    let text = format!("{ENGLISH}\np1-out-01,2022,amed,,t,,,,,,,,extra\n");
    let err = read_achievements("a.csv", text.as_bytes(), &Limits::COMMAND_LINE).unwrap_err();
    assert!(
        matches!(&err, InterchangeError::Csv { row: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("a.csv: 2行目: M列"), "{err}");
}

fn achievements_book(sheet_name: &str) -> Vec<u8> {
    let mut book = Workbook::new();
    let memo = book.add_worksheet();
    memo.set_name("説明").unwrap();
    memo.write_string(0, 0, "この様式に成果を記入してください")
        .unwrap();
    let actuals = book.add_worksheet();
    actuals.set_name("実績").unwrap();
    actuals.write_string(0, 0, "indicator_id").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).unwrap();
    // The table starts at B3.
    for (c, h) in (1_u16..).zip(JAPANESE.split(',')) {
        sheet.write_string(2, c, h).unwrap();
    }
    sheet.write_string(3, 1, "p1-out-01").unwrap();
    sheet.write_number(3, 2, 2022.0).unwrap();
    sheet.write_string(3, 3, "amed").unwrap();
    sheet.write_number(3, 4, 12345.0).unwrap();
    sheet.write_string(3, 5, "成果A").unwrap();
    let date = Format::new().set_num_format("yyyy/mm/dd");
    let when = ExcelDateTime::from_ymd(2022, 10, 1).unwrap();
    sheet
        .write_datetime_with_format(3, 7, &when, &date)
        .unwrap();
    sheet.write_boolean(3, 9, true).unwrap();
    sheet.write_string(5, 1, "p1-out-01").unwrap();
    sheet.write_string(5, 5, "成果B").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_workbook_is_read_from_its_achievements_sheet_among_others() {
    let table = read("成果.xlsx", &achievements_book("成果一覧"));
    assert_eq!(table.sheet.as_deref(), Some("成果一覧"));
    assert_eq!(table.header_row, 3, "the first non-blank row");
    let mut expected = vec![String::new()];
    expected.extend(split(JAPANESE));
    assert_eq!(table.headers, expected, "headers from column A");
    assert_eq!(
        table.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        [4, 5, 6]
    );
    assert_eq!(
        cells(&table.rows[0])[..11],
        [
            "",
            "p1-out-01",
            "2022",
            "amed",
            "12345",
            "成果A",
            "",
            "2022-10-01",
            "",
            "TRUE",
            ""
        ]
    );
    assert!(table.rows[1].is_blank());
}

#[test]
fn the_english_sheet_name_is_found_whatever_its_case_and_spaces() {
    let table = read("a.xlsm", &achievements_book(" Achievements "));
    assert_eq!(table.sheet.as_deref(), Some(" Achievements "));
}

#[test]
fn without_an_achievements_sheet_the_first_is_read() {
    let table = read("a.xlsx", &achievements_book("Sheet9"));
    assert_eq!(table.sheet.as_deref(), Some("説明"));
    assert_eq!(table.headers, ["この様式に成果を記入してください"]);
    assert!(table.rows.is_empty());
}

#[test]
fn limits_apply_as_for_actuals() {
    let tight = Limits {
        max_inflated_bytes: 32 * 1024 * 1024,
        max_rows: 2,
        max_cells: 30,
    };
    let mut text = format!("{ENGLISH}\n");
    for i in 0..3 {
        text.push_str(&format!("p1-out-01,2022,amed,,成果{i},,,,,,,\n"));
    }
    let err = read_achievements("many.csv", text.as_bytes(), &tight).unwrap_err();
    assert!(
        matches!(
            &err,
            InterchangeError::TooManyRows {
                row: 4,
                limit: 2,
                ..
            }
        ),
        "{err:?}"
    );

    // Rows of a sheet are its physical rows below the header, blank ones included: row 6 is
    // the third.
    let err = read_achievements("a.xlsx", &achievements_book("成果一覧"), &tight).unwrap_err();
    assert!(
        matches!(
            &err,
            InterchangeError::TooManyRows {
                row: 6,
                limit: 2,
                ..
            }
        ),
        "{err:?}"
    );
    // A workbook keeps the header's width (A to M: 13) a row: 13 + 13 + 13 > 30 at row 6.
    let narrow = Limits {
        max_rows: 100,
        ..tight
    };
    let err = read_achievements("a.xlsx", &achievements_book("成果一覧"), &narrow).unwrap_err();
    assert!(
        matches!(
            &err,
            InterchangeError::TooManyCells {
                row: 6,
                columns: 13,
                ..
            }
        ),
        "{err:?}"
    );
    let tiny = Limits {
        max_inflated_bytes: 1024,
        ..Limits::COMMAND_LINE
    };
    let err = read_achievements("a.xlsx", &achievements_book("成果一覧"), &tiny).unwrap_err();
    assert!(matches!(&err, InterchangeError::Inflated { .. }), "{err:?}");
}

#[test]
fn refused_and_unknown_formats_and_empty_files() {
    for name in ["a.xls", "a.ods"] {
        let err = read_achievements(name, b"anything", &Limits::COMMAND_LINE).unwrap_err();
        assert!(
            matches!(&err, InterchangeError::RefusedFormat { .. }),
            "{err:?}"
        );
    }
    let err = read_achievements("a.pdf", b"%PDF", &Limits::COMMAND_LINE).unwrap_err();
    assert!(
        matches!(&err, InterchangeError::UnknownFormat { .. }),
        "{err:?}"
    );
    let err = read_achievements("a.csv", b"\r\n , \r\n", &Limits::COMMAND_LINE).unwrap_err();
    assert!(matches!(&err, InterchangeError::Empty { .. }), "{err:?}");
    let err = read_achievements("a.xlsx", b"PK\x03\x04 broken", &Limits::COMMAND_LINE).unwrap_err();
    assert!(matches!(&err, InterchangeError::Workbook { .. }), "{err:?}");
}
