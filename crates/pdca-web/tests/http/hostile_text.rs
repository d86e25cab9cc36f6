//! Hostile text through the real server (issue 11, item 8): a NUL or another control character
//! typed into a narrative or a note is refused with 422 naming the field, on the entry form and
//! in the JSON API alike, on SQLite and on PostgreSQL (which used to answer 500), and nothing is
//! stored.

use super::*;

on_both_databases!(
    a_nul_in_a_narrative_is_refused_on_the_entry_form,
    control_characters_are_refused_by_the_json_api_naming_the_field,
    a_nul_in_an_opinion_is_refused_by_the_rounds_api,
);

/// What is recorded for the body's narrative indicator in FY2023, whatever its state.
async fn narrative_2023(app: &TestApp) -> Option<ActualValue> {
    app.current("p1-out-m2", 2023)
        .await
        .map(|a| a.contribution.value)
}

async fn a_nul_in_a_narrative_is_refused_on_the_entry_form(app: TestApp) {
    let before = narrative_2023(&app).await;
    let body = app.signed_in(BODY).await;
    let refused = body
        .post_entry(
            "2023",
            "amed",
            &[("value:p1-out-m2", "基盤を整備\u{0}した")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("実績（value）"), "the field is named");
    assert!(html.contains("U+0000 NUL"), "the character is named");
    assert_eq!(narrative_2023(&app).await, before, "nothing is stored");

    // Line breaks in a narrative are fine.
    let saved = body
        .post_entry(
            "2023",
            "amed",
            &[("value:p1-out-m2", "基盤を整備した。\r\n次年度も継続する。")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
}

async fn control_characters_are_refused_by_the_json_api_naming_the_field(app: TestApp) {
    let before = narrative_2023(&app).await;
    let token = app.token(BODY).await;
    for (input, field) in [
        (
            serde_json::json!({
                "indicator_id": "p1-out-m2", "fiscal_year": 2023,
                "value": "基盤を整備\u{0}した", "version": null
            }),
            "value",
        ),
        (
            serde_json::json!({
                "indicator_id": "p1-out-m2", "fiscal_year": 2023,
                "value": "基盤を整備した", "note": "備考\u{1b}[31m", "version": null
            }),
            "note",
        ),
    ] {
        let response = app.api_post("/api/v1/actuals", &token, &input).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "{error}");
        let message = error["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("（{field}）")), "{message}");
        assert!(message.contains("制御文字"), "{message}");
    }
    assert_eq!(narrative_2023(&app).await, before, "nothing is stored");
}

async fn a_nul_in_an_opinion_is_refused_by_the_rounds_api(app: TestApp) {
    open_round(&app, 2022).await;
    let committee = app.token(COMMITTEE).await;
    let items = format!("{ROUNDS}/2022/items");
    let opinion =
        |text: &str| serde_json::json!({ "kind": "opinion", "text": text, "links": ["p1-out-01"] });
    let (status, _, message) = error_code(
        app.api_post(&items, &committee, &opinion("意見\u{0}です"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
    assert!(message.contains("本文（text）"), "{message}");
    assert!(message.contains("U+0000"), "{message}");
    let saved = app
        .api_post(&items, &committee, &opinion("一行目\n二行目"))
        .await;
    assert_eq!(saved.status(), StatusCode::CREATED);
}
