//! Hostile and oversized files: a workbook whose one far cell would size a 512 GiB grid, zip
//! bombs, and files past the row and cell limits. Every file is generated here; none is
//! committed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../src/testing.rs"]
mod testing;

use pdca_interchange::{InterchangeError, Limits, read_table, read_table_limited};
use rust_xlsxwriter::Workbook;
use testing::{generated_workbook as handmade_workbook, sparse_workbook};

#[test]
fn a_value_at_xfd1048576_is_refused_naming_sheet_and_cell() {
    let bytes = sparse_workbook(true);
    assert!(
        bytes.len() < 8 * 1024,
        "a small file: {} bytes",
        bytes.len()
    );
    // Before, this asked for a 1,048,576 × 16,384 grid and aborted the process.
    for limits in [Limits::UPLOAD, Limits::COMMAND_LINE] {
        let err = read_table_limited("sparse.xlsx", &bytes, &limits).unwrap_err();
        assert_eq!(
            err,
            InterchangeError::OutsideHeader {
                file: "sparse.xlsx".into(),
                sheet: "実績".into(),
                cell: "XFD1048576".into(),
                text: "x".into(),
                last_column: "C".into(),
            }
        );
        let text = err.to_string();
        assert!(
            text.starts_with("sparse.xlsx: シート「実績」のセル XFD1048576 に値「x」"),
            "{text}"
        );
        assert!(text.contains("見出しは C 列まで"), "{text}");
    }
}

#[test]
fn a_blank_formatted_cell_at_xfd1048576_is_ignored() {
    let table = read_table("sparse.xlsx", &sparse_workbook(false)).unwrap();
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].row, 2);
    assert_eq!(
        table.rows[0].cells().collect::<Vec<_>>(),
        ["poc", "2022", "3"]
    );
}

#[test]
fn a_value_in_the_last_row_counts_every_row_above_it() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in (0_u16..).zip(["indicator_id", "fiscal_year", "value"]) {
        sheet.write_string(0, c, h).unwrap();
    }
    sheet.write_string(1_048_575, 0, "poc").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let err = read_table_limited("far.xlsx", &bytes, &Limits::UPLOAD).unwrap_err();
    assert_eq!(
        err,
        InterchangeError::TooManyRows {
            file: "far.xlsx".into(),
            sheet: Some("Sheet1".into()),
            row: 1_048_576,
            limit: 100_000
        }
    );
    assert!(
        err.to_string().starts_with(
            "far.xlsx: シート「Sheet1」の1048576行目: 取り込める行数の上限（見出しの下 100,000 行）"
        ),
        "{err}"
    );
}

#[test]
fn a_zip_bomb_is_refused_naming_file_sheet_limit_and_what_to_do() {
    // About 40 MB of sheet XML (500,000 rows) deflated to well under 1 MB.
    let bytes = handmade_workbook(500_000, 1_000);
    assert!(bytes.len() < 2 * 1024 * 1024, "{} bytes", bytes.len());
    let err = read_table_limited("bomb.xlsx", &bytes, &Limits::UPLOAD).unwrap_err();
    assert_eq!(
        err,
        InterchangeError::Inflated {
            file: "bomb.xlsx".into(),
            sheet: Some("実績".into()),
            part: "xl/worksheets/sheet2.xml".into(),
            limit: 32 * 1024 * 1024,
        }
    );
    let text = err.to_string();
    assert!(
        text.starts_with("bomb.xlsx: シート「実績」は展開すると"),
        "{text}"
    );
    assert!(text.contains("上限（32 MB）"), "{text}");
    assert!(
        text.contains("行を分けて複数のブックに保存し直す"),
        "{text}"
    );
    assert!(text.contains("CSV"), "{text}");
}

