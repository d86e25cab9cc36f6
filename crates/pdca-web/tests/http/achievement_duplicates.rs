//! (issue 15) Possible duplicate achievements on the web: `/achievements/duplicates` lists the
//! pairs for the secretariat, open ones first; a same decision is confirmed with what it does to
//! the count, then recorded and counted; a distinct one needs a reason; a refused form keeps
//! what was typed; other roles are refused; the open pairs are the secretariat's task.

use super::*;

use pdca_core::achievements::{AchievementFields, AchievementId};
use pdca_core::plan::CountedFrom;
use pdca_store::{AchievementChange, AchievementFilter};

on_both_databases!(
    an_open_pair_is_decided_the_same_after_its_confirmation_and_changed_later,
    a_refused_decision_shows_its_errors_and_keeps_what_was_typed,
    other_roles_and_forms_without_the_token_are_refused,
    open_pairs_are_the_secretariats_task_until_decided,
    hostile_achievements_and_reasons_are_escaped,
);

const PAGE: &str = "/achievements/duplicates";
const COUNTED: &str = "p1-out-01";
const TITLE: &str = "抗体Aの非臨床POC";

/// Revision 2 of the built-in plan, whose 非臨床POCの取得件数 (p1-out-01) is counted from its
/// achievements.
async fn count_p1_out_01_from_achievements(app: &TestApp) {
    let mut plan = builtin_plan().unwrap();
    plan.revision = 2;
    plan.indicator_mut(COUNTED).unwrap().counted_from = CountedFrom::Achievements;
    app.store.save_plan(&plan, None, "test").await.unwrap();
}

fn fields(indicator: &str, year: i32, code: &str, title: &str) -> AchievementFields {
    AchievementFields {
        indicator: indicator.to_owned(),
        year: FiscalYear::new(year).unwrap(),
        body: "amed".to_owned(),
        project_code: Some(code.to_owned()),
        title: title.to_owned(),
        institution: Some("国立大学法人A大学".to_owned()),
        date: Some(format!("{year}-10-01")),
        tags: Vec::new(),
        public: false,
        notable: false,
        url: None,
        note: None,
    }
}

/// Records `items` approved; their ids in order.
async fn record(app: &TestApp, items: Vec<AchievementFields>) -> Vec<AchievementId> {
    let changes: Vec<AchievementChange> = items
        .into_iter()
        .map(|fields| AchievementChange {
            id: None,
            expected_version: None,
            fields,
        })
        .collect();
    app.store
        .record_achievements(BUILTIN_PLAN_ID, &changes, ActualState::Approved, "test")
        .await
        .unwrap()
}

/// The planted duplicate: the same project and title reported for FY2022 and again (written
/// differently) for FY2023, and another achievement of FY2022. Returns the pair's ids.
async fn plant_duplicate(app: &TestApp) -> (i64, i64) {
    let ids = record(
        app,
        vec![
            fields(COUNTED, 2022, "JP22ab0001", TITLE),
            fields(COUNTED, 2022, "JP22ab0002", "抗体Bの非臨床POC"),
            fields(
                COUNTED,
                2023,
                "ｊｐ２２ＡＢ－０００１",
                " 抗体Aの非臨床POC ",
            ),
        ],
    )
    .await;
    (ids[0].0, ids[2].0)
}

/// The approved count of p1-out-01 for `year`, as evaluations see it.
async fn counted(app: &TestApp, year: i32) -> Option<f64> {
    app.store
        .actuals(BUILTIN_PLAN_ID)
        .await
        .unwrap()
        .year(COUNTED, FiscalYear::new(year).unwrap())
        .map(|y| y.number)
}

/// The card of the pair `a`–`b` on the page.
fn card(html: &str, a: i64, b: i64) -> &str {
    let marker = format!("id=\"pair-{a}-{b}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no pair {a}-{b}: {html}"));
    let start = html[..at].rfind("<article").unwrap();
    let end = at + html[at..].find("</article>").unwrap();
    &html[start..end]
}

