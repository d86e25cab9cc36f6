//! (issue 13) HTTP for machine clients: text is sent gzip- or brotli-compressed when the client
//! asks for it, files that are compressed already are not; evaluations, plans, open data and
//! reports carry an `ETag`, answer 304 without a body to a matching `If-None-Match`, and change
//! their tag when the data they show changes.

use std::io::Read as _;

use super::*;

on_both_databases!(
    text_is_compressed_as_the_client_asks,
    compressed_files_and_tiny_bodies_are_sent_as_they_are,
    evaluations_answer_304_until_a_value_is_approved,
    plans_answer_304_until_a_plan_changes,
    open_data_answers_304_until_a_round_closes,
    reports_answer_304_until_a_rating_changes,
);

const EVALUATIONS: &str = "/api/v1/evaluations?as_of=2022";

/// GET `path` with a bearer token (if any) and extra request headers, as they are sent: the
/// test client decompresses nothing.
async fn get_with(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header_of(response: &reqwest::Response, name: header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

fn etag_of(response: &reqwest::Response) -> String {
    header_of(response, header::ETAG).expect("an ETag")
}

fn brotli_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gzip_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// `path` answers 304 with `etag` and no body to `If-None-Match: etag`.
async fn assert_not_modified(app: &TestApp, path: &str, token: Option<&str>, etag: &str) {
    let response = get_with(app, path, token, &[("if-none-match", etag)]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{path}");
    assert_eq!(etag_of(&response), etag.trim_start_matches("W/"), "{path}");
    assert!(header_of(&response, header::CACHE_CONTROL).is_some_and(|c| c.contains("no-cache")));
    assert!(response.bytes().await.unwrap().is_empty(), "{path}");
}

/// `path` answers 200 with its body and a tag other than `old` to `If-None-Match: old`; the
/// new tag.
async fn assert_changed(app: &TestApp, path: &str, token: Option<&str>, old: &str) -> String {
    let response = get_with(app, path, token, &[("if-none-match", old)]).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let new = etag_of(&response);
    assert_ne!(new, old, "{path}");
    assert!(!response.bytes().await.unwrap().is_empty(), "{path}");
    new
}

async fn text_is_compressed_as_the_client_asks(app: TestApp) {
    let token = app.token(VIEWER).await;
    let plain = get_with(&app, EVALUATIONS, Some(&token), &[]).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), None);
    let etag = etag_of(&plain);
    assert!(!etag.starts_with("W/"), "a strong tag: {etag}");
    let plain = plain.bytes().await.unwrap();
    let json: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(json["as_of"], 2022);

    for (coding, decode) in [
        ("br", brotli_decoded as fn(&[u8]) -> Vec<u8>),
        ("gzip", gzip_decoded),
    ] {
        let response = get_with(
            &app,
            EVALUATIONS,
            Some(&token),
            &[("accept-encoding", coding)],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header_of(&response, header::CONTENT_ENCODING).as_deref(),
            Some(coding)
        );
        assert!(
            header_of(&response, header::VARY)
                .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
        );
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE).as_deref(),
            Some("application/json")
        );
        // The compressed body is another representation of the same: its tag is weak, and it
        // still revalidates.
        let weak = etag_of(&response);
        assert_eq!(weak, format!("W/{etag}"));
        let compressed = response.bytes().await.unwrap();
        assert!(
            compressed.len() < plain.len() / 2,
            "{coding}: {} bytes",
            compressed.len()
        );
        assert_eq!(decode(&compressed), plain, "{coding}");
        let again = get_with(
            &app,
            EVALUATIONS,
            Some(&token),
            &[("accept-encoding", coding), ("if-none-match", &weak)],
        )
        .await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{coding}");
        assert!(again.bytes().await.unwrap().is_empty());
    }

    // Pages, the style sheet and CSV too.
    let browser = app.signed_in(VIEWER).await;
    let page = browser
        .client
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        header_of(&page, header::CONTENT_ENCODING).as_deref(),
        Some("gzip")
    );
    let html = String::from_utf8(gzip_decoded(&page.bytes().await.unwrap())).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"),
        "{html}"
    );
    let css = get_with(&app, "/static/pdca.css", None, &[("accept-encoding", "br")]).await;
    assert_eq!(
        header_of(&css, header::CONTENT_ENCODING).as_deref(),
        Some("br")
    );
    // A client that accepts neither gets the body as it is.
    let other = get_with(
        &app,
        EVALUATIONS,
        Some(&token),
        &[("accept-encoding", "deflate")],
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(header_of(&other, header::CONTENT_ENCODING), None);
    assert_eq!(other.bytes().await.unwrap(), plain);
}

