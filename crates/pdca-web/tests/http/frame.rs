//! (issue 12) The frame on the Digital Agency Design System: the one style sheet carries the
//! DADS tokens and the black-and-yellow focus ring; the help page 用語の説明 is readable without
//! signing in and has an anchor for each term the pages link to; every page's menu collapses
//! behind a 「メニュー」 button on narrow screens and links to the help page. Every page loads the
//! frame's script, which warns before leaving a form marked `data-warn-unsaved` unsent.

use super::*;

on_both_databases!(
    the_style_sheet_is_on_the_design_system_tokens,
    the_terms_are_explained_without_signing_in,
    every_page_has_the_collapsible_menu,
    the_forms_where_people_type_warn_before_leaving,
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

/// The opening tags of the forms of `html` whose tag contains `marker`.
fn form_tags<'a>(html: &'a str, marker: &str) -> Vec<&'a str> {
    html.match_indices("<form ")
        .map(|(start, _)| &html[start..start + html[start..].find('>').unwrap() + 1])
        .filter(|tag| tag.contains(marker))
        .collect()
}

async fn the_forms_where_people_type_warn_before_leaving(app: TestApp) {
    let script = app.get("/static/forms.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        script.headers()[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        script.headers()[header::CACHE_CONTROL],
        "public, max-age=3600"
    );
    let js = script.text().await.unwrap();
    assert!(js.contains("beforeunload") && js.contains("form[data-warn-unsaved]"));

    // The sign-in page loads the script, but its form does not warn.
    let signin = app.get("/signin").await.text().await.unwrap();
    assert!(signin.contains("<script src=\"/static/forms.js\" defer></script>"));
    let tags = form_tags(&signin, "action=\"/signin\"");
    assert_eq!(tags.len(), 1, "{signin}");
    assert!(!tags[0].contains("data-warn-unsaved"), "{}", tags[0]);

    // The round page's rating editors warn; its one-button forms do not.
    open_round(&app, 2022).await;
    let secretariat = app.signed_in(SECRETARIAT).await;
    let round = secretariat
        .get_page("/rounds/2022")
        .await
        .text()
        .await
        .unwrap();
    assert!(round.contains("<script src=\"/static/forms.js\" defer></script>"));
    let ratings = form_tags(&round, "class=\"rate\"");
    assert!(!ratings.is_empty(), "{round}");
    for tag in &ratings {
        assert!(
            tag.contains("data-warn-unsaved") && !tag.contains("data-unsaved"),
            "{tag}"
        );
    }
    // (Open, the round's state forms are advance and close: one button each.)
    for marker in ["/state\"", "/reflected\"", "action=\"/signout\""] {
        for tag in form_tags(&round, marker) {
            assert!(
                !tag.contains("data-warn-unsaved"),
                "a one-button form warns: {tag}"
            );
        }
    }

    // A refused rating comes back unsaved from the start.
    let csrf = csrf_field(&round).unwrap();
    let refused = secretariat
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", "p1-out-01"),
                ("rating", ""),
                ("reason", "下書きの理由"),
                ("version", "none"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    let unsaved = form_tags(&html, "data-unsaved");
    assert_eq!(unsaved.len(), 1, "{html}");
    assert!(unsaved[0].contains("class=\"rate\""), "{}", unsaved[0]);

    // The entry form warns.
    let body = app.signed_in(BODY).await;
    let entry = body.get_page("/entry?fy=2023").await.text().await.unwrap();
    let tags = form_tags(&entry, "id=\"entry-form\"");
    assert_eq!(tags.len(), 1, "{entry}");
    assert!(tags[0].contains("data-warn-unsaved"), "{}", tags[0]);
    assert!(!tags[0].contains("data-unsaved"), "{}", tags[0]);
}
