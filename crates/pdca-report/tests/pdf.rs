//! The PDF report of the built-in plan with four years of data, read back with poppler's
//! `pdftotext` and `pdftoppm` (Debian's `poppler-utils`).

#![cfg(feature = "pdf")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;

use pdca_report::{IndicatorRow, Report, markdown, pdf};

static REPORT: LazyLock<Report> = LazyLock::new(common::report);
static PDF: LazyLock<Vec<u8>> = LazyLock::new(|| pdf(&REPORT).expect("the report typesets"));

/// Runs a poppler tool, failing with a clear message when it is not installed.
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}): the PDF tests need poppler's tools; \
             install them with `apt-get install -y poppler-utils`"
        )
    });
    assert!(
        output.status.success(),
        "`{tool}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The text of `pdf` as `pdftotext -layout` extracts it; pages are separated by form feeds.
fn text(pdf: &[u8]) -> String {
    extract(pdf, "-layout")
}

/// The text in the order it is drawn (`pdftotext -raw`): a table cell's lines stay together,
/// where `-layout` interleaves a wrapped name with the cells beside it.
fn raw_text(pdf: &[u8]) -> String {
    extract(pdf, "-raw")
}

fn extract(pdf: &[u8], mode: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let output = poppler(
        "pdftotext",
        &[
            mode.as_ref(),
            "-enc".as_ref(),
            "UTF-8".as_ref(),
            file.as_os_str(),
            "-".as_ref(),
        ],
    );
    String::from_utf8(output.stdout).expect("pdftotext writes UTF-8")
}

fn pages(text: &str) -> usize {
    text.split('\u{c}').filter(|p| !p.trim().is_empty()).count()
}

/// Without whitespace: pdftotext breaks long names across lines and pads table cells.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn is_a_pdf_of_several_numbered_pages() {
    assert!(PDF.starts_with(b"%PDF-"));
    let text = text(&PDF);
    let n = pages(&text);
    assert!(n > 1, "{n} page(s)");
    // The cover has no number; the pages after it are numbered "k / n".
    for k in [1, 2, n - 1] {
        assert!(
            text.contains(&format!("{k} / {}", n - 1)),
            "page number {k} / {}",
            n - 1
        );
    }
}

#[test]
fn shows_every_numeric_indicator_with_its_figure_and_the_items() {
    let text = squeeze(&raw_text(&PDF));
    let mut rows = 0;
    for row in REPORT.rows() {
        rows += 1;
        assert!(text.contains(&squeeze(&row.name)), "{}", row.name);
        assert!(
            text.contains(&squeeze(&row.figure_text)),
            "{}",
            row.figure_text
        );
        assert!(text.contains(&squeeze(&row.id)), "{}", row.id);
    }
    assert!(rows > 30, "only {rows} indicators");
    assert!(!REPORT.priorities.is_empty() && !REPORT.clauses.is_empty());
    for p in &REPORT.priorities {
        assert!(text.contains(&squeeze(&p.title)), "{}", p.title);
    }
    for c in &REPORT.clauses {
        assert!(text.contains(&squeeze(&c.title)), "{}", c.title);
        assert!(text.contains(&squeeze(&c.budget)), "{}", c.budget);
    }
    for s in [
        REPORT.title.as_str(),
        REPORT.date_ja.as_str(),
        REPORT.total_sentence.as_str(),
        "資料1",
        "評価の概要",
        "課題と解決策",
        "臨床POCの取得が想定より遅れている。",
        "資源配分方針",
        "用語",
    ] {
        assert!(text.contains(&squeeze(s)), "{s}");
    }
}

#[test]
fn the_bundled_font_covers_every_character_of_the_report() {
    let font = include_bytes!("../fonts/ipaexg.ttf");
    let face = ttf_parser::Face::parse(font, 0).expect("the bundled font parses");
    let report = common::report_with(Some(common::HOSTILE));
    let missing: Vec<char> = markdown(&report)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '|' | '#' | '*' | '\\' | '-' | '`'))
        .filter(|c| face.glyph_index(*c).is_none())
        .collect();
    assert!(missing.is_empty(), "no glyph for {missing:?}");
}

#[test]
fn the_first_page_renders_to_png() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &*PDF).unwrap();
    let prefix = dir.path().join("page");
    poppler(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "50".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-singlefile".as_ref(),
            file.as_os_str(),
            prefix.as_os_str(),
        ],
    );
    let png = std::fs::read(Path::new(&format!("{}.png", prefix.display()))).unwrap();
    assert!(png.len() > 1000, "{} bytes", png.len());
    assert!(png.starts_with(b"\x89PNG"));
}

#[test]
fn hostile_text_is_shown_literally_and_changes_nothing_else() {
    let hostile = common::report_with(Some(common::HOSTILE));
    let bytes = pdf(&hostile).expect("the hostile report typesets");
    let text = text(&bytes);
    let plain = self::text(&PDF);
    assert_eq!(pages(&text), pages(&plain));
    let squeezed = squeeze(&raw_text(&bytes));
    let needle = squeeze(common::HOSTILE);
    // In the indicator's name (table and chart) and in the priority item.
    assert!(
        squeezed.matches(&needle).count() >= 3,
        "hostile text not shown literally 3 times"
    );
}

#[test]
fn a_table_spanning_pages_repeats_its_header() {
    let mut long = REPORT.clone();
    let group = &mut long.projects[0].tables[0].groups[0];
    let row = group.rows[0].clone();
    group.rows = (0..150)
        .map(|k| IndicatorRow {
            id: format!("long-{k:03}"),
            chart: None,
            ..row.clone()
        })
        .collect();
    let text = text(&pdf(&long).expect("the long report typesets"));
    let with_rows: Vec<&str> = text
        .split('\u{c}')
        .filter(|page| page.contains("long-"))
        .collect();
    assert!(with_rows.len() >= 3, "{} pages", with_rows.len());
    for page in with_rows {
        let header = page
            .lines()
            .find(|l| l.contains("累計等"))
            .expect("header row");
        assert!(
            header.contains("ID") && header.contains("令和2年度"),
            "{header}"
        );
    }
}

#[test]
#[ignore = "writes the sample report to $PDCA_REPORT_OUT for a look"]
fn write_sample() {
    let out = std::env::var("PDCA_REPORT_OUT").expect("PDCA_REPORT_OUT");
    std::fs::write(&out, &*PDF).unwrap();
    std::fs::write(
        format!("{out}.hostile.pdf"),
        pdf(&common::report_with(Some(common::HOSTILE))).unwrap(),
    )
    .unwrap();
}
