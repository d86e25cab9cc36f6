//! (issue 12) One vocabulary, one unit per figure: the same indicator's 期待値 and ペース read
//! the same on the project and the indicator pages; an indicator nobody reported on says
//! 未報告, never 0%; the indicator page lists its sub-targets and gives its chart's data as a
//! table with units; a sub-target needing attention is named with its parent; the committee's
//! rating, once recorded, is the main badge and the automatic judgement its suggestion.

use super::*;

on_both_databases!(
    expected_and_pace_read_the_same_on_the_project_and_indicator_pages,
    nothing_reported_reads_not_reported_never_zero,
    the_indicator_page_lists_sub_targets_and_tabulates_its_chart,
    an_attention_row_names_the_parent_of_a_sub_target,
    the_committee_rating_is_the_main_badge,
);

/// The table row of the page `html` that links to indicator `id`.
fn row_of<'a>(html: &'a str, id: &str) -> &'a str {
    let link = format!("/indicators/{id}?");
    let at = html
        .find(&link)
        .unwrap_or_else(|| panic!("no link to {id}"));
    let start = html[..at].rfind("<tr").expect("the row's start");
    let end = at + html[at..].find("</tr>").expect("the row's end");
    &html[start..end]
}

/// The part of `html` from `from` to `to`.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("no {from}"));
    let end = start + html[start..].find(to).unwrap_or_else(|| panic!("no {to}"));
    &html[start..end]
}

/// The figures (`<dl class="figures">`) of an indicator page.
fn figures(html: &str) -> &str {
    between(html, "<dl class=\"figures\">", "</dl>")
}

/// The value of the figure labelled `label` in `figures`.
fn figure<'a>(figures: &'a str, label: &str) -> &'a str {
    let at = figures
        .find(&format!(">{label}</"))
        .unwrap_or_else(|| panic!("no figure {label} in {figures}"));
    let dd = at + figures[at..].find("<dd>").expect("its value") + 4;
    let end = dd + figures[dd..].find("</dd>").expect("its end");
    &figures[dd..end]
}

async fn expected_and_pace_read_the_same_on_the_project_and_indicator_pages(app: TestApp) {
    let browser = app.signed_in(VIEWER).await;
    let project = browser.get_page("/projects/p1").await.text().await.unwrap();
    let indicator = browser
        .get_page("/indicators/p1-out-01")
        .await
        .text()
        .await
        .unwrap();
    // p1-out-01: 25件 over five years, 15件 expected by FY2022; 3 + 4 + 2 = 9 is 60% of that.
    let row = row_of(&project, "p1-out-01");
    let figures = figures(&indicator);
    assert!(row.contains(">15件<"), "期待値 in the unit: {row}");
    assert_eq!(figure(figures, "期待値"), "15件");
    assert!(row.contains(">60%<"), "ペース in %: {row}");
    assert_eq!(figure(figures, "ペース"), "60%");
    assert_eq!(figure(figures, "進捗率"), "36%");
    assert!(row.contains(">36%<"), "進捗率 in %: {row}");
    assert!(!indicator.contains("0.60"), "no pace as a ratio");
    // 達成見込み in words and %, the same on both pages.
    let outlook = figure(figures, "達成見込み");
    let word = ["高い", "中程度", "低い"]
        .into_iter()
        .find(|w| outlook.starts_with(w))
        .unwrap_or_else(|| panic!("達成見込み in words: {outlook}"));
    assert!(outlook.ends_with('%'), "{outlook}");
    assert!(row.contains(word), "{row}");
    // Each figure's label explains itself on the help page; no engine jargon.
    for anchor in ["progress", "expected", "pace", "outlook", "rating"] {
        let link = format!("/help/terms#{anchor}");
        assert!(project.contains(&link), "project links {link}");
        assert!(indicator.contains(&link), "indicator links {link}");
    }
    for page in [&project, &indicator] {
        assert!(page.contains("自動判定"));
        assert!(!page.contains("エンジン") && !page.contains("達成確率"));
    }
}

async fn nothing_reported_reads_not_reported_never_zero(app: TestApp) {
    let browser = app.signed_in(VIEWER).await;
    let project = browser.get_page("/projects/p2").await.text().await.unwrap();
    let indicator = browser
        .get_page("/indicators/p2-out-01")
        .await
        .text()
        .await
        .unwrap();
    let row = row_of(&project, "p2-out-01");
    assert!(row.contains("未報告"), "{row}");
    assert!(!row.contains(">0%<") && !row.contains(" 0%<"), "{row}");
    let figures = figures(&indicator);
    assert_eq!(
        figure(figures, "達成見込み"),
        "<span class=\"not-reported\">未報告</span>"
    );
    assert!(figures.contains("not-reported\">未報告"), "{figures}");
    assert!(!figures.contains(">0%<"), "{figures}");
    // The expected value still applies: 15件 were expected by FY2022.
    assert_eq!(figure(figures, "期待値"), "15件");
    assert!(!indicator.contains("確率は約0%"), "no 0% in words either");
    assert!(indicator.contains("/help/terms#not-reported"));
}