async fn compressed_files_and_tiny_bodies_are_sent_as_they_are(app: TestApp) {
    open_round(&app, 2022).await;
    let token = app.token(COMMITTEE).await;
    let report = "/api/v1/plans/medical-rd-2/rounds/2022/report?format=";
    let both = [("accept-encoding", "br, gzip")];
    let pdf = get_with(&app, &format!("{report}pdf"), Some(&token), &both).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(
        header_of(&pdf, header::CONTENT_TYPE).as_deref(),
        Some("application/pdf")
    );
    assert_eq!(header_of(&pdf, header::CONTENT_ENCODING), None);
    let length: usize = header_of(&pdf, header::CONTENT_LENGTH)
        .expect("a Content-Length")
        .parse()
        .unwrap();
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(bytes.len(), length);
    let xlsx = get_with(&app, &format!("{report}xlsx"), Some(&token), &both).await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert_eq!(header_of(&xlsx, header::CONTENT_ENCODING), None);
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
    // The Markdown report is text: compressed.
    let md = get_with(&app, &format!("{report}md"), Some(&token), &both).await;
    assert!(header_of(&md, header::CONTENT_ENCODING).is_some());
    // A body of a few bytes is not worth compressing.
    let healthz = get_with(&app, "/healthz", None, &both).await;
    assert_eq!(header_of(&healthz, header::CONTENT_ENCODING), None);
    assert_eq!(healthz.text().await.unwrap(), "ok");
}

