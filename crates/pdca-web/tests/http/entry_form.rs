//! Issue 12 through the real server: the entry form drops no typed value. 「保存して提出」 saves
//! what was typed and submits it (after a confirmation that states the count); a refused value
//! keeps everything typed and submits nothing; after a form the page comes back to the row with
//! a notice naming the indicator; the approval page shows the previous year's value and the
//! target, and approving everything shown asks first.

use super::*;

on_both_databases!(
    save_and_submit_saves_the_typed_value_and_submits_it,
    a_refused_value_keeps_everything_typed_and_submits_nothing,
    a_form_returns_to_its_row_with_a_named_notice,
    the_approval_page_shows_the_previous_value_and_the_target,
);

/// The hidden fields of the confirmation's form, as (name, value), entities decoded.
fn confirm_fields(html: &str) -> Vec<(String, String)> {
    let start = html
        .find("class=\"confirm-form\"")
        .unwrap_or_else(|| panic!("no confirmation form: {html}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let marker = format!("{name}=\"");
        let s = tag.find(&marker)? + marker.len();
        let e = tag[s..].find('"')?;
        Some(
            tag[s..s + e]
                .replace("&#43;", "+")
                .replace("&#47;", "/")
                .replace("&#61;", "=")
                .replace("&#38;", "&")
                .replace("&amp;", "&")
                .replace("&#34;", "\"")
                .replace("&quot;", "\""),
        )
    };
    form.split("<input")
        .skip(1)
        .filter_map(|tag| {
            let tag = &tag[..tag.find('>')?];
            Some((attr(tag, "name")?, attr(tag, "value")?))
        })
        .collect()
}

async fn indicator_name(app: &TestApp, id: &str) -> String {
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    plan.indicator(id).unwrap().name.clone()
}

/// How many values of amed's FY `year` wait to be submitted (drafts and returned ones).
async fn to_submit(app: &TestApp, year: i32) -> usize {
    app.store
        .current_actuals(BUILTIN_PLAN_ID)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| {
            a.contribution.year.year() == year
                && a.contribution.body == "amed"
                && matches!(a.state, ActualState::Draft | ActualState::Returned)
        })
        .count()
}

async fn save_and_submit_saves_the_typed_value_and_submits_it(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let page = body.get_page("/entry?fy=2023").await.text().await.unwrap();
    assert!(
        page.contains("保存して提出") && page.contains("一時保存"),
        "{page}"
    );
    assert!(page.contains("id=\"ind-p1-out-01\""), "a row anchor");
    assert!(page.contains("入力済み"), "the count of the save bar");
    assert!(
        page.contains("src=\"/static/entry.js\""),
        "the save bar's count"
    );
    assert!(
        page.contains("data-warn-unsaved"),
        "the form warns before leaving"
    );
    let script = body.get_page("/static/forms.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.text().await.unwrap().contains("beforeunload"));

    // Typed, not saved first, and 保存して提出 pressed: saved, then the confirmation.
    let asked = body
        .post_entry(
            "2023",
            "amed",
            &[("value:p1-out-01", "５件"), ("action", "submit")],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let html = asked.text().await.unwrap();
    let draft = app.current("p1-out-01", 2023).await.expect("saved at once");
    assert_eq!(draft.state, ActualState::Draft);
    assert_eq!(draft.contribution.value, ActualValue::Number(5.0));
    let n = to_submit(&app, 2023).await;
    assert_eq!(n, 1);
    assert!(
        html.contains(&format!(
            "令和5年度の実績 {n}件を提出します。提出後は事務局の承認・差戻しまで変更できません。"
        )),
        "the consequence with its count: {html}"
    );
    assert!(html.contains("button-danger"), "a destructive button");

    // Confirmed: submitted, and the page comes back to the row.
    let fields = confirm_fields(&html);
    assert!(fields.iter().any(|(k, v)| k == "action" && v == "submit"));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("confirmed", "1")])
        .collect();
    let done = body.post_form("/entry", &pairs).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let to = location(&done);
    assert!(
        to.contains("done=submitted") && to.ends_with("#ind-p1-out-01"),
        "{to}"
    );
    let submitted = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(submitted.state, ActualState::Submitted);
    assert_eq!(submitted.contribution.value, ActualValue::Number(5.0));
    let page = body.get_page(&to).await.text().await.unwrap();
    assert!(page.contains("令和5年度の実績 1件を提出しました"), "{page}");

    // A client that posts the confirmed form with a value: saved and submitted in that request.
    let direct = body
        .post_entry(
            "2023",
            "amed",
            &[
                ("value:p1-out-03", "2"),
                ("action", "submit"),
                ("confirmed", "1"),
            ],
        )
        .await;
    assert_eq!(direct.status(), StatusCode::SEE_OTHER);
    let three = app.current("p1-out-03", 2023).await.unwrap();
    assert_eq!(three.state, ActualState::Submitted);
    assert_eq!(three.contribution.value, ActualValue::Number(2.0));
}

