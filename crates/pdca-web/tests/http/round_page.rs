//! (issue 12) The round page: every form returns to the row edited with a notice naming it; a
//! refused rating keeps what was typed and speaks no command-line flags; closing goes through a
//! confirmation with the count of values it locks, and a refusal to close lists what is missing
//! with links to the rows; management indicators are not rated; links are chosen by name.

use super::*;

on_both_databases!(
    a_rating_returns_to_its_row_with_a_named_notice,
    a_refused_rating_keeps_the_rating_and_the_text,
    closing_is_confirmed_with_the_count_of_values_it_locks,
    a_refusal_to_close_lists_what_is_missing_with_links,
    management_indicators_have_no_rating_form,
    links_are_chosen_from_lists_by_name,
);

/// The automatic judgement of an indicator as of FY`fy`.
async fn auto_rating(app: &TestApp, fy: i32, id: &str) -> Option<pdca_core::Rating> {
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    let actuals = app
        .store
        .actuals_as(BUILTIN_PLAN_ID, Visibility::Approved)
        .await
        .unwrap();
    let evaluation = evaluate_plan(&plan, &actuals, FiscalYear::new(fy).unwrap()).unwrap();
    evaluation
        .indicators
        .iter()
        .find(|e| e.id == id)
        .and_then(|e| e.rating)
}

/// A rating other than the automatic judgement (it needs a reason).
async fn other_rating(app: &TestApp, fy: i32, id: &str) -> &'static str {
    match auto_rating(app, fy, id).await {
        Some(pdca_core::Rating::B) => "A",
        _ => "B",
    }
}

/// The `<li>` of an indicator's row.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"ind-{id}\""))
        .unwrap_or_else(|| panic!("no row of {id}"));
    let end = html[start..].find("</li>").unwrap() + start;
    &html[start..end]
}

/// The error summary at the top of a refused page.
fn error_summary(html: &str) -> &str {
    let start = html
        .find("class=\"error-summary\"")
        .expect("an error summary");
    let end = html[start..].find("</div>").unwrap() + start;
    &html[start..end]
}

async fn a_rating_returns_to_its_row_with_a_named_notice(app: TestApp) {
    open_round(&app, 2022).await;
    let browser = app.signed_in(SECRETARIAT).await;
    let csrf = browser.csrf_of("/rounds/2022").await;
    let rated = browser
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", "p1-out-01"),
                ("rating", "B"),
                ("reason", "導出が遅れている"),
                ("issue", "探索の遅れ"),
                ("solution", "支援の強化"),
            ],
        )
        .await;
    assert_eq!(rated.status(), StatusCode::SEE_OTHER);
    let to = location(&rated);
    assert_eq!(
        to,
        "/rounds/2022?plan=medical-rd-2&done=rated&id=p1-out-01#ind-p1-out-01"
    );
    let html = browser
        .get_page(to.split('#').next().unwrap())
        .await
        .text()
        .await
        .unwrap();
    let name = indicator_name("p1-out-01");
    let notice = format!("{name} を B（進捗が不十分）で記録しました");
    assert!(row(&html, "p1-out-01").contains(&notice), "{html}");
    assert!(!html.contains("記録しました。"));
    // The committee's rating is the badge; the automatic judgement its suggestion.
    let row = row(&html, "p1-out-01");
    assert!(row.contains("rating-badge rating-B"), "{row}");
    assert!(row.contains("href=\"/help/terms#auto-judgement\">自動判定</a>"));
    assert!(row.contains("href=\"/help/terms#rating\">評価</a>"));
    assert!(!html.contains("エンジン"));
    // A committee member rates too, back to the same row.
    let committee = app.signed_in(COMMITTEE).await;
    let csrf = committee.csrf_of("/rounds/2022").await;
    let rating = other_rating(&app, 2022, "p1-out-02").await;
    let rated = committee
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", "p1-out-02"),
                ("rating", rating),
                ("reason", "委員の見解"),
            ],
        )
        .await;
    assert_eq!(rated.status(), StatusCode::SEE_OTHER);
    assert!(location(&rated).ends_with("#ind-p1-out-02"));
}

