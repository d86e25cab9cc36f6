//! (issue 14) Revisions side by side: `/plans/{id}/changes` shows what a revision added,
//! removed, renamed and retargeted, in the plan's order, to every signed-in role; the plans
//! page links each revision after the first to it; an unknown revision is a 404 page.

use super::*;

use pdca_core::plan::{Comparator, Target};

on_both_databases!(
    every_role_reads_the_changes_of_a_revision,
    the_plans_page_links_each_later_revision_to_its_changes,
    an_unknown_revision_or_plan_is_not_found,
    hostile_names_are_escaped_on_the_changes_page,
);

const RENAMED: &str = "有望創薬シーズの企業導出件数";
const ADDED: &str = "創薬研究の新しい指標";

/// Saves revision 2 of the built-in plan, effective FY2022: p1-out-01's target from 25 to 30,
/// p1-out-02 renamed, p1-out-03 removed, p1-out-09 added after p1-out-04.
async fn save_revision_2(app: &TestApp) {
    let mut plan = builtin_plan().unwrap();
    plan.revision = 2;
    plan.effective_from = FiscalYear::new(2022).unwrap();
    plan.indicator_mut("p1-out-01").unwrap().target = Some(Target::Cumulative {
        value: 30.0,
        comparator: Comparator::Reach,
    });
    plan.indicator_mut("p1-out-02").unwrap().name = RENAMED.to_owned();
    let p1 = &mut plan.projects[0].indicators;
    let at = p1.iter().position(|i| i.id == "p1-out-03").unwrap();
    let mut added = p1.remove(at);
    added.id = "p1-out-09".to_owned();
    added.name = ADDED.to_owned();
    added.target = Some(Target::Cumulative {
        value: 3.0,
        comparator: Comparator::Reach,
    });
    let after_04 = p1.iter().position(|i| i.id == "p1-out-04").unwrap() + 1;
    p1.insert(after_04, added);
    app.store.save_plan(&plan, None, "test").await.unwrap();
}

const PAGE: &str = "/plans/medical-rd-2/changes";

/// The table row of indicator `id` on the page.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let cell = format!("class=\"indicator-id\">{id}</td>");
    let at = html
        .find(&cell)
        .unwrap_or_else(|| panic!("no row of {id}: {html}"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

async fn every_role_reads_the_changes_of_a_revision(app: TestApp) {
    save_revision_2(&app).await;
    for name in [VIEWER, COMMITTEE, BODY, SECRETARIAT] {
        let browser = app.signed_in(name).await;
        let response = browser.get_page(PAGE).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        let html = response.text().await.unwrap();
        assert!(html.contains("第1版から第2版への変更です。"), "{html}");
        // The plan header: the effective year.
        assert!(html.contains("適用開始年度"), "{html}");
        assert!(html.contains("令和4年度"), "{html}");
        let retargeted = row(&html, "p1-out-01");
        assert!(retargeted.contains("目標変更"), "{retargeted}");
        assert!(retargeted.contains("医薬品プロジェクト"), "{retargeted}");
        assert!(retargeted.contains(">25件<"), "{retargeted}");
        assert!(retargeted.contains(">30件<"), "{retargeted}");
        let renamed = row(&html, "p1-out-02");
        assert!(renamed.contains("名称変更"), "{renamed}");
        assert!(
            renamed.contains(">創薬支援ネットワークの活動による有望創薬シーズの企業導出件数<"),
            "{renamed}"
        );
        assert!(renamed.contains(RENAMED), "{renamed}");
        let removed = row(&html, "p1-out-03");
        assert!(removed.contains("削除"), "{removed}");
        assert!(removed.contains("臨床POCの取得件数"), "{removed}");
        assert!(removed.contains(">5件<"), "{removed}");
        let added = row(&html, "p1-out-09");
        assert!(added.contains("追加"), "{added}");
        assert!(added.contains(ADDED), "{added}");
        assert!(added.contains(">3件<"), "{added}");
        // In the plan's order, and nothing else.
        let at: Vec<usize> = ["p1-out-01", "p1-out-02", "p1-out-03", "p1-out-09"]
            .iter()
            .map(|id| html.find(&format!(">{id}</td>")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{html}");
        assert_eq!(html.matches("class=\"indicator-id\"").count(), 4, "{html}");
        // Narrow screens read each cell with its label.
        assert!(added.contains("data-label=\"変更前\""), "{added}");
        // The form picks the revisions, the default ones chosen.
        assert!(
            html.contains("<option value=\"1\" selected>第1版</option>"),
            "{html}"
        );
        assert!(
            html.contains("<option value=\"2\" selected>第2版</option>"),
            "{html}"
        );
    }
    let viewer = app.signed_in(VIEWER).await;
    let same = viewer
        .get_page(&format!("{PAGE}?from=2&to=2"))
        .await
        .text()
        .await
        .unwrap();
    assert!(same.contains("変更はありません。"), "{same}");
    assert!(!same.contains("class=\"indicator-id\""), "{same}");
    let backwards = viewer
        .get_page(&format!("{PAGE}?from=2&to=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(row(&backwards, "p1-out-09").contains("削除"), "{backwards}");
    let en = viewer
        .get_page(&format!("{PAGE}?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Target changed"), "{en}");
    assert!(
        en.contains("Changes from revision 1 to revision 2."),
        "{en}"
    );
    // Signed out: to the sign-in page and back.
    let response = app.get(PAGE).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/signin?next="));
}

async fn the_plans_page_links_each_later_revision_to_its_changes(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let before = admin.get_page("/admin/plans").await.text().await.unwrap();
    assert!(!before.contains(">前の版との違い</a>"), "{before}");
    save_revision_2(&app).await;
    let html = admin.get_page("/admin/plans").await.text().await.unwrap();
    assert_eq!(html.matches(">前の版との違い</a>").count(), 1, "{html}");
    assert!(
        html.contains("<a href=\"/plans/medical-rd-2/changes?to=2\">前の版との違い</a>"),
        "{html}"
    );
    let page = admin.get_page(&format!("{PAGE}?to=2")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(RENAMED));
}

async fn an_unknown_revision_or_plan_is_not_found(app: TestApp) {
    let viewer = app.signed_in(VIEWER).await;
    let response = viewer.get_page(&format!("{PAGE}?from=1&to=9")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    // The error frame's page, in the frame of every page.
    assert!(html.contains("見つかりませんでした"), "{html}");
    assert!(html.contains("<main id=\"main\">"), "{html}");
    let response = viewer.get_page("/plans/no-such-plan/changes").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = viewer.get_page(&format!("{PAGE}?from=first")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

async fn hostile_names_are_escaped_on_the_changes_page(app: TestApp) {
    let mut plan = builtin_plan().unwrap();
    plan.revision = 2;
    plan.indicator_mut("p1-out-02").unwrap().name = format!("{HOSTILE_SCRIPT}{HOSTILE_ATTR}");
    plan.projects[0].name = HOSTILE_ATTR.to_owned();
    app.store.save_plan(&plan, None, "test").await.unwrap();
    let viewer = app.signed_in(VIEWER).await;
    let html = viewer.get_page(PAGE).await.text().await.unwrap();
    assert!(!html.contains(HOSTILE_SCRIPT), "{html}");
    assert!(!html.contains(HOSTILE_ATTR), "{html}");
    assert!(html.contains("&#60;script&#62;alert(1)"), "{html}");
    assert!(html.contains("プロジェクトの名称変更"), "{html}");
}
