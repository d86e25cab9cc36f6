//! The report as an XLSX workbook: a summary sheet (概要), one sheet per integrated project, and
//! a sheet of the priority items and the resource allocation policy (重点・方針). Numbers are
//! stored as numbers (a ratio's percentage as a fraction with a % format), header rows are
//! frozen, and columns are as wide as their Japanese text.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::ReportError;
use crate::model::{ACHIEVEMENTS_NOTE, IndicatorRow, ProjectSection, Report};

/// The font Excel shows Japanese in.
const FONT: &str = "游ゴシック";

/// The display width of `text` in Excel's character units: full-width characters count two.
fn width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum::<f64>()
        + 2.0
}

/// Column widths fitting the widest cell, within reason.
struct Widths(Vec<f64>);

impl Widths {
    fn new() -> Self {
        Widths(Vec::new())
    }

    fn fit(&mut self, column: u16, text: &str) {
        let column = usize::from(column);
        if self.0.len() <= column {
            self.0.resize(column + 1, 8.0);
        }
        self.0[column] = self.0[column].max(width(text).min(60.0));
    }

    fn apply(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (column, w) in (0_u16..).zip(&self.0) {
            sheet.set_column_width(column, *w)?;
        }
        Ok(())
    }
}

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    wrap: Format,
    number: Format,
    percent: Format,
    percent1: Format,
}

impl Formats {
    fn new() -> Self {
        let base = Format::new().set_font_name(FONT);
        Formats {
            title: base.clone().set_bold().set_font_size(14),
            header: base
                .clone()
                .set_bold()
                .set_background_color(0xDDEBF7)
                .set_text_wrap(),
            text: base.clone(),
            wrap: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            number: base.clone().set_num_format("#,##0.##"),
            percent: base.clone().set_num_format("0%"),
            percent1: base.set_num_format("0.0%"),
        }
    }
}

/// The report as an XLSX workbook.
pub fn xlsx(report: &Report) -> Result<Vec<u8>, ReportError> {
    Ok(build(report)?)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(text: &str) -> String {
    text.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '・' } else { c })
        .take(31)
        .collect()
}

fn build(r: &Report) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    summary_sheet(book.add_worksheet(), r, &f)?;
    for (n, project) in r.projects.iter().enumerate() {
        let name = sheet_name(&format!("{} {}", n + 1, project.name));
        project_sheet(book.add_worksheet().set_name(&name)?, r, project, &f)?;
    }
    policy_sheet(book.add_worksheet(), r, &f)?;
    book.save_to_buffer()
}

fn summary_sheet(sheet: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("概要")?;
    let mut widths = Widths::new();
    sheet.write_string_with_format(0, 0, &r.title, &f.title)?;
    let mut row = 1;
    for line in [
        r.material.as_deref(),
        r.meeting.as_deref(),
        Some(r.date_ja.as_str()),
    ]
    .into_iter()
    .flatten()
    {
        sheet.write_string_with_format(row, 0, line, &f.text)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, format!("{}。", r.total_sentence), &f.text)?;
    row += 2;
    let header_row = row;
    for (column, name) in (0_u16..).zip(["統合プロジェクト", "A", "B", "N", "未評価"]) {
        sheet.write_string_with_format(row, column, name, &f.header)?;
        widths.fit(column, name);
    }
    for s in r.summary.iter().chain(std::iter::once(&r.total)) {
        row += 1;
        sheet.write_string_with_format(row, 0, &s.name, &f.text)?;
        widths.fit(0, &s.name);
        for (column, v) in (1_u16..).zip([s.a, s.b, s.n, s.unrated]) {
            sheet.write_number_with_format(row, column, f64::from(v), &f.number)?;
        }
    }
    sheet.set_freeze_panes(header_row + 1, 0)?;
    widths.apply(sheet)
}

