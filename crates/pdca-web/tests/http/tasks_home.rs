//! (issue 12) Each role's work on `/tasks`: a body's returned values with the secretariat's
//! reason and a link to the field, its indicators named with their project and a date; the
//! secretariat's reporting status per body; what awaits the committee's rating. The audit log
//! in sentences. Disabling an account and removing an assignment ask for a confirmation first.

use super::*;

on_both_databases!(
    a_body_sees_its_returned_value_with_the_reason_and_a_link,
    the_secretariat_sees_the_reporting_status_per_body,
    the_committee_sees_what_awaits_its_rating,
    a_viewer_has_nothing_to_do,
    the_audit_log_reads_as_sentences,
    disabling_an_account_asks_for_a_confirmation,
    removing_an_assignment_asks_for_a_confirmation,
    each_body_sees_its_own_work_on_the_home_page,
);

/// Records a submitted value of p1-out-03 FY2022 for AMED and returns it with `reason`.
async fn return_a_value(app: &TestApp, reason: &str) {
    let mut submitted = number("p1-out-03", 2022, "amed", 4.0);
    submitted.state = ActualState::Submitted;
    app.store
        .record_actuals(BUILTIN_PLAN_ID, &[submitted], BODY)
        .await
        .unwrap();
    app.store
        .set_state(
            BUILTIN_PLAN_ID,
            "p1-out-03",
            FiscalYear::new(2022).unwrap(),
            "amed",
            ActualState::Returned,
            Some(reason),
            None,
            SECRETARIAT,
        )
        .await
        .unwrap();
}

/// The part of `html` inside the section with id `id`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap()]
}

async fn a_body_sees_its_returned_value_with_the_reason_and_a_link(app: TestApp) {
    open_round(&app, 2022).await;
    return_a_value(&app, "出典の年度を確認してください").await;
    let body = app.signed_in(BODY).await;
    let html = body.get_page("/tasks").await.text().await.unwrap();
    let returned = section(&html, "work-returned");
    assert!(returned.contains("差戻し"), "{returned}");
    assert!(
        returned.contains("出典の年度を確認してください"),
        "{returned}"
    );
    assert!(returned.contains("事務局からの差戻しの理由"), "{returned}");
    // By name, with the project, and a link straight to the field on /entry.
    assert!(returned.contains("臨床POCの取得件数"), "{returned}");
    assert!(returned.contains("医薬品プロジェクト"), "{returned}");
    assert!(
        returned.contains("href=\"/entry?plan=medical-rd-2&#38;fy=2022#ind-p1-out-03\""),
        "{returned}"
    );
    assert!(
        !html.contains("p1-out-03（amed）"),
        "no ids as names: {html}"
    );
    // Not yet reported: the deadline as a date and the days past it.
    let unreported = section(&html, "work-unreported");
    assert!(unreported.contains("令和5年4月30日"), "{unreported}");
    assert!(unreported.contains("日過ぎています"), "{unreported}");
    assert!(unreported.contains("#ind-"), "{unreported}");
    assert!(!html.contains("今のところ"), "{html}");
    // English too.
    let english = body.get_page("/tasks?lang=en").await.text().await.unwrap();
    assert!(english.contains("Values returned to you"), "{english}");
}

