//! A collection workbook for a body round-trips: generated, filled in programmatically (the
//! cells a person would type into), read back and validated by the same import as any XLSX.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Read, Write};

use pdca_core::FiscalYear;
use pdca_core::actuals::{ActualValue, Actuals, Contribution};
use pdca_core::builtin::builtin_plan;
use pdca_core::import::validate_rows;
use pdca_core::plan::{Measure, Plan};
use pdca_interchange::{TEMPLATE_SHEET, Template, read_table, write_template};

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// Approved values of AMED for FY2020–FY2022.
fn previous(plan: &Plan) -> Actuals {
    let mut actuals = Actuals::new();
    for (n, (_, i)) in plan.indicators().enumerate() {
        for year in 2020..=2022 {
            let value = match i.measure {
                Measure::Ratio => ActualValue::Ratio {
                    numerator: 3.0,
                    denominator: 4.0,
                },
                Measure::Qualitative => ActualValue::Narrative(format!("{year}年度の状況")),
                _ => ActualValue::Number(f64::from((n as i32 + year) % 5)),
            };
            actuals.insert(&Contribution {
                indicator: i.id.clone(),
                year: fy(year),
                body: "amed".to_owned(),
                value,
            });
        }
    }
    actuals
}

/// The XML of the 実績 sheet (the second sheet) inside the workbook.
const SHEET: &str = "xl/worksheets/sheet2.xml";

/// Puts `value` into the empty cell `cell` (such as `I2`) of the 実績 sheet, as a person would
/// type it: a number, or a text.
fn fill(sheet: &mut String, cell: &str, value: &str) {
    let start = sheet
        .find(&format!("<c r=\"{cell}\""))
        .unwrap_or_else(|| panic!("no cell {cell}"));
    let end = start + sheet[start..].find("/>").unwrap() + 2;
    let open = &sheet[start..end - 2];
    let filled = if value.parse::<f64>().is_ok() {
        format!("{open}><v>{value}</v></c>")
    } else {
        format!("{open} t=\"inlineStr\"><is><t>{value}</t></is></c>")
    };
    sheet.replace_range(start..end, &filled);
}

/// Rewrites the workbook with the 実績 sheet changed by `edit`.
fn edited(bytes: &[u8], edit: impl FnOnce(&mut String)) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut edit = Some(edit);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        if name == SHEET {
            let mut xml = String::from_utf8(content).unwrap();
            (edit.take().unwrap())(&mut xml);
            content = xml.into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The letter of the 0-based column `c`.
fn letter(c: usize) -> String {
    pdca_core::import::column_letter(c + 1)
}

#[test]
fn a_filled_workbook_imports_back_exactly() {
    let plan = builtin_plan().unwrap();
    let template =
        Template::build(&plan, "amed", fy(2023), &previous(&plan), &Actuals::new()).unwrap();
    assert_eq!(
        template.rows.len(),
        plan.indicators().count(),
        "every indicator is AMED's"
    );
    assert_eq!(template.previous_years.len(), 3);
    let bytes = write_template(&template).unwrap();

    // Value, numerator, denominator follow the hidden ids, the name, the target and three years.
    let value = 5 + template.previous_years.len();
    let mut expected = Vec::new();
    let filled = edited(&bytes, |xml| {
        for (k, row) in template.rows.iter().enumerate() {
            let r = k + 2;
            match row.measure {
                Measure::Ratio => {
                    fill(xml, &format!("{}{r}", letter(value + 1)), "7");
                    fill(xml, &format!("{}{r}", letter(value + 2)), "9");
                    expected.push((
                        row.indicator_id.clone(),
                        ActualValue::Ratio {
                            numerator: 7.0,
                            denominator: 9.0,
                        },
                    ));
                }
                Measure::Qualitative => {
                    fill(xml, &format!("{}{r}", letter(value)), "体制を整備した");
                    expected.push((
                        row.indicator_id.clone(),
                        ActualValue::Narrative("体制を整備した".to_owned()),
                    ));
                }
                _ => {
                    // Sub-targets (うち…) may not exceed their parent: they report 0.
                    let sub = plan
                        .indicator(&row.indicator_id)
                        .and_then(|i| i.parent.as_ref());
                    let n = if sub.is_some() {
                        0.0
                    } else {
                        (1 + k % 4) as f64
                    };
                    fill(xml, &format!("{}{r}", letter(value)), &n.to_string());
                    expected.push((row.indicator_id.clone(), ActualValue::Number(n)));
                }
            }
        }
    });

    let table = read_table("amed-2023.xlsx", &filled).unwrap();
    assert_eq!(table.sheet.as_deref(), Some(TEMPLATE_SHEET));
    let imported = validate_rows(&plan, &table.layout, &table.rows, &Actuals::new())
        .unwrap_or_else(|errors| panic!("{errors:#?}"));
    let got: Vec<(String, ActualValue)> = imported
        .iter()
        .map(|a| {
            assert_eq!(a.contribution.year, fy(2023));
            assert_eq!(a.contribution.body, "amed");
            (
                a.contribution.indicator.clone(),
                a.contribution.value.clone(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn an_unfilled_or_wrong_cell_is_named_by_row_and_column_and_nothing_imports() {
    let plan = builtin_plan().unwrap();
    let template =
        Template::build(&plan, "amed", fy(2023), &previous(&plan), &Actuals::new()).unwrap();
    let bytes = write_template(&template).unwrap();
    let value = 5 + template.previous_years.len();
    let first_count = template
        .rows
        .iter()
        .position(|r| r.measure == Measure::Count)
        .unwrap();
    let filled = edited(&bytes, |xml| {
        fill(xml, &format!("{}{}", letter(value), first_count + 2), "十");
    });
    let table = read_table("amed-2023.xlsx", &filled).unwrap();
    let errors = validate_rows(&plan, &table.layout, &table.rows, &Actuals::new()).unwrap_err();
    let bad = errors
        .iter()
        .find(|e| e.row == first_count + 2 && e.text == "十")
        .expect("the wrong cell is reported");
    assert_eq!(bad.cell.as_ref().map(|c| c.letter()), Some(letter(value)));
    assert_eq!(bad.cell.as_ref().map(|c| c.header.as_str()), Some("実績"));
}

#[test]
fn the_workbook_shows_previous_years_and_hides_the_identifiers() {
    let plan = builtin_plan().unwrap();
    let template =
        Template::build(&plan, "amed", fy(2023), &previous(&plan), &Actuals::new()).unwrap();
    let bytes = write_template(&template).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut xml = String::new();
    archive
        .by_name(SHEET)
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("<sheetProtection"), "the sheet is protected");
    assert!(
        xml.contains("hidden=\"1\""),
        "the identifier columns are hidden"
    );
    assert!(
        xml.contains("<dataValidations"),
        "input cells carry data validation"
    );
    let book = read_table("t.xlsx", &bytes).unwrap();
    // The first data row: the previous years' values are there for reference.
    assert!(book.rows.len() == template.rows.len());
    assert_eq!(template.rows[0].previous.len(), 3);
    assert!(
        template
            .rows
            .iter()
            .all(|r| r.previous.iter().all(|p| !p.is_empty()))
    );
    // A body without assignments gets no rows; an unknown body no workbook.
    assert!(
        Template::build(&plan, "nowhere", fy(2023), &Actuals::new(), &Actuals::new()).is_none()
    );
}
