//! The evaluation cache over real HTTP, on a fresh SQLite file and a fresh PostgreSQL database
//! (on the server named by `PDCA_TEST_POSTGRES_URL`): a second read computes nothing, and a
//! write through the store — by any process — shows in the next read of every server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use pdca_core::access::Role;
use pdca_core::builtin::{BUILTIN_PLAN_ID, BUILTIN_PLAN_TOML, builtin_plan};
use pdca_core::{ActualValue, Contribution, FiscalYear};
use pdca_store::testing::{database_url, postgres_server, unique_database_name};
use pdca_store::{NewActual, NewUser, Store};
use pdca_web::{Application, Config, EvaluationCount};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, Executor};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reads_are_cached_and_writes_invalidate() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = dir.path().join("pdca.sqlite3").display().to_string();
    let store = Store::open(&url).await.expect("open a fresh SQLite file");
    reads_are_cached_and_writes_invalidate(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reads_are_cached_and_writes_invalidate() {
    let server = postgres_server();
    let name = unique_database_name("pdca_web_cache_test");
    let mut admin = sqlx::postgres::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PDCA_TEST_POSTGRES_URL={server}: {e}"));
    admin
        .execute(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await
        .expect("drop a leftover test database");
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create the test database");
    let store = Store::open(&database_url(&server, &name))
        .await
        .expect("open the fresh database");
    let outcome = AssertUnwindSafe(reads_are_cached_and_writes_invalidate(store.clone()))
        .catch_unwind()
        .await;
    store.close().await;
    let _ = admin
        .execute(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await;
    let _ = admin.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

fn number(indicator: &str, year: i32, value: f64) -> NewActual {
    NewActual::new(Contribution {
        indicator: indicator.to_owned(),
        year: FiscalYear::new(year).unwrap(),
        body: "amed".to_owned(),
        value: ActualValue::Number(value),
    })
}

/// A server on `store`, as if another process.
struct Server {
    base: String,
    computed: EvaluationCount,
}

impl Server {
    async fn start(store: &Store) -> Server {
        let config = Config::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let application = Application::build(store.clone(), config).await.unwrap();
        let base = format!("http://127.0.0.1:{}", application.port());
        let computed = application.evaluations_computed();
        tokio::spawn(application.run_until_stopped());
        Server { base, computed }
    }

    async fn get(&self, path: &str, token: &str) -> String {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "GET {path}: {response:?}");
        response.text().await.unwrap()
    }

    /// GET with a browser's session cookie.
    async fn page(&self, path: &str, session: &str) -> String {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("pdca_session={session}"))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "GET {path}: {response:?}");
        response.text().await.unwrap()
    }

    async fn status_of(&self, token: &str, id: &str) -> String {
        let json: Value =
            serde_json::from_str(&self.get("/api/v1/evaluations?as_of=2022", token).await).unwrap();
        json["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .map(|i| i["status"].as_str().unwrap().to_owned())
            .unwrap()
    }
}

/// The attention list of the dashboard.
fn attention(dashboard: &str) -> &str {
    &dashboard
        [dashboard.find("attention-heading").unwrap()..dashboard.find("projects-heading").unwrap()]
}

async fn reads_are_cached_and_writes_invalidate(store: Store) {
    let plan = builtin_plan().unwrap();
    store
        .save_plan(&plan, Some(BUILTIN_PLAN_TOML), "test")
        .await
        .unwrap();
    // p1-out-01: 25 over five years; 3 + 4 + 2 = 9 by FY2022 against 15 expected: B.
    let actuals: Vec<NewActual> = [(2020, 3.0), (2021, 4.0), (2022, 2.0)]
        .into_iter()
        .map(|(year, value)| number("p1-out-01", year, value))
        .collect();
    store
        .record_actuals(BUILTIN_PLAN_ID, &actuals, "test")
        .await
        .unwrap();
    let user = store
        .create_user(
            &NewUser {
                name: "etsuran".to_owned(),
                role: Role::Viewer,
                body: None,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
                    .to_owned(),
                must_change_password: false,
            },
            "test",
        )
        .await
        .unwrap();
    let (_, token) = store
        .create_api_token(user.id, "tests", "test")
        .await
        .unwrap();
    let session = store
        .create_session(user.id, std::time::SystemTime::now())
        .await
        .unwrap()
        .id;
    let one = Server::start(&store).await;
    let other = Server::start(&store).await;

    // The first read computes; the same read again, and the API in another spelling, do not.
    assert_eq!(one.status_of(&token, "p1-out-01").await, "insufficient");
    assert_eq!(one.computed.get(), 1);
    assert_eq!(one.status_of(&token, "p1-out-01").await, "insufficient");
    one.get("/api/v1/evaluations?as_of=R4", &token).await;
    assert_eq!(
        one.computed.get(),
        1,
        "the same evaluation is not recomputed"
    );
    // The pages of the default view share one evaluation.
    let dashboard = one.get("/", &token).await;
    assert!(attention(&dashboard).contains("/indicators/p1-out-01"));
    one.get("/projects/p1", &token).await;
    one.get("/indicators/p1-out-01", &token).await;
    one.get("/", &token).await;
    assert_eq!(one.computed.get(), 2, "one evaluation for the default view");
    // The other server has its own cache.
    assert_eq!(other.status_of(&token, "p1-out-01").await, "insufficient");
    assert_eq!(other.computed.get(), 1);

    // A write through the store (as by a third process) shows in the next read of both.
    store
        .record_actuals(BUILTIN_PLAN_ID, &[number("p1-out-01", 2022, 20.0)], "test")
        .await
        .unwrap();
    assert_eq!(one.status_of(&token, "p1-out-01").await, "achieved");
    assert_eq!(other.status_of(&token, "p1-out-01").await, "achieved");
    let dashboard = one.get("/", &token).await;
    assert!(!attention(&dashboard).contains("/indicators/p1-out-01"));
    assert!(one.get("/projects/p1", &token).await.contains("27件"));
    assert_eq!((one.computed.get(), other.computed.get()), (4, 2));

    // An assignment edited shows too: 内閣府 now reports p1-out-01.
    let page = one.get("/indicators/p1-out-01", &token).await;
    assert!(!page.contains("内閣府"));
    store
        .set_assignment(BUILTIN_PLAN_ID, "p1-out-01", "cao", None, "test")
        .await
        .unwrap();
    assert!(
        one.get("/indicators/p1-out-01", &token)
            .await
            .contains("内閣府")
    );
    assert_eq!(one.computed.get(), 5);
    // Nothing else changed: reading again computes nothing.
    one.get("/indicators/p1-out-01", &token).await;
    one.get("/projects/p1", &token).await;
    assert_eq!(one.computed.get(), 5);

    // A browser's session lookup reads the data version in the same query: the same holds.
    assert!(one.page("/projects/p1", &session).await.contains("27件"));
    assert_eq!(one.computed.get(), 5);
    store
        .record_actuals(BUILTIN_PLAN_ID, &[number("p1-out-01", 2022, 21.0)], "test")
        .await
        .unwrap();
    assert!(one.page("/projects/p1", &session).await.contains("28件"));
    assert!(one.page("/", &session).await.contains("/projects/p1"));
    assert_eq!(one.computed.get(), 6);
}
