//! (issue 15) The achievements behind each count, by role: the indicator page's 成果の一覧 and
//! `GET /api/v1/plans/{id}/achievements`. A viewer sees only public, approved achievements and
//! of them only the title, institution, year and indicator; a body its own in any state and the
//! others' approved ones; the secretariat and the committee everything.

use super::*;

use pdca_core::achievements::AchievementFields;
use pdca_core::plan::CountedFrom;
use pdca_store::AchievementChange;

on_both_databases!(
    a_viewer_sees_only_public_approved_titles_and_institutions,
    a_body_sees_its_own_drafts_and_the_others_approved,
    the_secretariat_and_the_committee_see_everything,
    each_years_count_links_to_its_list,
    a_sub_target_lists_its_parents_tagged_achievements,
    the_api_answers_by_role_a_page_at_a_time,
    the_api_refuses_bad_parameters,
);

const PAGE: &str = "/indicators/p1-out-01";
const API: &str = "/api/v1/plans/medical-rd-2/achievements";

const PUBLIC: &str = "抗体Aの非臨床POC";
const CONFIDENTIAL: &str = "秘密の導出B";
const OWN_DRAFT: &str = "下書きの成果C";
const OTHER_DRAFT: &str = "他機関の下書きE";
const HOSTILE_TITLE_TAIL: &str = "成果D";
const CODE: &str = "JP22ab0001";
const NOTE: &str = "導出先は非公開の備考";
const URL: &str = "https://example.jp/evidence-a";

fn fields(
    indicator: &str,
    year: i32,
    body: &str,
    title: &str,
    code: Option<&str>,
    public: bool,
) -> AchievementFields {
    AchievementFields {
        indicator: indicator.to_owned(),
        year: FiscalYear::new(year).unwrap(),
        body: body.to_owned(),
        project_code: code.map(str::to_owned),
        title: title.to_owned(),
        institution: Some(format!("{title}の実施機関")),
        date: None,
        tags: Vec::new(),
        public,
        notable: false,
        url: None,
        note: None,
    }
}

async fn record(app: &TestApp, items: Vec<AchievementFields>, state: ActualState) {
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
        .unwrap();
}

/// Revision 2 of the built-in plan counts p1-out-01 from its achievements; five achievements:
/// AMED's public approved one (with code, URL, note and date), AMED's confidential approved one,
/// AMED's draft, MEXT's public approved one with a hostile title, MEXT's draft.
async fn seed(app: &TestApp) {
    let mut plan = builtin_plan().unwrap();
    plan.revision = 2;
    plan.indicator_mut("p1-out-01").unwrap().counted_from = CountedFrom::Achievements;
    app.store.save_plan(&plan, None, "test").await.unwrap();
    let mut public = fields("p1-out-01", 2022, "amed", PUBLIC, Some(CODE), true);
    public.url = Some(URL.to_owned());
    public.note = Some(NOTE.to_owned());
    public.date = Some("2022-10-01".to_owned());
    record(
        app,
        vec![
            public,
            fields(
                "p1-out-01",
                2022,
                "amed",
                CONFIDENTIAL,
                Some("JP22ab0002"),
                false,
            ),
            fields(
                "p1-out-01",
                2021,
                "mext",
                &format!("{HOSTILE_SCRIPT}{HOSTILE_TITLE_TAIL}"),
                Some("JP21cd0003"),
                true,
            ),
        ],
        ActualState::Approved,
    )
    .await;
    record(
        app,
        vec![
            fields(
                "p1-out-01",
                2023,
                "amed",
                OWN_DRAFT,
                Some("JP23ab0004"),
                true,
            ),
            fields("p1-out-01", 2023, "mext", OTHER_DRAFT, None, true),
        ],
        ActualState::Draft,
    )
    .await;
}

async fn page_as(app: &TestApp, name: &str, path: &str) -> String {
    let response = app.signed_in(name).await.get_page(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path} as {name}");
    response.text().await.unwrap()
}

