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
fn lists_the_notable_public_achievement_and_leaves_out_the_others() {
    let text = squeeze(&raw_text(&PDF));
    for s in [
        "顕著な成果の候補（成果一覧）",
        common::LISTED_ACHIEVEMENT,
        common::LISTED_INSTITUTION,
        pdca_report::ACHIEVEMENTS_NOTE,
    ] {
        assert!(text.contains(&squeeze(s)), "{s}");
    }
    for title in common::UNLISTED_ACHIEVEMENTS {
        assert!(!text.contains(&squeeze(title)), "{title} in the PDF");
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

/// One word as `pdftotext -bbox` places it, in points from the page's top left.
#[derive(Debug)]
struct Word {
    text: String,
    height: f64,
}

/// One page as `pdftotext -bbox` sees it: its size and its words.
#[derive(Debug)]
struct Page {
    width: f64,
    height: f64,
    words: Vec<Word>,
}

impl Page {
    fn landscape(&self) -> bool {
        self.width > self.height
    }
}

/// The pages of `pdf` with their sizes and their words' boxes (`pdftotext -bbox`). A word's
/// height is the font size it is set in (IPAex Gothic's ascent and descent add up to one em).
fn layout(pdf: &[u8]) -> Vec<Page> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let output = poppler(
        "pdftotext",
        &[
            "-bbox".as_ref(),
            "-enc".as_ref(),
            "UTF-8".as_ref(),
            file.as_os_str(),
            "-".as_ref(),
        ],
    );
    let html = String::from_utf8(output.stdout).expect("pdftotext writes UTF-8");
    let attribute = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    };
    let mut pages = Vec::new();
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            pages.push(Page {
                width: attribute(line, "width"),
                height: attribute(line, "height"),
                words: Vec::new(),
            });
        } else if line.starts_with("<word ") {
            let text = &line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()];
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            pages
                .last_mut()
                .expect("a word on a page")
                .words
                .push(Word {
                    text,
                    height: attribute(line, "yMax") - attribute(line, "yMin"),
                });
        }
    }
    pages
}

