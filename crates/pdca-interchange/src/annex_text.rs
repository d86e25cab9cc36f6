//! The text of a plan's KPI annex from the file a person has: plain text (UTF-8, or Shift_JIS or
//! UTF-16 as Windows saves it) or a Word document (.docx), for `pdca_core::plan_draft`.
//!
//! A .docx is a zip archive of XML parts; the body is `word/document.xml`. Its paragraphs become
//! lines. Numbering that Word draws itself (bullets, ①②③) is not in the paragraph's text, so
//! it is written from `word/numbering.xml`: a bullet level becomes 「・」 and an enclosed-circle
//! level becomes ①, ②, … in paragraph order, as the document shows them. A table row whose cells
//! each hold one paragraph becomes one line with its cells separated by a space (a KPI table's
//! indicator and target side by side); other cells give one line per paragraph. Deleted text of
//! tracked changes and field codes are left out.
//!
//! The archive is untrusted: what the two parts inflate to is bounded by
//! [`Limits::max_inflated_bytes`], counted while inflating, and nothing the archive declares
//! sizes an allocation.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use thiserror::Error;
use zip::ZipArchive;

use crate::Limits;

/// The extensions [`read_annex_text`] reads.
pub const ANNEX_EXTENSIONS: &[&str] = &[".txt", ".docx"];

/// Why a file's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnnexTextError {
    /// The extension is neither .txt nor .docx.
    #[error(
        "{file}: この形式は読めません。本文をテキスト（.txt）か Word 文書（.docx）で保存するか、本文をそのまま貼り付けてください"
    )]
    UnknownFormat {
        /// The file's name.
        file: String,
    },
    /// Bytes that are not text in UTF-8, Shift_JIS or UTF-16.
    #[error(
        "{file}: {line}行目に文字コードを読めないバイトがあります（UTF-8 か Shift_JIS のテキストとして保存してください）"
    )]
    Encoding {
        /// The file's name.
        file: String,
        /// 1-based line of the first undecodable byte.
        line: usize,
    },
    /// The Word document could not be read.
    #[error("{file}: Word 文書（.docx）として読めません（{message}）")]
    Docx {
        /// The file's name.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The Word document inflates past the limit.
    #[error(
        "{file}: 展開すると {} を超えるため読みません。計画の本文（成果目標の一覧）の部分だけを別の文書にしてください",
        crate::limits::megabytes(*limit)
    )]
    TooLarge {
        /// The file's name.
        file: String,
        /// The limit, in bytes.
        limit: u64,
    },
}

/// The text of `bytes`, read as the kind of file its name's extension says (.txt or .docx).
pub fn read_annex_text(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<String, AnnexTextError> {
    let lower = file_name.trim().to_lowercase();
    if lower.ends_with(".docx") {
        docx_text(file_name, bytes, limits)
    } else if lower.ends_with(".txt") {
        crate::read::decode(file_name, bytes)
            .map(std::borrow::Cow::into_owned)
            .map_err(|e| match e {
                crate::InterchangeError::Encoding { file, line } => {
                    AnnexTextError::Encoding { file, line }
                }
                other => AnnexTextError::Docx {
                    file: file_name.to_owned(),
                    message: other.to_string(),
                },
            })
    } else {
        Err(AnnexTextError::UnknownFormat {
            file: file_name.to_owned(),
        })
    }
}

/// The text of a Word document (.docx), one line per paragraph.
pub fn docx_text(file: &str, bytes: &[u8], limits: &Limits) -> Result<String, AnnexTextError> {
    let broken = |message: String| AnnexTextError::Docx {
        file: file.to_owned(),
        message,
    };
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| broken(format!("zip 形式ではありません: {e}")))?;
    let mut budget = limits.max_inflated_bytes;
    let numbering = match part(
        &mut archive,
        "word/numbering.xml",
        &mut budget,
        limits.max_inflated_bytes,
        file,
    )? {
        Some(xml) => numbering_formats(&xml).map_err(broken)?,
        None => Numbering::default(),
    };
    let document = part(
        &mut archive,
        "word/document.xml",
        &mut budget,
        limits.max_inflated_bytes,
        file,
    )?
    .ok_or_else(|| broken("本文（word/document.xml）がありません".to_owned()))?;
    paragraphs(&document, &numbering).map_err(broken)
}

