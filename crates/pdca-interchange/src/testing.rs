//! Hostile workbooks for tests, generated in memory (nothing large is committed): a sheet with
//! one value at its last cell, XFD1048576, and a small archive whose sheet inflates to tens of
//! megabytes. Enabled by the `testing` feature; the crate's own tests include this file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};
use zip::write::{SimpleFileOptions, ZipWriter};

/// A sheet 実績 with the header `indicator_id, fiscal_year, value`, one data row, and at its
/// last cell, XFD1048576, the value "x" (`far_value`) or a formatted blank: about 6 KB.
pub fn sparse_workbook(far_value: bool) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("実績").unwrap();
    for (c, h) in (0_u16..).zip(["indicator_id", "fiscal_year", "value"]) {
        sheet.write_string(0, c, h).unwrap();
    }
    sheet.write_string(1, 0, "poc").unwrap();
    sheet.write_number(1, 1, 2022.0).unwrap();
    sheet.write_number(1, 2, 3.0).unwrap();
    if far_value {
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
    } else {
        let bold = Format::new().set_bold();
        sheet.write_blank(1_048_575, 16_383, &bold).unwrap();
    }
    book.save_to_buffer().unwrap()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="メモ" sheetId="1" r:id="rId1"/><sheet name="実績" sheetId="2" r:id="rId2"/></sheets></workbook>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;

const SHEET_END: &str = "</sheetData></worksheet>";

/// A row of inline-string cells.
fn row_xml(row: usize, cells: &[&str]) -> String {
    let mut xml = format!(r#"<row r="{row}">"#);
    for (i, text) in cells.iter().enumerate() {
        let column = char::from(b'A' + u8::try_from(i).unwrap());
        xml.push_str(&format!(
            r#"<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>"#
        ));
    }
    xml.push_str("</row>");
    xml
}

/// A workbook of two sheets, メモ (one cell) and 実績 (a header and `rows` data rows of 83
/// bytes of XML each), its parts deflated, and about `shared_strings` bytes of shared strings.
/// 500,000 rows make a 40 MB sheet in a file of under 1 MB.
pub fn generated_workbook(rows: usize, shared_strings: usize) -> Vec<u8> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, deflated).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/sharedStrings.xml", deflated).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)
        .unwrap();
    let item = b"<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>";
    for _ in 0..shared_strings / item.len() {
        zip.write_all(item).unwrap();
    }
    zip.write_all(b"</sst>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", deflated)
        .unwrap();
    zip.write_all(SHEET_START.as_bytes()).unwrap();
    zip.write_all(row_xml(1, &["この表は集計用です"]).as_bytes())
        .unwrap();
    zip.write_all(SHEET_END.as_bytes()).unwrap();
    zip.start_file("xl/worksheets/sheet2.xml", deflated)
        .unwrap();
    zip.write_all(SHEET_START.as_bytes()).unwrap();
    zip.write_all(row_xml(1, &["indicator_id", "fiscal_year", "value"]).as_bytes())
        .unwrap();
    // Rows and cells without positions follow the one before, as the format allows: the
    // repeated text deflates to almost nothing.
    let row =
        r#"<row><c t="inlineStr"><is><t>poc</t></is></c><c><v>2022</v></c><c><v>1</v></c></row>"#;
    for _ in 0..rows {
        zip.write_all(row.as_bytes()).unwrap();
    }
    zip.write_all(SHEET_END.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// A Word document (.docx) whose body is one paragraph per entry of `paragraphs` (each a single
/// run; `&`, `<` and `>` escaped), as Word saves the text of a plan's annex.
// Used by other crates' tests (pdca-web); this crate's tests include this file without it.
#[allow(dead_code)]
pub fn docx_of(paragraphs: &[&str]) -> Vec<u8> {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body: String = paragraphs
        .iter()
        .map(|p| {
            format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                escape(p)
            )
        })
        .collect();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}