/// The section 「成果の一覧」 of a page (up to the next section).
fn section(html: &str) -> &str {
    let start = html
        .find("id=\"achievements-heading\"")
        .unwrap_or_else(|| panic!("no achievements section: {html}"));
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

fn assert_escaped(html: &str) {
    assert!(!html.contains(HOSTILE_SCRIPT), "{html}");
    assert!(
        html.contains(&format!(
            "&lt;script&gt;alert(1)&lt;/script&gt;{HOSTILE_TITLE_TAIL}"
        )) || html.contains(&format!(
            "&#60;script&#62;alert(1)&#60;/script&#62;{HOSTILE_TITLE_TAIL}"
        )),
        "{html}"
    );
}

async fn a_viewer_sees_only_public_approved_titles_and_institutions(app: TestApp) {
    seed(&app).await;
    let html = page_as(&app, VIEWER, PAGE).await;
    let list = section(&html);
    assert!(list.contains("成果の一覧"), "{list}");
    assert!(
        list.contains("この指標の実績は成果の一覧から集計しています"),
        "{list}"
    );
    assert!(list.contains(PUBLIC), "{list}");
    assert!(list.contains(&format!("{PUBLIC}の実施機関")), "{list}");
    for hidden in [CONFIDENTIAL, OWN_DRAFT, OTHER_DRAFT] {
        assert!(!html.contains(hidden), "{hidden}: {html}");
    }
    for detail in [
        CODE,
        "JP21cd0003",
        URL,
        "example.jp",
        NOTE,
        "2022-10-01",
        "令和4年10月1日",
    ] {
        assert!(!html.contains(detail), "{detail}: {html}");
    }
    for column in ["課題番号", "報告機関", "状態", "区分"] {
        assert!(!list.contains(column), "{column}: {list}");
    }
    assert!(list.contains("id=\"achievements-2022\""), "{list}");
    assert!(list.contains("令和4年度（1件）"), "{list}");
    assert!(list.contains("令和3年度（1件）"), "{list}");
    assert!(!list.contains("achievements-2023"), "{list}");
    assert_escaped(list);
}

async fn a_body_sees_its_own_drafts_and_the_others_approved(app: TestApp) {
    seed(&app).await;
    let html = page_as(&app, BODY, PAGE).await;
    let list = section(&html);
    for seen in [PUBLIC, CONFIDENTIAL, OWN_DRAFT, HOSTILE_TITLE_TAIL, CODE] {
        assert!(list.contains(seen), "{seen}: {list}");
    }
    assert!(!html.contains(OTHER_DRAFT), "{html}");
    for column in ["課題番号", "報告機関", "状態", "日付"] {
        assert!(list.contains(column), "{column}: {list}");
    }
    assert!(list.contains("一時保存"), "{list}");
    assert!(list.contains("非公開"), "{list}");
    assert!(list.contains("令和5年度（1件）"), "{list}");
    assert_escaped(list);
}

async fn the_secretariat_and_the_committee_see_everything(app: TestApp) {
    seed(&app).await;
    for name in [SECRETARIAT, COMMITTEE] {
        let html = page_as(&app, name, PAGE).await;
        let list = section(&html);
        for seen in [
            PUBLIC,
            CONFIDENTIAL,
            OWN_DRAFT,
            OTHER_DRAFT,
            HOSTILE_TITLE_TAIL,
            CODE,
            "令和4年10月1日",
        ] {
            assert!(list.contains(seen), "{name} {seen}: {list}");
        }
        assert!(list.contains("令和4年度（2件）"), "{name}: {list}");
        assert!(list.contains("令和5年度（2件）"), "{name}: {list}");
        assert_escaped(list);
    }
    // An indicator with nothing to list has no section.
    let html = page_as(&app, SECRETARIAT, "/indicators/p1-out-02").await;
    assert!(!html.contains("achievements-heading"), "{html}");
}

async fn each_years_count_links_to_its_list(app: TestApp) {
    seed(&app).await;
    let html = page_as(&app, VIEWER, PAGE).await;
    let yearly_start = html.find("id=\"yearly-heading\"").unwrap();
    let yearly =
        &html[yearly_start..yearly_start + html[yearly_start..].find("</section>").unwrap()];
    assert!(yearly.contains("href=\"#achievements-2022\""), "{yearly}");
    assert!(yearly.contains("href=\"#achievements-2021\""), "{yearly}");
    // Nothing of FY2023 that a viewer may see: no link, no list.
    assert!(!yearly.contains("#achievements-2023"), "{yearly}");
    assert!(html.contains("id=\"achievements-2022\""), "{html}");
    // Every link has its target on the page.
    for (at, _) in html.match_indices("href=\"#achievements-") {
        let year = &html[at + 20..at + 24];
        assert!(
            html.contains(&format!("id=\"achievements-{year}\"")),
            "{year}"
        );
    }
}

async fn a_sub_target_lists_its_parents_tagged_achievements(app: TestApp) {
    let mut gene = fields("p3-out-01", 2022, "amed", "遺伝子治療のPOC", None, true);
    gene.tags = vec!["遺伝子治療".to_owned()];
    let other = fields("p3-out-01", 2022, "amed", "低分子のPOC", None, true);
    record(&app, vec![gene, other], ActualState::Approved).await;
    let html = page_as(&app, VIEWER, "/indicators/p3-out-01-1").await;
    let list = section(&html);
    assert!(list.contains("遺伝子治療のPOC"), "{list}");
    assert!(!list.contains("低分子のPOC"), "{list}");
    assert!(list.contains("区分「遺伝子治療」"), "{list}");
    // The parent is not counted from its list: no sentence saying so.
    assert!(!list.contains("集計しています"), "{list}");
    let parent = page_as(&app, VIEWER, "/indicators/p3-out-01").await;
    let list = section(&parent);
    assert!(list.contains("遺伝子治療のPOC") && list.contains("低分子のPOC"));

    let token = app.token(SECRETARIAT).await;
    let response = app
        .api_get(&format!("{API}?indicator=p3-out-01-1"), &token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let items = body["achievements"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["title"], "遺伝子治療のPOC");
    assert_eq!(items[0]["indicator"], "p3-out-01");
}

/// Every page of the list as `name`, following the cursors.
async fn all_pages(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let url = match &cursor {
            None => format!("{API}?limit=2{query}"),
            Some(c) => format!("{API}?limit=2{query}&cursor={c}"),
        };
        let response = app.api_get(&url, token).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let page: Value = response.json().await.unwrap();
        let got = page["achievements"].as_array().unwrap();
        assert!(got.len() <= 2, "{page}");
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => {
                assert!(page["next_cursor"].is_null(), "{page}");
                return items;
            }
        }
    }
    panic!("the cursors never ended");
}