async fn evaluations_answer_304_until_a_value_is_approved(app: TestApp) {
    let viewer = app.token(VIEWER).await;
    let first = get_with(&app, EVALUATIONS, Some(&viewer), &[]).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        header_of(&first, header::CACHE_CONTROL).as_deref(),
        Some("private, no-cache")
    );
    let etag = etag_of(&first);
    let cumulative = |body: Value| {
        body["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "p1-out-02")
            .and_then(|i| i["cumulative"].as_f64())
    };
    assert_eq!(cumulative(first.json().await.unwrap()), Some(9.0));
    assert_not_modified(&app, EVALUATIONS, Some(&viewer), &etag).await;
    assert_not_modified(&app, EVALUATIONS, Some(&viewer), &format!("W/{etag}")).await;
    let list = format!("\"elsewhere\", {etag}");
    let listed = get_with(
        &app,
        EVALUATIONS,
        Some(&viewer),
        &[("if-none-match", &list)],
    )
    .await;
    assert_eq!(listed.status(), StatusCode::NOT_MODIFIED);
    let any = get_with(&app, EVALUATIONS, Some(&viewer), &[("if-none-match", "*")]).await;
    assert_eq!(any.status(), StatusCode::NOT_MODIFIED);
    let other = get_with(
        &app,
        EVALUATIONS,
        Some(&viewer),
        &[("if-none-match", "\"elsewhere\"")],
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(etag_of(&other), etag);
    // Another year is another body.
    let other_year = get_with(&app, "/api/v1/evaluations?as_of=2021", Some(&viewer), &[]).await;
    assert_ne!(etag_of(&other_year), etag);

    // The body submits its draft of p1-out-02 FY2022 (10) and the secretariat approves it.
    let draft = app.current("p1-out-02", 2022).await.unwrap();
    let key = |version: i64| {
        serde_json::json!({
            "indicator_id": "p1-out-02", "fiscal_year": 2022, "body": "amed", "version": version
        })
    };
    let body = app.token(BODY).await;
    let submitted = app
        .api_post("/api/v1/actuals/submit", &body, &key(draft.id))
        .await;
    assert_eq!(submitted.status(), StatusCode::OK);
    let version = submitted.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap();
    // A submitted value is not approved: the official evaluation is the same.
    assert_not_modified(&app, EVALUATIONS, Some(&viewer), &etag).await;
    let secretariat = app.token(SECRETARIAT).await;
    let approved = app
        .api_post("/api/v1/actuals/approve", &secretariat, &key(version))
        .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let new = assert_changed(&app, EVALUATIONS, Some(&viewer), &etag).await;
    let after = get_with(&app, EVALUATIONS, Some(&viewer), &[]).await;
    assert_eq!(cumulative(after.json().await.unwrap()), Some(16.0));
    assert_not_modified(&app, EVALUATIONS, Some(&viewer), &new).await;
}

async fn plans_answer_304_until_a_plan_changes(app: TestApp) {
    let token = app.token(VIEWER).await;
    let token = Some(token.as_str());
    const PLANS: &str = "/api/v1/plans";
    const BUILTIN: &str = "/api/v1/plans/medical-rd-2";
    const SMALL: &str = "/api/v1/plans/small-plan";
    let plans = etag_of(&get_with(&app, PLANS, token, &[]).await);
    let builtin = etag_of(&get_with(&app, BUILTIN, token, &[]).await);
    assert_not_modified(&app, PLANS, token, &plans).await;
    assert_not_modified(&app, BUILTIN, token, &builtin).await;
    // No tag on an error.
    let missing = get_with(&app, SMALL, token, &[]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header_of(&missing, header::ETAG), None);

    let save = |text: String| {
        let store = app.store.clone();
        async move {
            let plan = pdca_core::plan_file::parse_plan("small.toml", &text).unwrap();
            store.save_plan(&plan, Some(&text), "test").await.unwrap();
        }
    };
    save(SMALL_PLAN.to_owned()).await;
    let plans = assert_changed(&app, PLANS, token, &plans).await;
    assert_not_modified(&app, BUILTIN, token, &builtin).await;
    let small = etag_of(&get_with(&app, SMALL, token, &[]).await);
    assert_not_modified(&app, SMALL, token, &small).await;
    // A new revision changes the catalogue and the list (its revision number).
    save(small_plan_revision_2()).await;
    assert_changed(&app, SMALL, token, &small).await;
    assert_changed(&app, PLANS, token, &plans).await;
}

async fn open_data_answers_304_until_a_round_closes(app: TestApp) {
    const CSV: &str = "/open-data/actuals.csv";
    const RATINGS: &str = "/open-data/ratings.json";
    let csv = get_with(&app, CSV, None, &[]).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(
        header_of(&csv, header::CACHE_CONTROL).as_deref(),
        Some("public, no-cache")
    );
    let csv = etag_of(&csv);
    let ratings = etag_of(&get_with(&app, RATINGS, None, &[]).await);
    assert_not_modified(&app, CSV, None, &csv).await;
    assert_not_modified(&app, RATINGS, None, &ratings).await;
    // An unchanged plan keeps its tag while the data change.
    let plan = etag_of(&get_with(&app, "/open-data/plan.json", None, &[]).await);
    close_round(&app, 2021).await;
    let new = assert_changed(&app, CSV, None, &csv).await;
    assert_changed(&app, RATINGS, None, &ratings).await;
    assert_not_modified(&app, "/open-data/plan.json", None, &plan).await;
    assert_not_modified(&app, CSV, None, &new).await;
    // The CSV now holds rows enough to be worth compressing.
    let gzip = get_with(&app, CSV, None, &[("accept-encoding", "gzip")]).await;
    assert_eq!(
        header_of(&gzip, header::CONTENT_ENCODING).as_deref(),
        Some("gzip")
    );
    assert_eq!(etag_of(&gzip), format!("W/{new}"));
}

async fn reports_answer_304_until_a_rating_changes(app: TestApp) {
    open_round(&app, 2022).await;
    let token = app.token(COMMITTEE).await;
    let token = Some(token.as_str());
    const MD: &str = "/api/v1/plans/medical-rd-2/rounds/2022/report?format=md";
    const PDF: &str = "/api/v1/plans/medical-rd-2/rounds/2022/report?format=pdf";
    let md = get_with(&app, MD, token, &[]).await;
    assert_eq!(md.status(), StatusCode::OK);
    assert_eq!(
        header_of(&md, header::CACHE_CONTROL).as_deref(),
        Some("private, no-cache")
    );
    let md = etag_of(&md);
    assert_not_modified(&app, MD, token, &md).await;
    // The same report rendered again is the same file: a PDF's tag holds too.
    let pdf = etag_of(&get_with(&app, PDF, token, &[]).await);
    assert_not_modified(&app, PDF, token, &pdf).await;
    // The page's download is the same file with the same tag.
    let browser = app.signed_in(COMMITTEE).await;
    let page = browser
        .client
        .get(app.url("/rounds/2022/report/md"))
        .header("if-none-match", &md)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_MODIFIED);
    assert!(page.bytes().await.unwrap().is_empty());
    // A rating changes the report.
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    let (_, indicator) = plan
        .indicators()
        .find(|(_, i)| i.id == "p1-out-01")
        .unwrap();
    let rating = pdca_core::follow_up::NewRating {
        indicator_id: indicator.id.clone(),
        rating: pdca_core::Rating::N,
        reason: Some("評価困難のため".into()),
        issue: None,
        solution: None,
    };
    app.store
        .rate(
            BUILTIN_PLAN_ID,
            FiscalYear::new(2022).unwrap(),
            &rating,
            None,
            "test",
        )
        .await
        .unwrap();
    let new = assert_changed(&app, MD, token, &md).await;
    assert_changed(&app, PDF, token, &pdf).await;
    assert_not_modified(&app, MD, token, &new).await;
}
