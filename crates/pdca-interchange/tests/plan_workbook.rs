//! The plan workbook: export then import gives the same plan; a bad cell in each column is named
//! by sheet, row and column; a missing sheet, a file that is not a workbook and a zip bomb are
//! refused without a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../src/testing.rs"]
mod testing;

use calamine::{Data, Reader, Xlsx};
use pdca_core::builtin::builtin_plan;
use pdca_core::plan::Plan;
use pdca_core::plan_file::{parse_plan, render_plan};
use pdca_interchange::plan_workbook::{
    PlanWorkbookErrors, export_plan_workbook, import_plan_workbook, import_plan_workbook_limited,
};
use pdca_interchange::{InterchangeError, Limits};
use rust_xlsxwriter::Workbook;

/// Every sheet of a workbook as rows of cells (text, or numbers as Excel keeps them).
type Book = Vec<(String, Vec<Vec<Data>>)>;

fn read_back(bytes: &[u8]) -> Book {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

/// A workbook holding `book`'s cells, with `edit` applied to them first.
fn rewrite(book: &Book, edit: impl Fn(&str, usize, usize, &Data) -> Option<Data>) -> Vec<u8> {
    let mut out = Workbook::new();
    for (name, rows) in book {
        let sheet = out.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let cell = edit(name, r, c, cell).unwrap_or_else(|| cell.clone());
                let (r32, c16) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
                match cell {
                    Data::String(s) => {
                        sheet.write_string(r32, c16, s).unwrap();
                    }
                    Data::Float(f) => {
                        sheet.write_number(r32, c16, f).unwrap();
                    }
                    Data::Int(i) => {
                        sheet.write_number(r32, c16, i as f64).unwrap();
                    }
                    Data::Empty => {}
                    other => panic!("unexpected cell {other:?}"),
                }
            }
        }
    }
    out.save_to_buffer().unwrap()
}

fn column(book: &Book, sheet: &str, header: &str) -> usize {
    let rows = &book.iter().find(|(n, _)| n == sheet).unwrap().1;
    rows[0]
        .iter()
        .position(|c| c == &Data::String(header.to_owned()))
        .unwrap_or_else(|| panic!("no column {header}"))
}

fn example_plans() -> Vec<(String, Plan)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../pdca-core/tests/plans");
    let mut plans = vec![("built-in".to_owned(), builtin_plan().unwrap())];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let plan = parse_plan("x.toml", &text).unwrap();
            plans.push((path.display().to_string(), plan));
        }
    }
    assert!(plans.len() > 10);
    plans
}

fn errors_of(result: Result<impl std::fmt::Debug, PlanWorkbookErrors>) -> Vec<String> {
    result.unwrap_err().messages()
}