async fn a_refused_rating_keeps_the_rating_and_the_text(app: TestApp) {
    open_round(&app, 2022).await;
    let browser = app.signed_in(SECRETARIAT).await;
    let csrf = browser.csrf_of("/rounds/2022").await;
    let rating = other_rating(&app, 2022, "p1-out-01").await;
    let refused = browser
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", "p1-out-01"),
                ("rating", rating),
                ("reason", ""),
                ("issue", "課題の下書き <i>"),
                ("solution", "解決策の下書き"),
                ("version", "none"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = entities(&refused.text().await.unwrap());
    let row = row(&html, "p1-out-01");
    assert!(
        row.contains(&format!(
            "id=\"rating-p1-out-01-{rating}\" name=\"rating\" value=\"{rating}\" checked"
        )),
        "{row}"
    );
    assert!(row.contains("課題の下書き &lt;i&gt;</textarea>"), "{row}");
    assert!(row.contains("解決策の下書き</textarea>"));
    assert!(row.contains("<details class=\"rating-editor\" open>"));
    assert!(row.contains("class=\"field-error\" id=\"rating-p1-out-01-reason-error\""));
    let summary = error_summary(&html);
    assert!(
        summary.contains("href=\"#rating-p1-out-01-reason\""),
        "{summary}"
    );
    assert!(summary.contains("理由を書いてください"), "{summary}");
    assert!(!summary.contains("--"), "{summary}");
    assert!(!html.contains("--reason"));
    // Nothing was recorded.
    let ratings = app
        .store
        .round_ratings(BUILTIN_PLAN_ID, FiscalYear::new(2022).unwrap())
        .await
        .unwrap();
    assert!(ratings.is_empty());
}

/// Opens FY`fy`'s round and rates every numeric indicator N, so that it may close.
async fn closable_round(app: &TestApp, fy: i32) {
    open_round(app, fy).await;
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    for (_, indicator) in plan.indicators().filter(|(_, i)| !i.management) {
        let rating = pdca_core::follow_up::NewRating {
            indicator_id: indicator.id.clone(),
            rating: pdca_core::Rating::N,
            reason: Some("test".into()),
            issue: None,
            solution: None,
        };
        app.store
            .rate(
                BUILTIN_PLAN_ID,
                FiscalYear::new(fy).unwrap(),
                &rating,
                None,
                "test",
            )
            .await
            .unwrap();
    }
}

async fn closing_is_confirmed_with_the_count_of_values_it_locks(app: TestApp) {
    closable_round(&app, 2021).await;
    let fy = FiscalYear::new(2021).unwrap();
    let approved = app
        .store
        .actuals_as(BUILTIN_PLAN_ID, Visibility::Approved)
        .await
        .unwrap()
        .contributions()
        .iter()
        .filter(|c| c.year == fy)
        .count();
    assert!(approved > 0, "the seed has approved values of FY2021");
    let browser = app.signed_in(SECRETARIAT).await;
    let page = browser.get_page("/rounds/2021").await.text().await.unwrap();
    // Close stands apart from advance, in its own section, in the destructive style.
    let close_at = page.find("value=\"close\"").unwrap();
    let advance_at = page.find("value=\"advance\"").unwrap();
    assert!(page[advance_at..close_at].contains("id=\"ratings\""));
    assert!(page[..close_at].contains("id=\"close\""));
    assert!(page[close_at..].starts_with("value=\"close\" class=\"button-danger\""));
    let csrf = csrf_field(&page).unwrap();
    let asked = browser
        .post_form(
            "/rounds/2021/state",
            &[
                ("csrf", &csrf),
                ("plan", "medical-rd-2"),
                ("action", "close"),
            ],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let html = asked.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "令和3年度の承認済み実績 {approved}件を確定し、ラウンドを終了します。"
        )),
        "{html}"
    );
    assert!(html.contains("name=\"confirmed\" value=\"1\""));
    assert!(html.contains("name=\"action\" value=\"close\""));
    assert!(html.contains("button-danger"));
    let round = app.store.round(BUILTIN_PLAN_ID, fy).await.unwrap().unwrap();
    assert!(round.state.is_open(), "not closed before the confirmation");

    let closed = browser
        .post_form(
            "/rounds/2021/state",
            &[
                ("csrf", &csrf),
                ("plan", "medical-rd-2"),
                ("action", "close"),
                ("confirmed", "1"),
            ],
        )
        .await;
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&closed),
        "/rounds/2021?plan=medical-rd-2&done=closed#close"
    );
    let round = app.store.round(BUILTIN_PLAN_ID, fy).await.unwrap().unwrap();
    assert!(!round.state.is_open());
    let page = browser
        .get_page("/rounds/2021?plan=medical-rd-2&done=closed")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("令和3年度のフォローアップを終了しました"),
        "{page}"
    );

    // Reopening asks too, and keeps the reason.
    let asked = browser
        .post_form(
            "/rounds/2021/state",
            &[
                ("csrf", &csrf),
                ("action", "reopen"),
                ("reason", "評価の訂正"),
            ],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let html = asked.text().await.unwrap();
    assert!(html.contains("再開の理由: 評価の訂正"), "{html}");
    assert!(html.contains("name=\"reason\" value=\"評価の訂正\""));
    let round = app.store.round(BUILTIN_PLAN_ID, fy).await.unwrap().unwrap();
    assert!(
        !round.state.is_open(),
        "not reopened before the confirmation"
    );
}

