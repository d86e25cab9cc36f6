//! (issue 13) Every list of the API is paginated: `limit` items at most, and following
//! `next_cursor` to the end gives every item once, in order; a malformed cursor and a limit
//! outside 1–1000 are refused with 400 and a code.

use super::*;

on_both_databases!(
    following_next_cursor_gives_every_item_once,
    bad_cursors_and_limits_are_refused_with_their_codes,
);

/// The items of `field` over every page of `path` with `limit` items a page, each page's size
/// checked.
async fn every_page(
    app: &TestApp,
    token: &str,
    path: &str,
    field: &str,
    limit: usize,
) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let url = match &cursor {
            Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
            None => format!("{path}{separator}limit={limit}"),
        };
        let response = app.api_get(&url, token).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let page: Value = response.json().await.unwrap();
        let batch = page[field]
            .as_array()
            .unwrap_or_else(|| panic!("{url}: {page}"));
        assert!(batch.len() <= limit, "{url}");
        items.extend(batch.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(batch.len(), limit, "only the last page is short: {url}");
                cursor = Some(next.to_owned());
            }
            None => {
                assert!(page["next_cursor"].is_null(), "{url}");
                return items;
            }
        }
    }
    panic!("{path}: no last page");
}

async fn following_next_cursor_gives_every_item_once(app: TestApp) {
    open_round(&app, 2021).await;
    open_round(&app, 2022).await;
    app.token(COMMITTEE).await;
    let token = app.token(SECRETARIAT).await;

    for (path, field, key) in [
        ("/api/v1/actuals", "actuals", "id"),
        ("/api/v1/audit", "entries", "id"),
        ("/api/v1/plans", "plans", "id"),
        ("/api/v1/plans/medical-rd-2/rounds", "rounds", "fiscal_year"),
    ] {
        let all = every_page(&app, &token, path, field, 1000).await;
        assert!(!all.is_empty(), "{path}");
        for limit in [1, 2, 3] {
            let paged = every_page(&app, &token, path, field, limit).await;
            assert_eq!(paged, all, "{path} with limit={limit}");
        }
        let keys: Vec<&Value> = all.iter().map(|item| &item[key]).collect();
        let unique: BTreeSet<String> = keys.iter().map(|k| k.to_string()).collect();
        assert_eq!(unique.len(), keys.len(), "{path}: every item once");
    }

    // The audit log is newest first; the others in their keys' order.
    let audit = every_page(&app, &token, "/api/v1/audit", "entries", 2).await;
    let ids: Vec<i64> = audit.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let rounds = every_page(
        &app,
        &token,
        "/api/v1/plans/medical-rd-2/rounds",
        "rounds",
        1,
    )
    .await;
    let years: Vec<i64> = rounds
        .iter()
        .map(|r| r["fiscal_year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2021, 2022]);

    // Without parameters, the first page of at most 100.
    let response = app.api_get("/api/v1/actuals", &token).await;
    let page: Value = response.json().await.unwrap();
    assert!(page["actuals"].as_array().unwrap().len() <= 100);
    assert!(page.get("next_cursor").is_some());

    // An entry written between two pages neither repeats nor shifts the rest.
    let first: Value = app
        .api_get("/api/v1/audit?limit=1", &token)
        .await
        .json()
        .await
        .unwrap();
    app.token(VIEWER).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = app
        .api_get(&format!("/api/v1/audit?limit=1&cursor={cursor}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["entries"][0], audit[1]);
}

async fn bad_cursors_and_limits_are_refused_with_their_codes(app: TestApp) {
    let token = app.token(SECRETARIAT).await;
    for path in [
        "/api/v1/plans",
        "/api/v1/actuals",
        "/api/v1/audit",
        "/api/v1/plans/medical-rd-2/rounds",
        "/api/v1/plans/medical-rd-2/meetings",
    ] {
        for cursor in ["A", "AAAAA", "a+b", "AA%3D%3D", "%E3%81%82"] {
            let response = app
                .api_get(&format!("{path}?cursor={cursor}"), &token)
                .await;
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "{path} {cursor}"
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_cursor", "{path} {cursor}");
            assert_eq!(body["error"]["field"], "cursor");
        }
        for limit in ["0", "1001", "abc", "-1", "1.5", "01", ""] {
            let response = app.api_get(&format!("{path}?limit={limit}"), &token).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path} {limit}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "bad_request", "{path} {limit}");
            assert_eq!(body["error"]["field"], "limit");
        }
        let response = app.api_get(&format!("{path}?limit=1000"), &token).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }

    // The limits are documented as the handlers apply them.
    let document: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let parameters = document["paths"]["/api/v1/actuals"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let limit = parameters.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 1000);
    assert_eq!(limit["schema"]["default"], 100);
    let cursor = parameters.iter().find(|p| p["name"] == "cursor").unwrap();
    assert!(cursor["schema"]["pattern"].is_string());
}