#[test]
fn oversized_shared_strings_are_refused_before_calamine_loads_them() {
    let bytes = handmade_workbook(3, 2 * 1024 * 1024);
    let limits = Limits {
        max_inflated_bytes: 1024 * 1024,
        ..Limits::UPLOAD
    };
    let err = read_table_limited("strings.xlsx", &bytes, &limits).unwrap_err();
    assert_eq!(
        err,
        InterchangeError::Inflated {
            file: "strings.xlsx".into(),
            sheet: None,
            part: "xl/sharedStrings.xml".into(),
            limit: 1024 * 1024,
        }
    );
    assert!(
        err.to_string()
            .starts_with("strings.xlsx: ブックの中の部品「xl/sharedStrings.xml」は展開すると"),
        "{err}"
    );
    // Within the limit, the same kind of book reads.
    let table = read_table_limited("small.xlsx", &handmade_workbook(3, 1_000), &limits).unwrap();
    assert_eq!(table.sheet.as_deref(), Some("実績"));
    assert_eq!(table.rows.len(), 3);
}

#[test]
fn workbook_rows_past_the_limit_are_refused() {
    let limits = Limits {
        max_rows: 5,
        ..Limits::UPLOAD
    };
    let table = read_table_limited("five.xlsx", &handmade_workbook(5, 100), &limits).unwrap();
    assert_eq!(table.rows.len(), 5);
    let err = read_table_limited("six.xlsx", &handmade_workbook(6, 100), &limits).unwrap_err();
    assert_eq!(
        err,
        InterchangeError::TooManyRows {
            file: "six.xlsx".into(),
            sheet: Some("実績".into()),
            row: 7,
            limit: 5
        }
    );
    assert!(
        err.to_string()
            .contains("5 行以下ずつ複数のファイルに分けて"),
        "{err}"
    );
}

#[test]
fn cells_past_the_limit_are_refused() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in (0_u16..).zip(["indicator_id", "fiscal_year", "value"]) {
        sheet.write_string(0, c, h).unwrap();
    }
    // A reference column far to the right makes every row 100 cells wide.
    sheet.write_string(0, 99, "（参考）メモ").unwrap();
    for r in 1..=10 {
        sheet.write_string(r, 0, "poc").unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let limits = Limits {
        max_cells: 1_000,
        ..Limits::UPLOAD
    };
    let err = read_table_limited("wide.xlsx", &bytes, &limits).unwrap_err();
    assert_eq!(
        err,
        InterchangeError::TooManyCells {
            file: "wide.xlsx".into(),
            sheet: "Sheet1".into(),
            row: 11,
            columns: 100,
            limit: 1_000
        }
    );
    assert!(err.to_string().contains("上限（1,000）"), "{err}");
    let table = read_table("wide.xlsx", &bytes).unwrap();
    assert_eq!(table.rows.len(), 10);
    assert_eq!(table.rows[0].len(), 100);
}

#[test]
fn csv_rows_are_bounded_for_uploads_and_not_for_the_command_line() {
    let mut csv = String::from("indicator_id,fiscal_year,value\n");
    for _ in 0..100_001 {
        csv.push_str("poc,2022,1\n");
    }
    let err = read_table_limited("many.csv", csv.as_bytes(), &Limits::UPLOAD).unwrap_err();
    assert_eq!(
        err,
        InterchangeError::TooManyRows {
            file: "many.csv".into(),
            sheet: None,
            row: 100_002,
            limit: 100_000
        }
    );
    assert!(
        err.to_string()
            .starts_with("many.csv: 100002行目: 取り込める行数の上限（見出しの下 100,000 行）"),
        "{err}"
    );
    assert_eq!(
        read_table("many.csv", csv.as_bytes()).unwrap().rows.len(),
        100_001
    );
}

#[test]
fn xls_and_ods_are_refused_with_what_to_do() {
    for name in ["old.xls", "calc.ODS"] {
        let err = read_table(name, b"\xD0\xCF\x11\xE0 anything").unwrap_err();
        assert_eq!(err, InterchangeError::RefusedFormat { file: name.into() });
        let text = err.to_string();
        assert!(text.starts_with(&format!("{name}: ")), "{text}");
        assert!(
            text.contains("Excel ブック (*.xlsx)") && text.contains("CSV"),
            "{text}"
        );
    }
    let text = read_table("a.pdf", b"").unwrap_err().to_string();
    assert!(!text.contains(".xls,") && !text.contains(".ods"), "{text}");
}

#[test]
fn a_compound_file_named_xlsx_is_refused_clearly() {
    let err = read_table("protected.xlsx", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest").unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("protected.xlsx: "), "{text}");
    assert!(text.contains("パスワード"), "{text}");
}
