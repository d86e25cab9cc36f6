//! (issue 15) A body adds, edits and submits its achievements on `/achievements/entry`, and the
//! secretariat approves or returns them: a stale edit is refused with nothing lost, bad input is
//! refused next to its field with what was typed kept, the approved count is what evaluations
//! see, and only the body (its own) and the secretariat may write.

use super::*;

use pdca_core::achievements::AchievementFields;
use pdca_core::plan::CountedFrom;
use pdca_store::{AchievementChange, AchievementFilter};

on_both_databases!(
    a_body_adds_edits_submits_and_the_secretariat_approves,
    a_returned_achievement_shows_its_comment_to_the_body,
    bad_input_is_refused_next_to_its_field_keeping_what_was_typed,
    only_the_body_and_the_secretariat_write_and_csrf_is_required,
);

const PAGE: &str = "/achievements/entry?plan=medical-rd-2&fy=2022";
const COUNTED: &str = "p1-out-01";

/// Revision 2 of the built-in plan counts p1-out-01 from its achievements.
async fn count_from_achievements(app: &TestApp) {
    let mut plan = builtin_plan().unwrap();
    plan.revision = 2;
    plan.indicator_mut(COUNTED).unwrap().counted_from = CountedFrom::Achievements;
    app.store.save_plan(&plan, None, "test").await.unwrap();
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

/// The evaluation of p1-out-01 in `/api/v1/evaluations` as of FY2022.
async fn evaluation_of(app: &TestApp) -> Value {
    let token = app.token(SECRETARIAT).await;
    let evaluations: Value = app
        .api_get("/api/v1/evaluations?as_of=2022", &token)
        .await
        .json()
        .await
        .unwrap();
    fn find(v: &Value) -> Option<&Value> {
        match v {
            Value::Object(map) => {
                if map.get("id").and_then(Value::as_str) == Some(COUNTED)
                    || map.get("indicator_id").and_then(Value::as_str) == Some(COUNTED)
                {
                    return Some(v);
                }
                map.values().find_map(find)
            }
            Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    find(&evaluations)
        .cloned()
        .unwrap_or_else(|| panic!("no {COUNTED} in {evaluations}"))
}

/// The achievements of `body` for 2022, as stored.
async fn stored(app: &TestApp, body: &str) -> Vec<pdca_core::achievements::Achievement> {
    app.store
        .achievements(
            BUILTIN_PLAN_ID,
            &AchievementFilter {
                year: Some(FiscalYear::new(2022).unwrap()),
                body: Some(body.to_owned()),
                ..AchievementFilter::default()
            },
        )
        .await
        .unwrap()
}

/// The add form's fields, with `title` and `extra` replacing the defaults.
fn new_fields<'a>(
    csrf: &'a str,
    title: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("plan", "medical-rd-2"),
        ("fy", "2022"),
        ("body", "amed"),
        ("action", "save"),
        ("id", ""),
        ("version", ""),
        ("indicator_id", COUNTED),
        ("fiscal_year", "2022"),
        ("project_code", "JP22ab0001"),
        ("title", title),
        ("institution", "A大学"),
        ("date", "2022-10-01"),
        ("tags", ""),
        ("public", "0"),
        ("url", "https://example.jp/evidence"),
        ("note", "備考です"),
    ];
    for (name, value) in extra {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

/// The card of achievement `id` on the page.
fn card(html: &str, id: i64) -> &str {
    let marker = format!("id=\"ach-{id}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no achievement {id}: {html}"));
    let end = start + html[start..].find("</article>").unwrap();
    &html[start..end]
}

async fn a_body_adds_edits_submits_and_the_secretariat_approves(app: TestApp) {
    count_from_achievements(&app).await;
    let body = app.signed_in(BODY).await;
    let actuals = body
        .get_page("/entry?plan=medical-rd-2&fy=2022")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        actuals.contains(
            "<a href=\"/achievements/entry?plan=medical-rd-2&amp;fy=2022&amp;body=amed\">成果の一覧を入力する</a>"
        ),
        "{actuals}"
    );
    let page = body.get_page(PAGE).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("成果を追加する") && html.contains("非臨床POCの取得件数"));
    let csrf = csrf_field(&html).unwrap();

    // Add: a draft, back at its card with a notice.
    let added = body
        .post_form(
            "/achievements/entry",
            &new_fields(&csrf, "抗体Aの非臨床POC", &[]),
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let items = stored(&app, "amed").await;
    assert_eq!(items.len(), 1);
    let a = &items[0];
    assert_eq!(a.state, ActualState::Draft);
    assert_eq!(a.fields.title, "抗体Aの非臨床POC");
    assert!(!a.fields.public, "非公開 by default");
    let id = a.id.0;
    assert_eq!(
        location(&added),
        format!(
            "/achievements/entry?plan=medical-rd-2&fy=2022&body=amed&done=saved&id={id}#ach-{id}"
        )
    );
    let html = body.get_page(&location(&added)).await.text().await.unwrap();
    assert!(card(&html, id).contains("一時保存しました"), "{html}");
    assert!(card(&html, id).contains("この成果を修正する"));

    // Edit with the version read.
    let id_text = id.to_string();
    let edited = body
        .post_form(
            "/achievements/entry",
            &new_fields(
                &csrf,
                "抗体Aの非臨床POC（修正）",
                &[("id", &id_text), ("version", "1"), ("public", "1")],
            ),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let a = &stored(&app, "amed").await[0];
    assert_eq!(
        (a.version, a.fields.title.as_str(), a.fields.public),
        (2, "抗体Aの非臨床POC（修正）", true)
    );

    // A stale edit (version 1 again) is refused, shows the current values, keeps the typed ones.
    let stale = body
        .post_form(
            "/achievements/entry",
            &new_fields(
                &csrf,
                &format!("{HOSTILE_SCRIPT}古い版からの修正"),
                &[("id", &id_text), ("version", "1")],
            ),
        )
        .await;
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = stale.text().await.unwrap();
    let c = card(&html, id);
    assert!(c.contains("先に保存したため、保存しませんでした"), "{c}");
    assert!(c.contains("現在の内容") && c.contains("抗体Aの非臨床POC（修正）"));
    assert!(
        entities(c).contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;古い版からの修正\""),
        "typed kept, escaped: {c}"
    );
    assert!(!html.contains(HOSTILE_SCRIPT), "escaped");
    assert!(c.contains("name=\"version\" value=\"2\""));
    let a = &stored(&app, "amed").await[0];
    assert_eq!(
        (a.version, a.fields.title.as_str()),
        (2, "抗体Aの非臨床POC（修正）")
    );

    // Submit: a confirmation stating the count first, nothing submitted yet.
    let items_field = format!("{id}:2");
    let submit = [
        ("csrf", csrf.as_str()),
        ("plan", "medical-rd-2"),
        ("fy", "2022"),
        ("body", "amed"),
        ("action", "submit"),
        ("items", items_field.as_str()),
    ];
    let confirm = body.post_form("/achievements/entry", &submit).await;
    assert_eq!(confirm.status(), StatusCode::OK);
    let html = confirm.text().await.unwrap();
    assert!(
        html.contains(
            "令和4年度の成果 1件を提出します。提出後は事務局の承認・差戻しまで変更できません。"
        ),
        "{html}"
    );
    assert_eq!(stored(&app, "amed").await[0].state, ActualState::Draft);
    let mut confirmed = submit.to_vec();
    confirmed.push(("confirmed", "1"));
    let submitted = body.post_form("/achievements/entry", &confirmed).await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let a = stored(&app, "amed").await[0].clone();
    assert_eq!((a.state, a.version), (ActualState::Submitted, 3));
    let html = body
        .get_page(&location(&submitted))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("令和4年度の成果 1件を提出しました。"),
        "{html}"
    );
    assert!(
        !card(&html, id).contains("この成果を修正する"),
        "not editable once submitted"
    );
    assert!(
        !card(&html, id).contains("承認する"),
        "a body does not approve"
    );
    let before = counted(&app, 2022).await.unwrap_or(0.0);
    assert_eq!(before, 0.0, "a submitted achievement is not counted");

    // The secretariat approves it: the derived count and the evaluations change.
    let evaluation_before = evaluation_of(&app).await;
    let admin = app.signed_in(SECRETARIAT).await;
    let approval = admin.get_page("/approval").await.text().await.unwrap();
    assert!(approval.contains("/achievements/entry?plan=medical-rd-2#queue"));
    let queue = admin
        .get_page("/achievements/entry?plan=medical-rd-2")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        queue.contains("承認待ちの成果") && queue.contains("日本医療研究開発機構 令和4年度: 1件"),
        "{queue}"
    );
    let page = format!("{PAGE}&body=amed");
    let html = admin.get_page(&page).await.text().await.unwrap();
    assert!(card(&html, id).contains("承認する") && card(&html, id).contains("差し戻す"));
    let admin_csrf = csrf_field(&html).unwrap();
    let approved = admin
        .post_form(
            "/achievements/entry",
            &[
                ("csrf", admin_csrf.as_str()),
                ("plan", "medical-rd-2"),
                ("fy", "2022"),
                ("body", "amed"),
                ("action", "approve"),
                ("id", &id_text),
                ("version", "3"),
            ],
        )
        .await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, "amed").await[0].state, ActualState::Approved);
    let after = counted(&app, 2022).await.unwrap_or(0.0);
    assert_eq!(after, before + 1.0, "one more approved achievement");
    let evaluation_after = evaluation_of(&app).await;
    assert_ne!(
        evaluation_before, evaluation_after,
        "the evaluation of {COUNTED} follows the approval"
    );
    let html = admin
        .get_page(&location(&approved))
        .await
        .text()
        .await
        .unwrap();
    assert!(card(&html, id).contains("この成果を承認しました。"));
}