async fn decisions(app: &TestApp) -> usize {
    app.store
        .duplicate_decisions(BUILTIN_PLAN_ID)
        .await
        .unwrap()
        .len()
}

async fn an_open_pair_is_decided_the_same_after_its_confirmation_and_changed_later(app: TestApp) {
    count_p1_out_01_from_achievements(&app).await;
    let (a, b) = plant_duplicate(&app).await;
    let (sa, sb) = (a.to_string(), b.to_string());
    assert_eq!(counted(&app, 2022).await, Some(2.0));
    assert_eq!(counted(&app, 2023).await, Some(1.0));
    let admin = app.signed_in(SECRETARIAT).await;

    // Listed as open, both reports side by side with why they look alike.
    let response = admin.get_page(PAGE).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("未判断の組（1組）"), "{html}");
    assert!(html.contains("判断済みの組（0組）"), "{html}");
    assert!(html.contains("判断済みの組はありません。"), "{html}");
    let pair = card(&html, a, b);
    assert!(pair.contains(&format!("成果 {a} と {b}")), "{pair}");
    assert!(pair.contains("未判断"), "{pair}");
    assert!(pair.contains("同じ課題番号と成果名"), "{pair}");
    assert!(pair.contains("非臨床POCの取得件数（p1-out-01）"), "{pair}");
    assert!(
        pair.contains("令和4年度") && pair.contains("令和5年度"),
        "{pair}"
    );
    assert!(pair.contains("令和4年10月1日"), "{pair}");
    assert!(
        pair.contains("JP22ab0001") && pair.contains(TITLE),
        "{pair}"
    );
    assert!(pair.contains("data-label=\"課題番号\""), "{pair}");
    assert!(pair.contains("<th scope=\"col\">成果 ID</th>"), "{pair}");
    assert!(
        pair.contains(&format!("成果 {a}（AMED・令和4年度）")),
        "{pair}"
    );
    assert!(pair.contains("<label for=\"pair-"), "{pair}");
    // The menu leads to the page.
    assert!(html.contains("href=\"/achievements/duplicates\""), "{html}");
    let en = admin
        .get_page(&format!("{PAGE}?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Undecided pairs (1)"), "{en}");
    assert!(en.contains("Same project code and title"), "{en}");

    // A same decision is confirmed first with what it does to the count.
    let csrf = admin.csrf_of(PAGE).await;
    let reason = "同じ成果を二年度に報告したもの";
    let form = [
        ("csrf", csrf.as_str()),
        ("plan", BUILTIN_PLAN_ID),
        ("a", sa.as_str()),
        ("b", sb.as_str()),
        ("resolution", "same"),
        ("kept", sa.as_str()),
        ("reason", reason),
    ];
    let response = admin.post_form(PAGE, &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let confirm = response.text().await.unwrap();
    assert!(
        confirm.contains(&format!(
            "成果 {a} と {b} を同じ成果として1件に数えます（{a} の報告を残します）。指標「非臨床POCの取得件数」の令和5年度の件数は 1件から 0件になります。"
        )),
        "{confirm}"
    );
    assert!(
        confirm.contains(&format!("成果 {b} の報告は消さずに残ります")),
        "{confirm}"
    );
    assert!(
        confirm.contains("name=\"confirmed\" value=\"1\""),
        "{confirm}"
    );
    assert!(
        confirm.contains(&format!("#pair-{a}-{b}\"")),
        "back to the pair: {confirm}"
    );
    assert_eq!(
        decisions(&app).await,
        0,
        "nothing recorded before confirming"
    );
    assert_eq!(counted(&app, 2023).await, Some(1.0));

    let mut confirmed = form.to_vec();
    confirmed.push(("confirmed", "1"));
    let response = admin.post_form(PAGE, &confirmed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = location(&response);
    assert_eq!(
        back,
        format!("{PAGE}?plan=medical-rd-2&done=decided&a={a}&b={b}#pair-{a}-{b}")
    );
    assert_eq!(decisions(&app).await, 1);
    assert_eq!(counted(&app, 2022).await, Some(2.0));
    assert_eq!(counted(&app, 2023).await, Some(0.0), "counted once");
    let token = app.token(SECRETARIAT).await;
    let evaluations: Value = app
        .api_get("/api/v1/evaluations?as_of=2023", &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !evaluations
            .to_string()
            .contains("事務局の判断を待っています"),
        "no open-pair warning left: {evaluations}"
    );

    // Back at the pair, now decided, with who and why, and the form filled in to change it.
    let html = admin.get_page(&back).await.text().await.unwrap();
    assert!(html.contains("未判断の組（0組）") && html.contains("判断済みの組（1組）"));
    let pair = card(&html, a, b);
    assert!(
        pair.contains(&format!(
            "成果 {a} と {b} の判断を記録しました: 同じ成果（成果 {a} の報告を残し、1件に数える）。"
        )),
        "{pair}"
    );
    assert!(
        pair.contains(reason) && pair.contains(SECRETARIAT),
        "{pair}"
    );
    assert!(pair.contains("判断を変更する"), "{pair}");
    assert!(pair.contains("value=\"same\" checked"), "{pair}");
    assert!(pair.contains(&format!("value=\"{a}\" checked")), "{pair}");
    assert!(pair.contains(&format!(">{reason}</textarea>")), "{pair}");

    // Changed to distinct: recorded at once, the earlier decision kept in the history.
    let response = admin
        .post_form(
            PAGE,
            &[
                ("csrf", csrf.as_str()),
                ("plan", BUILTIN_PLAN_ID),
                ("a", sb.as_str()),
                ("b", sa.as_str()),
                ("resolution", "distinct"),
                ("reason", "課題番号は同じだが別の化合物"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(counted(&app, 2023).await, Some(1.0));
    let history = app
        .store
        .duplicate_decision_history(BUILTIN_PLAN_ID, AchievementId(a), AchievementId(b))
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    let html = admin
        .get_page(&location(&response))
        .await
        .text()
        .await
        .unwrap();
    let pair = card(&html, a, b);
    assert!(pair.contains("別の成果（両方を数える）"), "{pair}");
    assert!(pair.contains("これまでの判断（1）"), "{pair}");
    assert!(pair.contains(reason), "the earlier reason stays: {pair}");
}

async fn a_refused_decision_shows_its_errors_and_keeps_what_was_typed(app: TestApp) {
    count_p1_out_01_from_achievements(&app).await;
    let (a, b) = plant_duplicate(&app).await;
    let other = record(
        &app,
        vec![fields("p1-out-02", 2022, "JP22ab0009", "別の指標の成果")],
    )
    .await[0]
        .0;
    let (sa, sb) = (a.to_string(), b.to_string());
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of(PAGE).await;
    let post = |fields: Vec<(&'static str, String)>| {
        let mut all = vec![("csrf", csrf.clone()), ("plan", BUILTIN_PLAN_ID.to_owned())];
        all.extend(fields);
        let admin = &admin;
        async move {
            let fields: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post_form(PAGE, &fields).await
        }
    };

    // Distinct without a reason: refused next to the field, the choice kept.
    let response = post(vec![
        ("a", sa.clone()),
        ("b", sb.clone()),
        ("resolution", "distinct".to_owned()),
        ("reason", "   ".to_owned()),
    ])
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    let pair = card(&html, a, b);
    assert!(pair.contains("理由を書いてください。"), "{pair}");
    assert!(
        pair.contains(&format!("id=\"pair-{a}-{b}-reason-error\"")),
        "{pair}"
    );
    assert!(pair.contains("aria-invalid=\"true\""), "{pair}");
    assert!(pair.contains("value=\"distinct\" checked"), "{pair}");
    assert!(html.contains("入力内容を確認してください"), "{html}");
    assert!(
        html.contains(&format!("href=\"#pair-{a}-{b}-reason\"")),
        "{html}"
    );

    // Same without the report that stands: the reason typed is kept.
    let typed = "二度の報告 & <b>確認済み</b>";
    let response = post(vec![
        ("a", sa.clone()),
        ("b", sb.clone()),
        ("resolution", "same".to_owned()),
        ("reason", typed.to_owned()),
    ])
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = entities(&response.text().await.unwrap());
    let pair = card(&html, a, b);
    assert!(
        pair.contains("同じ成果とするときは、残す報告を選んでください。"),
        "{pair}"
    );
    assert!(
        pair.contains(">二度の報告 &amp; &lt;b&gt;確認済み&lt;/b&gt;</textarea>"),
        "{pair}"
    );
    assert!(pair.contains("value=\"same\" checked"), "{pair}");

    // Kept must be one of the pair; no decision at all; an unknown, a non-number, a pair of
    // two indicators, the same id twice.
    for (fields, message) in [
        (
            vec![
                ("a", sa.clone()),
                ("b", sb.clone()),
                ("resolution", "same".to_owned()),
                ("kept", other.to_string()),
                ("reason", "x".to_owned()),
            ],
            "同じ成果とするときは、残す報告を選んでください。".to_owned(),
        ),
        (
            vec![
                ("a", sa.clone()),
                ("b", sb.clone()),
                ("reason", "x".to_owned()),
            ],
            "「同じ成果」か「別の成果」かを選んでください。".to_owned(),
        ),
        (
            vec![
                ("a", sa.clone()),
                ("b", "999999".to_owned()),
                ("resolution", "distinct".to_owned()),
                ("reason", "x".to_owned()),
            ],
            "成果 999999 はこの計画にありません。".to_owned(),
        ),
        (
            vec![
                ("a", "十二".to_owned()),
                ("b", sb.clone()),
                ("resolution", "distinct".to_owned()),
                ("reason", "x".to_owned()),
            ],
            "判断する成果の組がわかりません。".to_owned(),
        ),
        (
            vec![
                ("a", sa.clone()),
                ("b", other.to_string()),
                ("resolution", "distinct".to_owned()),
                ("reason", "x".to_owned()),
            ],
            format!("成果 {a} と {other} は別の指標の成果です。"),
        ),
        (
            vec![
                ("a", sa.clone()),
                ("b", sa.clone()),
                ("resolution", "distinct".to_owned()),
                ("reason", "x".to_owned()),
            ],
            "判断する成果の組がわかりません。".to_owned(),
        ),
    ] {
        let response = post(fields).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(&message), "{message}: {html}");
    }
    assert_eq!(decisions(&app).await, 0, "nothing recorded");
    assert_eq!(counted(&app, 2023).await, Some(1.0));
}

async fn other_roles_and_forms_without_the_token_are_refused(app: TestApp) {
    let (a, b) = plant_duplicate(&app).await;
    let (sa, sb) = (a.to_string(), b.to_string());
    for name in [BODY, COMMITTEE, VIEWER] {
        let browser = app.signed_in(name).await;
        let response = browser.get_page(PAGE).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .starts_with("<!DOCTYPE html>")
        );
        let csrf = browser.csrf_of("/").await;
        let response = browser
            .post_form(
                PAGE,
                &[
                    ("csrf", csrf.as_str()),
                    ("a", sa.as_str()),
                    ("b", sb.as_str()),
                    ("resolution", "distinct"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
        let menu = browser.get_page("/").await.text().await.unwrap();
        assert!(
            !menu.contains("href=\"/achievements/duplicates\""),
            "{name}"
        );
    }
    let admin = app.signed_in(SECRETARIAT).await;
    for csrf in [None, Some("forged")] {
        let mut fields = vec![
            ("a", sa.as_str()),
            ("b", sb.as_str()),
            ("resolution", "distinct"),
            ("reason", "x"),
        ];
        if let Some(csrf) = csrf {
            fields.push(("csrf", csrf));
        }
        let response = admin.post_form(PAGE, &fields).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("フォームを確認できませんでした")
        );
    }
    // Signed out: to the sign-in page.
    let response = app.get(PAGE).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(decisions(&app).await, 0);
}

async fn open_pairs_are_the_secretariats_task_until_decided(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let line = "重複の可能性がある成果の判断";
    let tasks = admin.get_page("/tasks").await.text().await.unwrap();
    assert!(!tasks.contains(line), "no pair, no task: {tasks}");

    let (a, b) = plant_duplicate(&app).await;
    let tasks = admin.get_page("/tasks").await.text().await.unwrap();
    assert!(tasks.contains(&format!("{line} 1組")), "{tasks}");
    assert!(
        tasks.contains("href=\"/achievements/duplicates?plan=medical-rd-2#open-pairs\""),
        "{tasks}"
    );
    let home = admin.get_page("/").await.text().await.unwrap();
    assert!(home.contains(&format!("{line} 1組")), "{home}");
    let body = app.signed_in(BODY).await;
    let theirs = body.get_page("/tasks").await.text().await.unwrap();
    assert!(!theirs.contains(line), "{theirs}");

    let csrf = admin.csrf_of(PAGE).await;
    let response = admin
        .post_form(
            PAGE,
            &[
                ("csrf", csrf.as_str()),
                ("plan", BUILTIN_PLAN_ID),
                ("a", &a.to_string()),
                ("b", &b.to_string()),
                ("resolution", "distinct"),
                ("reason", "別の品目"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let tasks = admin.get_page("/tasks").await.text().await.unwrap();
    assert!(!tasks.contains(line), "decided, no task: {tasks}");
}

async fn hostile_achievements_and_reasons_are_escaped(app: TestApp) {
    count_p1_out_01_from_achievements(&app).await;
    let mut hostile = fields(COUNTED, 2022, HOSTILE_ATTR, HOSTILE_SCRIPT);
    hostile.institution = Some(HOSTILE_ATTR.to_owned());
    hostile.url = Some("javascript:alert(1)".to_owned());
    let mut again = hostile.clone();
    again.year = FiscalYear::new(2023).unwrap();
    let ids = record(&app, vec![hostile, again]).await;
    let (a, b) = (ids[0].0, ids[1].0);
    let items = app
        .store
        .achievements(BUILTIN_PLAN_ID, &AchievementFilter::default())
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of(PAGE).await;
    // A hostile reason on the confirmation page and, once recorded, on the list.
    let reason = format!("{HOSTILE_SCRIPT}{HOSTILE_ATTR}");
    let fields = [
        ("csrf", csrf.as_str()),
        ("plan", BUILTIN_PLAN_ID),
        ("a", &a.to_string()),
        ("b", &b.to_string()),
        ("resolution", "same"),
        ("kept", &b.to_string()),
        ("reason", reason.as_str()),
    ];
    let confirm = admin.post_form(PAGE, &fields).await.text().await.unwrap();
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "1"));
    let response = admin.post_form(PAGE, &confirmed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = admin.get_page(PAGE).await.text().await.unwrap();
    for page in [&html, &confirm] {
        assert!(!page.contains(HOSTILE_SCRIPT), "{page}");
        assert!(!page.contains(HOSTILE_ATTR), "{page}");
        assert!(!page.contains("href=\"javascript:"), "{page}");
        assert!(
            entities(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}"
        );
    }
    let pair = card(&html, a, b);
    assert!(pair.contains("同じ課題番号と成果名"), "{pair}");
    assert!(pair.contains("同じURL"), "{pair}");
    assert!(
        pair.contains("javascript:alert(1)"),
        "shown as text: {pair}"
    );
}