/// One part of the archive as text, within the remaining inflation budget; `None` when the
/// archive has no such part.
fn part(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u64,
    limit: u64,
    file: &str,
) -> Result<Option<String>, AnnexTextError> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(AnnexTextError::Docx {
                file: file.to_owned(),
                message: format!("{name} を展開できません: {e}"),
            });
        }
    };
    let mut raw = Vec::new();
    entry
        .take(budget.saturating_add(1))
        .read_to_end(&mut raw)
        .map_err(|e| AnnexTextError::Docx {
            file: file.to_owned(),
            message: format!("{name} を展開できません: {e}"),
        })?;
    let read = u64::try_from(raw.len()).unwrap_or(u64::MAX);
    if read > *budget {
        return Err(AnnexTextError::TooLarge {
            file: file.to_owned(),
            limit,
        });
    }
    *budget -= read;
    String::from_utf8(raw)
        .map(Some)
        .map_err(|_| AnnexTextError::Docx {
            file: file.to_owned(),
            message: format!("{name} が UTF-8 ではありません"),
        })
}

/// How each numbered level is drawn: by `(numId, ilvl)`.
#[derive(Debug, Default)]
struct Numbering {
    levels: HashMap<(String, String), Drawn>,
}

/// What Word draws before a numbered paragraph, as far as a KPI annex needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drawn {
    /// A bullet: written 「・」 (the document's own bullet is often a symbol-font glyph).
    Bullet,
    /// ①, ②, …
    Circled,
}

/// The local name of an element (without its namespace prefix).
fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_owned()
}

/// The value of the attribute whose local name is `name`.
fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find_map(|a| (a.key.local_name().as_ref() == name).then(|| a.value.as_ref().to_owned()))
}

