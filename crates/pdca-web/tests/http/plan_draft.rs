//! (issue 14) 「計画の本文から作成」: `/admin/plans/draft` drafts a plan from its annex text
//! (pasted, .txt or .docx), shows every source line beside what it became, takes corrections in
//! place, shows the changes from the revision in force, and saves only what validates — as a
//! new plan or as the next revision, keeping the revision's bodies — then goes back to the
//! plans page. Refusals keep everything typed; nothing is saved before 「この内容で登録する」.

use super::*;

use pdca_core::plan::{Comparator, Target};

on_both_databases!(
    a_revision_drafted_from_text_is_previewed_corrected_and_saved,
    a_new_plan_is_drafted_from_a_word_document,
    refusals_keep_what_was_typed_and_save_nothing,
    only_the_secretariat_drafts_plans,
    corrections_follow_the_indicator_they_were_typed_over,
);

const PAGE: &str = "/admin/plans/draft";
const SEED_ANNEX: &str = include_str!("../../../pdca-core/tests/data/seed_annex_2.txt");

/// A small annex in the seed's layout.
const SMALL_ANNEX: [&str; 9] = [
    "（参考）成果目標",
    "① 医薬品プロジェクト",
    "＜アウトプット＞",
    "○シーズ研究に関する指標",
    "・非臨床 POCの取得件数 ２５件",
    "＜アウトカム＞",
    "○実用化に関する指標",
    "・薬事承認件数 ２件以上",
    "- 1 -",
];