#[test]
fn every_example_plan_round_trips_through_a_workbook() {
    for (name, plan) in example_plans() {
        let bytes = export_plan_workbook(&plan).unwrap();
        let imported =
            import_plan_workbook("plan.xlsx", &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(imported.plan, plan, "{name}");
        assert_eq!(imported.toml, render_plan(&plan), "{name}");
    }
}

#[test]
fn awkward_texts_and_numbers_round_trip() {
    let mut plan = builtin_plan().unwrap();
    plan.revision_note = Some(" 先頭の空白\n二行目\r\n\tタブ \"引用\" \\ ".to_owned());
    plan.on_track_threshold = 0.1 + 0.2;
    let first = &mut plan.projects[0].indicators[0];
    first.note = Some("注記\n二行目".to_owned());
    first.id = "1".to_owned();
    plan.projects[0].indicators[1].parent = None;
    let bytes = export_plan_workbook(&plan).unwrap();
    let imported = import_plan_workbook("plan.xlsx", &bytes).unwrap();
    assert_eq!(imported.plan, plan);
}

#[test]
fn the_workbook_has_japanese_sheets_headers_and_readable_targets() {
    let bytes = export_plan_workbook(&builtin_plan().unwrap()).unwrap();
    let book = read_back(&bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["計画", "報告機関", "用語", "指標"]);
    let indicators = &book[3].1;
    assert_eq!(indicators[0][0], Data::String("指標ID".into()));
    let text = column(&book, "指標", "目標（文章）");
    let kind = column(&book, "指標", "区分");
    let measure = column(&book, "指標", "測定方法");
    assert_eq!(indicators[1][kind], Data::String("アウトプット".into()));
    assert_eq!(indicators[1][measure], Data::String("件数".into()));
    assert!(matches!(&indicators[1][text], Data::String(s) if s.ends_with('件')));
    let header = &book[0].1;
    assert_eq!(header[1][0], Data::String("計画ID".into()));
    assert_eq!(header[1][1], Data::String("medical-rd-2".into()));
    // The drop-down lists are in the sheet's XML.
    let xml = sheet_xml(&bytes, "xl/worksheets/sheet4.xml");
    assert!(xml.contains("<dataValidation type=\"list\""), "{xml}");
    assert!(xml.contains("\"アウトプット,アウトカム\""), "{xml}");
    assert!(xml.contains("\"件数,割合,水準,達成時期,定性\""), "{xml}");
    assert!(xml.contains("state=\"frozen\""), "{xml}");
}

fn sheet_xml(bytes: &[u8], part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(part)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The built-in plan's workbook with the cell of `header` in the first indicator row of the
/// sheet 指標 (Excel row 2) replaced by `value`; the errors of importing it.
fn import_with_indicator_cell(header: &str, value: Data) -> Vec<String> {
    let plan = builtin_plan().unwrap();
    let book = read_back(&export_plan_workbook(&plan).unwrap());
    let col = column(&book, "指標", header);
    let bytes = rewrite(&book, |sheet, r, c, _| {
        (sheet == "指標" && r == 1 && c == col).then(|| value.clone())
    });
    errors_of(import_plan_workbook("plan.xlsx", &bytes))
}

#[test]
fn a_bad_cell_in_each_fixed_column_is_named_by_sheet_row_and_column() {
    let text = |s: &str| Data::String(s.to_owned());
    let cases = [
        (
            "目標値",
            text("25件"),
            "plan.xlsx: 指標 2行 目標値: 数値が必要です（「25件」と書かれています）",
        ),
        (
            "区分",
            text("アウトプト"),
            "plan.xlsx: 指標 2行 区分: 「アウトプト」は使えません（アウトプット、アウトカム のどれかを選んでください）",
        ),
        (
            "測定方法",
            text("件"),
            "plan.xlsx: 指標 2行 測定方法: 「件」は使えません",
        ),
        (
            "比較",
            text("超"),
            "plan.xlsx: 指標 2行 比較: 「超」は使えません",
        ),
        (
            "集計",
            text("月"),
            "plan.xlsx: 指標 2行 集計: 「月」は使えません",
        ),
        (
            "管理指標",
            text("はい"),
            "plan.xlsx: 指標 2行 管理指標: その他管理指標なら「○」",
        ),
        (
            "期限年度",
            text("令和8年度"),
            "plan.xlsx: 指標 2行 期限年度: 整数が必要です",
        ),
        (
            "年次の期待値",
            text("5, 五"),
            "plan.xlsx: 指標 2行 年次の期待値: 「五」は数値ではありません",
        ),
        (
            "報告機関と分担",
            text("amed:多め"),
            "plan.xlsx: 指標 2行 報告機関と分担: 「amed:多め」の分担が数値ではありません",
        ),
        (
            "指標ID",
            Data::Empty,
            "plan.xlsx: 指標 2行 指標ID: 指標IDが必要です",
        ),
    ];
    for (header, value, expected) in cases {
        let errors = import_with_indicator_cell(header, value);
        assert_eq!(errors.len(), 1, "{header}: {errors:?}");
        assert!(errors[0].starts_with(expected), "{header}: {}", errors[0]);
    }
}

#[test]
fn plan_rule_errors_are_mapped_back_to_their_cell() {
    // A cell that cannot be read stops the import before the plan's rules are checked.
    let plan = builtin_plan().unwrap();
    let book = read_back(&export_plan_workbook(&plan).unwrap());
    let value = column(&book, "指標", "目標値");
    let parent = column(&book, "指標", "親指標ID");
    let bodies = column(&book, "指標", "報告機関と分担");
    let bytes = rewrite(&book, |sheet, r, c, _| match (sheet, r) {
        ("指標", 4) if c == value => Some(Data::Float(120.0)),
        ("計画", 3) if c == 1 => Some(Data::Float(1900.5)),
        _ => None,
    });
    let errors = errors_of(import_plan_workbook("plan.xlsx", &bytes));
    assert_eq!(
        errors,
        [
            "plan.xlsx: 計画 4行 開始年度: 整数が必要です（年度は西暦4桁、例: 2020。「1900.5」と書かれています）"
        ]
    );
    let bytes = rewrite(&book, |sheet, r, c, _| match (sheet, r) {
        ("指標", 4) if c == value => Some(Data::Float(120.0)),
        ("指標", 3) if c == parent => Some(Data::String("nowhere".into())),
        ("指標", 2) if c == bodies => Some(Data::String("mof".into())),
        _ => None,
    });
    // A ratio above 100 %, a parent that does not exist, an unknown body: found by the plan
    // file's validation, reported where the workbook holds them.
    let errors = errors_of(import_plan_workbook("plan.xlsx", &bytes));
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("plan.xlsx: 指標 5行 目標値: ratio の目標の value は 0〜100")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("plan.xlsx: 指標 4行 親指標ID: 親指標「nowhere」がありません")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e
            == "plan.xlsx: 指標 3行 報告機関と分担: 報告機関「mof」は [[bodies]] にありません"),
        "{errors:?}"
    );
}