async fn a_refused_value_keeps_everything_typed_and_submits_nothing(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let refused = body
        .post_entry(
            "2023",
            "amed",
            &[
                ("value:p1-out-01", "7"),
                ("note:p1-out-01", "年度末に確認"),
                ("value:p1-out-03", "-3"),
                ("numerator:p1-out-04", "5"),
                ("denominator:p1-out-04", "4"),
                ("action", "submit"),
                ("confirmed", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    for kept in [
        "value=\"7\"",
        "value=\"年度末に確認\"",
        "value=\"-3\"",
        "value=\"5\"",
        "value=\"4\"",
    ] {
        assert!(html.contains(kept), "{kept} is kept: {html}");
    }
    assert!(html.contains("class=\"error-summary\""), "{html}");
    assert!(
        html.contains("href=\"#value-p1-out-03\""),
        "the summary links to the field"
    );
    assert!(
        html.contains("href=\"#num-p1-out-04\""),
        "and to the ratio's field"
    );
    assert!(
        html.contains("id=\"value-p1-out-03\""),
        "the field it links to"
    );
    assert!(html.contains("提出もしていません"), "{html}");
    assert!(
        html.contains("各入力欄のすぐ上"),
        "says truthfully where the messages are"
    );
    assert!(
        html.find("id=\"error-p1-out-03\"").unwrap() < html.find("id=\"value-p1-out-03\"").unwrap(),
        "the message is above its field"
    );
    for id in ["p1-out-01", "p1-out-03", "p1-out-04"] {
        assert!(app.current(id, 2023).await.is_none(), "{id}: nothing saved");
    }
    assert!(
        !app.store
            .current_actuals(BUILTIN_PLAN_ID)
            .await
            .unwrap()
            .iter()
            .any(|a| a.state == ActualState::Submitted),
        "nothing submitted"
    );
}

async fn a_form_returns_to_its_row_with_a_named_notice(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let saved = body
        .post_entry(
            "2023",
            "amed",
            &[("value:p1-out-01", "4"), ("action", "save")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let to = location(&saved);
    assert!(to.ends_with("#ind-p1-out-01"), "{to}");
    assert_eq!(
        app.current("p1-out-01", 2023).await.unwrap().state,
        ActualState::Draft,
        "saved, not submitted"
    );
    let page = body.get_page(&to).await.text().await.unwrap();
    let name = indicator_name(&app, "p1-out-01").await;
    assert!(
        page.contains(&format!("{name}の値を保存しました。")),
        "the notice names the indicator: {page}"
    );
    assert!(page.contains("id=\"ind-p1-out-01\""));
    assert!(page.contains("一時保存"), "the state");
}

async fn the_approval_page_shows_the_previous_value_and_the_target(app: TestApp) {
    let body = app.signed_in(BODY).await;
    body.post_entry(
        "2023",
        "amed",
        &[
            ("value:p1-out-01", "6"),
            ("action", "submit"),
            ("confirmed", "1"),
        ],
    )
    .await;
    let submitted = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(submitted.state, ActualState::Submitted);

    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    let indicator = plan.indicator("p1-out-01").unwrap();
    let target = pdca_core::wording::target_text(indicator);
    let secretariat = app.signed_in(SECRETARIAT).await;
    let html = secretariat
        .get_page("/approval?fy=2023")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("前年度の実績"), "{html}");
    assert!(
        html.contains(&format!("<td class=\"previous\">2{}</td>", indicator.unit)),
        "FY2022's approved 2, with its unit: {html}"
    );
    assert!(
        html.contains(&format!("<td class=\"target\">{target}</td>")),
        "the target {target}: {html}"
    );
    assert!(
        html.contains("id=\"approval-fy\""),
        "the year selector it mentions"
    );
    assert!(
        html.contains("class=\"button-danger\""),
        "approve-all is destructive"
    );
    // A year before the plan's period is shown as that year, not as 「すべての年度」.
    let earlier = secretariat
        .get_page("/approval?fy=2019")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        earlier.contains("<option value=\"2019\" selected>令和元年度</option>"),
        "{earlier}"
    );

    // Approving everything shown asks first, with the count.
    let csrf = secretariat.csrf_of("/approval?fy=2023").await;
    let item = format!("p1-out-01|2023|amed|{}", submitted.id);
    let form = [
        ("csrf", csrf.as_str()),
        ("fy", "2023"),
        ("all", "1"),
        ("action", "approve"),
        ("item", item.as_str()),
    ];
    let asked = secretariat.post_form("/approval", &form).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let html = asked.text().await.unwrap();
    assert!(html.contains("令和5年度の実績 1件を承認します。"), "{html}");
    assert_eq!(
        app.current("p1-out-01", 2023).await.unwrap().state,
        ActualState::Submitted,
        "nothing approved before the confirmation"
    );
    let mut confirmed = form.to_vec();
    confirmed.push(("confirmed", "1"));
    let done = secretariat.post_form("/approval", &confirmed).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.current("p1-out-01", 2023).await.unwrap().state,
        ActualState::Approved
    );
}