async fn the_secretariat_sees_the_reporting_status_per_body(app: TestApp) {
    open_round(&app, 2022).await;
    let mut submitted = number("p1-out-03", 2022, "amed", 4.0);
    submitted.state = ActualState::Submitted;
    app.store
        .record_actuals(BUILTIN_PLAN_ID, &[submitted], BODY)
        .await
        .unwrap();
    let admin = app.signed_in(SECRETARIAT).await;
    let html = admin.get_page("/tasks").await.text().await.unwrap();
    let status = section(&html, "work-status");
    assert!(status.contains("報告状況"), "{status}");
    assert!(status.contains("令和4年度の報告状況"), "{status}");
    assert!(status.contains(">AMED</a></th>"), "{status}");
    assert!(status.contains("令和5年4月30日"), "{status}");
    // AMED: x/y submitted, and a link to its entry form of the year.
    let amed = &status[status.find("<th scope=\"row\">").unwrap()..];
    let amed = &amed[..amed.find("</tr>").unwrap()];
    assert!(
        amed.contains("/entry?plan=medical-rd-2&#38;fy=2022&#38;body=amed"),
        "{amed}"
    );
    let submitted_total = amed.split("class=\"num\">").nth(1).unwrap();
    let (n, rest) = submitted_total.split_once('/').unwrap();
    assert!(n.parse::<usize>().unwrap() >= 1, "{amed}");
    assert!(rest.split('<').next().unwrap().parse::<usize>().unwrap() > 1);
    // The approval queue, with a link to /approval.
    let approval = section(&html, "work-approval");
    assert!(approval.contains("令和4年度の承認待ち 1件"), "{approval}");
    assert!(
        approval.contains("href=\"/approval?fy=2022\""),
        "{approval}"
    );
    // The ratings missing in the open round, by name, to the round page's row.
    let ratings = section(&html, "work-ratings");
    assert!(ratings.contains("非臨床POCの取得件数"), "{ratings}");
    assert!(
        ratings.contains("href=\"/rounds/2022?plan=medical-rd-2#ind-p1-out-01\""),
        "{ratings}"
    );
}

async fn the_committee_sees_what_awaits_its_rating(app: TestApp) {
    let committee = app.signed_in(COMMITTEE).await;
    // No round open: nothing awaits the committee.
    let none = committee.get_page("/tasks").await.text().await.unwrap();
    assert!(
        none.contains("今のところ、あなたが行う作業はありません。"),
        "{none}"
    );
    open_round(&app, 2022).await;
    let html = committee.get_page("/tasks").await.text().await.unwrap();
    let ratings = section(&html, "work-ratings");
    assert!(ratings.contains("評価を待っている指標"), "{ratings}");
    assert!(ratings.contains("非臨床POCの取得件数"), "{ratings}");
    assert!(ratings.contains("医薬品プロジェクト"), "{ratings}");
    // No meeting registered: the usual schedule's meeting ①, as a date.
    assert!(
        ratings.contains("第1回会合（標準の日程） 令和5年5月20日"),
        "{ratings}"
    );
    assert!(ratings.contains("#ind-p1-out-01\""), "{ratings}");
    // Management indicators are not rated.
    assert!(!ratings.contains("#ind-p1-out-m1\""), "{ratings}");
}

async fn a_viewer_has_nothing_to_do(app: TestApp) {
    open_round(&app, 2022).await;
    let viewer = app.signed_in(VIEWER).await;
    let html = viewer.get_page("/tasks").await.text().await.unwrap();
    assert!(
        html.contains("今のところ、あなたが行う作業はありません。"),
        "{html}"
    );
}

async fn the_audit_log_reads_as_sentences(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of("/admin/users").await;
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "suzuki"),
                ("role", "body"),
                ("body", "amed"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    return_a_value(&app, "単位を確認").await;
    let html = admin.get_page("/admin/audit").await.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "事務局 {SECRETARIAT} がユーザー suzuki（報告機関 日本医療研究開発機構）を作成しました。"
        )),
        "{html}"
    );
    assert!(
        html.contains("「臨床POCの取得件数」（p1-out-03）の令和4年度の値（日本医療研究開発機構）を「提出済み」から「差戻し」にしました。"),
        "{html}"
    );
    assert!(html.contains("理由: 単位を確認"), "{html}");
    for raw in ["user.create", "actual.state", "{&quot;", "&quot;role&quot;"] {
        assert!(!html.contains(raw), "{raw}: {html}");
    }
}