/// The non-empty lines of a page of `pdftotext -layout`, trimmed, runs of spaces as one.
fn lines(page: &str) -> Vec<String> {
    page.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// The level-1 headings of the sample report, in order: what the contents must list.
fn chapters(report: &Report) -> Vec<String> {
    let mut chapters = vec!["評価の概要".to_owned()];
    chapters.extend(report.projects.iter().map(|p| p.name.clone()));
    chapters.extend(["重点的に議論・提案すべき項目", "資源配分方針", "用語"].map(String::from));
    chapters
}

#[test]
fn the_contents_follow_the_cover_and_give_each_chapters_page() {
    let text = text(&PDF);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let contents = lines(pages[1]);
    assert_eq!(contents[0], "目次", "{contents:?}");
    for chapter in chapters(&REPORT) {
        // 「評価の概要 . . . . 2」: the title, leader dots, the page number (after a word joiner).
        let line = contents
            .iter()
            .find(|l| l.starts_with(&format!("{chapter} ")))
            .unwrap_or_else(|| panic!("{chapter} is not in the contents: {contents:?}"));
        let number: String = line
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let number: usize = number
            .parse()
            .unwrap_or_else(|_| panic!("no page in {line}"));
        // The cover is not numbered: page k is the (k + 1)-th sheet.
        let page = pages.get(number).expect("the page exists");
        assert!(
            squeeze(page).contains(&squeeze(&chapter)),
            "{chapter} is not on page {number}"
        );
    }
}

#[test]
fn the_cover_title_breaks_only_between_its_phrases() {
    let text = text(&PDF);
    let cover = lines(text.split('\u{c}').next().unwrap());
    // 資料1, then the title: the plan's name on a line, the year and the kind of report on the
    // next; no line ends inside a word (the old cover broke 「フォロー／アップ」).
    assert_eq!(
        REPORT.title,
        "第2期医療分野研究開発推進計画 令和5年度 フォローアップ報告"
    );
    assert_eq!(
        cover[..3],
        [
            "資料1",
            "第2期医療分野研究開発推進計画",
            "令和5年度 フォローアップ報告"
        ],
        "{cover:?}"
    );
}

#[test]
fn a_title_phrase_too_long_for_a_line_is_set_smaller_not_broken() {
    let mut long = REPORT.clone();
    let name =
        "健康・医療戦略推進法に基づく第2期医療分野研究開発推進計画（令和2年度から令和6年度まで）";
    long.title = format!("{name} 令和5年度 フォローアップ報告");
    let bytes = pdf(&long).expect("the report typesets");
    let cover = lines(text(&bytes).split('\u{c}').next().unwrap());
    assert_eq!(
        cover[1..3],
        [name, "令和5年度 フォローアップ報告"],
        "{cover:?}"
    );
    let size = layout(&bytes)[0]
        .words
        .iter()
        .find(|w| w.text == name)
        .expect("the name as one word")
        .height;
    assert!(size < 20.0 && size > 10.0, "set in {size} pt");
}

#[test]
fn table_text_is_at_least_9_points() {
    let ids: Vec<&str> = REPORT.rows().map(|r| r.id.as_str()).collect();
    let headers = [
        // Indicator tables (目標 is left out: the charts' legend uses it too; 期待進捗率 and 委員会の評価
        // are set on two lines).
        "ID",
        "指標",
        "累計等",
        "進捗率",
        "期待",
        "自動判定",
        "委員会の",
        // Summary, issues, glossary.
        "統合プロジェクト",
        "未評価",
        "合計",
        "課題",
        "解決策",
        "説明",
    ];
    let mut checked = 0;
    for page in layout(&PDF).iter().skip(1) {
        for word in &page.words {
            let in_table = ids.contains(&word.text.as_str())
                || headers.contains(&word.text.as_str())
                || REPORT.year_labels.contains(&word.text);
            if in_table {
                checked += 1;
                assert!(
                    word.height >= 9.0 - 0.01,
                    "「{}」 is set in {:.1} pt",
                    word.text,
                    word.height
                );
            }
        }
    }
    // Every indicator's ID and each table's header.
    assert!(checked > ids.len() + 50, "only {checked} words checked");
}

/// A value as the charts write it: whole numbers without decimals, others to one decimal.
fn chart_label(value: f64, unit: &str) -> String {
    let value = (value * 10.0).round() / 10.0;
    if value.fract() == 0.0 {
        format!("{value:.0}{unit}")
    } else {
        format!("{value:.1}{unit}")
    }
}

#[test]
fn every_point_of_a_chart_and_its_target_are_labelled_with_the_unit() {
    // Chart labels are the words set between 7 and 9 pt (tables are 9 pt and over).
    let mut labels: Vec<String> = layout(&PDF)
        .into_iter()
        .flat_map(|p| p.words)
        .filter(|w| (7.0..9.0 - 0.01).contains(&w.height))
        .map(|w| w.text)
        .collect();
    let mut charts = 0;
    for row in REPORT.rows() {
        let Some(chart) = &row.chart else { continue };
        charts += 1;
        assert!(!row.unit.is_empty(), "{} has no unit", row.id);
        let expected = chart
            .cumulative
            .iter()
            .chain([&chart.target])
            .map(|v| chart_label(*v, &row.unit));
        for label in expected {
            let found = labels
                .iter()
                .position(|l| *l == label)
                .unwrap_or_else(|| panic!("no label {label} on the chart of {}", row.id));
            labels.swap_remove(found);
        }
    }
    assert!(charts > 10, "only {charts} charts");
}

#[test]
fn wide_indicator_tables_are_set_on_landscape_pages() {
    let text = text(&PDF);
    let pages = layout(&PDF);
    let with_table: Vec<usize> = text
        .split('\u{c}')
        .enumerate()
        .filter(|(_, page)| page.contains("累計等"))
        .map(|(k, _)| k)
        .collect();
    assert!(!with_table.is_empty());
    for k in with_table {
        assert!(pages[k].landscape(), "page {k} is portrait: {pages:?}");
    }
    // The cover, the contents and the summary stay portrait.
    for page in &pages[..3] {
        assert!(!page.landscape());
    }
}

#[test]
fn narrow_indicator_tables_stay_on_portrait_pages() {
    // One year of actuals: the table fits a portrait page with room for the names.
    let mut narrow = REPORT.clone();
    narrow.years.truncate(1);
    narrow.year_labels.truncate(1);
    for project in &mut narrow.projects {
        for table in &mut project.tables {
            for group in &mut table.groups {
                for row in &mut group.rows {
                    row.actuals.truncate(1);
                    row.actual_texts.truncate(1);
                }
            }
        }
    }
    let pages = layout(&pdf(&narrow).expect("the report typesets"));
    assert!(pages.iter().all(|p| !p.landscape()));
    let table_words = pages
        .iter()
        .flat_map(|p| &p.words)
        .filter(|w| w.text == "累計等")
        .count();
    assert!(table_words > 10, "{table_words} tables");
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