#[test]
fn a_missing_sheet_and_a_wrong_header_are_named() {
    let book = read_back(&export_plan_workbook(&builtin_plan().unwrap()).unwrap());
    let without: Book = book
        .iter()
        .filter(|(n, _)| n != "報告機関")
        .cloned()
        .collect();
    let errors = errors_of(import_plan_workbook(
        "plan.xlsx",
        &rewrite(&without, |_, _, _, _| None),
    ));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("plan.xlsx: 報告機関: シート「報告機関」がありません"),
        "{errors:?}"
    );

    let bytes = rewrite(&book, |sheet, r, c, _| {
        (sheet == "指標" && r == 0 && c == 10).then(|| Data::String("色".into()))
    });
    let errors = errors_of(import_plan_workbook("plan.xlsx", &bytes));
    assert!(
        errors[0].starts_with("plan.xlsx: 指標 1行: K列の見出し「色」は使えません"),
        "{errors:?}"
    );
}

#[test]
fn hostile_files_are_refused_without_panic() {
    let not_zip = import_plan_workbook("plan.xlsx", b"this is not a workbook").unwrap_err();
    assert!(matches!(
        not_zip,
        PlanWorkbookErrors::Unreadable(InterchangeError::Workbook { .. })
    ));
    assert!(not_zip.to_string().starts_with("plan.xlsx: "), "{not_zip}");

    // A sheet that inflates to about 40 MB from a file of under 1 MB.
    let bomb = testing::generated_workbook(500_000, 0);
    let refused = import_plan_workbook("bomb.xlsx", &bomb).unwrap_err();
    assert!(
        matches!(
            refused,
            PlanWorkbookErrors::Unreadable(InterchangeError::Inflated { .. })
        ),
        "{refused}"
    );

    // A value at XFD1048576 is outside every heading, and sizes nothing.
    let sparse = testing::sparse_workbook(true);
    let errors = errors_of(import_plan_workbook("sparse.xlsx", &sparse));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("シート「計画」がありません")),
        "{errors:?}"
    );

    // Past the cell limit.
    let plan = builtin_plan().unwrap();
    let bytes = export_plan_workbook(&plan).unwrap();
    let small = Limits {
        max_cells: 50,
        ..Limits::UPLOAD
    };
    let refused = import_plan_workbook_limited("plan.xlsx", &bytes, &small).unwrap_err();
    assert!(
        matches!(
            refused,
            PlanWorkbookErrors::Unreadable(InterchangeError::TooManyCells { .. })
        ),
        "{refused}"
    );
}

#[test]
fn a_value_outside_the_headings_is_named_by_its_cell() {
    let book = read_back(&export_plan_workbook(&builtin_plan().unwrap()).unwrap());
    let mut bytes_book = book.clone();
    let sheet = bytes_book.iter_mut().find(|(n, _)| n == "指標").unwrap();
    sheet.1[2].resize(30, Data::Empty);
    sheet.1[2][29] = Data::String("メモ".into());
    let errors = errors_of(import_plan_workbook(
        "plan.xlsx",
        &rewrite(&bytes_book, |_, _, _, _| None),
    ));
    assert_eq!(
        errors,
        [
            "plan.xlsx: 指標 3行: セル AD3 に値「メモ」がありますが、見出しのない列です。表の外の値を削除するか、その列に見出しを付けてください"
        ]
    );
}

#[test]
fn a_project_without_indicators_and_rows_out_of_project_order_import() {
    let mut plan = builtin_plan().unwrap();
    plan.projects.push(pdca_core::plan::Project {
        id: "p9".into(),
        name: "指標のないプロジェクト".into(),
        indicators: vec![],
    });
    let bytes = export_plan_workbook(&plan).unwrap();
    assert_eq!(
        import_plan_workbook("plan.xlsx", &bytes).unwrap().plan,
        plan
    );

    // The last row of p1 moved to the end of the sheet still belongs to p1, in sheet order.
    let book = read_back(&bytes);
    let rows = &book.iter().find(|(n, _)| n == "指標").unwrap().1;
    let p1_last = rows
        .iter()
        .rposition(|r| r[1] == Data::String("p1".into()))
        .unwrap();
    let mut moved = book.clone();
    let sheet = &mut moved.iter_mut().find(|(n, _)| n == "指標").unwrap().1;
    let row = sheet.remove(p1_last);
    sheet.push(row);
    let imported = import_plan_workbook("plan.xlsx", &rewrite(&moved, |_, _, _, _| None)).unwrap();
    assert_eq!(imported.plan, plan);
}

#[test]
fn header_items_are_checked_by_name() {
    let book = read_back(&export_plan_workbook(&builtin_plan().unwrap()).unwrap());
    let bytes = rewrite(&book, |sheet, r, c, _| match (sheet, r, c) {
        ("計画", 2, 0) => Some(Data::String("計画ID".into())),
        ("計画", 5, 0) => Some(Data::String("版数".into())),
        _ => None,
    });
    let errors = errors_of(import_plan_workbook("plan.xlsx", &bytes));
    assert_eq!(
        errors,
        [
            "plan.xlsx: 計画 3行 計画ID: 項目「計画ID」が2行にもあります",
            "plan.xlsx: 計画 6行 項目: 項目「版数」は使えません（使える項目: 計画ID、計画名、開始年度、終了年度、版、適用開始年度、決定日、変更内容、評価の閾値、委員会、既定の報告機関）",
            "plan.xlsx: 計画 計画名: 項目「計画名」の行がありません（項目の列に「計画名」、値の列にその値を書いてください）",
        ]
    );
}