async fn a_refusal_to_close_lists_what_is_missing_with_links(app: TestApp) {
    open_round(&app, 2022).await;
    let browser = app.signed_in(SECRETARIAT).await;
    let csrf = browser.csrf_of("/rounds/2022").await;
    let rating = other_rating(&app, 2022, "p1-out-02").await;
    let rated = browser
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", "p1-out-02"),
                ("rating", "B"),
                ("reason", if rating == "B" { "遅れ" } else { "" }),
                ("issue", "課題だけ"),
            ],
        )
        .await;
    let rated_b = rated.status() == StatusCode::SEE_OTHER;
    let refused = browser
        .post_form(
            "/rounds/2022/state",
            &[("csrf", &csrf), ("action", "close")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    let summary = error_summary(&html);
    assert!(summary.contains("終了できません"), "{summary}");
    let name = missing_name("p1-out-01");
    assert!(
        summary.contains(&format!(
            "<a href=\"#ind-p1-out-01\">{name}: 評価がありません</a>"
        )),
        "{summary}"
    );
    if rated_b {
        let name = missing_name("p1-out-02");
        assert!(
            summary.contains(&format!(
                "<a href=\"#ind-p1-out-02\">{name}: B と評価されていますが解決策がありません</a>"
            )),
            "{summary}"
        );
    }
    // Every link has its row.
    for href in summary.split("href=\"#").skip(1) {
        let anchor = href.split('"').next().unwrap();
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
    }
    let round = app
        .store
        .round(BUILTIN_PLAN_ID, FiscalYear::new(2022).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(round.state.is_open());
}

async fn management_indicators_have_no_rating_form(app: TestApp) {
    open_round(&app, 2022).await;
    let plan = builtin_plan().unwrap();
    let management = plan
        .indicators()
        .map(|(_, i)| i)
        .find(|i| i.management)
        .expect("the plan has management indicators")
        .id
        .clone();
    let browser = app.signed_in(SECRETARIAT).await;
    let html = browser.get_page("/rounds/2022").await.text().await.unwrap();
    let managed = row(&html, &management);
    assert!(!managed.contains("name=\"rating\""), "{managed}");
    assert!(managed.contains("管理指標（評価の対象外）"));
    assert!(row(&html, "p1-out-01").contains("name=\"rating\""));
    // 53 indicators are not 53 open forms.
    assert!(!html.contains("<details class=\"rating-editor\" open>"));
    let csrf = csrf_field(&html).unwrap();
    let refused = browser
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", &management),
                ("rating", "A"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("管理指標のため評価しません")
    );
}

async fn links_are_chosen_from_lists_by_name(app: TestApp) {
    open_round(&app, 2022).await;
    let browser = app.signed_in(SECRETARIAT).await;
    let html = browser.get_page("/rounds/2022").await.text().await.unwrap();
    let name = indicator_name("p1-out-01");
    assert!(html.contains("<select id=\"priority_item-links\" name=\"links\" multiple"));
    assert!(html.contains(&format!("<option value=\"p1-out-01\">{name}</option>")));
    let csrf = csrf_field(&html).unwrap();
    let added = browser
        .post_form(
            "/rounds/2022/items",
            &[
                ("csrf", &csrf),
                ("kind", "priority_item"),
                ("title", "導出の加速"),
                ("text", "シーズの導出を加速する"),
                ("links", "p1-out-01"),
                ("links", "p1"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let items = app
        .store
        .round_items(BUILTIN_PLAN_ID, Some(FiscalYear::new(2022).unwrap()))
        .await
        .unwrap();
    let item = items
        .iter()
        .find(|i| i.text == "シーズの導出を加速する")
        .unwrap();
    let links: Vec<String> = item.links.iter().map(|l| l.id.clone()).collect();
    assert!(links.contains(&"p1-out-01".to_owned()) && links.contains(&"p1".to_owned()));
    assert_eq!(
        location(&added),
        format!(
            "/rounds/2022?plan=medical-rd-2&done=item&id={0}#item-{0}",
            item.id
        )
    );
    let page = browser
        .get_page(location(&added).split('#').next().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("#{} を追加しました", item.id)),
        "{page}"
    );
    // The item is a choice of the lists now, by its title.
    assert!(page.contains(&format!(
        "<option value=\"#{}\">#{} 導出の加速",
        item.id, item.id
    )));
    // A refused item keeps what was typed and chosen.
    let refused = browser
        .post_form(
            "/rounds/2022/items",
            &[
                ("csrf", &csrf),
                ("kind", "policy_clause"),
                ("title", "方針の下書き"),
                ("text", ""),
                ("links", "p1-out-01"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"policy_clause-title\" name=\"title\" value=\"方針の下書き\""));
    let form = &html[html.find("id=\"policy_clause-form\"").unwrap()..];
    assert!(
        form.contains("<option value=\"p1-out-01\" selected>"),
        "{form}"
    );
    assert!(error_summary(&html).contains("href=\"#policy_clause-text\""));
}