fn project_sheet(
    sheet: &mut Worksheet,
    r: &Report,
    project: &ProjectSection,
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut widths = Widths::new();
    let mut headers: Vec<String> = ["区分", "指標群", "ID", "指標", "目標"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    headers.extend(r.year_labels.iter().cloned());
    headers.extend(
        ["累計等", "進捗率", "期待進捗率", "自動判定", "委員会の評価"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    for (column, name) in (0_u16..).zip(&headers) {
        sheet.write_string_with_format(0, column, name, &f.header)?;
        widths.fit(column, name);
    }
    let years = u16::try_from(r.years.len()).unwrap_or(u16::MAX);
    let mut row = 0_u32;
    for table in &project.tables {
        for group in &table.groups {
            for line in &group.rows {
                row += 1;
                let name = if line.sub {
                    format!("　{}", line.name)
                } else {
                    line.name.clone()
                };
                for (column, text) in (0_u16..).zip([
                    table.heading.as_str(),
                    group.name.as_str(),
                    line.id.as_str(),
                    name.as_str(),
                    line.target_text.as_str(),
                ]) {
                    sheet.write_string_with_format(row, column, text, &f.text)?;
                    widths.fit(column, text);
                }
                write_figures(sheet, row, 5, line, f)?;
                let after = 5 + years;
                if let Some(v) = line.figure {
                    write_value(sheet, row, after, line, v, f)?;
                }
                for (column, share) in [(after + 1, line.progress), (after + 2, line.expected)] {
                    if let Some(share) = share {
                        sheet.write_number_with_format(row, column, share, &f.percent)?;
                    }
                }
                sheet.write_string_with_format(row, after + 3, &line.status, &f.text)?;
                sheet.write_string_with_format(row, after + 4, &line.rating, &f.text)?;
            }
        }
    }
    let mut notes: Vec<(String, String)> = Vec::new();
    for m in &project.management {
        notes.push((format!("その他管理指標: {}", m.name), m.narrative.clone()));
    }
    for t in &project.notable {
        notes.push(("顕著な成果".to_owned(), t.clone()));
    }
    for a in &project.achievements {
        let text = if a.institution.is_empty() {
            a.title.clone()
        } else {
            format!("{}（{}）", a.title, a.institution)
        };
        notes.push((format!("顕著な成果の候補（{}）", a.indicator), text));
    }
    if !project.achievements.is_empty() {
        notes.push(("（注）".to_owned(), ACHIEVEMENTS_NOTE.to_owned()));
    }
    for i in &project.issues {
        notes.push((format!("課題（{}）", i.indicator), i.issue.clone()));
        notes.push((format!("解決策（{}）", i.indicator), i.solution.clone()));
    }
    for t in &project.opinions {
        notes.push(("委員の意見".to_owned(), t.clone()));
    }
    row += 1;
    for (label, text) in notes {
        row += 1;
        sheet.write_string_with_format(row, 0, &label, &f.text)?;
        sheet.merge_range(row, 1, row, 4, &text, &f.wrap)?;
    }
    sheet.set_freeze_panes(1, 4)?;
    widths.apply(sheet)
}

/// Each year's actual from column `first`.
fn write_figures(
    sheet: &mut Worksheet,
    row: u32,
    first: u16,
    line: &IndicatorRow,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (column, value) in (first..).zip(&line.actuals) {
        if let Some(v) = value {
            write_value(sheet, row, column, line, *v, f)?;
        }
    }
    Ok(())
}

/// A figure as a number: a percentage as a fraction shown with %.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    line: &IndicatorRow,
    v: f64,
    f: &Formats,
) -> Result<(), XlsxError> {
    if line.unit == "%" {
        sheet.write_number_with_format(row, column, v / 100.0, &f.percent1)?;
    } else {
        sheet.write_number_with_format(row, column, v, &f.number)?;
    }
    Ok(())
}

fn policy_sheet(sheet: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name("重点・方針")?;
    let mut widths = Widths::new();
    for (column, name) in (0_u16..).zip([
        "区分",
        "表題",
        "内容",
        "留意点・予算への反映",
        "対象・反映元",
    ]) {
        sheet.write_string_with_format(0, column, name, &f.header)?;
        widths.fit(column, name);
    }
    let mut row = 0_u32;
    let lines = r
        .priorities
        .iter()
        .map(|p| {
            (
                "重点的に議論・提案すべき項目",
                &p.title,
                &p.text,
                &p.points,
                p.concerns.join("、"),
            )
        })
        .chain(r.clauses.iter().map(|c| {
            (
                "資源配分方針",
                &c.title,
                &c.text,
                &c.budget,
                c.reflects.join("、"),
            )
        }));
    for (kind, title, text, extra, links) in lines {
        row += 1;
        for (column, value) in (0_u16..).zip([
            kind,
            title.as_str(),
            text.as_str(),
            extra.as_str(),
            links.as_str(),
        ]) {
            sheet.write_string_with_format(row, column, value, &f.wrap)?;
            widths.fit(column, value);
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    widths.apply(sheet)
}
