//! The web application over real HTTP: each test starts the server on 127.0.0.1 port 0 against
//! a fresh SQLite file, and again against a fresh PostgreSQL database (on the server named by
//! `PDCA_TEST_POSTGRES_URL`, e.g. `postgres://postgres@127.0.0.1:5432/test`), seeded with the
//! built-in plan, a few actuals and one user of each role.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;

use futures::FutureExt;
use pdca_core::access::{ActualState, Role};
use pdca_core::builtin::{BUILTIN_PLAN_ID, BUILTIN_PLAN_TOML, builtin_plan};
use pdca_core::{ActualValue, Contribution, FiscalYear, evaluate_plan};
use pdca_store::testing::{database_url, postgres_server, unique_database_name};
use pdca_store::{Backend, NewActual, NewUser, Store, Visibility};
use pdca_web::{API_ROUTES, Application, Config};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, Executor};

// ---------------------------------------------------------------------------------------------
// Harness: one test body, two databases.

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::with_sqlite(super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::with_postgres(super::$name).await;
                }
            )*
        }
    };
}

// Tests of the attacks of issue 11, a module per kind, each with its own `on_both_databases!`.
#[path = "http/bad_files.rs"]
mod bad_files;
// Bearer tokens without a write of issue 13.
#[path = "http/bearer.rs"]
mod bearer;
#[path = "http/concurrency.rs"]
mod concurrency;
#[path = "http/entry_form.rs"]
mod entry_form;
#[path = "http/frame.rs"]
mod frame;
#[path = "http/hostile_text.rs"]
mod hostile_text;
#[path = "http/rights.rs"]
mod rights;
#[path = "http/tasks_home.rs"]
mod tasks_home;
// Tests of the round page of issue 12.
#[path = "http/round_page.rs"]
mod round_page;
// The reading pages' vocabulary, sub-targets and chart of issue 12.
#[path = "http/vocabulary.rs"]
mod vocabulary;
// Compression and conditional GETs for machine clients (issue 13).
#[path = "http/client_http.rs"]
mod client_http;
// Every list of the API paginated (issue 13).
#[path = "http/pagination.rs"]
mod pagination;
// Revisions side by side (issue 14).
#[path = "http/plan_diff.rs"]
mod plan_diff;
// Plans drafted from their text on the web (issue 14).
#[path = "http/plan_draft.rs"]
mod plan_draft;
// Possible duplicate achievements decided by the secretariat (issue 15).
#[path = "http/achievement_duplicates.rs"]
mod achievement_duplicates;
#[path = "http/achievement_entry.rs"]
mod achievement_entry;
// The achievements behind each count, by role (issue 15).
#[path = "http/achievements_read.rs"]
mod achievements_read;
// Achievements in the open data and the round report (issue 15).
#[path = "http/open_data_achievements.rs"]
mod open_data_achievements;

on_both_databases!(
    healthz_answers_without_signing_in,
    pages_redirect_to_sign_in_without_a_session,
    the_api_refuses_requests_without_a_valid_session_or_token,
    a_wrong_password_is_refused,
    five_failures_for_an_account_refuse_its_sign_in,
    five_failures_from_an_address_refuse_its_sign_ins,
    a_one_time_password_must_be_changed_first,
    the_session_cookie_is_http_only_lax_and_renewed,
    signing_out_ends_the_session,
    posts_without_the_csrf_token_are_refused,
    each_role_reaches_exactly_its_routes,
    evaluations_are_the_engine_json,
    evaluation_parameters_are_checked,
    hostile_text_is_escaped_on_every_page,
    security_headers_are_on_every_response,
    the_openapi_document_matches_the_routes,
    the_english_switch_changes_the_strings,
    the_pages_show_the_evaluation,
    kept_pages_carry_each_readers_own_frame,
    a_server_error_shows_no_internals,
    a_body_enters_fixes_submits_and_the_secretariat_approves,
    a_returned_value_shows_its_comment_to_the_body,
    a_stale_version_is_refused_on_the_page_and_in_the_api,
    only_bodies_and_the_secretariat_write_and_only_the_secretariat_approves,
    the_api_writes_submits_and_approves_with_tokens,
    hostile_text_in_entries_is_escaped,
    admin_posts_are_refused_to_other_roles_and_without_csrf,
    a_token_is_shown_once_works_and_is_revoked,
    the_secretariat_creates_disables_and_resets_accounts,
    account_errors_are_shown_next_to_the_form,
    the_audit_page_filters_and_escapes,
    the_secretariat_assigns_and_unassigns_bodies,
    the_last_body_of_an_indicator_is_kept,
    plan_imports_are_refused_to_other_roles_and_without_csrf,
    the_secretariat_imports_a_plan_and_its_revision,
    a_broken_plan_file_lists_its_errors_and_saves_nothing,
    hostile_text_in_an_imported_plan_is_escaped,
    a_body_uploads_csv_files_previews_and_applies_them_as_drafts,
    an_upload_with_errors_lists_them_and_records_nothing,
    an_upload_for_another_body_is_refused,
    a_tampered_preview_and_a_missing_csrf_token_are_refused,
    the_secretariat_uploads_a_workbook_for_a_body,
    the_secretariat_locks_a_year_of_approved_values,
    a_year_with_a_pending_value_is_not_locked,
    locking_is_refused_to_other_roles_and_without_csrf,
    a_round_runs_through_the_api_until_it_closes,
    round_items_are_written_by_the_right_roles_and_followed_up,
    round_pages_and_forms_work_in_the_browser,
    round_routes_by_role,
    meetings_and_the_schedule_show_on_the_pages,
    the_report_downloads_from_the_page_and_the_api,
    a_body_downloads_its_collection_workbook,
    open_data_is_public_and_holds_closed_rounds_only,
);

/// A server on a fresh database.
struct TestApp {
    /// `http://127.0.0.1:PORT`
    base: String,
    store: Store,
}

async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = dir.path().join("pdca.sqlite3").display().to_string();
    let store = Store::open(&url).await.expect("open a fresh SQLite file");
    assert_eq!(store.backend(), Backend::Sqlite);
    let app = TestApp::spawn(store.clone(), false).await;
    test(app).await;
    store.close().await;
}

async fn with_postgres<F, Fut>(test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let server = postgres_server();
    let name = unique_database_name("pdca_web_test");
    let mut admin = sqlx::postgres::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PDCA_TEST_POSTGRES_URL={server}: {e}"));
    // The name is made of letters, digits and underscores only.
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create the test database");
    let store = Store::open(&database_url(&server, &name))
        .await
        .expect("open the fresh database");
    assert_eq!(store.backend(), Backend::Postgres);
    let app = TestApp::spawn(store.clone(), false).await;
    let outcome = AssertUnwindSafe(test(app)).catch_unwind().await;
    store.close().await;
    // Best effort: a database left behind only costs disk.
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

// ---------------------------------------------------------------------------------------------
// The seeded data.

const PASSWORD: &str = "correct horse battery staple";
const SECRETARIAT: &str = "jimukyoku";
const BODY: &str = "amed-tanto";
const COMMITTEE: &str = "iin";
const VIEWER: &str = "etsuran";
const HOSTILE_SCRIPT: &str = "<script>alert(1)</script>";
const HOSTILE_ATTR: &str = "\"><img src=x onerror=alert(1)>";

/// One argon2 hash of [`PASSWORD`] for every seeded user (hashing is slow in debug builds).
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password_auth::generate_hash(PASSWORD))
}

fn number(indicator: &str, year: i32, body: &str, value: f64) -> NewActual {
    NewActual::new(Contribution {
        indicator: indicator.to_owned(),
        year: FiscalYear::new(year).unwrap(),
        body: body.to_owned(),
        value: ActualValue::Number(value),
    })
}

impl TestApp {
    /// Seeds `store` and serves it on a free port.
    async fn spawn(store: Store, secure_cookies: bool) -> TestApp {
        let plan = builtin_plan().expect("the built-in plan");
        store
            .save_plan(&plan, Some(BUILTIN_PLAN_TOML), "test")
            .await
            .unwrap();
        let mut actuals = Vec::new();
        // p1-out-01: 25 over five years; 3 + 4 + 2 = 9 by FY2022 against 15 expected: B.
        for (year, value) in [(2020, 3.0), (2021, 4.0), (2022, 2.0)] {
            actuals.push(number("p1-out-01", year, "amed", value));
        }
        // p1-out-02: 10 over five years; 3 a year is on track.
        for year in 2020..=2022 {
            actuals.push(number("p1-out-02", year, "amed", 3.0));
        }
        store
            .record_actuals(BUILTIN_PLAN_ID, &actuals, "test")
            .await
            .unwrap();
        // A correction with a hostile note, recorded by a hostile actor name.
        let mut corrected = number("p1-out-01", 2022, "amed", 2.0);
        corrected.note = Some(format!("{HOSTILE_SCRIPT} {HOSTILE_ATTR}"));
        store
            .record_actuals(BUILTIN_PLAN_ID, &[corrected], HOSTILE_ATTR)
            .await
            .unwrap();
        // A hostile narrative for a management indicator.
        let narrative = NewActual::new(Contribution {
            indicator: "p1-out-m1".to_owned(),
            year: FiscalYear::new(2022).unwrap(),
            body: "amed".to_owned(),
            value: ActualValue::Narrative(format!("支援を継続 {HOSTILE_SCRIPT} {HOSTILE_ATTR}")),
        });
        store
            .record_actuals(BUILTIN_PLAN_ID, &[narrative], "test")
            .await
            .unwrap();
        // A draft nobody approved yet: p1-out-02 FY2022 would be 10.
        let mut draft = number("p1-out-02", 2022, "amed", 10.0);
        draft.state = ActualState::Draft;
        store
            .record_actuals(BUILTIN_PLAN_ID, &[draft], "test")
            .await
            .unwrap();
        for (name, role, body) in [
            (SECRETARIAT, Role::Secretariat, None),
            (BODY, Role::Body, Some("amed")),
            (COMMITTEE, Role::Committee, None),
            (VIEWER, Role::Viewer, None),
        ] {
            add_user(&store, name, role, body, false).await;
        }

        let mut config = Config::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        config.secure_cookies = secure_cookies;
        let application = Application::build(store.clone(), config)
            .await
            .expect("bind port 0");
        let base = format!("http://127.0.0.1:{}", application.port());
        tokio::spawn(application.run_until_stopped());
        TestApp { base, store }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser with a cookie jar that does not follow redirects, from `127.0.0.1`.
    fn browser(&self) -> Browser {
        self.browser_from(Ipv4Addr::LOCALHOST)
    }

    /// A browser connecting from another loopback address (the server sees a different
    /// client address).
    fn browser_from(&self, ip: Ipv4Addr) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(IpAddr::V4(ip))
            .build()
            .unwrap();
        Browser {
            base: self.base.clone(),
            client,
        }
    }

    /// A browser signed in as `name`.
    async fn signed_in(&self, name: &str) -> Browser {
        let browser = self.browser();
        let response = browser.sign_in(name, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign in as {name}"
        );
        browser
    }

    /// A new API token of `name`.
    async fn token(&self, name: &str) -> String {
        let user = self.store.user_by_name(name).await.unwrap().unwrap();
        let (_, secret) = self
            .store
            .create_api_token(user.id, "tests", "test")
            .await
            .unwrap();
        secret
    }

    /// GET without any credentials.
    async fn get(&self, path: &str) -> reqwest::Response {
        self.browser().get_page(path).await
    }