fn titles(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_api_answers_by_role_a_page_at_a_time(app: TestApp) {
    seed(&app).await;
    let hostile = format!("{HOSTILE_SCRIPT}{HOSTILE_TITLE_TAIL}");

    let viewer = all_pages(&app, &app.token(VIEWER).await, "&indicator=p1-out-01").await;
    assert_eq!(
        titles(&viewer),
        BTreeSet::from([PUBLIC.to_owned(), hostile.clone()])
    );
    for item in &viewer {
        let keys: BTreeSet<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.is_subset(&BTreeSet::from([
                "id",
                "indicator",
                "fiscal_year",
                "fiscal_year_ja",
                "title",
                "institution",
            ])),
            "{item}"
        );
    }
    let text = serde_json::to_string(&viewer).unwrap();
    for detail in [CODE, URL, NOTE, "2022-10-01", "amed", "mext"] {
        assert!(!text.contains(detail), "{detail}: {text}");
    }

    let body = all_pages(&app, &app.token(BODY).await, "").await;
    assert_eq!(
        titles(&body),
        BTreeSet::from([
            PUBLIC.to_owned(),
            CONFIDENTIAL.to_owned(),
            OWN_DRAFT.to_owned(),
            hostile.clone(),
        ])
    );
    let own = body.iter().find(|i| i["title"] == PUBLIC).unwrap();
    assert_eq!(own["project_code"], CODE);
    assert_eq!(own["url"], URL);
    assert_eq!(own["state"], "approved");
    assert_eq!(own["body"], "amed");
    let draft = body.iter().find(|i| i["title"] == OWN_DRAFT).unwrap();
    assert_eq!(draft["state"], "draft");

    let secretariat = app.token(SECRETARIAT).await;
    let all = all_pages(&app, &secretariat, "").await;
    assert_eq!(all.len(), 5, "{all:?}");
    let ids: BTreeSet<i64> = all.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 5, "no item twice across pages");
    let mut sorted: Vec<i64> = all.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        all.iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        "by id"
    );
    let committee = all_pages(&app, &app.token(COMMITTEE).await, "").await;
    assert_eq!(committee.len(), 5);

    // A year: 令和4年度 and 2022 alike.
    for fy in ["2022", "R4", "FY2022"] {
        let year = all_pages(&app, &secretariat, &format!("&fy={fy}")).await;
        assert_eq!(
            titles(&year),
            BTreeSet::from([PUBLIC.to_owned(), CONFIDENTIAL.to_owned()]),
            "{fy}"
        );
        assert!(year.iter().all(|i| i["fiscal_year"] == 2022));
    }
}

async fn the_api_refuses_bad_parameters(app: TestApp) {
    seed(&app).await;
    let token = app.token(SECRETARIAT).await;
    for (path, status, code) in [
        (format!("{API}?indicator=p9-out-99"), 404, "not_found"),
        (
            "/api/v1/plans/no-such-plan/achievements".to_owned(),
            404,
            "not_found",
        ),
        (format!("{API}?fy=20x2"), 400, "bad_request"),
        (format!("{API}?limit=0"), 400, "bad_request"),
        (format!("{API}?cursor=A"), 400, "invalid_cursor"),
    ] {
        let response = app.api_get(&path, &token).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
    }
    // Without credentials: 401.
    let response = app.get(API).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