async fn a_returned_achievement_shows_its_comment_to_the_body(app: TestApp) {
    count_from_achievements(&app).await;
    let fields = AchievementFields {
        indicator: COUNTED.to_owned(),
        year: FiscalYear::new(2022).unwrap(),
        body: "amed".to_owned(),
        project_code: None,
        title: "差し戻される成果".to_owned(),
        institution: None,
        date: None,
        tags: Vec::new(),
        public: false,
        notable: false,
        url: None,
        note: None,
    };
    let ids = app
        .store
        .record_achievements(
            BUILTIN_PLAN_ID,
            &[AchievementChange {
                id: None,
                expected_version: None,
                fields,
            }],
            ActualState::Submitted,
            "test",
        )
        .await
        .unwrap();
    let id = ids[0].0.to_string();
    let admin = app.signed_in(SECRETARIAT).await;
    let page = format!("{PAGE}&body=amed");
    let csrf = admin.csrf_of(&page).await;
    let back = |comment: &'static str| {
        vec![
            ("plan", "medical-rd-2"),
            ("fy", "2022"),
            ("body", "amed"),
            ("action", "return"),
            ("version", "1"),
            ("comment", comment),
        ]
    };
    // A return needs a comment.
    let mut fields = back("   ");
    fields.push(("csrf", &csrf));
    fields.push(("id", &id));
    let refused = admin.post_form("/achievements/entry", &fields).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("差し戻す理由をコメントに書いてください。"),
        "{html}"
    );
    assert_eq!(stored(&app, "amed").await[0].state, ActualState::Submitted);

    let mut fields = back("根拠URLを追加してください");
    fields.push(("csrf", &csrf));
    fields.push(("id", &id));
    let returned = admin.post_form("/achievements/entry", &fields).await;
    assert_eq!(returned.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, "amed").await[0].state, ActualState::Returned);

    let body = app.signed_in(BODY).await;
    let html = body.get_page(PAGE).await.text().await.unwrap();
    let c = card(&html, ids[0].0);
    assert!(c.contains("差戻し"), "{c}");
    assert!(c.contains("差戻しのコメント") && c.contains("根拠URLを追加してください"));
    assert!(c.contains("この成果を修正する"), "editable again");
    assert!(html.contains("提出する"), "can be submitted again");
}

