//! (issue 13) Bearer tokens without a write: a token's last use is recorded at most once a
//! minute, so a machine client polling the API reads and writes nothing the evaluation cache or
//! the store's memos depend on; and a revoked token or a disabled user is refused at once.

use super::*;
use pdca_web::EvaluationCount;

on_both_databases!(
    bearer_reads_write_nothing_and_evaluate_once,
    a_revoked_token_or_a_disabled_user_is_refused_at_the_next_request,
);

/// A second server on the test's database, whose evaluation count the test can read.
async fn counted_server(app: &TestApp) -> (String, EvaluationCount) {
    let config = Config::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    let application = Application::build(app.store.clone(), config)
        .await
        .expect("bind port 0");
    let base = format!("http://127.0.0.1:{}", application.port());
    let computed = application.evaluations_computed();
    tokio::spawn(application.run_until_stopped());
    (base, computed)
}

async fn bearer_get(client: &reqwest::Client, url: &str, token: &str) -> reqwest::Response {
    client.get(url).bearer_auth(token).send().await.unwrap()
}

/// Many bearer GETs of the same evaluation: computed once, the token's last use recorded once,
/// the data version unchanged.
async fn bearer_reads_write_nothing_and_evaluate_once(app: TestApp) {
    let (base, computed) = counted_server(&app).await;
    let token = app.token(VIEWER).await;
    let viewer = app.store.user_by_name(VIEWER).await.unwrap().unwrap();
    let client = reqwest::Client::new();
    let evaluations = format!("{base}/api/v1/evaluations?as_of=2022");

    let first = bearer_get(&client, &evaluations, &token).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    assert_eq!(computed.get(), 1);
    let recorded = app.store.list_api_tokens(viewer.id).await.unwrap()[0]
        .last_used_at
        .clone();
    assert!(recorded.is_some(), "the first use is recorded");
    let version = app.store.data_version().await.unwrap();

    for _ in 0..40 {
        let response = bearer_get(&client, &evaluations, &token).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, first);
        let plans = bearer_get(&client, &format!("{base}/api/v1/plans"), &token).await;
        assert_eq!(plans.status(), StatusCode::OK);
    }
    assert_eq!(computed.get(), 1, "every later read came from the cache");
    assert_eq!(app.store.data_version().await.unwrap(), version);
    assert_eq!(
        app.store.list_api_tokens(viewer.id).await.unwrap()[0].last_used_at,
        recorded,
        "uses within a minute of the recorded one write nothing"
    );
    // A session reads the same evaluation.
    let browser = app.signed_in(VIEWER).await;
    let response = browser.get_page("/api/v1/evaluations?as_of=2022").await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// A token that worked (and is kept by whatever the server keeps) is refused at the next
/// request once revoked; another token stops working while its user is disabled.
async fn a_revoked_token_or_a_disabled_user_is_refused_at_the_next_request(app: TestApp) {
    let (base, _) = counted_server(&app).await;
    let revoked = app.token(VIEWER).await;
    let kept = app.token(VIEWER).await;
    let viewer = app.store.user_by_name(VIEWER).await.unwrap().unwrap();
    let client = reqwest::Client::new();
    let evaluations = format!("{base}/api/v1/evaluations?as_of=2022");
    for _ in 0..3 {
        for token in [&revoked, &kept] {
            let response = bearer_get(&client, &evaluations, token).await;
            assert_eq!(response.status(), StatusCode::OK);
        }
    }
    let revoked_id = app.store.list_api_tokens(viewer.id).await.unwrap()[0].id;
    app.store
        .revoke_api_token(revoked_id, SECRETARIAT)
        .await
        .unwrap();
    let refused = bearer_get(&client, &evaluations, &revoked).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let still = bearer_get(&client, &evaluations, &kept).await;
    assert_eq!(still.status(), StatusCode::OK);

    app.store
        .set_user_disabled(VIEWER, true, SECRETARIAT)
        .await
        .unwrap();
    let disabled = bearer_get(&client, &evaluations, &kept).await;
    assert_eq!(disabled.status(), StatusCode::UNAUTHORIZED);
    app.store
        .set_user_disabled(VIEWER, false, SECRETARIAT)
        .await
        .unwrap();
    let enabled = bearer_get(&client, &evaluations, &kept).await;
    assert_eq!(enabled.status(), StatusCode::OK);
    let refused = bearer_get(&client, &evaluations, &revoked).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}