/// Reads `word/numbering.xml`: abstract numbering levels, then which `numId` uses which.
fn numbering_formats(xml: &str) -> Result<Numbering, String> {
    let mut reader = Reader::from_str(xml);
    let mut abstract_levels: HashMap<(String, String), Drawn> = HashMap::new();
    let mut num_to_abstract: Vec<(String, String)> = Vec::new();
    let mut current_abstract: Option<String> = None;
    let mut current_level: Option<String> = None;
    let mut current_num: Option<String> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("word/numbering.xml の XML が壊れています: {e}"))?;
        match event {
            Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                "abstractNum" => current_abstract = attribute(&e, "abstractNumId"),
                "lvl" => current_level = attribute(&e, "ilvl"),
                "numFmt" => {
                    let drawn = match attribute(&e, "val").as_deref() {
                        Some("bullet") => Some(Drawn::Bullet),
                        Some("decimalEnclosedCircle" | "decimalEnclosedCircleChinese") => {
                            Some(Drawn::Circled)
                        }
                        _ => None,
                    };
                    if let (Some(a), Some(l), Some(d)) = (&current_abstract, &current_level, drawn)
                    {
                        abstract_levels.insert((a.clone(), l.clone()), d);
                    }
                }
                "num" => current_num = attribute(&e, "numId"),
                "abstractNumId" => {
                    if let (Some(n), Some(a)) = (&current_num, attribute(&e, "val")) {
                        num_to_abstract.push((n.clone(), a));
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "abstractNum" => current_abstract = None,
                "lvl" => current_level = None,
                "num" => current_num = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let mut levels = HashMap::new();
    for (num, abs) in num_to_abstract {
        for ((a, level), drawn) in &abstract_levels {
            if *a == abs {
                levels.insert((num.clone(), level.clone()), *drawn);
            }
        }
    }
    Ok(Numbering { levels })
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct Paragraph {
    text: String,
    num_id: Option<String>,
    level: Option<String>,
}

/// Where the reader is in a table: the paragraphs of the current cell and of the current row.
#[derive(Debug, Default)]
struct Row {
    cells: Vec<Vec<String>>,
}

/// The paragraphs of `word/document.xml` as lines.
fn paragraphs(xml: &str, numbering: &Numbering) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut lines: Vec<String> = Vec::new();
    let mut paragraph: Option<Paragraph> = None;
    // Text is kept only inside <w:t>; <w:delText> and <w:instrText> are other elements.
    let mut in_text = false;
    let mut rows: Vec<Row> = Vec::new();
    let mut counters: HashMap<(String, String), u32> = HashMap::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("word/document.xml の XML が壊れています: {e}"))?;
        match event {
            Event::Start(e) => match local(&e).as_str() {
                "p" => paragraph = Some(Paragraph::default()),
                "t" => in_text = true,
                "tr" => rows.push(Row::default()),
                "tc" => {
                    if let Some(row) = rows.last_mut() {
                        row.cells.push(Vec::new());
                    }
                }
                other => numbered(other, &e, paragraph.as_mut()),
            },
            Event::Empty(e) => match local(&e).as_str() {
                "p" => push_line(&mut lines, &mut rows, String::new()),
                "tab" => {
                    if let Some(p) = paragraph.as_mut() {
                        p.text.push('\t');
                    }
                }
                "br" | "cr" => {
                    if let Some(p) = paragraph.as_mut() {
                        p.text.push('\n');
                    }
                }
                other => numbered(other, &e, paragraph.as_mut()),
            },
            Event::Text(t) if in_text => {
                if let Some(p) = paragraph.as_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = paragraph.as_mut() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        p.text.push(c);
                    } else if let Some(s) = resolve_predefined_entity(&r) {
                        p.text.push_str(s);
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    if let Some(p) = paragraph.take() {
                        let text = drawn_prefix(&p, numbering, &mut counters) + &p.text;
                        push_line(&mut lines, &mut rows, text);
                    }
                }
                "tr" => {
                    if let Some(row) = rows.pop() {
                        for line in row_lines(row) {
                            push_line(&mut lines, &mut rows, line);
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// Records the numbering of the paragraph being read (`<w:numId w:val>`, `<w:ilvl w:val>`).
fn numbered(name: &str, e: &BytesStart<'_>, paragraph: Option<&mut Paragraph>) {
    let Some(p) = paragraph else { return };
    match name {
        "numId" => p.num_id = attribute(e, "val"),
        "ilvl" => p.level = attribute(e, "val"),
        _ => {}
    }
}

/// What Word draws before the paragraph, unless its text already starts with it.
fn drawn_prefix(
    p: &Paragraph,
    numbering: &Numbering,
    counters: &mut HashMap<(String, String), u32>,
) -> String {
    let Some(num) = &p.num_id else {
        return String::new();
    };
    let key = (
        num.clone(),
        p.level.clone().unwrap_or_else(|| "0".to_owned()),
    );
    match numbering.levels.get(&key) {
        Some(Drawn::Bullet) => {
            if p.text.trim_start().starts_with(['・', '○', '-', '－']) {
                String::new()
            } else {
                "・".to_owned()
            }
        }
        Some(Drawn::Circled) => {
            let n = counters.entry(key).or_insert(0);
            *n += 1;
            circled(*n).map(String::from).unwrap_or_default()
        }
        None => String::new(),
    }
}

/// ① for 1 … ⑳ for 20, ㉑ … ㉟, ㊱ … ㊿.
fn circled(n: u32) -> Option<char> {
    let code = match n {
        1..=20 => 0x2460 + n - 1,
        21..=35 => 0x3251 + n - 21,
        36..=50 => 0x32B1 + n - 36,
        _ => return None,
    };
    char::from_u32(code)
}

/// Adds a finished line: to the innermost table cell being read, or to the document.
fn push_line(lines: &mut Vec<String>, rows: &mut [Row], text: String) {
    match rows.last_mut().and_then(|r| r.cells.last_mut()) {
        Some(cell) => cell.push(text),
        None => lines.extend(text.split('\n').map(str::to_owned)),
    }
}

/// A finished table row as lines: one line when every cell has at most one paragraph, else
/// every paragraph on its own line.
fn row_lines(row: Row) -> Vec<String> {
    if row.cells.iter().all(|c| c.len() <= 1) {
        let joined = row
            .cells
            .iter()
            .filter_map(|c| c.first())
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        vec![joined]
    } else {
        row.cells.into_iter().flatten().collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::io::Write;

    use zip::write::{SimpleFileOptions, ZipWriter};

    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn docx(document: &str, numbering: Option<&str>) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(document.as_bytes()).unwrap();
        if let Some(n) = numbering {
            zip.start_file("word/numbering.xml", options).unwrap();
            zip.write_all(n.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn body(inner: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{inner}</w:body></w:document>"#
        )
    }

    fn para(text: &str) -> String {
        format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    #[test]
    fn paragraphs_become_lines_with_runs_joined_and_entities_resolved() {
        let doc = body(&format!(
            "{}{}<w:p><w:r><w:t>非臨床</w:t></w:r><w:r><w:t xml:space=\"preserve\"> POC</w:t></w:r><w:r><w:delText>削除</w:delText></w:r><w:r><w:t>の取得件数&amp;&#x41;</w:t></w:r></w:p><w:p/>",
            para("＜アウトプット＞"),
            para("○シーズ研究に関する指標"),
        ));
        let text = docx_text("a.docx", &docx(&doc, None), &Limits::UPLOAD).unwrap();
        assert_eq!(
            text,
            "＜アウトプット＞\n○シーズ研究に関する指標\n非臨床 POCの取得件数&A\n\n"
        );
    }

    #[test]
    fn numbering_drawn_by_word_is_written_out() {
        let numbering = format!(
            r#"<w:numbering {W}><w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:numFmt w:val="decimalEnclosedCircle"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl></w:abstractNum><w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num></w:numbering>"#
        );
        let numbered = |level: u8, text: &str| {
            format!(
                r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="7"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
            )
        };
        let doc = body(&format!(
            "{}{}{}{}",
            numbered(0, "医薬品プロジェクト"),
            numbered(1, "非臨床POCの取得件数 25件"),
            numbered(1, "・既に中黒のある行"),
            numbered(0, "医療機器・ヘルスケアプロジェクト"),
        ));
        let text = docx_text("a.docx", &docx(&doc, Some(&numbering)), &Limits::UPLOAD).unwrap();
        assert_eq!(
            text,
            "①医薬品プロジェクト\n・非臨床POCの取得件数 25件\n・既に中黒のある行\n②医療機器・ヘルスケアプロジェクト\n"
        );
    }

    #[test]
    fn a_table_row_of_single_paragraph_cells_is_one_line() {
        let cell = |t: &str| format!("<w:tc>{}</w:tc>", para(t));
        let doc = body(&format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr><w:tc>{}{}</w:tc>{}</w:tr></w:tbl>{}",
            cell("・非臨床POCの取得件数"),
            cell("25件"),
            para("・一つ目"),
            para("・二つ目"),
            cell("10件"),
            para("後"),
        ));
        let text = docx_text("a.docx", &docx(&doc, None), &Limits::UPLOAD).unwrap();
        assert_eq!(
            text,
            "・非臨床POCの取得件数 25件\n・一つ目\n・二つ目\n10件\n後\n"
        );
    }

    #[test]
    fn hostile_or_wrong_files_are_refused_with_the_file_named() {
        let not_zip = docx_text("x.docx", b"not a zip", &Limits::UPLOAD).unwrap_err();
        assert!(not_zip.to_string().starts_with("x.docx: "), "{not_zip}");
        let no_body = docx_text("x.docx", &docx_without_body(), &Limits::UPLOAD).unwrap_err();
        assert!(
            no_body.to_string().contains("word/document.xml"),
            "{no_body}"
        );
        let broken = docx_text("x.docx", &docx("<w:document><w:p>", None), &Limits::UPLOAD);
        // An unclosed element is not an error to quick-xml at end of input; either way no panic
        // and no text invented.
        if let Ok(text) = broken {
            assert!(text.trim().is_empty());
        }
        let big = body(&para(&"あ".repeat(100_000)));
        let small = Limits {
            max_inflated_bytes: 10_000,
            ..Limits::UPLOAD
        };
        let too_large = docx_text("big.docx", &docx(&big, None), &small).unwrap_err();
        assert!(
            matches!(too_large, AnnexTextError::TooLarge { .. }),
            "{too_large:?}"
        );
        assert!(too_large.to_string().starts_with("big.docx: "));
        let unknown = read_annex_text("plan.pdf", b"%PDF", &Limits::UPLOAD).unwrap_err();
        assert!(unknown.to_string().contains("plan.pdf"));
    }

    fn docx_without_body() -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("word/styles.xml", SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"<x/>").unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn text_files_are_read_in_utf8_and_shift_jis() {
        let utf8 = read_annex_text("a.txt", "① 医薬品\n".as_bytes(), &Limits::UPLOAD).unwrap();
        assert_eq!(utf8, "① 医薬品\n");
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("・論文数 10件\r\n");
        let read = read_annex_text("a.TXT", &sjis, &Limits::UPLOAD).unwrap();
        assert_eq!(read, "・論文数 10件\r\n");
        let bad = read_annex_text("a.txt", b"\xEF\xBB\xBFok\n\xFF\xFE", &Limits::UPLOAD);
        assert!(
            matches!(bad, Err(AnnexTextError::Encoding { line: 2, .. })),
            "{bad:?}"
        );
    }
}
