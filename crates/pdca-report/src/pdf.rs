//! The report as an A4 PDF, typeset with typst used as a library: the same sections and tables
//! as the Markdown, plus a table of contents and a chart per cumulative indicator (its values
//! and unit at the points). Tables are set in 9 pt or more; a project whose indicator table is
//! too wide for a portrait page gets landscape pages.
//!
//! The layout is one fixed typst template (`report.typ`, compiled into the binary). The report
//! itself never becomes typst markup: it is handed to the template as data (`sys.inputs.report`,
//! a dictionary of strings, numbers and arrays), so no text from the database can be
//! interpreted as markup, whatever it contains. The only font is the bundled IPAex Gothic
//! (`fonts/ipaexg.ttf`); system fonts are never read, and typst-pdf embeds only the glyphs used.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Array, Bytes, Datetime, Dict, Duration, IntoValue, Value, dict};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::model::{
    ACHIEVEMENTS_NOTE, ChartData, IndicatorRow, ProjectSection, Report, SummaryRow,
};
use crate::{ReportError, percent};

/// IPAex Gothic, the only font the report uses.
const FONT: &[u8] = include_bytes!("../fonts/ipaexg.ttf");

/// The layout; it reads the report from `sys.inputs.report`.
const TEMPLATE: &str = include_str!("report.typ");

/// The template, parsed once per process.
static SOURCE: LazyLock<Source> = LazyLock::new(|| Source::detached(TEMPLATE));

/// The font and its metadata, parsed once per process.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = Font::iter(Bytes::new(FONT)).collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// The world of one compilation: the template as the only source, the bundled font, and the
/// report in the library's `sys.inputs`.
struct ReportWorld {
    library: LazyHash<Library>,
    main: Source,
    fonts: &'static Fonts,
}

impl ReportWorld {
    fn new(report: &Report) -> Self {
        let inputs = dict! { "report" => report_value(report) };
        ReportWorld {
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            main: SOURCE.clone(),
            fonts: &FONTS,
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The report prints its own dates; a PDF must not depend on the day it was made.
        None
    }
}

/// The report as an A4 PDF.
pub fn pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    let (document, _warnings) = typeset(report)?;
    let options = typst_pdf::PdfOptions {
        // Same report, same document identifier.
        ident: typst::foundations::Smart::Custom(report.title.clone()),
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|e| ReportError::Pdf(messages(e.as_slice())))
}

/// Lays the report out; returns the document and typst's warnings.
fn typeset(report: &Report) -> Result<(PagedDocument, Vec<String>), ReportError> {
    let world = ReportWorld::new(report);
    let warned = typst::compile::<PagedDocument>(&world);
    // typst memoises layout across compilations; in a long-running server keep only what the
    // last few reports used, so memory stays bounded.
    typst::comemo::evict(10);
    let warnings = warned
        .warnings
        .iter()
        .map(|w| w.message.to_string())
        .collect();
    let document = warned
        .output
        .map_err(|e| ReportError::Pdf(messages(e.as_slice())))?;
    Ok((document, warnings))
}

/// Typst's diagnostics as one line.
fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.to_string();
            for hint in &d.hints {
                message.push_str(" (");
                message.push_str(&hint.v);
                message.push(')');
            }
            message
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Strings as a typst array.
fn strings(items: &[String]) -> Array {
    items.iter().map(|s| s.as_str().into_value()).collect()
}

fn count(n: u32) -> Value {
    i64::from(n).into_value()
}

fn summary_value(s: &SummaryRow) -> Value {
    dict! {
        "name" => s.name.as_str(),
        "a" => count(s.a),
        "b" => count(s.b),
        "n" => count(s.n),
        "unrated" => count(s.unrated),
    }
    .into_value()
}

/// A chart, with the unit of its indicator for the labels at its points.
fn chart_value(c: &ChartData, unit: &str) -> Value {
    dict! {
        "unit" => unit,
        "labels" => strings(&c.year_labels),
        "cumulative" => c.cumulative.clone(),
        "expected" => c.expected.clone(),
        "target" => c.target,
    }
    .into_value()
}

fn row_value(r: &IndicatorRow) -> Value {
    dict! {
        "id" => r.id.as_str(),
        "name" => r.name.as_str(),
        "sub" => r.sub,
        "unit" => r.unit.as_str(),
        "target" => r.target_text.as_str(),
        "actuals" => strings(&r.actual_texts),
        "figure" => r.figure_text.as_str(),
        "progress" => percent(r.progress),
        "expected" => percent(r.expected),
        "status" => r.status.as_str(),
        "rating" => r.rating.as_str(),
        "chart" => r.chart.as_ref().map(|c| chart_value(c, &r.unit)),
    }
    .into_value()
}

