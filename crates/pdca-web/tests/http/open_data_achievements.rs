//! (issue 15) Achievements outside the indicator page: the open data's `achievements.csv` and
//! `achievements.json` hold exactly the approved, public achievements (notable or not) of the
//! years whose round has closed, with only their indicator, year, title and institution, each
//! once; the round's report lists the round year's notable (顕著な成果の候補), approved, public
//! achievements, and the round page offers them as drafts of a 顕著な成果 item.

use super::*;

use pdca_core::achievements::{AchievementFields, DuplicateDecision, Resolution};
use pdca_store::AchievementChange;

on_both_databases!(
    open_data_achievements_hold_public_approved_ones_of_closed_years,
    open_data_round_report_lists_notable_public_achievements_of_its_year,
    open_data_round_page_offers_notable_public_achievements_as_drafts,
);

const PUBLISHED: &str = "抗体Aの非臨床POC";
const INSTITUTION: &str = "甲大学医学部";
const CONFIDENTIAL: &str = "秘密の導出B";
const SUBMITTED: &str = "審査中の成果C";
const OPEN_YEAR: &str = "締め切っていない年度の成果D";
const SET_ASIDE: &str = "抗体Aの非臨床POC（再報告）";
const NOT_NOTABLE: &str = "通常の成果E";
const CODE: &str = "JP21ab0001";
const URL: &str = "https://example.jp/evidence-secret";
const NOTE: &str = "導出先は非公開の備考";

fn fields(title: &str, year: i32, body: &str, public: bool, notable: bool) -> AchievementFields {
    AchievementFields {
        indicator: "p1-out-01".to_owned(),
        year: FiscalYear::new(year).unwrap(),
        body: body.to_owned(),
        project_code: Some(CODE.to_owned()),
        title: title.to_owned(),
        institution: Some(INSTITUTION.to_owned()),
        date: None,
        tags: Vec::new(),
        public,
        notable,
        url: Some(URL.to_owned()),
        note: Some(NOTE.to_owned()),
    }
}

async fn record(
    app: &TestApp,
    items: Vec<AchievementFields>,
    state: ActualState,
) -> Vec<pdca_core::achievements::AchievementId> {
    let changes: Vec<AchievementChange> = items
        .into_iter()
        .map(|fields| AchievementChange {
            id: None,
            expected_version: None,
            fields,
        })
        .collect();
    app.store
        .record_achievements(BUILTIN_PLAN_ID, &changes, state, "test")
        .await
        .unwrap()
}

/// FY2021: AMED's public notable approved achievement, its confidential one, a public one not
/// notable, a submitted one, and MEXT's report of the first set aside as the same; FY2022: a
/// public notable approved one. Returns the ids of the approved ones, in that order.
async fn seed(app: &TestApp) -> Vec<pdca_core::achievements::AchievementId> {
    let approved = record(
        app,
        vec![
            fields(PUBLISHED, 2021, "amed", true, true),
            fields(CONFIDENTIAL, 2021, "amed", false, true),
            fields(NOT_NOTABLE, 2021, "amed", true, false),
            fields(SET_ASIDE, 2021, "mext", true, true),
            fields(OPEN_YEAR, 2022, "amed", true, true),
        ],
        ActualState::Approved,
    )
    .await;
    record(
        app,
        vec![fields(SUBMITTED, 2021, "amed", true, true)],
        ActualState::Submitted,
    )
    .await;
    app.store
        .decide_duplicate(
            BUILTIN_PLAN_ID,
            &DuplicateDecision {
                a: approved[0],
                b: approved[3],
                resolution: Resolution::Same { kept: approved[0] },
                reason: "同じ成果の再報告".to_owned(),
            },
            "test",
        )
        .await
        .unwrap();
    approved
}

async fn open_data_achievements_hold_public_approved_ones_of_closed_years(app: TestApp) {
    seed(&app).await;
    let index = app.get("/open-data").await.text().await.unwrap();
    assert!(index.contains("/open-data/achievements.csv?plan=medical-rd-2"));
    assert!(index.contains("/open-data/achievements.json?plan=medical-rd-2"));
    // Nothing is closed yet: the header only.
    let header_line = "\u{feff}plan_id,project_id,indicator_id,indicator_name,fiscal_year,fiscal_year_ja,title,institution";
    let empty = app.get("/open-data/achievements.csv").await;
    assert_eq!(
        empty.status(),
        StatusCode::OK,
        "readable without signing in"
    );
    assert!(
        empty.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(empty.text().await.unwrap().trim_end(), header_line);

    close_round(&app, 2021).await;
    let csv = app
        .get("/open-data/achievements.csv")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            header_line,
            &format!(
                "medical-rd-2,p1,p1-out-01,非臨床POCの取得件数,2021,令和3年度,{PUBLISHED},{INSTITUTION}"
            ),
            &format!(
                "medical-rd-2,p1,p1-out-01,非臨床POCの取得件数,2021,令和3年度,{NOT_NOTABLE},{INSTITUTION}"
            ),
        ],
        "exactly the approved public ones of the closed year, each once, with four fields"
    );
    for secret in [CODE, URL, NOTE, "amed", "mext", CONFIDENTIAL, SUBMITTED] {
        assert!(!csv.contains(secret), "{secret} is published");
    }
    let json: Value = app
        .get("/open-data/achievements.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "version": 1,
            "rows": ([PUBLISHED, NOT_NOTABLE].map(|title| serde_json::json!({
                "plan_id": "medical-rd-2",
                "project_id": "p1",
                "indicator_id": "p1-out-01",
                "indicator_name": "非臨床POCの取得件数",
                "fiscal_year": 2021,
                "fiscal_year_ja": "令和3年度",
                "title": title,
                "institution": INSTITUTION,
            }))),
        })
    );
}