async fn the_indicator_page_lists_sub_targets_and_tabulates_its_chart(app: TestApp) {
    app.store
        .record_actuals(
            BUILTIN_PLAN_ID,
            &[
                number("p3-out-01", 2020, "amed", 6.0),
                number("p3-out-01-1", 2020, "amed", 1.0),
            ],
            "test",
        )
        .await
        .unwrap();
    let browser = app.signed_in(VIEWER).await;
    let parent = browser
        .get_page("/indicators/p3-out-01")
        .await
        .text()
        .await
        .unwrap();
    let sub = between(&parent, "id=\"sub-targets-heading\"", "</section>");
    assert!(sub.contains("内訳目標"), "{sub}");
    assert!(sub.contains("/help/terms#sub-target"));
    let row = row_of(sub, "p3-out-01-1");
    assert!(
        row.contains("うち遺伝子治療") && row.contains("5件"),
        "{row}"
    );
    assert!(row.contains(">1件<"), "its cumulative: {row}");
    assert!(
        row.contains(">3件<"),
        "its 期待値 by FY2022 (5 × 3/5): {row}"
    );

    let p1 = browser
        .get_page("/indicators/p1-out-01")
        .await
        .text()
        .await
        .unwrap();
    // The chart: an image with a name that sums it up, the unit on its value axis, each
    // point's value, and the same data as a table.
    assert!(p1.contains("role=\"img\""));
    let title = between(&p1, "<title id=\"chart-title\">", "</title>");
    assert!(
        title.contains("単位：件")
            && title.contains("令和4年度 9件")
            && title.contains("目標 25件"),
        "{title}"
    );
    assert!(p1.contains("class=\"axis-unit\"") && p1.contains(">(件)<"));
    for value in ["3件", "7件", "9件"] {
        assert!(p1.contains("class=\"point-label\""), "point labels");
        assert!(
            between(&p1, "<svg", "</svg>").contains(&format!(">{value}<")),
            "the point {value}"
        );
    }
    let table = between(&p1, "<details class=\"chart-data\">", "</details>");
    assert!(table.contains("表で見る"));
    assert!(
        table.contains("<table") && table.contains("単位：件"),
        "{table}"
    );
    assert!(
        table.contains(">令和3年度<") && table.contains(">7件<"),
        "{table}"
    );
    assert!(
        table.contains(">15件<"),
        "the expected line, in the unit: {table}"
    );
    // Wide tables scroll inside a focusable region.
    assert!(p1.contains("class=\"table-scroll\" role=\"region\""));
}

async fn an_attention_row_names_the_parent_of_a_sub_target(app: TestApp) {
    // うち遺伝子治療 (5件 by FY2024) with nothing in three years: B.
    app.store
        .record_actuals(
            BUILTIN_PLAN_ID,
            &[
                number("p3-out-01-1", 2020, "amed", 0.0),
                number("p3-out-01-1", 2021, "amed", 0.0),
                number("p3-out-01-1", 2022, "amed", 0.0),
            ],
            "test",
        )
        .await
        .unwrap();
    let browser = app.signed_in(VIEWER).await;
    let dashboard = browser.get_page("/").await.text().await.unwrap();
    let attention = between(&dashboard, "attention-heading", "projects-heading");
    let row = row_of(attention, "p3-out-01-1");
    assert!(
        row.contains("非臨床POCの取得件数（うち遺伝子治療）"),
        "the parent's name with the sub-target's: {row}"
    );
    assert!(attention.contains("達成見込み") && attention.contains("/help/terms#outlook"));
}

async fn the_committee_rating_is_the_main_badge(app: TestApp) {
    open_round(&app, 2022).await;
    // The page as it was before the rating, kept by the page cache.
    let before = app.signed_in(SECRETARIAT).await;
    let project = before.get_page("/projects/p1").await.text().await.unwrap();
    let cell = between(
        row_of(&project, "p1-out-01"),
        "<td class=\"rating\">",
        "</td>",
    );
    assert!(
        cell.contains("badge s-insufficient") && !cell.contains("自動判定："),
        "{cell}"
    );
    // The engine says B for p1-out-01; the committee rates it A, with its reason.
    let rating = pdca_core::follow_up::NewRating {
        indicator_id: "p1-out-01".into(),
        rating: pdca_core::Rating::A,
        reason: Some("年度後半に導出が集中する見込み".into()),
        issue: None,
        solution: None,
    };
    app.store
        .rate(
            BUILTIN_PLAN_ID,
            FiscalYear::new(2022).unwrap(),
            &rating,
            None,
            "test",
        )
        .await
        .unwrap();
    let browser = app.signed_in(SECRETARIAT).await;
    let project = browser.get_page("/projects/p1").await.text().await.unwrap();
    let row = row_of(&project, "p1-out-01");
    let cell = between(row, "<td class=\"rating\">", "</td>");
    assert!(
        cell.find("badge s-on-track").unwrap() < cell.find("suggestion").unwrap(),
        "the committee's A first, as the badge: {cell}"
    );
    assert!(
        cell.contains("自動判定：B"),
        "the engine's B as a suggestion: {cell}"
    );
    let indicator = browser
        .get_page("/indicators/p1-out-01")
        .await
        .text()
        .await
        .unwrap();
    let line = between(&indicator, "<p class=\"rating-line\">", "</p>");
    assert!(
        line.contains("badge s-on-track") && line.contains("自動判定</a>：B"),
        "{line}"
    );
    // A viewer reads closed rounds only: for it the engine's B is still all there is.
    let viewer = app.signed_in(VIEWER).await;
    let project = viewer.get_page("/projects/p1").await.text().await.unwrap();
    let cell = between(
        row_of(&project, "p1-out-01"),
        "<td class=\"rating\">",
        "</td>",
    );
    assert!(
        cell.contains("badge s-insufficient") && !cell.contains("自動判定："),
        "{cell}"
    );
}