/// Fields replaced, the field refused, its message, a typed text kept.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str, &'a str);

async fn bad_input_is_refused_next_to_its_field_keeping_what_was_typed(app: TestApp) {
    count_from_achievements(&app).await;
    let body = app.signed_in(BODY).await;
    let csrf = body.csrf_of(PAGE).await;
    let cases: [Case; 4] = [
        (
            &[("title", "  ")],
            "new-title",
            "成果名（title）が空です",
            "JP22ab0001",
        ),
        (
            &[("date", "2023-04-01")],
            "new-date",
            "の外です",
            "2023-04-01",
        ),
        (
            &[("tags", "未知の区分")],
            "new-tags",
            "区分「未知の区分」",
            "未知の区分",
        ),
        (
            &[("url", "javascript:alert(1)")],
            "new-url",
            "http:// か https:// で始まるリンクではありません",
            "javascript:alert(1)",
        ),
    ];
    for (extra, field, message, kept) in cases {
        let response = body
            .post_form(
                "/achievements/entry",
                &new_fields(&csrf, "タイトル保持", extra),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("id=\"error-summary\""), "{html}");
        assert!(
            html.contains(&format!("href=\"#{field}\"")),
            "summary links {field}"
        );
        let error_at = html
            .find(&format!("id=\"{field}-error\""))
            .unwrap_or_else(|| panic!("no error next to {field}: {html}"));
        assert!(html[error_at..].contains(message), "{field}: {message}");
        assert!(
            html.contains("aria-invalid=\"true\""),
            "{field} marked invalid"
        );
        assert!(
            html.contains(&entities(kept)),
            "{field} keeps {kept}: {html}"
        );
        assert!(!html.contains("<script>alert"), "escaped");
    }
    assert!(stored(&app, "amed").await.is_empty(), "nothing recorded");
}