async fn open_data_round_report_lists_notable_public_achievements_of_its_year(app: TestApp) {
    seed(&app).await;
    open_round(&app, 2021).await;
    let browser = app.signed_in(COMMITTEE).await;
    let md = browser.get_page("/rounds/2021/report/md").await;
    assert_eq!(md.status(), StatusCode::OK);
    let md = md.text().await.unwrap();
    assert!(md.contains("#### 顕著な成果の候補（成果一覧）"), "{md}");
    assert!(
        md.contains(&format!(
            "| 非臨床POCの取得件数 | {PUBLISHED} | {INSTITUTION} |"
        )),
        "{md}"
    );
    assert!(md.contains("公開可のものだけを掲げています"), "{md}");
    for left_out in [CONFIDENTIAL, SUBMITTED, NOT_NOTABLE, SET_ASIDE, OPEN_YEAR] {
        assert!(!md.contains(left_out), "{left_out} in the report");
    }
    // The next year's report lists the next year's.
    open_round(&app, 2022).await;
    let md = browser
        .get_page("/rounds/2022/report/md")
        .await
        .text()
        .await
        .unwrap();
    assert!(md.contains(OPEN_YEAR), "{md}");
    assert!(!md.contains(&format!("| {PUBLISHED} |")), "{md}");
}

async fn open_data_round_page_offers_notable_public_achievements_as_drafts(app: TestApp) {
    let ids = seed(&app).await;
    open_round(&app, 2021).await;
    let committee = app.signed_in(COMMITTEE).await;
    let page = committee
        .get_page("/rounds/2021")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("成果一覧から選ぶ"), "{page}");
    let link = format!(
        "/rounds/2021?plan=medical-rd-2&#38;achievement={}#notable_result-form",
        ids[0].0
    );
    assert!(page.contains(&link), "{page}");
    assert!(page.contains(&format!(
        "非臨床POCの取得件数: {PUBLISHED}（{INSTITUTION}）"
    )));
    for left_out in [CONFIDENTIAL, NOT_NOTABLE, SET_ASIDE, OPEN_YEAR, SUBMITTED] {
        assert!(!page.contains(left_out), "{left_out} is offered");
    }
    // Choosing it fills in the form's text and indicator; nothing is added yet.
    let chosen = committee
        .get_page(&format!("/rounds/2021?achievement={}", ids[0].0))
        .await;
    assert_eq!(chosen.status(), StatusCode::OK);
    let chosen = chosen.text().await.unwrap();
    assert!(
        chosen.contains(&format!(">{PUBLISHED}（{INSTITUTION}）</textarea>")),
        "{chosen}"
    );
    assert!(
        chosen.contains(r#"<option value="p1-out-01" selected>"#),
        "{chosen}"
    );
    let round = app
        .store
        .round_content(BUILTIN_PLAN_ID, FiscalYear::new(2021).unwrap())
        .await
        .unwrap();
    assert!(round.items.iter().all(|i| !i.text.contains(PUBLISHED)));
    // A confidential or unknown achievement, or a bad id, prefills nothing and is no error.
    for query in [ids[1].0.to_string(), "99999".to_owned(), "abc".to_owned()] {
        let page = committee
            .get_page(&format!("/rounds/2021?achievement={query}"))
            .await;
        assert_eq!(page.status(), StatusCode::OK, "{query}");
        let page = page.text().await.unwrap();
        assert!(!page.contains(CONFIDENTIAL), "{query}");
        assert!(!page.contains(&format!(">{PUBLISHED}（")), "{query}");
    }
    // A viewer has no form and no choices.
    let viewer = app.signed_in(VIEWER).await;
    let page = viewer.get_page("/rounds/2021").await;
    if page.status() == StatusCode::OK {
        assert!(!page.text().await.unwrap().contains("成果一覧から選ぶ"));
    }
}