fn project_value(p: &ProjectSection) -> Value {
    let tables: Array = p
        .tables
        .iter()
        .map(|t| {
            let groups: Array = t
                .groups
                .iter()
                .map(|g| {
                    let rows: Array = g.rows.iter().map(row_value).collect();
                    dict! { "name" => g.name.as_str(), "rows" => rows }.into_value()
                })
                .collect();
            dict! { "heading" => t.heading.as_str(), "groups" => groups }.into_value()
        })
        .collect();
    let management: Array = p
        .management
        .iter()
        .map(|m| {
            dict! {
                "id" => m.id.as_str(),
                "name" => m.name.as_str(),
                "narrative" => m.narrative.as_str(),
            }
            .into_value()
        })
        .collect();
    let issues: Array = p
        .issues
        .iter()
        .map(|i| {
            dict! {
                "indicator" => i.indicator.as_str(),
                "rating" => i.rating.as_str(),
                "issue" => i.issue.as_str(),
                "solution" => i.solution.as_str(),
            }
            .into_value()
        })
        .collect();
    let achievements: Array = p
        .achievements
        .iter()
        .map(|a| {
            dict! {
                "indicator" => a.indicator.as_str(),
                "title" => a.title.as_str(),
                "institution" => a.institution.as_str(),
            }
            .into_value()
        })
        .collect();
    dict! {
        "id" => p.id.as_str(),
        "name" => p.name.as_str(),
        "tables" => tables,
        "management" => management,
        "notable" => strings(&p.notable),
        "achievements" => achievements,
        "achievements_note" => ACHIEVEMENTS_NOTE,
        "issues" => issues,
        "opinions" => strings(&p.opinions),
    }
    .into_value()
}

/// The report as typst data: only strings, numbers, booleans, arrays and dictionaries.
fn report_value(r: &Report) -> Dict {
    let priorities: Array = r
        .priorities
        .iter()
        .map(|p| {
            dict! {
                "title" => p.title.as_str(),
                "text" => p.text.as_str(),
                "points" => p.points.as_str(),
                "concerns" => strings(&p.concerns),
            }
            .into_value()
        })
        .collect();
    let clauses: Array = r
        .clauses
        .iter()
        .map(|c| {
            dict! {
                "title" => c.title.as_str(),
                "text" => c.text.as_str(),
                "reflects" => strings(&c.reflects),
                "budget" => c.budget.as_str(),
            }
            .into_value()
        })
        .collect();
    let glossary: Array = r
        .glossary
        .iter()
        .map(|(term, definition)| {
            dict! { "term" => term.as_str(), "definition" => definition.as_str() }.into_value()
        })
        .collect();
    dict! {
        "title" => r.title.as_str(),
        "plan" => r.plan_name.as_str(),
        "fiscal_year" => r.fiscal_year_ja.as_str(),
        "meeting" => r.meeting.as_deref(),
        "date" => r.date_ja.as_str(),
        "material" => r.material.as_deref(),
        "years" => strings(&r.year_labels),
        "summary" => r.summary.iter().map(summary_value).collect::<Array>(),
        "total" => summary_value(&r.total),
        "total_sentence" => r.total_sentence.as_str(),
        "projects" => r.projects.iter().map(project_value).collect::<Array>(),
        "priorities" => priorities,
        "clauses" => clauses,
        "glossary" => glossary,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::model::{IndicatorGroup, IndicatorTable};

    fn fy(year: i32) -> pdca_core::FiscalYear {
        pdca_core::FiscalYear::new(year).unwrap()
    }

    /// A small report: one project, one indicator with a chart, nothing else.
    fn small() -> Report {
        let total = SummaryRow {
            name: "合計".into(),
            a: 1,
            b: 0,
            n: 0,
            unrated: 0,
        };
        let row = IndicatorRow {
            id: "p1-out-01".into(),
            name: "非臨床POCの取得件数".into(),
            sub: false,
            unit: "件".into(),
            target_text: "25件".into(),
            actuals: vec![Some(4.0), Some(6.0)],
            actual_texts: vec!["4件".into(), "6件".into()],
            figure: Some(10.0),
            figure_text: "10件".into(),
            progress: Some(0.4),
            expected: Some(0.4),
            status: "A".into(),
            rating: "A".into(),
            chart: Some(ChartData {
                year_labels: ["R2", "R3", "R4", "R5", "R6"].map(String::from).to_vec(),
                cumulative: vec![4.0, 10.0],
                expected: vec![5.0, 10.0, 15.0, 20.0, 25.0],
                target: 25.0,
            }),
        };
        Report {
            title: "計画 令和3年度 フォローアップ報告".into(),
            plan_name: "計画".into(),
            fiscal_year: fy(2021),
            fiscal_year_ja: "令和3年度".into(),
            meeting: None,
            date_ja: "令和4年6月1日".into(),
            material: None,
            years: vec![fy(2020), fy(2021)],
            year_labels: vec!["令和2年度".into(), "令和3年度".into()],
            summary: vec![SummaryRow {
                name: "医薬品プロジェクト".into(),
                ..total.clone()
            }],
            total,
            total_sentence: "1項目中1項目がA".into(),
            projects: vec![ProjectSection {
                id: "p1".into(),
                name: "医薬品プロジェクト".into(),
                tables: vec![IndicatorTable {
                    heading: "アウトプット".into(),
                    groups: vec![IndicatorGroup {
                        name: "シーズ研究に関する指標".into(),
                        rows: vec![row],
                    }],
                }],
                management: Vec::new(),
                notable: Vec::new(),
                achievements: Vec::new(),
                issues: Vec::new(),
                opinions: Vec::new(),
            }],
            priorities: Vec::new(),
            clauses: Vec::new(),
            glossary: Vec::new(),
        }
    }

    #[test]
    fn a_small_report_typesets_without_warnings() {
        let (document, warnings) = typeset(&small()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        // Cover, contents, summary, the project, the priorities and the policy.
        assert_eq!(document.pages().len(), 5);
        assert!(pdf(&small()).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn the_bundled_font_is_ipaex_gothic() {
        let families: Vec<&str> = FONTS
            .fonts
            .iter()
            .map(|f| f.info().family.as_str())
            .collect();
        assert_eq!(families, ["IPAexGothic"]);
    }
}
