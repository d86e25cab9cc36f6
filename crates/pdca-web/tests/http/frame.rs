//! (issue 12) The frame on the Digital Agency Design System: the one style sheet carries the
//! DADS tokens and the black-and-yellow focus ring; the help page 用語の説明 is readable without
//! signing in and has an anchor for each term the pages link to; every page's menu collapses
//! behind a 「メニュー」 button on narrow screens and links to the help page.

use super::*;

on_both_databases!(
    the_style_sheet_is_on_the_design_system_tokens,
    the_terms_are_explained_without_signing_in,
    every_page_has_the_collapsible_menu,
);

/// The anchors other pages link to (`/help/terms#pace`).
const TERM_ANCHORS: [&str; 10] = [
    "progress",
    "expected",
    "pace",
    "outlook",
    "not-reported",
    "auto-judgement",
    "rating",
    "sub-target",
    "management-indicator",
    "locked",
];

async fn the_style_sheet_is_on_the_design_system_tokens(app: TestApp) {
    let response = app.get("/static/pdca.css").await;
    assert_eq!(response.status(), StatusCode::OK);
    let css = response.text().await.unwrap();

    let tokens = css
        .find("@digital-go-jp/design-tokens")
        .expect("the vendored tokens name their package");
    let frame = css
        .find("--color-primitive-blue-900: #0017c1")
        .expect("the DADS colour tokens");
    assert!(tokens < frame, "the tokens come first");
    assert!(
        css.find(":focus-visible").unwrap() > frame,
        "the frame's styles follow the tokens"
    );
    for style in [
        "outline: 4px solid var(--color-neutral-black)",
        "box-shadow: 0 0 0 2px var(--focus-ring)",
        "--focus-ring: var(--color-primitive-yellow-300)",
        "line-height: var(--line-height-170)",
        "--target: 2.75rem",
        "details.menu::details-content",
    ] {
        assert!(css.contains(style), "the style sheet has {style}");
    }
    for class in [
        ".button-secondary",
        ".button-tertiary",
        ".button-danger",
        ".table-scroll",
        ".required",
        ".error-summary",
        ".field-error",
        ".notice",
        ".confirm-box",
        ".help-term",
    ] {
        assert!(css.contains(class), "the style sheet styles {class}");
    }
}

async fn the_terms_are_explained_without_signing_in(app: TestApp) {
    let response = app.get("/help/terms").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>用語の説明</h1>"), "{html}");
    for anchor in TERM_ANCHORS {
        assert!(
            html.contains(&format!("id=\"{anchor}\"")),
            "an anchor for {anchor}"
        );
    }
    for term in [
        "進捗率",
        "期待値",
        "ペース",
        "達成見込み",
        "未報告",
        "自動判定",
        "内訳目標",
        "管理指標",
        "確定",
    ] {
        assert!(html.contains(term), "{term} is explained");
    }
    assert!(
        !html.contains("/signout"),
        "signed out, the page has no sign-out form"
    );

    // `/help` leads to it, and it is in English too.
    let help = app.get("/help").await;
    assert!(help.status().is_redirection());
    assert_eq!(location(&help), "/help/terms");
    let english = app.get("/help/terms?lang=en").await.text().await.unwrap();
    assert!(english.contains("<h1>Terms explained</h1>"), "{english}");

    // Signed in, the same page carries the reader's own frame.
    let browser = app.signed_in(COMMITTEE).await;
    let html = browser.get_page("/help/terms").await.text().await.unwrap();
    assert!(
        html.contains("/signout") && html.contains(COMMITTEE),
        "{html}"
    );
}

async fn every_page_has_the_collapsible_menu(app: TestApp) {
    let browser = app.signed_in(SECRETARIAT).await;
    for (reader, path) in [
        (Some(&browser), "/"),
        (Some(&browser), "/tasks"),
        (None, "/signin"),
        (None, "/help/terms"),
    ] {
        let response = match reader {
            Some(browser) => browser.get_page(path).await,
            None => app.get(path).await,
        };
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("<details class=\"menu\">")
                && html.contains("<summary>メニュー</summary>")
                && html.contains("<nav aria-label=\"メインメニュー\">"),
            "{path} has the menu: {html}"
        );
        assert!(
            html.contains("<a href=\"/help/terms\">用語の説明</a>"),
            "{path} links to the help page"
        );
    }
    let dashboard = browser.get_page("/").await.text().await.unwrap();
    let menu = &dashboard[dashboard.find("<details class=\"menu\">").unwrap()..];
    let menu = &menu[..menu.find("</details>").unwrap()];
    for inside in ["href=\"/approval\"", "href=\"/admin/users\"", "/signout"] {
        assert!(menu.contains(inside), "the menu holds {inside}");
    }
}