async fn disabling_an_account_asks_for_a_confirmation(app: TestApp) {
    app.token(VIEWER).await;
    app.token(VIEWER).await;
    let admin = app.signed_in(SECRETARIAT).await;
    let page = admin.get_page("/admin/users").await.text().await.unwrap();
    assert!(page.contains(&format!("id=\"user-{VIEWER}\"")), "{page}");
    assert!(page.contains("class=\"button-danger\""), "{page}");
    let csrf = csrf_field(&page).unwrap();
    let asked = admin
        .post_form(
            &format!("/admin/users/{VIEWER}/disable"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let html = asked.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "{VIEWER} を無効にします。サインインできなくなり、発行済みのトークン 2件も使えなくなります。"
        )),
        "{html}"
    );
    assert!(html.contains("name=\"confirmed\" value=\"1\""), "{html}");
    assert!(html.contains("class=\"button-danger\""), "{html}");
    assert!(
        html.contains(&format!("href=\"/admin/users#user-{VIEWER}\"")),
        "{html}"
    );
    assert!(
        !app.store
            .user_by_name(VIEWER)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    // Confirmed: disabled, back at the row with a notice naming the account.
    let done = admin
        .post_form(
            &format!("/admin/users/{VIEWER}/disable"),
            &[("csrf", &csrf), ("confirmed", "1")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(location(&done).ends_with(&format!("#user-{VIEWER}")));
    assert!(
        app.store
            .user_by_name(VIEWER)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    let notice = admin.get_page(&location(&done)).await.text().await.unwrap();
    assert!(
        notice.contains(&format!("{VIEWER} を無効にしました。")),
        "{notice}"
    );
}

async fn removing_an_assignment_asks_for_a_confirmation(app: TestApp) {
    let (indicator, only, other) = single_body_indicator(&app).await;
    app.store
        .set_assignment(BUILTIN_PLAN_ID, &indicator, &other, None, "test")
        .await
        .unwrap();
    let before = assignments_of(&app, &indicator).await;
    let admin = app.signed_in(SECRETARIAT).await;
    let page = admin.get_page("/admin/bodies").await.text().await.unwrap();
    assert!(page.contains(&format!("id=\"assign-{indicator}\"")));
    let form = &page[page.find("action=\"/admin/bodies/unassign\"").unwrap()..];
    assert!(
        form[..form.find("</form>").unwrap()].contains("class=\"button-danger\""),
        "{form}"
    );
    let csrf = csrf_field(&page).unwrap();
    let fields = [
        ("csrf", csrf.as_str()),
        ("plan", BUILTIN_PLAN_ID),
        ("indicator", indicator.as_str()),
        ("body", other.as_str()),
    ];
    let asked = admin.post_form("/admin/bodies/unassign", &fields).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let html = asked.text().await.unwrap();
    assert!(html.contains("を外します。"), "{html}");
    assert!(html.contains("外した後の報告機関"), "{html}");
    assert!(html.contains("name=\"confirmed\" value=\"1\""), "{html}");
    assert!(html.contains(&format!("#assign-{indicator}\"")), "{html}");
    assert_eq!(assignments_of(&app, &indicator).await, before);
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirmed", "1"));
    let done = admin.post_form("/admin/bodies/unassign", &confirmed).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(location(&done).ends_with(&format!("#assign-{indicator}")));
    assert_eq!(
        assignments_of(&app, &indicator).await,
        vec![(only.clone(), None)]
    );
    let notice = admin.get_page(&location(&done)).await.text().await.unwrap();
    assert!(notice.contains("を外しました。"), "{notice}");
}

async fn each_body_sees_its_own_work_on_the_home_page(app: TestApp) {
    open_round(&app, 2022).await;
    return_a_value(&app, "出典の年度を確認してください").await;
    add_user(&app.store, "mhlw-tanto", Role::Body, Some("mhlw"), false).await;
    let amed = app.signed_in(BODY).await;
    let home = amed.get_page("/").await.text().await.unwrap();
    let work = section(&home, "home-work-heading");
    assert!(work.contains("出典の年度を確認してください"), "{work}");
    assert!(work.contains("#ind-p1-out-03"), "{work}");
    // Within the page, after its heading.
    assert!(home.find("<h1>").unwrap() < home.find("home-work-heading").unwrap());
    // The dashboard's main part is cached for the role; the work is not: another body, signed
    // in next, does not see AMED's returned value.
    let mhlw = app.signed_in("mhlw-tanto").await;
    let theirs = mhlw.get_page("/").await.text().await.unwrap();
    assert!(theirs.contains("home-work-heading"), "{theirs}");
    assert!(!theirs.contains("出典の年度を確認してください"), "{theirs}");
    // A viewer has no work section.
    let viewer = app.signed_in(VIEWER).await;
    let page = viewer.get_page("/").await.text().await.unwrap();
    assert!(!page.contains("home-work-heading"), "{page}");
}