async fn only_the_body_and_the_secretariat_write_and_csrf_is_required(app: TestApp) {
    count_from_achievements(&app).await;
    for name in [VIEWER, COMMITTEE] {
        let browser = app.signed_in(name).await;
        assert_eq!(
            browser.get_page(PAGE).await.status(),
            StatusCode::FORBIDDEN,
            "{name}"
        );
        let csrf = browser.csrf_of("/").await;
        let response = browser
            .post_form(
                "/achievements/entry",
                &new_fields(&csrf, "閲覧者の成果", &[]),
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let body = app.signed_in(BODY).await;
    // Another body's page and another body's id in a form.
    assert_eq!(
        body.get_page(&format!("{PAGE}&body=mext")).await.status(),
        StatusCode::FORBIDDEN
    );
    let csrf = body.csrf_of(PAGE).await;
    let other = body
        .post_form(
            "/achievements/entry",
            &new_fields(&csrf, "他機関として", &[("body", "mext")]),
        )
        .await;
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    // Another body's achievement named in an edit.
    let ids = app
        .store
        .record_achievements(
            BUILTIN_PLAN_ID,
            &[AchievementChange {
                id: None,
                expected_version: None,
                fields: AchievementFields {
                    indicator: COUNTED.to_owned(),
                    year: FiscalYear::new(2022).unwrap(),
                    body: "mext".to_owned(),
                    project_code: None,
                    title: "文科省の成果".to_owned(),
                    institution: None,
                    date: None,
                    tags: Vec::new(),
                    public: false,
                    notable: false,
                    url: None,
                    note: None,
                },
            }],
            ActualState::Draft,
            "test",
        )
        .await
        .unwrap();
    let mext_id = ids[0].0.to_string();
    let edit = body
        .post_form(
            "/achievements/entry",
            &new_fields(&csrf, "乗っ取り", &[("id", &mext_id), ("version", "1")]),
        )
        .await;
    assert_eq!(edit.status(), StatusCode::FORBIDDEN);
    // A body does not approve.
    let approve = body
        .post_form(
            "/achievements/entry",
            &[
                ("csrf", csrf.as_str()),
                ("plan", "medical-rd-2"),
                ("fy", "2022"),
                ("action", "approve"),
                ("id", &mext_id),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(approve.status(), StatusCode::FORBIDDEN);
    // Without or with a forged CSRF token.
    for token in ["", "forged"] {
        let response = body
            .post_form("/achievements/entry", &new_fields(token, "CSRFなし", &[]))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "csrf {token:?}");
    }
    assert!(stored(&app, "amed").await.is_empty(), "nothing recorded");
    let mext = stored(&app, "mext").await;
    assert_eq!((mext.len(), mext[0].version), (1, 1), "untouched");
}