    /// GET an API path with a bearer token.
    async fn api_get(&self, path: &str, token: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

async fn add_user(store: &Store, name: &str, role: Role, body: Option<&str>, must_change: bool) {
    store
        .create_user(
            &NewUser {
                name: name.to_owned(),
                role,
                body: body.map(str::to_owned),
                password_hash: password_hash().to_owned(),
                must_change_password: must_change,
            },
            "test",
        )
        .await
        .unwrap();
}

/// One browser: a cookie jar and no automatic redirects.
struct Browser {
    base: String,
    client: reqwest::Client,
}

impl Browser {
    async fn get_page(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// The hidden `csrf` field of the page at `path`.
    async fn csrf_of(&self, path: &str) -> String {
        let html = self.get_page(path).await.text().await.unwrap();
        csrf_field(&html).unwrap_or_else(|| panic!("no csrf field on {path}: {html}"))
    }

    async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Fills in and sends the sign-in form.
    async fn sign_in(&self, name: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf_of("/signin").await;
        self.post_form(
            "/signin",
            &[
                ("name", name),
                ("password", password),
                ("csrf", &csrf),
                ("next", ""),
            ],
        )
        .await
    }

    /// Sends the sign-out form with the page's token.
    async fn sign_out(&self) -> reqwest::Response {
        let csrf = self.csrf_of("/").await;
        self.post_form("/signout", &[("csrf", &csrf)]).await
    }
}

/// The dashboard and the project pages are kept once rendered (per evaluation); the part around
/// the content is each reader's own: their name, their session's token, their language and
/// menu. Two viewers read the same pages in turn, each twice, and the English page is English.
async fn kept_pages_carry_each_readers_own_frame(app: TestApp) {
    add_user(&app.store, "etsuran2", Role::Viewer, None, false).await;
    let first = app.signed_in(VIEWER).await;
    let second = app.signed_in("etsuran2").await;
    let secretariat = app.signed_in(SECRETARIAT).await;
    for path in ["/", "/projects/p1"] {
        let mut bodies = Vec::new();
        for _ in 0..2 {
            for (browser, name, other) in [
                (&first, VIEWER, "etsuran2"),
                (&second, "etsuran2", VIEWER),
                (&secretariat, SECRETARIAT, VIEWER),
            ] {
                let response = browser.get_page(path).await;
                assert_eq!(response.status(), StatusCode::OK, "{path} for {name}");
                let html = response.text().await.unwrap();
                assert!(
                    html.contains(&format!("サインイン中: {name}（")),
                    "{path}: {html}"
                );
                assert!(
                    !html.contains(&format!("サインイン中: {other}（")),
                    "{path}"
                );
                let token = csrf_field(&html).unwrap();
                bodies.push((name, token, html));
            }
        }
        // The same session's token both times, and each session's own.
        for (name, token, _) in &bodies {
            let same: Vec<&String> = bodies
                .iter()
                .filter(|(n, _, _)| n == name)
                .map(|(_, t, _)| t)
                .collect();
            assert!(
                same.iter().all(|t| *t == token),
                "{path}: {name}'s token changed"
            );
        }
        assert_ne!(
            bodies[0].1, bodies[1].1,
            "{path}: two viewers shared a token"
        );
        // The approval link is in the secretariat's menu only.
        assert!(bodies[2].2.contains("href=\"/approval\""), "{path}");
        assert!(!bodies[0].2.contains("href=\"/approval\""), "{path}");
        // The content is the same for both viewers.
        let main = |html: &str| html[html.find("<main").unwrap()..].to_owned();
        assert_eq!(main(&bodies[0].2), main(&bodies[1].2), "{path}");
        let english = first
            .get_page(&format!("{path}?lang=en"))
            .await
            .text()
            .await
            .unwrap();
        assert!(english.contains("<html lang=\"en\""), "{path}");
        assert!(english.contains("Signed in"), "{path}: {english}");
        assert_ne!(
            main(&english),
            main(&bodies[0].2),
            "{path}: the content in English"
        );
    }
}

fn csrf_field(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// `html` with numeric character references written as the named ones, so tests can look for
/// escaped text whichever form the template engine chose.
fn entities(html: &str) -> String {
    html.replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#34;", "&quot;")
        .replace("&#38;", "&amp;")
        .replace("&#39;", "&apos;")
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn session_cookie_of(response: &reqwest::Response) -> Option<String> {
    set_cookies(response.headers())
        .into_iter()
        .find(|c| c.starts_with("pdca_session=") && !c.starts_with("pdca_session=;"))
}

async fn error_code(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON error");
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

// ---------------------------------------------------------------------------------------------
// Tests

async fn healthz_answers_without_signing_in(app: TestApp) {
    let response = app.get("/healthz").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}

async fn pages_redirect_to_sign_in_without_a_session(app: TestApp) {
    for (path, next) in [
        ("/", "%2F"),
        ("/projects/p1", "%2Fprojects%2Fp1"),
        (
            "/indicators/p1-out-01?as_of=2022",
            "%2Findicators%2Fp1-out-01%3Fas_of%3D2022",
        ),
        ("/account/password", "%2Faccount%2Fpassword"),
    ] {
        let response = app.get(path).await;

        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            location(&response),
            format!("/signin?next={next}"),
            "{path}"
        );
    }
    // Signing in from there comes back to the page.
    let browser = app.browser();
    let csrf = browser.csrf_of("/signin?next=%2Fprojects%2Fp1").await;
    let response = browser
        .post_form(
            "/signin",
            &[
                ("name", VIEWER),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "/projects/p1"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/projects/p1");
    // …but never to another site.
    let csrf = browser.csrf_of("/signin").await;
    let response = browser
        .post_form(
            "/signin",
            &[
                ("name", VIEWER),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/");
}

async fn the_api_refuses_requests_without_a_valid_session_or_token(app: TestApp) {
    let token = app.token(VIEWER).await;
    let revoked = app.token(VIEWER).await;
    let user = app.store.user_by_name(VIEWER).await.unwrap().unwrap();
    let tokens = app.store.list_api_tokens(user.id).await.unwrap();
    let revoked_id = tokens.iter().map(|t| t.id).max().unwrap();
    app.store
        .revoke_api_token(revoked_id, "test")
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let plans = app.url("/api/v1/plans");

    let without = client.get(&plans).send().await.unwrap();
    let bad = client
        .get(&plans)
        .bearer_auth("pdca_0000000000000000000000000000000000000000000000000000000000000000")
        .send()
        .await
        .unwrap();
    let not_ours = client.get(&plans).bearer_auth("abc").send().await.unwrap();
    let basic = client
        .get(&plans)
        .basic_auth(VIEWER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    let after_revocation = app.api_get("/api/v1/plans", &revoked).await;
    let good = app.api_get("/api/v1/plans", &token).await;

    for response in [without, bad, not_ours, basic, after_revocation] {
        assert_eq!(
            response.headers().get(header::WWW_AUTHENTICATE).unwrap(),
            "Bearer realm=\"pdca\""
        );
        let (status, code, message) = error_code(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(code, "unauthorized");
        assert!(!message.is_empty());
    }
    assert_eq!(good.status(), StatusCode::OK);
    // A disabled user's token stops working.
    app.store
        .set_user_disabled(VIEWER, true, "test")
        .await
        .unwrap();
    let disabled = app.api_get("/api/v1/plans", &token).await;
    assert_eq!(disabled.status(), StatusCode::UNAUTHORIZED);
}

async fn a_wrong_password_is_refused(app: TestApp) {
    let browser = app.browser();

    let wrong = browser.sign_in(SECRETARIAT, "not the password").await;
    let unknown = browser.sign_in("nobody", PASSWORD).await;

    for response in [wrong, unknown] {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(session_cookie_of(&response).is_none());
        let html = response.text().await.unwrap();
        assert!(
            html.contains("ユーザー名またはパスワードが正しくありません"),
            "{html}"
        );
    }
    let page = browser.get_page("/").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
}

async fn five_failures_for_an_account_refuse_its_sign_in(app: TestApp) {
    let attacker = app.browser_from(Ipv4Addr::new(127, 0, 0, 2));
    for _ in 0..5 {
        let response = attacker.sign_in(SECRETARIAT, "guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    // From another address, even the right password is refused for a while…
    let owner = app.browser_from(Ipv4Addr::new(127, 0, 0, 3));
    let refused = owner.sign_in(SECRETARIAT, PASSWORD).await;
    // …while other accounts still sign in.
    let other = owner.sign_in(COMMITTEE, PASSWORD).await;

    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(session_cookie_of(&refused).is_none());
    let html = refused.text().await.unwrap();
    assert!(html.contains("15分間は受け付けません"), "{html}");
    assert_eq!(other.status(), StatusCode::SEE_OTHER);
}

async fn five_failures_from_an_address_refuse_its_sign_ins(app: TestApp) {
    let attacker = app.browser_from(Ipv4Addr::new(127, 0, 0, 4));
    for i in 0..5 {
        let response = attacker.sign_in(&format!("guess{i}"), "guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let same_address = attacker.sign_in(VIEWER, PASSWORD).await;
    let elsewhere = app
        .browser_from(Ipv4Addr::new(127, 0, 0, 5))
        .sign_in(VIEWER, PASSWORD)
        .await;

    assert_eq!(same_address.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(elsewhere.status(), StatusCode::SEE_OTHER);
}

async fn a_one_time_password_must_be_changed_first(app: TestApp) {
    add_user(&app.store, "shinki", Role::Viewer, None, true).await;
    let browser = app.browser();

    let signed_in = browser.sign_in("shinki", PASSWORD).await;
    let dashboard = browser.get_page("/").await;
    let api = browser.get_page("/api/v1/plans").await;
    let password_page = browser.get_page("/account/password").await;

    assert_eq!(location(&signed_in), "/account/password");
    assert_eq!(location(&dashboard), "/account/password");
    let (status, code, _) = error_code(api).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "password_change_required")
    );
    assert_eq!(password_page.status(), StatusCode::OK);
    let html = password_page.text().await.unwrap();
    assert!(
        html.contains("自分のパスワードに変更してください"),
        "{html}"
    );

    // Too short, then mismatched, then right.
    let csrf = browser.csrf_of("/account/password").await;
    let short = browser
        .post_form(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert!(short.text().await.unwrap().contains("12文字以上"));
    let new_password = "violet harbour lantern quietly";
    let changed = browser
        .post_form(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new_password),
                ("confirm", new_password),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&changed), "/");
    assert!(session_cookie_of(&changed).is_some(), "a new session");
    assert_eq!(browser.get_page("/").await.status(), StatusCode::OK);
    let user = app.store.user_by_name("shinki").await.unwrap().unwrap();
    assert!(!user.must_change_password);
    let old = app.browser().sign_in("shinki", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app.browser().sign_in("shinki", new_password).await;
    assert_eq!(location(&new), "/");
}

async fn the_session_cookie_is_http_only_lax_and_renewed(app: TestApp) {
    let browser = app.browser();

    let first = browser.sign_in(VIEWER, PASSWORD).await;
    let second = browser.sign_in(VIEWER, PASSWORD).await;

    let first = session_cookie_of(&first).expect("a session cookie");
    let second = session_cookie_of(&second).expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(first.contains(flag), "{first} lacks {flag}");
    }
    assert!(!first.contains("Secure"), "plain HTTP: {first}");
    let value = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(value(&first), value(&second), "a new id at each sign-in");
    // The session before the second sign-in is gone.
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/"))
        .header(header::COOKIE, value(&first))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::SEE_OTHER);

    // Served behind TLS, the cookie is Secure.
    let secure = TestApp {
        base: {
            let mut config = Config::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
            config.secure_cookies = true;
            let application = Application::build(app.store.clone(), config).await.unwrap();
            let base = format!("http://127.0.0.1:{}", application.port());
            tokio::spawn(application.run_until_stopped());
            base
        },
        store: app.store.clone(),
    };
    let response = secure.browser().sign_in(VIEWER, PASSWORD).await;
    let cookie = session_cookie_of(&response).expect("a session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

async fn signing_out_ends_the_session(app: TestApp) {
    let browser = app.signed_in(VIEWER).await;

    let response = browser.sign_out().await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/signin");
    assert_eq!(browser.get_page("/").await.status(), StatusCode::SEE_OTHER);
}

async fn posts_without_the_csrf_token_are_refused(app: TestApp) {
    let browser = app.signed_in(VIEWER).await;

    let sign_out = browser.post_form("/signout", &[]).await;
    let forged = browser.post_form("/signout", &[("csrf", "forged")]).await;
    let password = browser
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "another long password"),
                ("confirm", "another long password"),
            ],
        )
        .await;
    // The sign-in form needs its cookie and field to agree.
    let fresh = app.browser();
    let sign_in = fresh
        .post_form(
            "/signin",
            &[("name", VIEWER), ("password", PASSWORD), ("csrf", "x")],
        )
        .await;

    for response in [sign_out, forged, password] {
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let html = response.text().await.unwrap();
        assert!(html.contains("フォームを確認できませんでした"), "{html}");
    }
    assert_eq!(sign_in.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie_of(&sign_in).is_none());
    // Nothing happened: still signed in, password unchanged.
    assert_eq!(browser.get_page("/").await.status(), StatusCode::OK);
    assert_eq!(
        app.browser().sign_in(VIEWER, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn each_role_reaches_exactly_its_routes(app: TestApp) {
    use Role::*;
    let all = [Secretariat, Body, Committee, Viewer];
    let readers_of_unapproved = [Secretariat, Committee];
    let pages: [(&str, &[Role]); 6] = [
        ("/", &all),
        ("/?as_of=2021", &all),
        ("/projects/p1", &all),
        ("/indicators/p1-out-01", &all),
        ("/account/password", &all),
        ("/?include_unapproved=1", &readers_of_unapproved),
    ];
    let api: [(&str, &[Role]); 7] = [
        ("/api/v1/actuals?fy=2022", &all),
        ("/api/v1/plans", &all),
        ("/api/v1/plans/medical-rd-2", &all),
        ("/api/v1/evaluations?as_of=2022", &all),
        (
            "/api/v1/evaluations?as_of=2022&include_unapproved=true",
            &readers_of_unapproved,
        ),
        ("/api/v1/audit", &[Secretariat]),
        ("/api/v1/audit?limit=5", &[Secretariat]),
    ];
    let more_pages: [(&str, &[Role]); 15] = [
        ("/admin/audit", &[Secretariat]),
        ("/admin/bodies", &[Secretariat]),
        (
            "/admin/bodies?plan=medical-rd-2&done=assigned",
            &[Secretariat],
        ),
        ("/admin/plans", &[Secretariat]),
        (
            "/admin/audit?action=user&actor=test&subject=a",
            &[Secretariat],
        ),
        ("/admin/users", &[Secretariat]),
        ("/account/tokens", &all),
        ("/account/tokens?done=revoked", &all),
        ("/entry", &[Secretariat, Body]),
        ("/entry?fy=2022", &[Secretariat, Body]),
        ("/approval", &[Secretariat]),
        ("/approval?fy=2021", &[Secretariat]),
        ("/approval?fy=2021&done=locked&n=2", &[Secretariat]),
        ("/projects/p2?include_unapproved=1", &readers_of_unapproved),
        (
            "/indicators/p1-out-02?include_unapproved=true",
            &readers_of_unapproved,
        ),
    ];
    for (name, role) in [
        (SECRETARIAT, Secretariat),
        (BODY, Body),
        (COMMITTEE, Committee),
        (VIEWER, Viewer),
    ] {
        let browser = app.signed_in(name).await;
        let token = app.token(name).await;
        for (path, allowed) in pages.iter().chain(&more_pages) {
            let response = browser.get_page(path).await;
            let expected = if allowed.contains(&role) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(response.status(), expected, "{role} {path}");
            let html = response.text().await.unwrap();
            assert!(html.starts_with("<!DOCTYPE html>"), "{role} {path}: a page");
        }
        for (path, allowed) in api {
            let by_token = app.api_get(path, &token).await;
            let by_session = browser.get_page(path).await;
            for response in [by_token, by_session] {
                if allowed.contains(&role) {
                    assert_eq!(response.status(), StatusCode::OK, "{role} {path}");
                    let _: Value = response.json().await.unwrap();
                } else {
                    let (status, code, _) = error_code(response).await;
                    assert_eq!(
                        (status, code.as_str()),
                        (StatusCode::FORBIDDEN, "forbidden"),
                        "{role} {path}"
                    );
                }
            }
        }
    }
}

async fn evaluations_are_the_engine_json(app: TestApp) {
    let token = app.token(COMMITTEE).await;
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    let as_of = FiscalYear::new(2022).unwrap();
    let expected = |visibility| {
        let store = app.store.clone();
        let plan = plan.clone();
        async move {
            let actuals = store.actuals_as(BUILTIN_PLAN_ID, visibility).await.unwrap();
            let evaluation = evaluate_plan(&plan, &actuals, as_of).unwrap();
            pdca_app::json::evaluation_json(&plan, &evaluation)
        }
    };

    let text = |path: &'static str| {
        let token = token.clone();
        let app = &app;
        async move { app.api_get(path, &token).await.text().await.unwrap() }
    };
    let approved = text("/api/v1/evaluations?as_of=2022").await;
    let by_wareki =
        text("/api/v1/evaluations?as_of=%E4%BB%A4%E5%92%8C4%E5%B9%B4%E5%BA%A6&plan=medical-rd-2")
            .await;
    let all = text("/api/v1/evaluations?as_of=FY2022&include_unapproved=true").await;

    // Byte for byte what the engine and the CLI's JSON builder give.
    assert_eq!(approved, expected(Visibility::Approved).await.to_string());
    assert_eq!(by_wareki, approved);
    assert_eq!(all, expected(Visibility::All).await.to_string());
    let approved: Value = serde_json::from_str(&approved).unwrap();
    let all: Value = serde_json::from_str(&all).unwrap();
    let status_of = |v: &Value, id: &str| {
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .map(|i| i["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status_of(&approved, "p1-out-01"), "insufficient");
    assert_eq!(status_of(&approved, "p1-out-02"), "on_track");
    // The draft (10 in FY2022) only counts when asked for.
    assert_eq!(status_of(&all, "p1-out-02"), "achieved");
    assert_eq!(approved["as_of_wareki"], "令和4年度");
}

async fn evaluation_parameters_are_checked(app: TestApp) {
    let token = app.token(VIEWER).await;

    let missing = app.api_get("/api/v1/evaluations", &token).await;
    let unreadable = app
        .api_get("/api/v1/evaluations?as_of=someday", &token)
        .await;
    let outside = app.api_get("/api/v1/evaluations?as_of=2030", &token).await;
    let unknown_plan = app
        .api_get("/api/v1/evaluations?as_of=2022&plan=nonexistent", &token)
        .await;
    let unknown = app.api_get("/api/v1/plans/nonexistent", &token).await;
    let bad_limit = app
        .api_get("/api/v1/audit?limit=0", &app.token(SECRETARIAT).await)
        .await;

    // Unreadable is 400; a year of the documented pattern outside the period, 422.
    for (response, expected) in [
        (missing, (StatusCode::BAD_REQUEST, "bad_request")),
        (unreadable, (StatusCode::BAD_REQUEST, "bad_request")),
        (outside, (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable")),
    ] {
        let (status, code, message) = error_code(response).await;
        assert_eq!((status, code.as_str()), expected, "{message}");
        assert!(message.starts_with("as_of: "), "{message}");
        assert!(
            message.contains("FY2020") && message.contains("FY2024"),
            "{message}"
        );
    }
    for response in [unknown_plan, unknown] {
        let (status, code, message) = error_code(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, "not_found")
        );
        assert!(message.contains("nonexistent"), "{message}");
    }
    let (status, _, message) = error_code(bad_limit).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.starts_with("limit: "), "{message}");
    // A page with a bad year says so too, as a page.
    let browser = app.signed_in(VIEWER).await;
    let page = browser.get_page("/?as_of=someday").await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.text().await.unwrap().contains("as_of"));
}

async fn hostile_text_is_escaped_on_every_page(app: TestApp) {
    add_user(&app.store, "<b>mallory</b>", Role::Viewer, None, false).await;
    let browser = app.signed_in("<b>mallory</b>").await;

    let indicator = browser.get_page("/indicators/p1-out-01?as_of=2022").await;
    let narrative = browser.get_page("/indicators/p1-out-m1?as_of=2022").await;
    let project = browser.get_page("/projects/p1?as_of=2022").await;
    let dashboard = browser.get_page("/").await;

    for response in [indicator, narrative, project, dashboard] {
        assert_eq!(response.status(), StatusCode::OK);
        let html = entities(&response.text().await.unwrap());
        for raw in [HOSTILE_SCRIPT, "<img src=x", "<b>mallory"] {
            assert!(!html.contains(raw), "unescaped {raw}");
        }
        assert!(html.contains("&lt;b&gt;mallory&lt;/b&gt;"));
    }
    let html = entities(
        &browser
            .get_page("/indicators/p1-out-01?as_of=2022")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the note, escaped"
    );
    assert!(
        html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        "the actor, escaped"
    );
    let html = entities(
        &browser
            .get_page("/indicators/p1-out-m1?as_of=2022")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        html.contains("支援を継続 &lt;script&gt;"),
        "the narrative, escaped"
    );
    assert!(
        no_inline_script(&html),
        "no script but the application's own files"
    );
}

async fn security_headers_are_on_every_response(app: TestApp) {
    let browser = app.signed_in(VIEWER).await;
    let responses = [
        app.get("/healthz").await,
        app.get("/signin").await,
        app.get("/").await,
        app.get("/api/v1/plans").await,
        app.get("/static/pdca.css").await,
        app.get("/no/such/page").await,
        browser.get_page("/").await,
        browser.get_page("/indicators/p1-out-01").await,
        browser.get_page("/api/openapi.json").await,
    ];

    for response in responses {
        let h = response.headers();
        let url = response.url().path().to_owned();
        assert_eq!(
            h.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
            "{url}"
        );
        assert_eq!(
            h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff",
            "{url}"
        );
        assert_eq!(
            h.get(header::REFERRER_POLICY).unwrap(),
            "same-origin",
            "{url}"
        );
        assert_eq!(h.get(header::X_FRAME_OPTIONS).unwrap(), "DENY", "{url}");
    }
    let page = browser.get_page("/").await.text().await.unwrap();
    assert!(
        !page.contains("style=") && no_inline_script(&page),
        "nothing inline"
    );
}

async fn the_openapi_document_matches_the_routes(app: TestApp) {
    open_round(&app, 2022).await;
    let document: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let token = app.token(SECRETARIAT).await;

    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let routes: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();

    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(documented, routes);
    // Every documented route answers (with its required parameters)…
    for path in [
        "/api/v1/actuals",
        "/api/v1/actuals/submit",
        "/api/v1/actuals/approve",
        "/api/v1/actuals/return",
    ] {
        assert!(
            documented.contains(&("post".to_owned(), path.to_owned())),
            "{path}"
        );
    }
    assert!(documented.contains(&("get".to_owned(), "/api/v1/actuals".to_owned())));
    // The writes are tested with their bodies elsewhere; the reads answer here.
    for (method, path) in documented.iter().filter(|(m, _)| m == "get") {
        assert_eq!(method, "get");
        let concrete = path
            .replace("{id}", BUILTIN_PLAN_ID)
            .replace("{fy}", "2022");
        let concrete = if concrete.ends_with("/evaluations") {
            format!("{concrete}?as_of=2022")
        } else if concrete.ends_with("/report") {
            format!("{concrete}?format=md")
        } else {
            concrete
        };
        let response = app.api_get(&concrete, &token).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    // …and anything else under /api is a JSON 404.
    let (status, code, _) = error_code(app.api_get("/api/v1/nothing", &token).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

async fn the_english_switch_changes_the_strings(app: TestApp) {
    let browser = app.signed_in(VIEWER).await;

    let japanese = browser.get_page("/").await.text().await.unwrap();
    let by_query = browser.get_page("/?lang=en").await.text().await.unwrap();
    let switch = browser
        .get_page("/lang/en?next=%2Fprojects%2Fp1%3Fas_of%3D2022")
        .await;
    let switch_location = location(&switch);
    let lang_cookie = set_cookies(switch.headers());
    let english = browser
        .get_page("/projects/p1?as_of=2022")
        .await
        .text()
        .await
        .unwrap();
    let back = browser.get_page("/lang/ja?next=/").await;
    let japanese_again = browser.get_page("/").await.text().await.unwrap();

    assert!(japanese.contains("<html lang=\"ja\">") && japanese.contains("要注意の指標"));
    assert!(
        japanese.contains("href=\"/lang/en?next=%2F\""),
        "the switch link"
    );
    assert!(
        by_query.contains("<html lang=\"en\">")
            && by_query.contains("Indicators needing attention")
    );
    assert!(!by_query.contains("要注意の指標"));
    assert_eq!(switch.status(), StatusCode::SEE_OTHER);
    assert_eq!(switch_location, "/projects/p1?as_of=2022");
    assert!(
        lang_cookie.iter().any(|c| c.starts_with("lang=en")),
        "{lang_cookie:?}"
    );
    assert!(
        english.contains("Outputs") && english.contains("Cumulative") && english.contains("FY2022")
    );
    assert_eq!(location(&back), "/");
    assert!(japanese_again.contains("要注意の指標"));
    // Off-site targets are ignored.
    let offsite = browser.get_page("/lang/en?next=//evil.example/").await;
    assert_eq!(location(&offsite), "/");
}

async fn the_pages_show_the_evaluation(app: TestApp) {
    let browser = app.signed_in(COMMITTEE).await;

    let dashboard = browser.get_page("/").await.text().await.unwrap();
    let project = browser.get_page("/projects/p1").await.text().await.unwrap();
    let indicator = browser
        .get_page("/indicators/p1-out-01")
        .await
        .text()
        .await
        .unwrap();
    let unapproved = browser
        .get_page("/indicators/p1-out-02?include_unapproved=1")
        .await
        .text()
        .await
        .unwrap();

    // The latest approved year is the default as-of year.
    assert!(dashboard.contains("令和4年度時点"), "{dashboard}");
    // p1-out-01 (B) needs attention; the six projects have a card each.
    let attention = &dashboard
        [dashboard.find("attention-heading").unwrap()..dashboard.find("projects-heading").unwrap()];
    assert!(attention.contains("非臨床POCの取得件数"));
    assert!(!attention.contains("創薬支援ネットワークの活動による有望創薬シーズの企業導出件数"));
    assert_eq!(dashboard.matches("<article class=\"card\">").count(), 6);
    assert!(dashboard.contains("class=\"fill w"));
    // The project table: years, target wording, a badge with its meaning.
    assert!(project.contains("令和2年度") && project.contains("令和4年度"));
    assert!(project.contains("25件"));
    assert!(project.contains("進捗が不十分"));
    assert!(project.contains("○シーズ研究に関する指標"));
    assert!(project.contains("その他管理指標"));
    // The indicator page: figures, outlook in words, chart, history in 和暦.
    assert!(indicator.contains("現在のペースが続くと、期間末までに目標に達する確率は約"));
    assert!(indicator.contains("<svg") && indicator.contains("class=\"line-expected\""));
    assert!(
        indicator.contains("class=\"line-target\"")
            && indicator.contains("class=\"line-projected\"")
    );
    assert!(indicator.contains("令和"), "dates in 和暦");
    assert!(indicator.contains("2 → 2"), "the correction, old → new");
    assert!(indicator.contains("POC"), "the glossary term");
    assert!(indicator.contains("Proof of Concept"));
    // Unapproved values appear only when asked for, with their state.
    assert!(unapproved.contains("一時保存"));
    assert!(unapproved.contains("未承認の値を含めた試算です"));
    // Unknown things are 404 pages.
    let missing = browser.get_page("/indicators/nonexistent").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("見つかりませんでした")
    );
    assert_eq!(
        browser.get_page("/projects/p9").await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_server_error_shows_no_internals(app: TestApp) {
    let token = app.token(VIEWER).await;
    let browser = app.signed_in(VIEWER).await;
    // Closing the pool makes every database call fail.
    app.store.close().await;

    let api = app.api_get("/api/v1/plans", &token).await;
    let page = browser.get_page("/").await;

    let (status, code, message) = error_code(api).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal")
    );
    assert!(
        !message.contains("pool") && !message.contains("データベース"),
        "{message}"
    );
    assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = page.text().await.unwrap();
    assert!(html.contains("サーバーの内部でエラーが起きました"));
    assert!(!html.contains("pool") && !html.contains("sqlx"), "{html}");
}

// ---------------------------------------------------------------------------------------------
// Data entry, approval and the actuals API.

impl Browser {
    /// Sends the entry form of `fy` with `fields` (`value:ID` and so on) and the page's token.
    async fn post_entry(&self, fy: &str, body: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf_of(&format!("/entry?fy={fy}")).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("fy", fy), ("body", body)];
        form.extend_from_slice(fields);
        self.post_form("/entry", &form).await
    }

    /// Submits the body's drafts of `fy` (「保存して提出」 with nothing typed, confirmed).
    async fn submit_entry(&self, fy: &str) -> reqwest::Response {
        let csrf = self.csrf_of(&format!("/entry?fy={fy}")).await;
        self.post_form(
            "/entry",
            &[
                ("csrf", &csrf),
                ("fy", fy),
                ("action", "submit"),
                ("confirmed", "1"),
            ],
        )
        .await
    }

    /// Approves or returns the values named by `items` (`indicator|year|body|version`).
    async fn decide(&self, action: &str, comment: &str, items: &[String]) -> reqwest::Response {
        let csrf = self.csrf_of("/approval").await;
        let mut form: Vec<(&str, &str)> =
            vec![("csrf", &csrf), ("action", action), ("comment", comment)];
        form.extend(items.iter().map(|i| ("item", i.as_str())));
        self.post_form("/approval", &form).await
    }
}

impl TestApp {
    /// POST JSON to an API path with a bearer token.
    async fn api_post(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The current row of one value, whatever its state.
    async fn current(&self, indicator: &str, year: i32) -> Option<pdca_store::StoredActual> {
        self.store
            .current_actuals(BUILTIN_PLAN_ID)
            .await
            .unwrap()
            .into_iter()
            .find(|a| {
                a.contribution.indicator == indicator
                    && a.contribution.year.year() == year
                    && a.contribution.body == "amed"
            })
    }

    /// An indicator's cumulative actual as of `year`, as the official evaluation says.
    async fn cumulative(&self, indicator: &str, year: i32) -> f64 {
        let token = self.token(VIEWER).await;
        let evaluation: Value = self
            .api_get(&format!("/api/v1/evaluations?as_of={year}"), &token)
            .await
            .json()
            .await
            .unwrap();
        evaluation["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == indicator)
            .and_then(|i| i["cumulative"].as_f64())
            .unwrap_or_default()
    }
}

fn item(indicator: &str, year: i32, version: i64) -> String {
    format!("{indicator}|{year}|amed|{version}")
}

async fn a_body_enters_fixes_submits_and_the_secretariat_approves(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let page = body.get_page("/entry?fy=2023").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"value:p1-out-01\""), "a number field");
    assert!(
        html.contains("name=\"numerator:p1-out-04\""),
        "a ratio's numerator"
    );
    assert!(html.contains("<textarea id=\"value-"), "a narrative");
    assert!(html.contains("href=\"/entry\""), "the entry link");
    assert!(
        !html.contains("href=\"/approval\""),
        "no approval link for a body"
    );

    // A negative count, a numerator above its denominator and a sub-target above its parent.
    let refused = body
        .post_entry(
            "2023",
            "amed",
            &[
                ("value:p1-out-01", "-3"),
                ("numerator:p1-out-04", "5"),
                ("denominator:p1-out-04", "4"),
                ("value:p3-out-01", "2"),
                ("value:p3-out-01-1", "５件"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    let errors = html.matches("<p class=\"field-error\" id=\"error-").count();
    assert_eq!(errors, 3, "an error next to each bad field: {html}");
    assert!(html.contains("aria-describedby=\"error-"));
    assert!(html.contains("value=\"-3\""), "the typed value is kept");
    assert!(
        app.current("p1-out-01", 2023).await.is_none(),
        "nothing saved"
    );
    assert!(
        app.current("p3-out-01", 2023).await.is_none(),
        "nothing saved"
    );

    // Fixed: full-width digits and a unit are normalised.
    let saved = body
        .post_entry(
            "2023",
            "amed",
            &[("value:p1-out-01", "５件"), ("note:p1-out-01", "確認済み")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let draft = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(draft.state, ActualState::Draft);
    assert_eq!(draft.contribution.value, ActualValue::Number(5.0));
    assert_eq!(draft.recorded_by, BODY);
    assert_eq!(
        app.cumulative("p1-out-01", 2023).await,
        9.0,
        "a draft does not count"
    );

    assert_eq!(
        body.submit_entry("2023").await.status(),
        StatusCode::SEE_OTHER
    );
    let submitted = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(submitted.state, ActualState::Submitted);
    let html = body.get_page("/entry?fy=2023").await.text().await.unwrap();
    assert!(html.contains("提出済み"));
    assert!(
        !html.contains("name=\"value:p1-out-01\""),
        "read-only once submitted"
    );
    assert_eq!(
        app.cumulative("p1-out-01", 2023).await,
        9.0,
        "nor a submitted one"
    );

    let secretariat = app.signed_in(SECRETARIAT).await;
    let html = secretariat
        .get_page("/approval?fy=2023")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("p1-out-01") && html.contains("確認済み"));
    assert!(html.contains("href=\"/approval\""), "the approval link");
    let approved = secretariat
        .decide("approve", "", &[item("p1-out-01", 2023, submitted.id)])
        .await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.current("p1-out-01", 2023).await.unwrap().state,
        ActualState::Approved
    );
    assert_eq!(
        app.cumulative("p1-out-01", 2023).await,
        14.0,
        "counted once approved"
    );
}

async fn a_returned_value_shows_its_comment_to_the_body(app: TestApp) {
    let body = app.signed_in(BODY).await;
    body.post_entry("2023", "amed", &[("value:p1-out-03", "1")])
        .await;
    body.submit_entry("2023").await;
    let submitted = app.current("p1-out-03", 2023).await.unwrap();
    assert_eq!(submitted.state, ActualState::Submitted);

    let secretariat = app.signed_in(SECRETARIAT).await;
    let items = [item("p1-out-03", 2023, submitted.id)];
    let without_comment = secretariat.decide("return", " ", &items).await;
    assert_eq!(without_comment.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(without_comment.text().await.unwrap().contains("理由"));
    assert_eq!(
        app.current("p1-out-03", 2023).await.unwrap().state,
        ActualState::Submitted
    );
    let comment = format!("根拠資料を添付してください {HOSTILE_SCRIPT}");
    let returned = secretariat.decide("return", &comment, &items).await;
    assert_eq!(returned.status(), StatusCode::SEE_OTHER);

    let html = entities(&body.get_page("/entry?fy=2023").await.text().await.unwrap());
    assert!(html.contains("差戻し"));
    assert!(html.contains("根拠資料を添付してください &lt;script&gt;"));
    assert!(!html.contains(HOSTILE_SCRIPT));
    assert!(html.contains("name=\"value:p1-out-03\""), "editable again");
}

async fn a_stale_version_is_refused_on_the_page_and_in_the_api(app: TestApp) {
    // Both read p1-out-02 FY2022 (a draft of 10); the secretariat saves first.
    let body = app.signed_in(BODY).await;
    let read = app.current("p1-out-02", 2022).await.unwrap();
    let csrf = body.csrf_of("/entry?fy=2022").await;
    let secretariat = app.token(SECRETARIAT).await;
    let first = app
        .api_post(
            "/api/v1/actuals",
            &secretariat,
            &serde_json::json!({
                "indicator_id": "p1-out-02", "fiscal_year": 2022, "body": "amed",
                "value": 11, "version": read.id
            }),
        )
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);

    let version = read.id.to_string();
    let stale = body
        .post_form(
            "/entry",
            &[
                ("csrf", csrf.as_str()),
                ("fy", "2022"),
                ("value:p1-out-02", "12"),
                ("version:p1-out-02", &version),
            ],
        )
        .await;
    // The same stale form, untouched: not a change, so no conflict.
    let untouched = body
        .post_form(
            "/entry",
            &[
                ("csrf", csrf.as_str()),
                ("fy", "2022"),
                ("value:p1-out-02", "10"),
                ("version:p1-out-02", &read.id.to_string()),
            ],
        )
        .await;
    assert_eq!(untouched.status(), StatusCode::SEE_OTHER);
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let html = stale.text().await.unwrap();
    assert!(html.contains("他の人が先に保存しました"), "{html}");
    assert!(html.contains("p1-out-02") && html.contains(SECRETARIAT));
    assert!(html.contains("現在の値: 11"), "the current value");
    let now = app.current("p1-out-02", 2022).await.unwrap();
    assert_eq!(
        now.contribution.value,
        ActualValue::Number(11.0),
        "not overwritten"
    );

    let token = app.token(BODY).await;
    let api = app
        .api_post(
            "/api/v1/actuals",
            &token,
            &serde_json::json!({
                "indicator_id": "p1-out-02", "fiscal_year": 2022, "value": 12, "version": read.id
            }),
        )
        .await;
    assert_eq!(api.status(), StatusCode::CONFLICT);
    let error: Value = api.json().await.unwrap();
    assert_eq!(error["error"]["code"], "conflict");
    assert_eq!(error["error"]["current"]["value"], 11.0);
    assert_eq!(error["error"]["current"]["version"], now.id);
    assert_eq!(
        app.current("p1-out-02", 2022).await.unwrap().id,
        now.id,
        "not overwritten"
    );
}

async fn only_bodies_and_the_secretariat_write_and_only_the_secretariat_approves(app: TestApp) {
    add_user(&app.store, "mext-tanto", Role::Body, Some("mext"), false).await;
    let write = |body: Option<&str>| {
        let mut v = serde_json::json!({
            "indicator_id": "p1-out-01", "fiscal_year": 2023, "value": 1, "version": null
        });
        if let Some(body) = body {
            v["body"] = Value::from(body);
        }
        v
    };
    // Another body's indicator, or another body named.
    let mext = app.token("mext-tanto").await;
    let (status, code, _) =
        error_code(app.api_post("/api/v1/actuals", &mext, &write(None)).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let amed = app.token(BODY).await;
    let (status, _, _) = error_code(
        app.api_post("/api/v1/actuals", &amed, &write(Some("mext")))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let page = app.signed_in("mext-tanto").await;
    let response = page
        .post_entry("2023", "amed", &[("value:p1-out-01", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Viewers and the committee write nothing.
    for name in [VIEWER, COMMITTEE] {
        let token = app.token(name).await;
        let (status, code, _) = error_code(
            app.api_post("/api/v1/actuals", &token, &write(Some("amed")))
                .await,
        )
        .await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{name}"
        );
        let browser = app.signed_in(name).await;
        assert_eq!(
            browser.get_page("/entry?fy=2023").await.status(),
            StatusCode::FORBIDDEN
        );
        let csrf = browser.csrf_of("/").await;
        let response = browser
            .post_form(
                "/entry",
                &[("csrf", &csrf), ("fy", "2023"), ("value:p1-out-01", "1")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
    }
    assert!(
        app.current("p1-out-01", 2023).await.is_none(),
        "nothing written"
    );
    // A body cannot approve, even its own value.
    let draft = app.current("p1-out-02", 2022).await.unwrap();
    let approve = serde_json::json!({
        "indicator_id": "p1-out-02", "fiscal_year": 2022, "body": "amed", "version": draft.id
    });
    let (status, _, _) = error_code(
        app.api_post("/api/v1/actuals/approve", &amed, &approve)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = app.signed_in(BODY).await;
    assert_eq!(
        body.get_page("/approval").await.status(),
        StatusCode::FORBIDDEN
    );
    let csrf = body.csrf_of("/").await;
    let item = item("p1-out-02", 2022, draft.id);
    let response = body
        .post_form(
            "/approval",
            &[
                ("csrf", csrf.as_str()),
                ("action", "approve"),
                ("item", &item),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Approved values are read-only for a body.
    let approved = app.current("p1-out-01", 2022).await.unwrap();
    let response = app
        .api_post(
            "/api/v1/actuals",
            &amed,
            &serde_json::json!({
                "indicator_id": "p1-out-01", "fiscal_year": 2022, "value": 7, "version": approved.id
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.current("p1-out-01", 2022).await.unwrap().id,
        approved.id
    );
}

async fn the_api_writes_submits_and_approves_with_tokens(app: TestApp) {
    let body = app.token(BODY).await;
    let invalid = app
        .api_post(
            "/api/v1/actuals",
            &body,
            &serde_json::json!({
                "indicator_id": "p1-out-04", "fiscal_year": 2023,
                "numerator": 5, "denominator": 4, "version": null
            }),
        )
        .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = invalid.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid");
    assert!(error["error"]["field"].is_string());

    let created = app
        .api_post(
            "/api/v1/actuals",
            &body,
            &serde_json::json!({
                "indicator_id": "p1-out-01", "fiscal_year": "令和5年度",
                "value": "1,234", "note": "API", "version": null
            }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["value"], 1234.0);
    assert_eq!(created["state"], "draft");
    assert_eq!(created["body"], "amed");
    let version = created["version"].as_i64().unwrap();

    let viewer = app.token(VIEWER).await;
    let listed = |token: String| {
        let app = &app;
        async move {
            let rows: Value = app
                .api_get("/api/v1/actuals?fy=2023&indicator=p1-out-01", &token)
                .await
                .json()
                .await
                .unwrap();
            rows["actuals"].as_array().unwrap().clone()
        }
    };
    assert!(
        listed(viewer.clone()).await.is_empty(),
        "a viewer sees no draft"
    );
    assert_eq!(
        listed(body.clone()).await.len(),
        1,
        "a body sees its own draft"
    );

    let key = |version: i64| {
        serde_json::json!({
            "indicator_id": "p1-out-01", "fiscal_year": 2023, "body": "amed", "version": version
        })
    };
    let submitted = app
        .api_post("/api/v1/actuals/submit", &body, &key(version))
        .await;
    assert_eq!(submitted.status(), StatusCode::OK);
    let submitted: Value = submitted.json().await.unwrap();
    assert_eq!(submitted["state"], "submitted");
    let secretariat = app.token(SECRETARIAT).await;
    let stale = app
        .api_post("/api/v1/actuals/approve", &secretariat, &key(version))
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let no_comment = key(submitted["version"].as_i64().unwrap());
    let returned = app
        .api_post("/api/v1/actuals/return", &secretariat, &no_comment)
        .await;
    assert_eq!(returned.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = returned.json().await.unwrap();
    assert_eq!(error["error"]["field"], "comment");
    let approved = app
        .api_post(
            "/api/v1/actuals/approve",
            &secretariat,
            &key(submitted["version"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let approved: Value = approved.json().await.unwrap();
    assert_eq!(approved["state"], "approved");
    let rows = listed(viewer).await;
    assert_eq!(rows.len(), 1, "approved values are public");
    assert_eq!(rows[0]["value"], 1234.0);

    // A session writes only with its CSRF token in the header.
    let browser = app.signed_in(BODY).await;
    let write = serde_json::json!({
        "indicator_id": "p1-out-03", "fiscal_year": 2023, "value": 2, "version": null
    });
    let without = browser
        .client
        .post(app.url("/api/v1/actuals"))
        .json(&write)
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_code(without).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "csrf_mismatch")
    );
    let csrf = browser.csrf_of("/").await;
    let with = browser
        .client
        .post(app.url("/api/v1/actuals"))
        .header("X-CSRF-Token", csrf)
        .json(&write)
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::CREATED);
}

async fn hostile_text_in_entries_is_escaped(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let note = format!("{HOSTILE_SCRIPT} {HOSTILE_ATTR}");
    let saved = body
        .post_entry(
            "2023",
            "amed",
            &[
                ("value:p1-out-m2", &note),
                ("value:p1-out-01", "1"),
                ("note:p1-out-01", &note),
                ("source:p1-out-01", HOSTILE_ATTR),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    // Kept as typed when the form comes back with an error, too.
    let refused = body
        .post_entry(
            "2023",
            "amed",
            &[("value:p1-out-02", "-1"), ("note:p1-out-02", &note)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    body.submit_entry("2023").await;
    let secretariat = app.signed_in(SECRETARIAT).await;
    let pages = [
        refused.text().await.unwrap(),
        body.get_page("/entry?fy=2023").await.text().await.unwrap(),
        secretariat
            .get_page("/approval")
            .await
            .text()
            .await
            .unwrap(),
    ];
    for html in pages {
        let html = entities(&html);
        for raw in [HOSTILE_SCRIPT, "<img src=x"] {
            assert!(!html.contains(raw), "unescaped {raw}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}

// ---------------------------------------------------------------------------------------------
// Administration and API tokens

/// The first `pdca_…` secret in `html`.
fn token_secret(html: &str) -> Option<String> {
    let start = html.find("pdca_")?;
    let end = html[start..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(html.len(), |n| start + n);
    Some(html[start..end].to_owned())
}

/// The one-time password in the users page's notice.
fn issued_password(html: &str) -> Option<String> {
    let marker = "<code class=\"secret\">";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('<')?;
    Some(html[start..start + end].to_owned())
}

async fn admin_posts_are_refused_to_other_roles_and_without_csrf(app: TestApp) {
    let posts: [(&str, &[(&str, &str)]); 6] = [
        (
            "/admin/users",
            &[("name", "x-new"), ("role", "viewer"), ("body", "")],
        ),
        (
            "/admin/bodies/assign",
            &[
                ("plan", "medical-rd-2"),
                ("indicator", "p1-out-01"),
                ("body", "x-nobody"),
                ("share", "1"),
            ],
        ),
        (
            "/admin/bodies/unassign",
            &[
                ("plan", "medical-rd-2"),
                ("indicator", "p1-out-01"),
                ("body", "amed"),
            ],
        ),
        ("/admin/users/etsuran/disable", &[]),
        ("/admin/users/etsuran/enable", &[]),
        ("/admin/users/etsuran/reset-password", &[]),
    ];
    for name in [BODY, COMMITTEE, VIEWER] {
        let browser = app.signed_in(name).await;
        let csrf = browser.csrf_of("/").await;
        for (path, fields) in posts {
            let mut fields = fields.to_vec();
            fields.push(("csrf", &csrf));
            let response = browser.post_form(path, &fields).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name} {path}");
        }
    }
    // The secretariat without the token, or with a forged one.
    let secretariat = app.signed_in(SECRETARIAT).await;
    for (path, fields) in posts {
        for csrf in [None, Some("forged")] {
            let mut fields = fields.to_vec();
            if let Some(csrf) = csrf {
                fields.push(("csrf", csrf));
            }
            let response = secretariat.post_form(path, &fields).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} {csrf:?}");
            let html = response.text().await.unwrap();
            assert!(html.contains("フォームを確認できませんでした"), "{html}");
        }
    }
    let viewer = app.signed_in(VIEWER).await;
    for path in ["/account/tokens", "/account/tokens/1/revoke"] {
        let response = viewer.post_form(path, &[("name", "x")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // Nothing happened.
    assert!(app.store.user_by_name("x-new").await.unwrap().is_none());
    let viewer_user = app.store.user_by_name(VIEWER).await.unwrap().unwrap();
    assert!(!viewer_user.disabled && !viewer_user.must_change_password);
    assert!(
        app.store
            .list_api_tokens(viewer_user.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(viewer.get_page("/").await.status(), StatusCode::OK);
}

async fn a_token_is_shown_once_works_and_is_revoked(app: TestApp) {
    let browser = app.signed_in(BODY).await;
    let csrf = browser.csrf_of("/account/tokens").await;
    let name = format!("集計 {HOSTILE_SCRIPT} {HOSTILE_ATTR}");
    let created = browser
        .post_form("/account/tokens", &[("csrf", &csrf), ("name", &name)])
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(created.headers()[header::CACHE_CONTROL], "no-store");
    let html = created.text().await.unwrap();
    let secret = token_secret(&html).expect("the secret on the page");
    assert_eq!(secret.len(), "pdca_".len() + 64, "{secret}");
    assert!(html.contains("今回しか表示されません"), "{html}");
    assert!(!html.contains(HOSTILE_SCRIPT) && !html.contains(HOSTILE_ATTR));
    assert!(entities(&html).contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // Never again.
    let again = browser
        .get_page("/account/tokens")
        .await
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&secret));
    assert!(token_secret(&again).is_none(), "{again}");

    // It acts as the body.
    let plans = app.api_get("/api/v1/plans", &secret).await;
    assert_eq!(plans.status(), StatusCode::OK);
    let audit = app.api_get("/api/v1/audit", &secret).await;
    assert_eq!(audit.status(), StatusCode::FORBIDDEN);

    // A body cannot revoke someone else's token.
    let viewer_secret = app.token(VIEWER).await;
    let viewer = app.store.user_by_name(VIEWER).await.unwrap().unwrap();
    let viewer_token = app.store.list_api_tokens(viewer.id).await.unwrap()[0].id;
    let refused = browser
        .post_form(
            &format!("/account/tokens/{viewer_token}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let missing = browser
        .post_form("/account/tokens/999999/revoke", &[("csrf", &csrf)])
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.api_get("/api/v1/plans", &viewer_secret).await.status(),
        StatusCode::OK
    );

    // Without the CSRF token nothing is revoked.
    let own = app
        .store
        .list_api_tokens(app.store.user_by_name(BODY).await.unwrap().unwrap().id)
        .await
        .unwrap()[0]
        .id;
    let forged = browser
        .post_form(&format!("/account/tokens/{own}/revoke"), &[("csrf", "x")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.api_get("/api/v1/plans", &secret).await.status(),
        StatusCode::OK
    );

    let revoked = browser
        .post_form(&format!("/account/tokens/{own}/revoke"), &[("csrf", &csrf)])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&revoked),
        format!("/account/tokens?done=revoked&id={own}#token-{own}")
    );
    let (status, code, _) = error_code(app.api_get("/api/v1/plans", &secret).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let listed = browser
        .get_page(&location(&revoked))
        .await
        .text()
        .await
        .unwrap();
    assert!(listed.contains("」を失効させました。"), "{listed}");
    assert!(listed.contains("失効"));

    // An empty name is refused next to the form.
    let empty = browser
        .post_form("/account/tokens", &[("csrf", &csrf), ("name", "  ")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("トークンの名前を入力してください")
    );
}

async fn the_secretariat_creates_disables_and_resets_accounts(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let page = admin.get_page("/admin/users").await.text().await.unwrap();
    assert!(
        page.contains(BODY) && page.contains("日本医療研究開発機構"),
        "{page}"
    );
    assert!(page.contains("<label for=\"user-body\">"));
    let csrf = csrf_field(&page).unwrap();

    // Create a body account: its one-time password is shown once and must be changed.
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "mext-tanto"),
                ("role", "body"),
                ("body", "amed"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.unwrap();
    let password = issued_password(&html).expect("a one-time password");
    assert_eq!(password.len(), 16);
    assert!(html.contains("今回しか表示されません"));
    let stored = app.store.user_by_name("mext-tanto").await.unwrap().unwrap();
    assert_eq!(stored.role, Role::Body);
    assert_eq!(stored.body.as_deref(), Some("amed"));
    assert!(stored.must_change_password);
    let again = admin.get_page("/admin/users").await.text().await.unwrap();
    assert!(again.contains("mext-tanto") && !again.contains(&password));
    let newcomer = app.browser();
    let signed_in = newcomer.sign_in("mext-tanto", &password).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&signed_in).starts_with("/account/password"),
        "{}",
        location(&signed_in)
    );

    // Disable the viewer: their session ends and they cannot sign in; enable again.
    let viewer = app.signed_in(VIEWER).await;
    assert_eq!(viewer.get_page("/").await.status(), StatusCode::OK);
    let disabled = admin
        .post_form(
            &format!("/admin/users/{VIEWER}/disable"),
            &[("csrf", &csrf), ("confirmed", "1")],
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&disabled),
        format!("/admin/users?done=disabled&name={VIEWER}#user-{VIEWER}")
    );
    let ended = viewer.get_page("/").await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert!(location(&ended).starts_with("/signin"));
    assert_eq!(
        app.browser().sign_in(VIEWER, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED,
        "a disabled account cannot sign in"
    );
    let listed = admin
        .get_page("/admin/users?done=disabled")
        .await
        .text()
        .await
        .unwrap();
    assert!(listed.contains("アカウントを無効にしました") && listed.contains("無効"));
    let enabled = admin
        .post_form(&format!("/admin/users/{VIEWER}/enable"), &[("csrf", &csrf)])
        .await;
    assert_eq!(enabled.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().sign_in(VIEWER, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    // The secretariat cannot disable itself.
    let own = admin
        .post_form(
            &format!("/admin/users/{SECRETARIAT}/disable"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !app.store
            .user_by_name(SECRETARIAT)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );

    // Reset the committee member's password: the session ends, the old password is gone.
    let member = app.signed_in(COMMITTEE).await;
    let reset = admin
        .post_form(
            &format!("/admin/users/{COMMITTEE}/reset-password"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(reset.headers()[header::CACHE_CONTROL], "no-store");
    let new_password = issued_password(&reset.text().await.unwrap()).unwrap();
    assert_eq!(member.get_page("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().sign_in(COMMITTEE, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = app.browser().sign_in(COMMITTEE, &new_password).await;
    assert_eq!(fresh.status(), StatusCode::SEE_OTHER);
    assert!(location(&fresh).starts_with("/account/password"));
    let unknown = admin
        .post_form("/admin/users/nobody/reset-password", &[("csrf", &csrf)])
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn account_errors_are_shown_next_to_the_form(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of("/admin/users").await;
    for (name, role, body, expected) in [
        (BODY, "viewer", "", "既にあります"),
        ("new-body", "body", "", "報告機関を指定してください"),
        ("new-viewer", "viewer", "amed", "指定できません"),
        ("new-x", "overlord", "", "役割を選んでください"),
    ] {
        let response = admin
            .post_form(
                "/admin/users",
                &[
                    ("csrf", &csrf),
                    ("name", name),
                    ("role", role),
                    ("body", body),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("class=\"error\""), "{html}");
        assert!(html.contains(expected), "{name}: {html}");
        assert!(issued_password(&html).is_none());
    }
    assert!(app.store.user_by_name("new-body").await.unwrap().is_none());

    // A hostile name is escaped in the list, the notice and the forms' paths.
    let hostile = format!("x{HOSTILE_SCRIPT}{HOSTILE_ATTR}");
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", &hostile),
                ("role", "viewer"),
                ("body", ""),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.unwrap();
    assert!(!html.contains(HOSTILE_SCRIPT) && !html.contains(HOSTILE_ATTR));
    assert!(entities(&html).contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Its own routes work through the encoded path.
    let marker = "action=\"/admin/users/x";
    let start = html.find(marker).unwrap() + "action=\"".len();
    let end = html[start..].find("/disable\"").unwrap();
    let path = &html[start..start + end];
    let disabled = admin
        .post_form(
            &format!("{path}/disable"),
            &[("csrf", &csrf), ("confirmed", "1")],
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::SEE_OTHER);
    assert!(
        app.store
            .user_by_name(&hostile)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
}

async fn the_audit_page_filters_and_escapes(app: TestApp) {
    // A hostile token name and a new account, both in the log.
    let body = app.signed_in(BODY).await;
    let csrf = body.csrf_of("/account/tokens").await;
    let name = format!("t {HOSTILE_SCRIPT} {HOSTILE_ATTR}");
    body.post_form("/account/tokens", &[("csrf", &csrf), ("name", &name)])
        .await;

    let admin = app.signed_in(SECRETARIAT).await;
    let all = admin.get_page("/admin/audit").await;
    assert_eq!(all.status(), StatusCode::OK);
    let html = all.text().await.unwrap();
    for sentence in [
        "計画「medical-rd-2」を登録しました",
        &format!("ユーザー {BODY}（報告機関 日本医療研究開発機構）を作成しました"),
        &format!("報告機関 {BODY} が {BODY} の API トークン"),
    ] {
        assert!(html.contains(sentence), "{sentence}: {html}");
    }
    for raw in ["plan.create", "user.create", "token.create", "{&quot;"] {
        assert!(!html.contains(raw), "{raw}: {html}");
    }
    assert!(!html.contains(HOSTILE_SCRIPT) && !html.contains(HOSTILE_ATTR));
    assert!(html.contains("<label for=\"audit-action\">"));
    // Newest first: the token (made last) before the plan (made first).
    assert!(html.find("API トークン「").unwrap() < html.find("を登録しました").unwrap());
    // Japan time in 和暦.
    assert!(html.contains("令和"), "{html}");

    let users = admin
        .get_page("/admin/audit?action=user")
        .await
        .text()
        .await
        .unwrap();
    assert!(users.contains("を作成しました"));
    assert!(!users.contains("を登録しました") && !users.contains("API トークン「"));
    assert!(users.contains("<option value=\"user\" selected>"));

    let tokens = admin
        .get_page(&format!("/admin/audit?action=token&actor={BODY}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(tokens.contains("API トークン「") && !tokens.contains("を作成しました"));
    let nobody = admin
        .get_page("/admin/audit?action=token&actor=nobody")
        .await
        .text()
        .await
        .unwrap();
    assert!(!nobody.contains("API トークン「") && nobody.contains("該当する記録はありません"));

    let subject = admin
        .get_page(&format!("/admin/audit?subject={COMMITTEE}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(subject.contains(COMMITTEE) && !subject.contains(&format!("<td>{BODY}</td>")));

    let english = admin
        .get_page("/admin/audit?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(english.contains("Audit log") && !english.contains("令和"));
    assert!(english.contains("Accounts") && english.contains("Filter"));
    assert!(english.contains("registered the plan"), "{english}");
    let english_users = admin
        .get_page("/admin/users?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        english_users.contains("Create an account") && english_users.contains("Reset password")
    );
    let english_tokens = admin
        .get_page("/account/tokens?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(english_tokens.contains("Create token"));

    let bad = admin.get_page("/admin/audit?action=delete").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------------------------------------
// Data entry by file.

/// The value of the hidden field `name` in `html`.
fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field: {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap();
    html[start..start + end].to_owned()
}

impl Browser {
    /// Uploads `bytes` as `file_name` with `csrf` (the entry page's token unless given).
    async fn upload(
        &self,
        file_name: &str,
        bytes: Vec<u8>,
        csrf: Option<&str>,
    ) -> reqwest::Response {
        let csrf = match csrf {
            Some(c) => c.to_owned(),
            None => self.csrf_of("/entry?fy=2023").await,
        };
        let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
        );
        self.client
            .post(format!("{}/entry/upload", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Sends the preview's apply form, with `edit` applied to its fields first.
    async fn apply_preview(
        &self,
        html: &str,
        edit: impl FnOnce(&mut Vec<(String, String)>),
    ) -> reqwest::Response {
        let mut fields: Vec<(String, String)> =
            ["csrf", "plan", "name", "hash", "data", "versions"]
                .into_iter()
                .map(|n| (n.to_owned(), hidden_field(html, n)))
                .collect();
        edit(&mut fields);
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        self.client
            .post(format!("{}/entry/upload/apply", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

async fn a_body_uploads_csv_files_previews_and_applies_them_as_drafts(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let page = body.get_page("/entry?fy=2023").await.text().await.unwrap();
    assert!(page.contains("action=\"/entry/upload\""), "{page}");
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("<label for=\"upload-file\">"));
    assert!(page.contains("accept=\".csv,.xlsx"));

    // UTF-8 with Japanese headers: a new value and a change of the seeded draft (10).
    let csv = "指標ID,年度,実績,報告機関\np1-out-01,2023,5,amed\np1-out-02,2022,4,amed\n";
    let preview = body
        .upload("jisseki.csv", csv.as_bytes().to_vec(), None)
        .await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert!(html.contains("jisseki.csv"), "{html}");
    assert!(html.contains("（未報告） → 5"), "{html}");
    assert!(html.contains("10 → 4"), "{html}");
    assert!(html.contains("action=\"/entry/upload/apply\""));
    // Nothing is recorded before applying.
    assert!(app.current("p1-out-01", 2023).await.is_none());
    assert_eq!(
        app.current("p1-out-02", 2022)
            .await
            .unwrap()
            .contribution
            .value,
        ActualValue::Number(10.0)
    );

    let applied = body.apply_preview(&html, |_| {}).await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    let location = applied.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(location.contains("done=imported"), "{location}");
    let done = body.get_page(&location).await.text().await.unwrap();
    assert!(done.contains("2件を取り込み、一時保存しました"), "{done}");
    let new = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(new.contribution.value, ActualValue::Number(5.0));
    assert_eq!(new.state, ActualState::Draft);
    assert_eq!(new.recorded_by, BODY);
    let changed = app.current("p1-out-02", 2022).await.unwrap();
    assert_eq!(changed.contribution.value, ActualValue::Number(4.0));
    assert_eq!(changed.state, ActualState::Draft);

    // Shift_JIS with Japanese headers and a note.
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS
        .encode("指標ID,年度,実績,報告機関,備考\np1-out-01,2024,6,amed,速報値\n");
    assert!(!unmappable);
    let preview = body.upload("sjis.csv", sjis.into_owned(), None).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert!(html.contains("（未報告） → 6"), "{html}");
    assert!(app.current("p1-out-01", 2024).await.is_none());
    let applied = body.apply_preview(&html, |_| {}).await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    let new = app.current("p1-out-01", 2024).await.unwrap();
    assert_eq!(new.contribution.value, ActualValue::Number(6.0));
    assert_eq!(new.state, ActualState::Draft);
    assert_eq!(new.note.as_deref(), Some("速報値"));

    // The English page says the same in English.
    let en = body
        .get_page("/entry?fy=2023&lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Import from a file"), "{en}");
}

async fn an_upload_with_errors_lists_them_and_records_nothing(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let csv = "指標ID,年度,実績,報告機関\np1-out-01,2023,5,amed\np1-out-01,2024,-3,amed\nnonexistent,2023,1,amed\n";
    let response = body.upload("bad.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("何も取り込んでいません"), "{html}");
    assert!(
        html.contains("<td>bad.csv</td><td>3</td><td>C「実績」</td>"),
        "{html}"
    );
    assert!(html.contains("<td>4</td><td>A「指標ID」</td>"), "{html}");
    assert!(!html.contains("action=\"/entry/upload/apply\""));
    assert!(app.current("p1-out-01", 2023).await.is_none());
    assert!(app.current("p1-out-01", 2024).await.is_none());

    // A file pdca cannot read at all.
    let response = body.upload("notes.txt", b"hello".to_vec(), None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("notes.txt"));

    // Over the size limit: a clear message.
    let response = body
        .upload("huge.csv", vec![b'a'; 21 * 1024 * 1024], None)
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.unwrap().contains("20MB"));

    // A submitted value cannot be replaced by a body.
    let mut submitted = number("p1-out-01", 2023, "amed", 7.0);
    submitted.state = ActualState::Submitted;
    app.store
        .record_actuals(BUILTIN_PLAN_ID, &[submitted], "test")
        .await
        .unwrap();
    let csv = "指標ID,年度,実績,報告機関\np1-out-01,2023,5,amed\n";
    let response = body.upload("late.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("変更できません"));
    assert_eq!(
        app.current("p1-out-01", 2023)
            .await
            .unwrap()
            .contribution
            .value,
        ActualValue::Number(7.0)
    );
}

async fn an_upload_for_another_body_is_refused(app: TestApp) {
    add_user(&app.store, "mext-tanto", Role::Body, Some("mext"), false).await;
    let other = app.signed_in("mext-tanto").await;
    let csv = "指標ID,年度,実績,報告機関\np1-out-01,2023,5,amed\n";
    let response = other
        .upload("other.csv", csv.as_bytes().to_vec(), None)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("報告機関「amed」の値は入力できません"),
        "{html}"
    );
    let csv = "指標ID,年度,実績,報告機関\np1-out-01,2023,5,mext\n";
    let response = other
        .upload("mine.csv", csv.as_bytes().to_vec(), None)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.current("p1-out-01", 2023).await.is_none());

    // A viewer may not upload at all.
    let viewer = app.signed_in(VIEWER).await;
    let csrf = viewer.csrf_of("/").await;
    let response = viewer
        .upload("v.csv", csv.as_bytes().to_vec(), Some(&csrf))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

async fn a_tampered_preview_and_a_missing_csrf_token_are_refused(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let csv = "指標ID,年度,実績,報告機関\np1-out-01,2023,5,amed\n";
    let response = body
        .upload("x.csv", csv.as_bytes().to_vec(), Some("wrong"))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let html = body
        .upload("x.csv", csv.as_bytes().to_vec(), None)
        .await
        .text()
        .await
        .unwrap();
    // Another value with the same seal.
    let forged = "指標ID,年度,実績,報告機関\np1-out-01,2023,500,amed\n";
    let response = body
        .apply_preview(&html, |fields| {
            for (k, v) in fields.iter_mut() {
                if k == "data" {
                    use base64::Engine;
                    *v = base64::engine::general_purpose::STANDARD.encode(forged);
                }
            }
        })
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // An edited seal.
    let response = body
        .apply_preview(&html, |fields| {
            for (k, v) in fields.iter_mut() {
                if k == "hash" {
                    *v = "0".repeat(64);
                }
            }
        })
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Without the session's token.
    let response = body
        .apply_preview(&html, |fields| {
            for (k, v) in fields.iter_mut() {
                if k == "csrf" {
                    *v = "wrong".to_owned();
                }
            }
        })
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Another session's preview cannot be replayed, even with that session's own token.
    let again = app.signed_in(BODY).await;
    let own = again.csrf_of("/entry?fy=2023").await;
    let response = again
        .apply_preview(&html, |fields| {
            for (k, v) in fields.iter_mut() {
                if k == "csrf" {
                    v.clone_from(&own);
                }
            }
        })
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // The untouched preview still applies.
    let response = body.apply_preview(&html, |_| {}).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.current("p1-out-01", 2023)
            .await
            .unwrap()
            .contribution
            .value,
        ActualValue::Number(5.0)
    );
}

async fn the_secretariat_uploads_a_workbook_for_a_body(app: TestApp) {
    let secretariat = app.signed_in(SECRETARIAT).await;
    let contribution = Contribution {
        indicator: "p1-out-01".to_owned(),
        year: FiscalYear::new(2023).unwrap(),
        body: "amed".to_owned(),
        value: ActualValue::Number(8.0),
    };
    let row = pdca_interchange::ExportRow::from_contribution(&contribution, None, None);
    let xlsx = pdca_interchange::write_actuals_xlsx(&[row]).unwrap();
    let preview = secretariat.upload("jisseki.xlsx", xlsx, None).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert!(html.contains("（未報告） → 8"), "{html}");
    assert!(app.current("p1-out-01", 2023).await.is_none());
    let applied = secretariat.apply_preview(&html, |_| {}).await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    let new = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(new.contribution.value, ActualValue::Number(8.0));
    assert_eq!(new.state, ActualState::Draft);
    assert_eq!(new.recorded_by, SECRETARIAT);
}

// ---------------------------------------------------------------------------------------------
// Reporting bodies and plan import

/// The assignments of `indicator` in the stored built-in plan, as (body, share).
async fn assignments_of(app: &TestApp, indicator: &str) -> Vec<(String, Option<f64>)> {
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    plan.indicator(indicator)
        .unwrap()
        .assignments
        .iter()
        .map(|a| (a.body.clone(), a.share))
        .collect()
}

/// An indicator of the built-in plan with one body, and a body of the plan it lacks.
async fn single_body_indicator(app: &TestApp) -> (String, String, String) {
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    let (_, indicator) = plan
        .indicators()
        .find(|(_, i)| i.assignments.len() == 1)
        .unwrap();
    let only = indicator.assignments[0].body.clone();
    let other = plan
        .bodies
        .iter()
        .find(|b| b.id != only)
        .unwrap()
        .id
        .clone();
    (indicator.id.clone(), only, other)
}

async fn the_secretariat_assigns_and_unassigns_bodies(app: TestApp) {
    let (indicator, only, other) = single_body_indicator(&app).await;
    let admin = app.signed_in(SECRETARIAT).await;
    let page = admin.get_page("/admin/bodies").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("href=\"/admin/bodies\""), "nav link");
    assert!(html.contains("<label for=\"assign-share\">"));
    assert!(html.contains(&format!("value=\"{indicator}\"")));
    let csrf = csrf_field(&html).unwrap();
    let assigned = admin
        .post_form(
            "/admin/bodies/assign",
            &[
                ("csrf", &csrf),
                ("plan", BUILTIN_PLAN_ID),
                ("indicator", &indicator),
                ("body", &other),
                ("share", "２"),
            ],
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&assigned),
        format!(
            "/admin/bodies?plan={BUILTIN_PLAN_ID}&done=assigned&indicator={indicator}&body={other}#assign-{indicator}"
        )
    );
    let now = assignments_of(&app, &indicator).await;
    assert!(now.contains(&(other.clone(), Some(2.0))), "{now:?}");
    assert!(now.iter().any(|(b, _)| *b == only));
    let shown = admin
        .get_page(&location(&assigned))
        .await
        .text()
        .await
        .unwrap();
    assert!(shown.contains("を割り当てました。"), "{shown}");
    assert!(shown.contains("（2）"), "the share is shown");
    // A share that is not a number, an unknown body: 422 with the message, nothing changed.
    for (body, share, expected) in [
        (other.as_str(), "たくさん", "分担は 0 以上の数値"),
        (other.as_str(), "-1", "分担は 0 以上の数値"),
        ("x-nobody", "", "が見つかりません"),
    ] {
        let refused = admin
            .post_form(
                "/admin/bodies/assign",
                &[
                    ("csrf", &csrf),
                    ("plan", BUILTIN_PLAN_ID),
                    ("indicator", &indicator),
                    ("body", body),
                    ("share", share),
                ],
            )
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{share}"
        );
        let html = refused.text().await.unwrap();
        assert!(html.contains(expected), "{html}");
    }
    assert_eq!(assignments_of(&app, &indicator).await, now);
    let removed = admin
        .post_form(
            "/admin/bodies/unassign",
            &[
                ("csrf", &csrf),
                ("plan", BUILTIN_PLAN_ID),
                ("indicator", &indicator),
                ("body", &other),
                ("confirmed", "1"),
            ],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        assignments_of(&app, &indicator).await,
        vec![(only.clone(), None)]
    );
    let log = app.store.audit_log(100).await.unwrap();
    assert!(
        log.iter()
            .filter(|e| e.action.starts_with("assignment") && e.actor == SECRETARIAT)
            .count()
            >= 2,
        "{log:?}"
    );
}

async fn the_last_body_of_an_indicator_is_kept(app: TestApp) {
    let (indicator, only, _) = single_body_indicator(&app).await;
    let before = assignments_of(&app, &indicator).await;
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of("/admin/bodies").await;
    let refused = admin
        .post_form(
            "/admin/bodies/unassign",
            &[
                ("csrf", &csrf),
                ("plan", BUILTIN_PLAN_ID),
                ("indicator", &indicator),
                ("body", &only),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert_eq!(assignments_of(&app, &indicator).await, before);
}

const SMALL_PLAN: &str = r#"[plan]
id = "small-plan"
name = "小さな計画"
start_fy = 2020
end_fy = 2024
revision = 1
default_bodies = ["amed"]

[[bodies]]
id = "amed"
name = "日本医療研究開発機構"

[[projects]]
id = "p1"
name = "医薬品プロジェクト"

[[projects.indicators]]
id = "p1-out-01"
name = "非臨床POCの取得件数"
kind = "output"
group = "シーズ研究に関する指標"
measure = "count"
target = { value = 25, unit = "件" }
"#;

fn small_plan_revision_2() -> String {
    SMALL_PLAN
        .replace("revision = 1", "revision = 2\neffective_from = 2022")
        .replace("value = 25", "value = 30")
}

impl Browser {
    /// Sends `text` as the plan file `file_name` to the plan import.
    async fn import_plan(
        &self,
        file_name: &str,
        text: &str,
        csrf: Option<&str>,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        if let Some(csrf) = csrf {
            form = form.text("csrf", csrf.to_owned());
        }
        let form = form.part(
            "file",
            reqwest::multipart::Part::bytes(text.as_bytes().to_vec())
                .file_name(file_name.to_owned()),
        );
        self.client
            .post(format!("{}/admin/plans", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

async fn plan_imports_are_refused_to_other_roles_and_without_csrf(app: TestApp) {
    for name in [BODY, COMMITTEE, VIEWER] {
        let browser = app.signed_in(name).await;
        let csrf = browser.csrf_of("/").await;
        let response = browser
            .import_plan("small.toml", SMALL_PLAN, Some(&csrf))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let admin = app.signed_in(SECRETARIAT).await;
    for csrf in [None, Some("forged")] {
        let response = admin.import_plan("small.toml", SMALL_PLAN, csrf).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{csrf:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains("フォームを確認できませんでした"), "{html}");
    }
    assert!(app.store.plan("small-plan").await.unwrap().is_none());
}

async fn the_secretariat_imports_a_plan_and_its_revision(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let page = admin.get_page("/admin/plans").await.text().await.unwrap();
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("<label for=\"plan-file\">"));
    assert!(page.contains(BUILTIN_PLAN_ID));
    let csrf = csrf_field(&page).unwrap();
    let created = admin
        .import_plan("small.toml", SMALL_PLAN, Some(&csrf))
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.unwrap();
    assert!(
        html.contains("計画「small-plan」を新しく登録しました（版 1）。"),
        "{html}"
    );
    assert!(html.contains("小さな計画"));
    let saved = app.store.plan("small-plan").await.unwrap().unwrap();
    assert_eq!(saved.revision, 1);
    assert_eq!(
        app.store
            .plan_source("small-plan", 1)
            .await
            .unwrap()
            .as_deref(),
        Some(SMALL_PLAN)
    );
    let again = admin
        .import_plan("small.toml", SMALL_PLAN, Some(&csrf))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.unwrap().contains("変更はありません"));
    let revised = admin
        .import_plan("small-2.toml", &small_plan_revision_2(), Some(&csrf))
        .await;
    assert_eq!(revised.status(), StatusCode::OK);
    let html = revised.text().await.unwrap();
    assert!(
        html.contains("計画「small-plan」の新しい版 2 を保存しました。"),
        "{html}"
    );
    assert_eq!(
        app.store
            .plan("small-plan")
            .await
            .unwrap()
            .unwrap()
            .revision,
        2
    );
    // Revision 1 altered after revision 2: the store's refusal, nothing saved.
    let altered = SMALL_PLAN.replace("value = 25", "value = 26");
    let refused = admin
        .import_plan("small-old.toml", &altered, Some(&csrf))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("版 2 まで保存されています"), "{html}");
    let history = app.store.plan_history("small-plan").await.unwrap().unwrap();
    assert_eq!(history.versions().len(), 2);
    let en = admin
        .get_page("/admin/plans?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Import a plan file"));
}

async fn a_broken_plan_file_lists_its_errors_and_saves_nothing(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of("/admin/plans").await;
    let broken = SMALL_PLAN.replace("kind = \"output\"", "kind = \"sideways\"");
    let expected = pdca_core::plan_file::parse_plan("broken.toml", &broken)
        .unwrap_err()
        .to_string();
    assert!(expected.starts_with("broken.toml:"), "{expected}");
    assert!(expected.contains("kind"), "{expected}");
    let refused = admin.import_plan("broken.toml", &broken, Some(&csrf)).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = entities(&refused.text().await.unwrap());
    let escaped = expected
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;");
    assert!(html.contains(&escaped), "{escaped}\n{html}");
    assert!(app.store.plan("small-plan").await.unwrap().is_none());
    let not_toml = admin
        .import_plan("x.toml", "[plan\nid = ", Some(&csrf))
        .await;
    assert_eq!(not_toml.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_toml.text().await.unwrap().contains("x.toml:"));
    assert_eq!(app.store.list_plans().await.unwrap().len(), 1);
}

async fn hostile_text_in_an_imported_plan_is_escaped(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of("/admin/plans").await;
    let hostile = SMALL_PLAN
        .replace(
            "name = \"小さな計画\"",
            &format!("name = \"{HOSTILE_SCRIPT}\""),
        )
        .replace(
            "name = \"日本医療研究開発機構\"",
            &format!("name = '{HOSTILE_ATTR}'"),
        );
    let created = admin
        .import_plan(&format!("{HOSTILE_SCRIPT}.toml"), &hostile, Some(&csrf))
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    for path in ["/admin/plans", "/admin/bodies?plan=small-plan"] {
        let html = admin.get_page(path).await.text().await.unwrap();
        assert!(!html.contains(HOSTILE_SCRIPT), "{path}");
        assert!(!html.contains(HOSTILE_ATTR), "{path}");
        assert!(
            entities(&html).contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Locking a fiscal year.

impl Browser {
    /// Sends the lock form of `fy` with the approval page's token.
    async fn lock_year(&self, fy: &str) -> reqwest::Response {
        let csrf = self.csrf_of(&format!("/approval?fy={fy}")).await;
        self.post_form(
            "/approval/lock",
            &[("csrf", &csrf), ("fy", fy), ("confirmed", "1")],
        )
        .await
    }
}

impl TestApp {
    /// The states of every current value of `year`.
    async fn states_of(&self, year: i32) -> Vec<(String, ActualState)> {
        self.store
            .current_actuals(BUILTIN_PLAN_ID)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.contribution.year.year() == year)
            .map(|a| (a.contribution.indicator.clone(), a.state))
            .collect()
    }
}

async fn the_secretariat_locks_a_year_of_approved_values(app: TestApp) {
    let secretariat = app.signed_in(SECRETARIAT).await;
    let html = secretariat
        .get_page("/approval?fy=2021")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("年度の確定"), "{html}");
    assert!(html.contains("action=\"/approval/lock\""));
    assert!(html.contains("令和3年度の値を確定する"));
    assert!(html.contains("以後編集できなくなります"));
    // Before: approved, and still editable by the secretariat.
    let before = app.states_of(2021).await;
    assert!(!before.is_empty());
    assert!(before.iter().all(|(_, s)| *s == ActualState::Approved));
    let html = secretariat
        .get_page("/entry?fy=2021&body=amed")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"value:p1-out-01\""), "editable before");

    let response = secretariat.lock_year("2021").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with("/approval?"), "{location}");
    let html = secretariat.get_page(location).await.text().await.unwrap();
    assert!(
        html.contains(&format!("{}件を確定しました", before.len())),
        "{html}"
    );

    let after = app.states_of(2021).await;
    assert_eq!(after.len(), before.len());
    assert!(
        after.iter().all(|(_, s)| *s == ActualState::Locked),
        "{after:?}"
    );
    // Other years are untouched.
    assert!(
        app.states_of(2020)
            .await
            .iter()
            .all(|(_, s)| *s == ActualState::Approved)
    );
    // Read-only now, for the body and for the secretariat.
    let body = app.signed_in(BODY).await;
    for (browser, path) in [
        (&body, "/entry?fy=2021"),
        (&secretariat, "/entry?fy=2021&body=amed"),
    ] {
        let html = browser.get_page(path).await.text().await.unwrap();
        assert!(html.contains("p1-out-01"), "{path}: {html}");
        assert!(
            !html.contains("name=\"value:p1-out-01\""),
            "{path}: read-only once locked"
        );
        assert!(!html.contains("name=\"value:p1-out-02\""), "{path}");
    }
    let response = body
        .post_entry("2021", "amed", &[("value:p1-out-01", "9")])
        .await;
    assert_ne!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        app.states_of(2021)
            .await
            .iter()
            .all(|(_, s)| *s == ActualState::Locked),
        "nothing changed"
    );
}

async fn a_year_with_a_pending_value_is_not_locked(app: TestApp) {
    let body = app.signed_in(BODY).await;
    body.post_entry("2023", "amed", &[("value:p1-out-03", "1")])
        .await;
    body.submit_entry("2023").await;
    assert_eq!(
        app.current("p1-out-03", 2023).await.unwrap().state,
        ActualState::Submitted
    );

    let secretariat = app.signed_in(SECRETARIAT).await;
    let response = secretariat.lock_year("2023").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("確定できません"), "{html}");
    assert!(html.contains("p1-out-03（amed、提出済み）"), "{html}");
    assert_eq!(
        app.current("p1-out-03", 2023).await.unwrap().state,
        ActualState::Submitted,
        "nothing locked"
    );
    // The draft of 2022 blocks that year too, and its approved values stay approved.
    let response = secretariat.lock_year("2022").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("p1-out-02"));
    assert!(
        !app.states_of(2022)
            .await
            .iter()
            .any(|(_, s)| *s == ActualState::Locked)
    );
}

async fn locking_is_refused_to_other_roles_and_without_csrf(app: TestApp) {
    for name in [BODY, COMMITTEE, VIEWER] {
        let browser = app.signed_in(name).await;
        let csrf = browser.csrf_of("/").await;
        let response = browser
            .post_form("/approval/lock", &[("csrf", &csrf), ("fy", "2021")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let secretariat = app.signed_in(SECRETARIAT).await;
    for csrf in [None, Some("forged")] {
        let mut form = vec![("fy", "2021")];
        if let Some(csrf) = csrf {
            form.push(("csrf", csrf));
        }
        let response = secretariat.post_form("/approval/lock", &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{csrf:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains("フォームを確認できませんでした"), "{html}");
    }
    assert!(
        app.states_of(2021)
            .await
            .iter()
            .all(|(_, s)| *s == ActualState::Approved),
        "nothing locked"
    );
}

// ---------------------------------------------------------------------------------------------
// Follow-up rounds

const ROUNDS: &str = "/api/v1/plans/medical-rd-2/rounds";

async fn open_round(app: &TestApp, fy: i32) {
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    let deadline = pdca_core::follow_up::default_schedule(FiscalYear::new(fy).unwrap()).deadline;
    app.store
        .open_round(&plan, FiscalYear::new(fy).unwrap(), deadline, "test")
        .await
        .unwrap();
}

/// Rates every numeric indicator of FY`fy` N and closes its round (opening it first).
async fn close_round(app: &TestApp, fy: i32) {
    open_round(app, fy).await;
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    for (_, indicator) in plan.indicators().filter(|(_, i)| !i.management) {
        let rating = pdca_core::follow_up::NewRating {
            indicator_id: indicator.id.clone(),
            rating: pdca_core::Rating::N,
            reason: Some("test".into()),
            issue: None,
            solution: None,
        };
        app.store
            .rate(
                BUILTIN_PLAN_ID,
                FiscalYear::new(fy).unwrap(),
                &rating,
                None,
                "test",
            )
            .await
            .unwrap();
    }
    app.store
        .close_round(&plan, FiscalYear::new(fy).unwrap(), "test")
        .await
        .unwrap();
}

async fn a_round_runs_through_the_api_until_it_closes(app: TestApp) {
    let secretariat = app.token(SECRETARIAT).await;
    let body = app.token(BODY).await;
    let committee = app.token(COMMITTEE).await;
    let viewer = app.token(VIEWER).await;
    let open = serde_json::json!({ "fy": "令和4年度" });
    let (status, code, _) = error_code(app.api_post(ROUNDS, &body, &open).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let created = app.api_post(ROUNDS, &secretariat, &open).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let round: Value = created.json().await.unwrap();
    assert_eq!(round["state"], "collecting");
    assert_eq!(round["deadline"], "2023-04-30");
    assert_eq!(round["counts"]["unrated"], 37);
    let again = app.api_post(ROUNDS, &secretariat, &open).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let path = format!("{ROUNDS}/2022");
    let (status, _, _) = error_code(app.api_get(&path, &viewer).await).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "viewers read closed rounds only"
    );
    assert_eq!(
        app.api_get(&path, &committee).await.status(),
        StatusCode::OK
    );

    let ratings = format!("{path}/ratings");
    // p1-out-01 is behind (9 of 15 expected): the engine proposes B.
    let a_without_reason = serde_json::json!({ "indicator_id": "p1-out-01", "rating": "A" });
    for token in [&body, &viewer] {
        let (status, _, _) =
            error_code(app.api_post(&ratings, token, &a_without_reason).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, code, message) =
        error_code(app.api_post(&ratings, &committee, &a_without_reason).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable")
    );
    assert!(message.contains("理由"), "{message}");

    // The secretariat records the committee's decisions: the proposal everywhere, and the
    // B with its issue and solution.
    for indicator in round["indicators"].as_array().unwrap() {
        if indicator["management"] == true {
            continue;
        }
        let id = indicator["id"].as_str().unwrap();
        let proposal = indicator["proposal"].as_str().unwrap_or("N");
        let mut rating = serde_json::json!({ "indicator_id": id, "rating": proposal });
        if proposal == "B" {
            rating["issue"] = "導出先企業の探索が遅れている".into();
            rating["solution"] = "橋渡し支援を強化する".into();
        }
        let response = app.api_post(&ratings, &secretariat, &rating).await;
        assert_eq!(response.status(), StatusCode::OK, "{id}");
    }
    let state = format!("{path}/state");
    for expected in ["meeting_1", "meeting_2"] {
        let moved: Value = app
            .api_post(
                &state,
                &secretariat,
                &serde_json::json!({ "action": "advance" }),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(moved["state"], expected);
    }
    let (status, _, message) = error_code(
        app.api_post(
            &state,
            &secretariat,
            &serde_json::json!({ "action": "advance" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.contains("close"), "{message}");

    // The draft of p1-out-02 FY2022 still awaits approval: closing lists it.
    let close = serde_json::json!({ "action": "close" });
    let (status, _, message) = error_code(app.api_post(&state, &secretariat, &close).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.contains("p1-out-02（amed）"), "{message}");
    let (status, _, _) = error_code(app.api_post(&state, &committee, &close).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for to in [ActualState::Submitted, ActualState::Approved] {
        app.store
            .set_state(
                BUILTIN_PLAN_ID,
                "p1-out-02",
                FiscalYear::new(2022).unwrap(),
                "amed",
                to,
                None,
                None,
                "test",
            )
            .await
            .unwrap();
    }
    // Approving the draft changed p1-out-02's figures, not its rating: closing now works.
    let closed = app.api_post(&state, &secretariat, &close).await;
    assert_eq!(closed.status(), StatusCode::OK);
    let closed: Value = closed.json().await.unwrap();
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["missing_for_close"], serde_json::json!([]));
    assert_eq!(
        closed["issues"].as_array().unwrap().len() as u64,
        closed["counts"]["b"].as_u64().unwrap()
    );
    assert_eq!(
        app.current("p1-out-02", 2022).await.unwrap().state,
        ActualState::Locked
    );
    let shown: Value = app.api_get(&path, &viewer).await.json().await.unwrap();
    assert_eq!(shown["state"], "closed");
    let late = app
        .api_post(
            &format!("{path}/items"),
            &committee,
            &serde_json::json!({ "kind": "opinion", "text": "遅い意見", "links": ["p1-out-01"] }),
        )
        .await;
    assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let matrix: Value = app
        .api_get("/api/v1/plans/medical-rd-2/ratings", &viewer)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(matrix["years"][0]["fiscal_year"], 2022);
    assert!(
        matrix["years"][0]["counts"]["sentence"]
            .as_str()
            .unwrap()
            .starts_with("37項目中")
    );
}

async fn round_items_are_written_by_the_right_roles_and_followed_up(app: TestApp) {
    open_round(&app, 2022).await;
    let secretariat = app.token(SECRETARIAT).await;
    let body = app.token(BODY).await;
    let committee = app.token(COMMITTEE).await;
    let viewer = app.token(VIEWER).await;
    let items = format!("{ROUNDS}/2022/items");
    let post = |token: String, item: Value| {
        let app = &app;
        let items = items.clone();
        async move { app.api_post(&items, &token, &item).await }
    };
    let priority: Value = post(
        secretariat.clone(),
        serde_json::json!({ "kind": "priority_item", "title": "導出の加速", "text": "シーズの導出を加速する", "points": "企業との連携", "links": ["p1-out-01"] }),
    )
    .await
    .json()
    .await
    .unwrap();
    let priority_link = format!("#{}", priority["id"]);
    let clause = post(
        secretariat.clone(),
        serde_json::json!({ "kind": "policy_clause", "title": "第1項", "text": "導出支援に重点配分する", "links": [priority_link, "p1-out-01"], "budget": "創薬支援推進事業" }),
    )
    .await;
    assert_eq!(clause.status(), StatusCode::CREATED);
    let clause: Value = clause.json().await.unwrap();
    let clause_link = format!("#{}", clause["id"]);

    let cases: Vec<(&str, String, Value, StatusCode)> = vec![
        (
            "own measure",
            body.clone(),
            serde_json::json!({ "kind": "priority_measure", "text": "導出支援を拡充", "links": [priority_link, "p1-out-01"] }),
            StatusCode::CREATED,
        ),
        (
            "another body's measure",
            body.clone(),
            serde_json::json!({ "kind": "priority_measure", "body_id": "mhlw", "text": "x" }),
            StatusCode::FORBIDDEN,
        ),
        (
            "a body's clause",
            body.clone(),
            serde_json::json!({ "kind": "policy_clause", "title": "t", "text": "x" }),
            StatusCode::FORBIDDEN,
        ),
        (
            "a committee opinion",
            committee.clone(),
            serde_json::json!({ "kind": "opinion", "text": "企業との対話を増やすべき", "links": [priority_link] }),
            StatusCode::CREATED,
        ),
        (
            "a committee clause",
            committee.clone(),
            serde_json::json!({ "kind": "policy_clause", "title": "t", "text": "x" }),
            StatusCode::FORBIDDEN,
        ),
        (
            "a viewer opinion",
            viewer.clone(),
            serde_json::json!({ "kind": "opinion", "text": "x", "links": ["p1"] }),
            StatusCode::FORBIDDEN,
        ),
        (
            "an opinion about nothing",
            committee.clone(),
            serde_json::json!({ "kind": "opinion", "text": "x" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "an unknown link",
            committee.clone(),
            serde_json::json!({ "kind": "opinion", "text": "x", "links": ["p9-out-99"] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (what, token, item, expected) in cases {
        let response = post(token, item).await;
        assert_eq!(response.status(), expected, "{what}");
    }

    // The next round: the body reports on last year's clause, and the round shows it.
    open_round(&app, 2023).await;
    let status = app
        .api_post(
            &format!("{ROUNDS}/2023/items"),
            &body,
            &serde_json::json!({ "kind": "clause_status", "text": "導出支援の窓口を新設した", "links": [clause_link] }),
        )
        .await;
    assert_eq!(status.status(), StatusCode::CREATED);
    let wrong = app
        .api_post(
            &format!("{ROUNDS}/2023/items"),
            &body,
            &serde_json::json!({ "kind": "clause_status", "text": "x", "links": [priority_link] }),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let round: Value = app
        .api_get(&format!("{ROUNDS}/2023"), &committee)
        .await
        .json()
        .await
        .unwrap();
    let previous = &round["previous_clauses"][0];
    assert_eq!(previous["clause"]["id"], clause["id"]);
    assert_eq!(previous["statuses"][0]["body_id"], "amed");
    assert_eq!(previous["movements"][0]["indicator_id"], "p1-out-01");
    assert!(previous["movements"][0]["pace_before"].is_number());
    let before: Value = app
        .api_get(&format!("{ROUNDS}/2022"), &committee)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["policy_clauses"][0]["budget"], "創薬支援推進事業");
    assert_eq!(before["opinions"].as_array().unwrap().len(), 1);
    assert_eq!(before["priority_measures"][0]["body_id"], "amed");
}

/// The name of an indicator of the built-in plan.
/// Whether every `<script` of `html` loads one of the application's own files (`/static/…`):
/// no inline script, none from elsewhere.
fn no_inline_script(html: &str) -> bool {
    html.matches("<script").count() == html.matches("<script src=\"/static/").count()
}

fn indicator_name(id: &str) -> String {
    builtin_plan()
        .unwrap()
        .indicator(id)
        .map(|i| i.name.clone())
        .unwrap()
}

/// How the round page names an indicator in the list of what is missing: its full name and
/// its project, 「非臨床POCの取得件数（医薬品プロジェクト）」 (the same name recurs in several
/// projects).
fn missing_name(id: &str) -> String {
    let plan = builtin_plan().unwrap();
    let indicator = plan.indicator(id).unwrap();
    format!(
        "{}（{}）",
        plan.full_name(indicator, "（", "）"),
        plan.project_of(id).unwrap().name
    )
}

async fn round_pages_and_forms_work_in_the_browser(app: TestApp) {
    let browser = app.signed_in(SECRETARIAT).await;
    let csrf = browser.csrf_of("/rounds").await;
    let opened = browser
        .post_form(
            "/rounds",
            &[("csrf", &csrf), ("fy", "2022"), ("deadline", "")],
        )
        .await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    assert!(location(&opened).starts_with("/rounds/2022"));
    let html = browser.get_page("/rounds/2022").await.text().await.unwrap();
    assert!(html.contains("実績収集中"), "{html}");
    assert!(html.contains("37項目中0項目がA"));
    let name = missing_name("p1-out-01");
    assert!(html.contains(&format!(
        "<a href=\"#ind-p1-out-01\">{name}: 評価がありません</a>"
    )));

    let refused = browser
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", "wrong"),
                ("indicator", "p1-out-01"),
                ("rating", "B"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let no_reason = browser
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", "p1-out-01"),
                ("rating", "A"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text().await.unwrap().contains("理由"));
    let rated = browser
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", "p1-out-01"),
                ("rating", "B"),
                ("issue", "導出先の探索が遅れている <b>"),
                ("solution", ""),
            ],
        )
        .await;
    assert_eq!(rated.status(), StatusCode::SEE_OTHER);
    let html = entities(&browser.get_page("/rounds/2022").await.text().await.unwrap());
    assert!(html.contains("導出先の探索が遅れている &lt;b&gt;"));
    assert!(html.contains(&format!("{name}: B と評価されていますが解決策がありません")));
    // A second tab that read no rating yet is refused, on the page and in the API.
    let stale = browser
        .post_form(
            "/rounds/2022/ratings",
            &[
                ("csrf", &csrf),
                ("indicator", "p1-out-01"),
                ("rating", "N"),
                ("reason", "別の見方"),
                ("version", "none"),
            ],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(stale.text().await.unwrap().contains("更新しました"));
    let token = app.token(COMMITTEE).await;
    let (status, code, _) = error_code(
        app.api_post(
            &format!("{ROUNDS}/2022/ratings"),
            &token,
            &serde_json::json!({ "indicator_id": "p1-out-01", "rating": "B", "version": "none" }),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));

    let added = browser
        .post_form(
            "/rounds/2022/items",
            &[
                ("csrf", &csrf),
                ("kind", "priority_item"),
                ("title", "導出の加速"),
                ("text", "シーズの導出を加速する"),
                ("links", "p1-out-01、p1"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let advanced = browser
        .post_form(
            "/rounds/2022/state",
            &[("csrf", &csrf), ("action", "advance")],
        )
        .await;
    assert_eq!(advanced.status(), StatusCode::SEE_OTHER);
    let closing = browser
        .post_form(
            "/rounds/2022/state",
            &[("csrf", &csrf), ("action", "close")],
        )
        .await;
    assert_eq!(closing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = closing.text().await.unwrap();
    assert!(html.contains("終了できません"), "{html}");
    let page = browser.get_page("/rounds/2022").await.text().await.unwrap();
    assert!(page.contains("第1回会合"));
    assert!(page.contains("導出の加速"));

    let trace = browser
        .get_page("/trace/p1-out-01")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        trace.contains("導出の加速"),
        "the priority item about the indicator"
    );
    assert!(trace.contains("導出先の探索が遅れている"));

    let calendar = browser.get_page("/calendar.ics").await;
    assert!(
        calendar.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let calendar = calendar.text().await.unwrap();
    assert!(calendar.contains("BEGIN:VCALENDAR"));
    assert!(
        calendar.contains("DTSTART;VALUE=DATE:20230430"),
        "{calendar}"
    );

    let tasks = browser.get_page("/tasks").await.text().await.unwrap();
    assert!(tasks.contains("非臨床POCの取得件数"), "{tasks}");
    assert!(tasks.contains("B・解決策が未記入"), "{tasks}");
    assert!(
        tasks.contains("/rounds/2022?plan=medical-rd-2#ind-p1-out-01"),
        "{tasks}"
    );
    let english = browser
        .get_page("/rounds/2022?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(english.contains("Meeting ①"), "{english}");
}

async fn round_routes_by_role(app: TestApp) {
    use Role::*;
    open_round(&app, 2022).await;
    let all = [Secretariat, Body, Committee, Viewer];
    let not_viewer = [Secretariat, Body, Committee];
    let pages: [(&str, &[Role]); 6] = [
        ("/rounds", &all),
        ("/rounds/2022", &not_viewer),
        ("/trace/p1-out-01", &all),
        ("/tasks", &all),
        ("/calendar.ics", &all),
        ("/rounds/2022?done=saved", &not_viewer),
    ];
    let api: [(&str, &[Role]); 5] = [
        (ROUNDS, &all),
        ("/api/v1/plans/medical-rd-2/rounds/2022", &not_viewer),
        ("/api/v1/plans/medical-rd-2/ratings", &all),
        ("/api/v1/plans/medical-rd-2/meetings", &all),
        ("/api/v1/plans/medical-rd-2/rounds/R4", &not_viewer),
    ];
    let writes: [(&str, Value, &[Role]); 3] = [
        (
            "/api/v1/plans/medical-rd-2/rounds",
            serde_json::json!({ "fy": 2030 }),
            &[Secretariat],
        ),
        (
            "/api/v1/plans/medical-rd-2/rounds/2022/state",
            serde_json::json!({ "action": "nothing" }),
            &[Secretariat],
        ),
        (
            "/api/v1/plans/medical-rd-2/rounds/2022/ratings",
            serde_json::json!({ "indicator_id": "p9", "rating": "A" }),
            &[Secretariat, Committee],
        ),
    ];
    for (name, role) in [
        (SECRETARIAT, Secretariat),
        (BODY, Body),
        (COMMITTEE, Committee),
        (VIEWER, Viewer),
    ] {
        let browser = app.signed_in(name).await;
        let token = app.token(name).await;
        for (path, allowed) in pages {
            let response = browser.get_page(path).await;
            let expected = if allowed.contains(&role) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(response.status(), expected, "{role} {path}");
        }
        for (path, allowed) in api {
            let response = app.api_get(path, &token).await;
            let expected = if allowed.contains(&role) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(response.status(), expected, "{role} {path}");
        }
        for (path, body, allowed) in &writes {
            let response = app.api_post(path, &token, body).await;
            // Allowed roles get past the role check to the rules, which refuse the nonsense.
            if allowed.contains(&role) {
                assert!(
                    matches!(
                        response.status(),
                        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST
                    ),
                    "{role} {path}: {}",
                    response.status()
                );
            } else {
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} {path}");
            }
        }
        // The forms: the role check comes first, then the rules refuse the nonsense.
        let csrf = browser.csrf_of("/tasks").await;
        type Form<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [Role]);
        let forms: [Form; 7] = [
            (
                "/rounds/2022/meetings/999999/minutes",
                &[("minutes", "x")],
                &[Secretariat],
            ),
            ("/rounds", &[("fy", "2030")], &[Secretariat]),
            ("/rounds/2022/state", &[("action", "close")], &[Secretariat]),
            (
                "/rounds/2022/ratings",
                &[("indicator", "p9"), ("rating", "A")],
                &[Secretariat, Committee],
            ),
            ("/rounds/2022/meetings", &[("number", "x")], &[Secretariat]),
            (
                "/rounds/2022/items/999999/reflected",
                &[("reflected", "1")],
                &[Secretariat],
            ),
            (
                "/rounds/2022/items",
                &[("kind", "policy_clause"), ("text", "")],
                &[Secretariat],
            ),
        ];
        for (path, fields, allowed) in forms {
            let mut fields = fields.to_vec();
            fields.push(("csrf", &csrf));
            let response = browser.post_form(path, &fields).await;
            if allowed.contains(&role) {
                assert_eq!(
                    response.status(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{role} {path}"
                );
            } else {
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} {path}");
            }
        }
        // Session writes without the CSRF header are refused.
        let response = browser
            .client
            .post(app.url("/api/v1/plans/medical-rd-2/rounds/2022/ratings"))
            .json(&serde_json::json!({ "indicator_id": "p1-out-02", "rating": "A" }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{role} without CSRF"
        );
    }
}

async fn meetings_and_the_schedule_show_on_the_pages(app: TestApp) {
    // The round of FY2022 was due on 2023-04-30, long past: reports are overdue.
    open_round(&app, 2022).await;
    let browser = app.signed_in(SECRETARIAT).await;
    let csrf = browser.csrf_of("/rounds/2022").await;
    let bad = browser
        .post_form(
            "/rounds/2022/meetings",
            &[
                ("csrf", &csrf),
                ("number", "35"),
                ("kind", "1"),
                ("date", "2023-02-30"),
                ("agenda", ""),
                ("materials", ""),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("2023-02-30"));
    let added = browser
        .post_form(
            "/rounds/2022/meetings",
            &[
                ("csrf", &csrf),
                ("number", "３５"),
                ("kind", "1"),
                ("date", "2023-05-20"),
                ("agenda", ""),
                ("materials", "資料1:議事次第\n資料2-1:進捗状況"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let committee = app.signed_in(COMMITTEE).await;
    let html = committee
        .get_page("/rounds/2022")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("第35回健康・医療戦略推進専門調査会（①）令和5年5月20日"),
        "{html}"
    );
    assert!(
        html.contains("令和4年度の実施状況の報告"),
        "the drafted agenda"
    );
    assert!(html.contains("資料2-1 進捗状況"));
    assert!(
        !html.contains("meeting-form"),
        "only the secretariat adds meetings"
    );

    // A material with a file, added through the store, downloads from the page's link.
    let plan = app.store.plan(BUILTIN_PLAN_ID).await.unwrap().unwrap();
    let meeting = app
        .store
        .add_meeting(
            &pdca_store::NewMeeting {
                plan_id: plan.id.clone(),
                fiscal_year: Some(FiscalYear::new(2022).unwrap()),
                committee: "健康・医療戦略推進専門調査会".into(),
                number: 36,
                kind: pdca_core::follow_up::MeetingKind::Second,
                date: pdca_core::follow_up::parse_date("2023-07-15").unwrap(),
                agenda: vec!["資源配分方針".into()],
                materials: vec![(
                    pdca_core::follow_up::Material {
                        label: "資料1".into(),
                        title: "資源配分方針（案）".into(),
                        file_name: Some("方針案.pdf".into()),
                    },
                    Some(b"%PDF-1.4 test".to_vec()),
                )],
            },
            "test",
        )
        .await
        .unwrap();
    let html = committee
        .get_page("/rounds/2022")
        .await
        .text()
        .await
        .unwrap();
    let link = format!(
        "/meetings/{}/materials/%E8%B3%87%E6%96%991?plan=medical-rd-2",
        meeting.id
    );
    assert!(
        html.contains(&link.replace('&', "&amp;")) || html.contains(&link),
        "{html}"
    );
    let file = committee.get_page(&link).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("UTF-8''%E6%96%B9")
    );
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4 test");

    // A material's file uploaded on the round page: by the secretariat only, with the token;
    // a new material needs its title; the file is then downloadable.
    let materials_path = format!("/rounds/2022/meetings/{}/materials", meeting.id);
    let attach = |browser: &Browser, csrf: String, label: &str, title: &str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("plan", "medical-rd-2")
            .text("label", label.to_owned())
            .text("title", title.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"PK\x03\x04 xlsx".to_vec())
                    .file_name("参考資料2.xlsx"),
            );
        browser
            .client
            .post(format!("{}{materials_path}", browser.base))
            .multipart(form)
            .send()
    };
    let committee_csrf = committee.csrf_of("/rounds/2022").await;
    let refused = attach(&committee, committee_csrf, "参考資料2", "府省の取組")
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let no_token = attach(&browser, "wrong".into(), "参考資料2", "府省の取組")
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let untitled = attach(&browser, csrf.clone(), "参考資料2", "")
        .await
        .unwrap();
    assert_eq!(untitled.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(untitled.text().await.unwrap().contains("題名"));
    let attached = attach(&browser, csrf.clone(), "参考資料２", "府省の<取組>")
        .await
        .unwrap();
    assert_eq!(attached.status(), StatusCode::SEE_OTHER);
    let html = committee
        .get_page("/rounds/2022")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("府省の&#60;取組&#62;") || html.contains("府省の&lt;取組&gt;"),
        "{html}"
    );
    let file = committee
        .get_page(&format!(
            "/meetings/{}/materials/%E5%8F%82%E8%80%83%E8%B3%87%E6%96%992?plan=medical-rd-2",
            meeting.id
        ))
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"PK\x03\x04 xlsx");

    // Minutes, an opinion raised at a meeting, a revision proposal naming a plan revision.
    let minutes_path = format!("/rounds/2022/meetings/{}/minutes", meeting.id);
    let empty = browser
        .post_form(&minutes_path, &[("csrf", &csrf), ("minutes", "　")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved = browser
        .post_form(
            &minutes_path,
            &[("csrf", &csrf), ("minutes", "方針案を了承した。")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let meeting_id = meeting.id.to_string();
    let opinion = committee
        .post_form(
            "/rounds/2022/items",
            &[
                ("csrf", &committee.csrf_of("/rounds/2022").await),
                ("kind", "opinion"),
                ("text", "導出の指標を見直すべき"),
                ("links", "p1-out-01"),
                ("meeting", &meeting_id),
            ],
        )
        .await;
    assert_eq!(opinion.status(), StatusCode::SEE_OTHER);
    let proposal = browser
        .post_form(
            "/rounds/2022/items",
            &[
                ("csrf", &csrf),
                ("kind", "revision_proposal"),
                ("text", "導出件数の目標を見直す"),
                ("plan_revision", "２"),
            ],
        )
        .await;
    assert_eq!(proposal.status(), StatusCode::SEE_OTHER);
    let items = app
        .store
        .round_items(BUILTIN_PLAN_ID, Some(FiscalYear::new(2022).unwrap()))
        .await
        .unwrap();
    assert_eq!(items[0].meeting_id, Some(meeting.id));
    assert_eq!(items[0].author, COMMITTEE);
    assert_eq!(items[1].plan_revision, Some(2));
    let meetings = app.store.meetings(BUILTIN_PLAN_ID).await.unwrap();
    assert_eq!(meetings[1].minutes.as_deref(), Some("方針案を了承した。"));

    // The dashboard shows the deadline, the meetings and who has not reported.
    let dashboard = committee.get_page("/").await.text().await.unwrap();
    assert!(dashboard.contains("令和5年4月30日"), "{dashboard}");
    assert!(dashboard.contains("第36回健康・医療戦略推進専門調査会（②）"));
    assert!(dashboard.contains("期限を過ぎた未報告"));
    assert!(dashboard.contains("p1-out-03"));
    let body = app.signed_in(BODY).await;
    let tasks = body.get_page("/tasks").await.text().await.unwrap();
    let unreported = &tasks[tasks.find("id=\"work-unreported\"").unwrap()..];
    let unreported = &unreported[..unreported.find("</section>").unwrap()];
    assert!(unreported.contains("臨床POCの取得件数"), "{tasks}");
    assert!(unreported.contains("#ind-p1-out-03"), "{tasks}");
    assert!(
        !unreported.contains("#ind-p1-out-01\""),
        "p1-out-01 FY2022 was reported: {tasks}"
    );
}

async fn the_report_downloads_from_the_page_and_the_api(app: TestApp) {
    open_round(&app, 2022).await;
    let browser = app.signed_in(COMMITTEE).await;
    let page = browser.get_page("/rounds/2022").await.text().await.unwrap();
    assert!(page.contains("/rounds/2022/report/xlsx?plan=medical-rd-2"));
    let md = browser.get_page("/rounds/2022/report/md").await;
    assert_eq!(md.status(), StatusCode::OK);
    assert!(
        md.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let md = md.text().await.unwrap();
    assert!(
        md.contains("| p1-out-01 | 非臨床POCの取得件数 | 25件 |"),
        "{md}"
    );
    let xlsx = browser.get_page("/rounds/2022/report/xlsx").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(
        xlsx.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("followup-medical-rd-2-2022.xlsx")
    );
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
    let pdf = browser.get_page("/rounds/2022/report/pdf").await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let bad = browser.get_page("/rounds/2022/report/docx").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let viewer = app.token(VIEWER).await;
    let path = "/api/v1/plans/medical-rd-2/rounds/2022/report?format=md";
    assert_eq!(
        app.api_get(path, &viewer).await.status(),
        StatusCode::FORBIDDEN
    );
    let committee = app.token(COMMITTEE).await;
    let by_api = app.api_get(path, &committee).await.text().await.unwrap();
    assert_eq!(by_api, md);
}

async fn a_body_downloads_its_collection_workbook(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let page = body.get_page("/entry?fy=2023").await.text().await.unwrap();
    assert!(
        page.contains("/entry/template?plan=medical-rd-2&amp;fy=2023&amp;body=amed"),
        "{page}"
    );
    let file = body.get_page("/entry/template?fy=2023").await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("template-amed-2023.xlsx")
    );
    let bytes = file.bytes().await.unwrap();
    let table = pdca_interchange::read_table("template.xlsx", &bytes).unwrap();
    assert_eq!(table.sheet.as_deref(), Some("実績"));
    let plan = builtin_plan().unwrap();
    let amed = plan
        .indicators()
        .filter(|(_, i)| i.assignments.iter().any(|a| a.body == "amed"))
        .count();
    assert_eq!(table.rows.len(), amed);
    // Another body's workbook is not this body's to take; viewers and the committee have none.
    let other = body.get_page("/entry/template?fy=2023&body=mhlw").await;
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    for name in [VIEWER, COMMITTEE] {
        let browser = app.signed_in(name).await;
        assert_eq!(
            browser.get_page("/entry/template?fy=2023").await.status(),
            StatusCode::FORBIDDEN
        );
    }
}

async fn open_data_is_public_and_holds_closed_rounds_only(app: TestApp) {
    // Nothing is closed yet: the files exist, with headers only.
    let index = app.get("/open-data").await;
    assert_eq!(
        index.status(),
        StatusCode::OK,
        "readable without signing in"
    );
    assert!(index.text().await.unwrap().contains("actuals.csv"));
    let empty = app
        .get("/open-data/actuals.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(empty.lines().count(), 1);
    // Close FY2021's round (p1-out-01 and p1-out-02 have approved values for it).
    close_round(&app, 2021).await;
    let csv = app.get("/open-data/actuals.csv").await;
    assert!(
        csv.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("medical-rd-2,p1,p1-out-01,非臨床POCの取得件数,2021,令和3年度,amed,4,"),
        "{csv}"
    );
    assert!(!csv.contains(",2022,"));
    let ratings: Value = app
        .get("/open-data/ratings.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ratings["rows"].as_array().unwrap().len(), 37);
    assert_eq!(
        app.get("/open-data/secrets.csv").await.status(),
        StatusCode::NOT_FOUND
    );
}