impl Browser {
    /// Posts the draft form with `fields` (the page's CSRF token added).
    async fn post_draft(
        &self,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        let csrf = self.csrf_of(PAGE).await;
        let mut form = reqwest::multipart::Form::new().text("csrf", csrf);
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        self.client
            .post(format!("{}{PAGE}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

/// The table row whose `id` attribute is `id`.
fn row_by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("<tr id=\"{id}\""))
        .unwrap_or_else(|| panic!("no row {id}: {html}"));
    let end = at + html[at..].find("</tr>").unwrap();
    &html[at..end]
}

/// The row of the changes table for indicator `id`.
fn change_row<'a>(html: &'a str, id: &str) -> &'a str {
    let cell = format!("class=\"indicator-id\">{id}</td>");
    let at = html
        .find(&cell)
        .unwrap_or_else(|| panic!("no change of {id}: {html}"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

async fn a_revision_drafted_from_text_is_previewed_corrected_and_saved(app: TestApp) {
    let secretariat = app.signed_in(SECRETARIAT).await;
    let page = secretariat.get_page(PAGE).await;
    assert_eq!(page.status(), StatusCode::OK);
    // The annex with the first target raised from 25 to 30 (p1-out-01, line 11).
    let text = SEED_ANNEX.replacen("POC1の取得件数 25件", "POC1の取得件数 30件", 1);
    assert_ne!(text, SEED_ANNEX);
    let revision = [
        ("mode", "revision"),
        ("base_plan", "medical-rd-2"),
        ("effective_from", "令和５年度"),
        ("revision_note", "非臨床POCの目標を引き上げ"),
        ("source", text.as_str()),
    ];
    let mut fields = revision.to_vec();
    fields.push(("action", "preview"));
    let response = secretariat.post_draft(&fields, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    // Every source line, beside what it became.
    assert_eq!(
        html.matches("<tr id=\"line-").count(),
        text.lines().count(),
        "{html}"
    );
    assert!(
        row_by_id(&html, "line-11").contains("指標 p1-out-01"),
        "{html}"
    );
    assert!(
        row_by_id(&html, "line-1").contains("使わなかった行"),
        "{html}"
    );
    // The changes from revision 1, before anything is saved.
    let changed = change_row(&html, "p1-out-01");
    assert!(
        changed.contains(">25件<") && changed.contains(">30件<"),
        "{changed}"
    );
    assert!(
        html.contains(
            "第2版として登録し、令和5年度以降の実績はこの版で評価します。変更は1件です。"
        ),
        "{html}"
    );
    assert_eq!(
        app.store
            .plan("medical-rd-2")
            .await
            .unwrap()
            .unwrap()
            .revision,
        1
    );

    // A correction typed in place: kept, and in the changes.
    let mut fields = revision.to_vec();
    fields.extend([("target.p1-out-02", "１２件"), ("action", "preview")]);
    let html = secretariat
        .post_draft(&fields, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("name=\"target.p1-out-02\" value=\"１２件\""),
        "{html}"
    );
    let corrected = change_row(&html, "p1-out-02");
    assert!(
        corrected.contains(">10件<") && corrected.contains(">12件<"),
        "{corrected}"
    );
    assert!(html.contains("変更は2件です。"), "{html}");

    // Saved: back to the plans page, which says so; the revision keeps revision 1's bodies.
    let mut fields = revision.to_vec();
    fields.extend([("target.p1-out-02", "１２件"), ("action", "save")]);
    let response = secretariat.post_draft(&fields, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = location(&response);
    assert_eq!(back, "/admin/plans?saved=medical-rd-2&revision=2");
    let listed = secretariat.get_page(&back).await.text().await.unwrap();
    assert!(
        listed.contains("計画「medical-rd-2」の新しい版 2 を保存しました。"),
        "{listed}"
    );
    let first = app
        .store
        .plan_revision("medical-rd-2", 1)
        .await
        .unwrap()
        .unwrap();
    let saved = app.store.plan("medical-rd-2").await.unwrap().unwrap();
    assert_eq!(saved.revision, 2);
    assert_eq!(saved.effective_from, FiscalYear::new(2023).unwrap());
    assert_eq!(
        saved.revision_note.as_deref(),
        Some("非臨床POCの目標を引き上げ")
    );
    assert_eq!(
        saved.indicator("p1-out-01").unwrap().target,
        Some(Target::Cumulative {
            value: 30.0,
            comparator: Comparator::Reach
        })
    );
    assert_eq!(
        saved.indicator("p1-out-02").unwrap().target,
        Some(Target::Cumulative {
            value: 12.0,
            comparator: Comparator::Reach
        })
    );
    assert_eq!(saved.bodies, first.bodies);
    for (_, i) in first.indicators() {
        let now = saved.indicator(&i.id).unwrap();
        assert_eq!(now.assignments, i.assignments, "{}", i.id);
        assert_eq!(now.name, i.name, "{}", i.id);
    }
    assert_eq!(saved.indicators().count(), first.indicators().count());
    // Every reader finds the changes from the dashboard of a year the revision governs.
    let viewer = app.signed_in(VIEWER).await;
    let home = viewer.get_page("/?as_of=2024").await.text().await.unwrap();
    assert!(
        home.contains("/plans/medical-rd-2/changes?from=1&amp;to=2"),
        "{home}"
    );
    let before = viewer.get_page("/?as_of=2022").await.text().await.unwrap();
    assert!(!before.contains("/changes?"), "{before}");
}

async fn a_new_plan_is_drafted_from_a_word_document(app: TestApp) {
    let secretariat = app.signed_in(SECRETARIAT).await;
    let docx = pdca_interchange::testing::docx_of(&SMALL_ANNEX);
    let new = [
        ("mode", "new"),
        ("plan_id", "drafted-plan"),
        ("plan_name", "本文から作成した計画"),
        ("start_fy", "2025"),
        ("end_fy", "令和11年度"),
        ("source", ""),
    ];
    let mut fields = new.to_vec();
    fields.push(("action", "preview"));
    let html = secretariat
        .post_draft(&fields, Some(("annex.docx", docx.clone())))
        .await
        .text()
        .await
        .unwrap();
    // The document's text is in the form from now on, read line by line.
    assert!(html.contains("・非臨床 POCの取得件数 ２５件"), "{html}");
    assert!(row_by_id(&html, "line-5").contains("指標"), "{html}");
    assert!(
        row_by_id(&html, "line-9").contains("使わなかった行"),
        "{html}"
    );
    assert!(html.contains("指標2件で登録します。"), "{html}");
    let mut fields = new.to_vec();
    fields.push(("action", "save"));
    let response = secretariat
        .post_draft(&fields, Some(("annex.docx", docx)))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        "/admin/plans?saved=drafted-plan&revision=1"
    );
    let plan = app.store.plan("drafted-plan").await.unwrap().unwrap();
    assert_eq!(plan.name, "本文から作成した計画");
    assert_eq!(plan.period.end, FiscalYear::new(2029).unwrap());
    let names: Vec<&str> = plan.indicators().map(|(_, i)| i.name.as_str()).collect();
    assert_eq!(names, ["非臨床POCの取得件数", "薬事承認件数"]);
    assert_eq!(
        plan.indicators().nth(1).unwrap().1.target,
        Some(Target::Cumulative {
            value: 2.0,
            comparator: Comparator::AtLeast
        })
    );
}

async fn refusals_keep_what_was_typed_and_save_nothing(app: TestApp) {
    let secretariat = app.signed_in(SECRETARIAT).await;
    let plans_before = app.store.list_plans().await.unwrap().len();
    // No text: the summary links to the field, what was typed stays.
    let response = secretariat
        .post_draft(
            &[
                ("mode", "new"),
                ("plan_id", "x-plan"),
                ("plan_name", "名前"),
                ("start_fy", "2025"),
                ("end_fy", "2029"),
                ("source", "  "),
                ("action", "save"),
            ],
            None,
        )
        .await;
    assert!(response.status().is_client_error(), "{}", response.status());
    let html = response.text().await.unwrap();
    assert!(html.contains("href=\"#draft-source\""), "{html}");
    assert!(html.contains("value=\"x-plan\""), "{html}");
    // A plan id already used, years unreadable or backwards.
    let source = SMALL_ANNEX.join("\n");
    let html = secretariat
        .post_draft(
            &[
                ("mode", "new"),
                ("plan_id", "medical-rd-2"),
                ("plan_name", "名前"),
                ("start_fy", "去年"),
                ("end_fy", "2029"),
                ("source", &source),
                ("action", "save"),
            ],
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("計画 ID「medical-rd-2」はすでに登録されています"),
        "{html}"
    );
    assert!(html.contains("「去年」は年度として読めません"), "{html}");
    assert!(
        html.contains(&format!("{}</textarea>", "・薬事承認件数 ２件以上\n- 1 -")),
        "{html}"
    );
    // An effective year outside the plan's period.
    let html = secretariat
        .post_draft(
            &[
                ("mode", "revision"),
                ("base_plan", "medical-rd-2"),
                ("effective_from", "2030"),
                ("source", SEED_ANNEX),
                ("action", "save"),
            ],
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("適用開始年度は、"), "{html}");
    // A line not understood: shown as 要確認, no button to save, and a save is refused.
    let unread = source.replace(
        "・薬事承認件数 ２件以上",
        "・薬事承認件数 ２件以上\n△ 読めない記号の行",
    );
    let fields = [
        ("mode", "new"),
        ("plan_id", "unread-plan"),
        ("plan_name", "名前"),
        ("start_fy", "2025"),
        ("end_fy", "2029"),
        ("source", unread.as_str()),
    ];
    let mut preview = fields.to_vec();
    preview.push(("action", "preview"));
    let html = secretariat
        .post_draft(&preview, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(row_by_id(&html, "line-9").contains("要確認"), "{html}");
    assert!(!html.contains("value=\"save\""), "{html}");
    let mut save = fields.to_vec();
    save.push(("action", "save"));
    let response = secretariat.post_draft(&save, None).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    // A file that is neither text nor Word.
    let html = secretariat
        .post_draft(
            &[("mode", "new"), ("source", ""), ("action", "preview")],
            Some(("annex.pdf", b"%PDF-1.7".to_vec())),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("annex.pdf: この形式は読めません"), "{html}");
    assert_eq!(app.store.list_plans().await.unwrap().len(), plans_before);
    assert_eq!(
        app.store
            .plan("medical-rd-2")
            .await
            .unwrap()
            .unwrap()
            .revision,
        1
    );
}

async fn only_the_secretariat_drafts_plans(app: TestApp) {
    for name in [VIEWER, COMMITTEE, BODY] {
        let browser = app.signed_in(name).await;
        assert_eq!(
            browser.get_page(PAGE).await.status(),
            StatusCode::FORBIDDEN,
            "{name}"
        );
        let form = reqwest::multipart::Form::new()
            .text("csrf", "x")
            .text("source", SEED_ANNEX)
            .text("action", "save");
        let response = browser
            .client
            .post(format!("{}{PAGE}", browser.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
    }
    // Without the CSRF token, even the secretariat is refused.
    let secretariat = app.signed_in(SECRETARIAT).await;
    let form = reqwest::multipart::Form::new()
        .text("mode", "revision")
        .text("base_plan", "medical-rd-2")
        .text("effective_from", "2023")
        .text("source", SEED_ANNEX)
        .text("action", "save");
    let response = secretariat
        .client
        .post(format!("{}{PAGE}", secretariat.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(
        app.store
            .plan("medical-rd-2")
            .await
            .unwrap()
            .unwrap()
            .revision,
        1
    );
}

/// The correction fields of a preview (`read.`, `name.`, `target.`), as a browser posts them.
fn correction_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for tag in html.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        let attribute = |name: &str| {
            let marker = format!(" {name}=\"");
            let start = tag.find(&marker)? + marker.len();
            let end = tag[start..].find('"')?;
            Some(tag[start..start + end].to_owned())
        };
        let Some(name) = attribute("name") else {
            continue;
        };
        if ["read.", "name.", "target."]
            .iter()
            .any(|p| name.starts_with(p))
        {
            let value = entities(&attribute("value").unwrap_or_default())
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            fields.push((name, value));
        }
    }
    fields
}

async fn corrections_follow_the_indicator_they_were_typed_over(app: TestApp) {
    let secretariat = app.signed_in(SECRETARIAT).await;
    let header = [
        ("mode", "revision"),
        ("base_plan", "medical-rd-2"),
        ("effective_from", "2023"),
    ];
    let post = |source: String, typed: Vec<(String, String)>, action: &'static str| {
        let secretariat = &secretariat;
        async move {
            let mut fields: Vec<(&str, &str)> = header.to_vec();
            fields.push(("source", &source));
            fields.push(("action", action));
            for (k, v) in &typed {
                fields.push((k, v));
            }
            secretariat.post_draft(&fields, None).await
        }
    };
    let html = post(SEED_ANNEX.to_owned(), Vec::new(), "preview")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("変更はありません"), "{html}");
    // Every field posted back as shown, with one sub-target written on its parent's line
    // (③ 非臨床POC 25件（うち遺伝子治療 ５件）) corrected: that one changes, its parent does not.
    let mut typed = correction_fields(&html);
    assert!(typed.len() > 100, "{typed:?}");
    for (k, v) in &mut typed {
        if k == "target.p3-out-01-1" {
            *v = "6件".to_owned();
        }
    }
    let html = post(SEED_ANNEX.to_owned(), typed.clone(), "preview")
        .await
        .text()
        .await
        .unwrap();
    let changed = change_row(&html, "p3-out-01-1");
    assert!(
        changed.contains(">5件<") && changed.contains(">6件<"),
        "{changed}"
    );
    assert_eq!(html.matches("class=\"indicator-id\"").count(), 1, "{html}");
    // The text edited so that ids move: an indicator inserted before p1-out-02. A correction
    // typed over the old p1-out-02 is not applied to the new one, the page says so, and a save
    // is not done.
    for (k, v) in &mut typed {
        if k == "target.p1-out-02" {
            *v = "12件".to_owned();
        }
    }
    let edited = SEED_ANNEX.replacen(
        "・創薬支援ネットワークの活動による",
        "・新たに加えた指標 3件\n\n・創薬支援ネットワークの活動による",
        1,
    );
    let response = post(edited, typed, "save").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("その修正を取り消しました"), "{html}");
    assert!(html.contains("href=\"#indicator-p1-out-02\""), "{html}");
    assert!(
        html.contains("name=\"target.p1-out-02\" value=\"3件\""),
        "{html}"
    );
    assert!(!html.contains("12件"), "{html}");
    assert_eq!(
        app.store
            .plan("medical-rd-2")
            .await
            .unwrap()
            .unwrap()
            .revision,
        1
    );
}
