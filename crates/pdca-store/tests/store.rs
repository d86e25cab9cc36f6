//! The store's behaviour, each test run on a fresh SQLite file and on a fresh PostgreSQL database
//! (named by `PDCA_TEST_POSTGRES_URL`, e.g. `postgres://postgres@127.0.0.1:5432/test`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU32, Ordering};

use futures::FutureExt;
use pdca_core::plan::{Assignment, Plan};
use pdca_core::plan_file::parse_plan;
use pdca_core::{ActualValue, Actuals, Contribution, FiscalYear};
use pdca_store::{Backend, NewActual, SaveOutcome, Store, StoreError};
use sqlx::{AssertSqlSafe, Connection, Executor};

// ---------------------------------------------------------------------------------------------
// Harness: one test body, two databases.

/// A fresh database with a store open on it.
struct TestDb {
    store: Store,
    /// What the store was opened with, for tests that open it again.
    url: String,
}

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    crate::with_sqlite(crate::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    crate::with_postgres(crate::$name).await;
                }
            )*
        }
    };
}

on_both_databases!(
    opening_twice_reapplies_no_migration,
    a_saved_plan_loads_back_equal,
    plans_are_listed_by_id,
    revisions_form_the_history,
    saving_the_same_revision_again_changes_nothing,
    an_older_or_altered_revision_is_refused,
    assignment_edits_apply_and_are_audited,
    assignments_survive_a_new_revision,
    a_changed_value_keeps_its_history,
    a_failing_batch_writes_nothing,
    a_batch_naming_an_unknown_indicator_writes_nothing,
    a_large_batch_is_counted_and_the_last_row_wins,
    a_stale_version_is_a_conflict,
    concurrent_editors_cannot_both_win,
    actuals_sum_the_current_values_of_bodies,
    an_unknown_plan_is_not_found,
);

async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = dir.path().join("pdca.sqlite3").display().to_string();
    let store = Store::open(&url).await.expect("open a fresh SQLite file");
    assert_eq!(store.backend(), Backend::Sqlite);
    test(TestDb {
        store: store.clone(),
        url,
    })
    .await;
    store.close().await;
}

async fn with_postgres<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(server) = std::env::var("PDCA_TEST_POSTGRES_URL") else {
        panic!(
            "PDCA_TEST_POSTGRES_URL is not set: set it to a PostgreSQL server the tests may \
             create databases on, e.g. PDCA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
        );
    };
    let name = unique_database_name();
    let mut admin = sqlx::postgres::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PDCA_TEST_POSTGRES_URL={server}: {e}"));
    // The name is made of letters, digits and underscores only.
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create the test database");
    let url = database_url(&server, &name);
    let store = Store::open(&url).await.expect("open the fresh database");
    assert_eq!(store.backend(), Backend::Postgres);
    let outcome = AssertUnwindSafe(test(TestDb {
        store: store.clone(),
        url,
    }))
    .catch_unwind()
    .await;
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

fn unique_database_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "pdca_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `server` with its database replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[tokio::test]
async fn an_in_memory_sqlite_database_keeps_its_data_across_calls() {
    let store = Store::open("sqlite::memory:").await.unwrap();
    let plan = plan(1);

    store.save_plan(&plan, None, "tester").await.unwrap();
    store
        .record_actuals(PLAN_ID, &[number(COUNT, 2021, "amed", 1.0)], "tester")
        .await
        .unwrap();

    assert_eq!(store.plan(PLAN_ID).await.unwrap(), Some(plan));
    assert_eq!(store.current_actuals(PLAN_ID).await.unwrap().len(), 1);
    store.close().await;
}

#[tokio::test]
async fn a_file_path_with_unusual_characters_is_created_where_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("年度 #1?%20.sqlite3");

    let store = Store::open(&path.display().to_string()).await.unwrap();
    store.save_plan(&plan(1), None, "tester").await.unwrap();
    store.close().await;
    let again = Store::open(&path.display().to_string()).await.unwrap();
    // In a URL, the path is percent-encoded as usual.
    let url = format!("sqlite://{}", dir.path().join("plain.db").display());
    let by_url = Store::open(&url).await.unwrap();

    assert!(path.is_file());
    assert_eq!(again.list_plans().await.unwrap().len(), 1);
    assert!(dir.path().join("plain.db").is_file());
    assert!(by_url.list_plans().await.unwrap().is_empty());
    again.close().await;
    by_url.close().await;
}

#[tokio::test]
async fn an_unusable_url_is_refused() {
    let result = Store::open("mysql://localhost/pdca").await;

    assert!(
        matches!(result, Err(StoreError::InvalidUrl { .. })),
        "{:?}",
        result.err()
    );
}

// ---------------------------------------------------------------------------------------------
// Plans and values used by the tests.

const PLAN_ID: &str = "test-plan";
const COUNT: &str = "p1-out-01";
const RATIO: &str = "p1-out-02";
const STATUS: &str = "p1-oth-01";
const NEW_IN_2: &str = "p1-out-03";

/// A small plan: three bodies, a count reported by two bodies (one with a share, listed out of
/// body order), a ratio and a narrative indicator. Revision 2 adds an indicator and lists
/// different bodies for the count.
fn plan_text(revision: u32) -> String {
    let (effective_from, count_bodies, extra) = match revision {
        1 => (2020, r#"[{ body = "mext", share = 2.0 }, "amed"]"#, ""),
        _ => (
            2022,
            r#"["amed"]"#,
            r#"
[[projects.indicators]]
id = "p1-out-03"
name = "新しい指標"
kind = "output"
group = "シーズ研究に関する指標"
measure = "count"
target = { value = 10 }
bodies = ["mhlw"]
"#,
        ),
    };
    format!(
        r#"
[plan]
id = "{PLAN_ID}"
name = "テスト計画"
start_fy = 2020
end_fy = 2024
revision = {revision}
effective_from = {effective_from}
default_bodies = ["amed"]

[[bodies]]
id = "amed"
name = "国立研究開発法人日本医療研究開発機構"
short_name = "AMED"

[[bodies]]
id = "mext"
name = "文部科学省"

[[bodies]]
id = "mhlw"
name = "厚生労働省"

[[projects]]
id = "p1"
name = "医薬品プロジェクト"

[[projects.indicators]]
id = "{COUNT}"
name = "非臨床POCの取得件数"
kind = "output"
group = "シーズ研究に関する指標"
measure = "count"
target = {{ value = 25 }}
bodies = {count_bodies}

[[projects.indicators]]
id = "{RATIO}"
name = "治験の完了率"
kind = "outcome"
group = "臨床研究に関する指標"
measure = "ratio"
target = {{ value = 75 }}

[[projects.indicators]]
id = "{STATUS}"
name = "実用化の状況"
kind = "outcome"
group = "その他管理指標"
management = true
measure = "qualitative"
bodies = ["amed", "mhlw"]
{extra}"#
    )
}

fn plan(revision: u32) -> Plan {
    parse_plan("test-plan.toml", &plan_text(revision)).unwrap_or_else(|e| panic!("{e}"))
}

fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).unwrap()
}

fn number(indicator: &str, year: i32, body: &str, value: f64) -> NewActual {
    NewActual::new(Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Number(value),
    })
}

fn ratio(year: i32, body: &str, numerator: f64, denominator: f64) -> NewActual {
    NewActual::new(Contribution {
        indicator: RATIO.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Ratio {
            numerator,
            denominator,
        },
    })
}

fn narrative(year: i32, body: &str, text: &str) -> NewActual {
    NewActual::new(Contribution {
        indicator: STATUS.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Narrative(text.into()),
    })
}

fn bodies_of(plan: &Plan, indicator: &str) -> Vec<Assignment> {
    plan.indicator(indicator).unwrap().assignments.clone()
}

fn assignment(body: &str, share: Option<f64>) -> Assignment {
    Assignment {
        body: body.into(),
        share,
    }
}

async fn saved(db: &TestDb, revision: u32) -> Plan {
    let plan = plan(revision);
    db.store
        .save_plan(&plan, Some(&plan_text(revision)), "tester")
        .await
        .unwrap();
    plan
}

// ---------------------------------------------------------------------------------------------
// Schema

async fn opening_twice_reapplies_no_migration(db: TestDb) {
    saved(&db, 1).await;

    let again = Store::open(&db.url)
        .await
        .expect("open the same database again");

    assert_eq!(again.list_plans().await.unwrap().len(), 1);
    assert_eq!(again.plan(PLAN_ID).await.unwrap(), Some(plan(1)));
    again.close().await;
}

// ---------------------------------------------------------------------------------------------
// Plans

async fn a_saved_plan_loads_back_equal(db: TestDb) {
    let plan = plan(1);

    let outcome = db
        .store
        .save_plan(&plan, Some(&plan_text(1)), "tester")
        .await
        .unwrap();

    assert_eq!(outcome, SaveOutcome::Created);
    assert_eq!(db.store.plan(PLAN_ID).await.unwrap(), Some(plan.clone()));
    assert_eq!(
        db.store.plan_revision(PLAN_ID, 1).await.unwrap(),
        Some(plan.clone())
    );
    assert_eq!(db.store.plan_revision(PLAN_ID, 2).await.unwrap(), None);
    assert_eq!(
        db.store.plan_source(PLAN_ID, 1).await.unwrap(),
        Some(plan_text(1))
    );
    let list = db.store.list_plans().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].id.as_str(), list[0].name.as_str(), list[0].revision),
        (PLAN_ID, "テスト計画", 1)
    );
    assert_eq!((list[0].start_fy, list[0].end_fy), (fy(2020), fy(2024)));
    // The plan's own order of bodies survives the assignments table.
    assert_eq!(
        bodies_of(&plan, COUNT),
        vec![assignment("mext", Some(2.0)), assignment("amed", None)]
    );
}

async fn plans_are_listed_by_id(db: TestDb) {
    saved(&db, 1).await;
    let mut other = plan(1);
    other.id = "a-plan".into();
    other.name = "別の計画".into();
    db.store.save_plan(&other, None, "tester").await.unwrap();

    let ids: Vec<String> = db
        .store
        .list_plans()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();

    assert_eq!(ids, vec!["a-plan", PLAN_ID]);
}

async fn revisions_form_the_history(db: TestDb) {
    saved(&db, 1).await;
    let second = plan(2);

    let outcome = db.store.save_plan(&second, None, "tester").await.unwrap();

    assert_eq!(outcome, SaveOutcome::NewRevision);
    let current = db.store.plan(PLAN_ID).await.unwrap().unwrap();
    assert_eq!(current.revision, 2);
    assert!(current.indicator(NEW_IN_2).is_some());
    assert_eq!(db.store.list_plans().await.unwrap()[0].revision, 2);
    assert_eq!(db.store.plan_source(PLAN_ID, 2).await.unwrap(), None);
    let history = db.store.plan_history(PLAN_ID).await.unwrap().unwrap();
    let revisions: Vec<u32> = history.versions().iter().map(|p| p.revision).collect();
    assert_eq!(revisions, vec![1, 2]);
    assert_eq!(history.in_force(fy(2021)).revision, 1);
    assert_eq!(history.in_force(fy(2023)).revision, 2);
    assert_eq!(db.store.plan_history("other").await.unwrap(), None);
}

async fn saving_the_same_revision_again_changes_nothing(db: TestDb) {
    saved(&db, 1).await;
    saved(&db, 2).await;

    let same = db.store.save_plan(&plan(2), None, "tester").await.unwrap();
    let older_same = db.store.save_plan(&plan(1), None, "tester").await.unwrap();

    assert_eq!(same, SaveOutcome::Unchanged);
    assert_eq!(older_same, SaveOutcome::Unchanged);
    let actions: Vec<String> = db
        .store
        .audit_log(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, vec!["plan.revise", "plan.create"]);
}

async fn an_older_or_altered_revision_is_refused(db: TestDb) {
    saved(&db, 1).await;
    saved(&db, 2).await;
    let mut altered_old = plan(1);
    altered_old.name = "書き換えた計画".into();
    let mut altered_current = plan(2);
    altered_current.on_track_threshold = 0.9;
    let mut goes_back = plan(2);
    goes_back.revision = 3;
    goes_back.effective_from = fy(2021);

    let old = db.store.save_plan(&altered_old, None, "tester").await;
    let current = db.store.save_plan(&altered_current, None, "tester").await;
    let back = db.store.save_plan(&goes_back, None, "tester").await;

    assert!(
        matches!(
            old,
            Err(StoreError::PlanRevisionExists {
                revision: 1,
                latest: 2,
                ..
            })
        ),
        "{old:?}"
    );
    assert!(
        matches!(
            current,
            Err(StoreError::PlanRevisionExists {
                revision: 2,
                latest: 2,
                ..
            })
        ),
        "{current:?}"
    );
    assert!(matches!(back, Err(StoreError::Invalid(_))), "{back:?}");
    assert_eq!(
        db.store
            .plan_revision(PLAN_ID, 1)
            .await
            .unwrap()
            .unwrap()
            .name,
        "テスト計画"
    );
    let current = db.store.plan(PLAN_ID).await.unwrap().unwrap();
    assert_eq!((current.revision, current.on_track_threshold), (2, 1.0));
    assert_eq!(db.store.audit_log(10).await.unwrap().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Assignments

async fn assignment_edits_apply_and_are_audited(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;

    store
        .set_assignment(PLAN_ID, COUNT, "mhlw", None, "editor")
        .await
        .unwrap();
    store
        .set_assignment(PLAN_ID, COUNT, "mhlw", Some(1.0), "editor")
        .await
        .unwrap();
    store
        .set_assignment(PLAN_ID, COUNT, "mext", Some(3.0), "editor")
        .await
        .unwrap();
    store
        .set_assignment(PLAN_ID, COUNT, "mext", Some(3.0), "editor")
        .await
        .unwrap();
    store
        .remove_assignment(PLAN_ID, COUNT, "amed", "editor")
        .await
        .unwrap();

    let plan = store.plan(PLAN_ID).await.unwrap().unwrap();
    assert_eq!(
        bodies_of(&plan, COUNT),
        vec![assignment("mext", Some(3.0)), assignment("mhlw", Some(1.0))]
    );
    let log = store.audit_log(10).await.unwrap();
    // (action, subject, old value, new value, actor)
    type Line<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, &'a str);
    let summary: Vec<Line> = log
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.subject.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
                e.actor.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "assignment.remove",
                "test-plan/p1-out-01/amed",
                Some(r#"{"body":"amed","share":null}"#),
                None,
                "editor"
            ),
            (
                "assignment.set",
                "test-plan/p1-out-01/mext",
                Some(r#"{"body":"mext","share":2.0}"#),
                Some(r#"{"body":"mext","share":3.0}"#),
                "editor"
            ),
            (
                "assignment.set",
                "test-plan/p1-out-01/mhlw",
                Some(r#"{"body":"mhlw","share":null}"#),
                Some(r#"{"body":"mhlw","share":1.0}"#),
                "editor"
            ),
            (
                "assignment.set",
                "test-plan/p1-out-01/mhlw",
                None,
                Some(r#"{"body":"mhlw","share":null}"#),
                "editor"
            ),
            ("plan.create", "test-plan", None, Some("1"), "tester"),
        ]
    );
    assert!(log.windows(2).all(|w| w[0].id > w[1].id));
    assert!(
        time::OffsetDateTime::parse(&log[0].at, &time::format_description::well_known::Rfc3339)
            .is_ok()
    );

    // Refusals.
    let unknown_body = store
        .set_assignment(PLAN_ID, COUNT, "mof", None, "editor")
        .await;
    let unknown_indicator = store
        .set_assignment(PLAN_ID, "p9", "amed", None, "editor")
        .await;
    let unknown_plan = store
        .set_assignment("nope", COUNT, "amed", None, "editor")
        .await;
    let negative = store
        .set_assignment(PLAN_ID, COUNT, "amed", Some(-1.0), "editor")
        .await;
    let not_assigned = store
        .remove_assignment(PLAN_ID, RATIO, "mext", "editor")
        .await;
    let last = store
        .remove_assignment(PLAN_ID, RATIO, "amed", "editor")
        .await;
    assert!(
        matches!(unknown_body, Err(StoreError::NotFound(_))),
        "{unknown_body:?}"
    );
    assert!(
        matches!(unknown_indicator, Err(StoreError::NotFound(_))),
        "{unknown_indicator:?}"
    );
    assert!(
        matches!(unknown_plan, Err(StoreError::NotFound(_))),
        "{unknown_plan:?}"
    );
    assert!(
        matches!(negative, Err(StoreError::Invalid(_))),
        "{negative:?}"
    );
    assert!(
        matches!(not_assigned, Err(StoreError::NotFound(_))),
        "{not_assigned:?}"
    );
    assert!(matches!(last, Err(StoreError::Invalid(_))), "{last:?}");
    assert_eq!(store.audit_log(10).await.unwrap().len(), 5);
}

async fn assignments_survive_a_new_revision(db: TestDb) {
    saved(&db, 1).await;
    db.store
        .set_assignment(PLAN_ID, COUNT, "mhlw", None, "editor")
        .await
        .unwrap();

    saved(&db, 2).await;

    let current = db.store.plan(PLAN_ID).await.unwrap().unwrap();
    // Revision 2's file lists only amed for the count; the edited assignments stay.
    assert_eq!(
        bodies_of(&current, COUNT),
        vec![
            assignment("amed", None),
            assignment("mext", Some(2.0)),
            assignment("mhlw", None)
        ]
    );
    // The indicator new in revision 2 starts with the file's bodies.
    assert_eq!(
        bodies_of(&current, NEW_IN_2),
        vec![assignment("mhlw", None)]
    );
    let first = db.store.plan_revision(PLAN_ID, 1).await.unwrap().unwrap();
    assert_eq!(
        bodies_of(&first, COUNT),
        vec![
            assignment("mext", Some(2.0)),
            assignment("amed", None),
            assignment("mhlw", None)
        ]
    );
    let log = db.store.audit_log(1).await.unwrap();
    assert_eq!(
        (
            log[0].action.as_str(),
            log[0].old_value.as_deref(),
            log[0].new_value.as_deref()
        ),
        ("plan.revise", Some("1"), Some("2"))
    );
}

// ---------------------------------------------------------------------------------------------
// Actuals

async fn a_changed_value_keeps_its_history(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    let mut first = number(COUNT, 2021, "amed", 3.0);
    first.note = Some("速報値".into());
    first.source = Some("報告書A".into());

    store
        .record_actuals(PLAN_ID, &[first.clone()], "alice")
        .await
        .unwrap();
    store
        .record_actuals(PLAN_ID, &[number(COUNT, 2021, "amed", 5.0)], "bob")
        .await
        .unwrap();

    let current = store.current_actuals(PLAN_ID).await.unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].contribution.value, ActualValue::Number(5.0));
    assert_eq!(current[0].recorded_by, "bob");
    assert_eq!(current[0].note, None);
    let history = store
        .revisions_of(PLAN_ID, COUNT, Some(fy(2021)))
        .await
        .unwrap();
    let values: Vec<(&ActualValue, &str)> = history
        .iter()
        .map(|h| (&h.contribution.value, h.recorded_by.as_str()))
        .collect();
    assert_eq!(
        values,
        vec![
            (&ActualValue::Number(3.0), "alice"),
            (&ActualValue::Number(5.0), "bob")
        ]
    );
    assert!(history[0].id < history[1].id);
    assert_eq!(history[0].contribution, first.contribution);
    assert_eq!(
        (history[0].note.as_deref(), history[0].source.as_deref()),
        (Some("速報値"), Some("報告書A"))
    );
    assert!(
        time::OffsetDateTime::parse(
            &history[1].recorded_at,
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );
    assert_eq!(
        store.revisions_of(PLAN_ID, COUNT, None).await.unwrap(),
        history
    );
    assert!(
        store
            .revisions_of(PLAN_ID, COUNT, Some(fy(2022)))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_failing_batch_writes_nothing(db: TestDb) {
    saved(&db, 1).await;
    let mut batch: Vec<NewActual> = (0..1200)
        .map(|i| number(COUNT, 2020 + (i % 5), "amed", f64::from(i)))
        .collect();
    // Refused by the schema (denominator >= 0). Rows go out sorted by indicator, and this is the
    // only row of the ratio indicator: it fails in the last statement, after 1,199 rows have
    // been inserted by earlier ones.
    batch[700] = ratio(2021, "amed", 1.0, -2.0);

    let result = db.store.record_actuals(PLAN_ID, &batch, "importer").await;

    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    assert!(db.store.current_actuals(PLAN_ID).await.unwrap().is_empty());
    assert!(
        db.store
            .revisions_of(PLAN_ID, COUNT, None)
            .await
            .unwrap()
            .is_empty()
    );
    // The store still works after the rollback.
    batch.remove(700);
    assert_eq!(
        db.store
            .record_actuals(PLAN_ID, &batch, "importer")
            .await
            .unwrap(),
        1199
    );
}

async fn a_batch_naming_an_unknown_indicator_writes_nothing(db: TestDb) {
    saved(&db, 1).await;
    let batch = vec![
        number(COUNT, 2021, "amed", 1.0),
        number("p9-out-99", 2021, "amed", 1.0),
    ];
    let unknown_body = vec![number(COUNT, 2021, "mof", 1.0)];
    let not_a_number = vec![number(COUNT, 2021, "amed", f64::NAN)];

    let unknown = db.store.record_actuals(PLAN_ID, &batch, "importer").await;
    let body = db
        .store
        .record_actuals(PLAN_ID, &unknown_body, "importer")
        .await;
    let nan = db
        .store
        .record_actuals(PLAN_ID, &not_a_number, "importer")
        .await;

    assert!(
        matches!(&unknown, Err(StoreError::Invalid(m)) if m.contains("2件目")),
        "{unknown:?}"
    );
    assert!(matches!(body, Err(StoreError::Invalid(_))), "{body:?}");
    assert!(matches!(nan, Err(StoreError::Invalid(_))), "{nan:?}");
    assert!(db.store.current_actuals(PLAN_ID).await.unwrap().is_empty());
    // An indicator of an earlier revision only is still accepted.
    saved(&db, 2).await;
    assert_eq!(
        db.store
            .record_actuals(PLAN_ID, &[number(NEW_IN_2, 2023, "mhlw", 1.0)], "importer")
            .await
            .unwrap(),
        1
    );
}

async fn a_large_batch_is_counted_and_the_last_row_wins(db: TestDb) {
    saved(&db, 1).await;
    let bodies = ["amed", "mext", "mhlw"];
    // 10,007 rows: twenty 500-row statements, then 5 + 1 + 1 rows, cycling over 15 keys.
    let batch: Vec<NewActual> = (0..10_007_u32)
        .map(|i| {
            let key = i % 15;
            let mut a = number(
                COUNT,
                2020 + (key % 5) as i32,
                bodies[(key / 5) as usize],
                f64::from(i),
            );
            a.note = (i % 2 == 0).then(|| format!("行 {i}"));
            a
        })
        .collect();

    let written = db
        .store
        .record_actuals(PLAN_ID, &batch, "importer")
        .await
        .unwrap();

    assert_eq!(written, 10_007);
    let current = db.store.current_actuals(PLAN_ID).await.unwrap();
    assert_eq!(current.len(), 15);
    for stored in &current {
        let last = batch
            .iter()
            .rev()
            .find(|a| {
                a.contribution.year == stored.contribution.year
                    && a.contribution.body == stored.contribution.body
            })
            .unwrap();
        assert_eq!(stored.contribution, last.contribution);
        assert_eq!(stored.note, last.note);
    }
    let keys: Vec<(FiscalYear, &str)> = current
        .iter()
        .map(|c| (c.contribution.year, c.contribution.body.as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        keys, sorted,
        "current actuals are ordered by indicator, year and body"
    );
    assert_eq!(
        db.store
            .revisions_of(PLAN_ID, COUNT, None)
            .await
            .unwrap()
            .len(),
        10_007
    );
    assert_eq!(
        db.store
            .revisions_of(PLAN_ID, COUNT, Some(fy(2020)))
            .await
            .unwrap()
            .len(),
        // keys 0, 5 and 10 fall in 2020: rows i with i % 15 in {0, 5, 10}
        (0..10_007).filter(|i| i % 15 % 5 == 0).count()
    );
}

async fn a_stale_version_is_a_conflict(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    let value = |v: f64| number(COUNT, 2022, "mext", v);

    let v1 = store
        .record_actual_if_current(PLAN_ID, &value(1.0), None, "alice")
        .await
        .unwrap();
    let late_first = store
        .record_actual_if_current(PLAN_ID, &value(9.0), None, "bob")
        .await;
    let v2 = store
        .record_actual_if_current(PLAN_ID, &value(2.0), Some(v1), "alice")
        .await
        .unwrap();
    let stale = store
        .record_actual_if_current(PLAN_ID, &value(8.0), Some(v1), "bob")
        .await;

    match late_first {
        Err(StoreError::Conflict {
            expected: None,
            current: Some(current),
        }) => {
            assert_eq!(current.id, v1);
            assert_eq!(current.contribution.value, ActualValue::Number(1.0));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    match stale {
        Err(StoreError::Conflict {
            expected: Some(e),
            current: Some(current),
        }) => {
            assert_eq!(e, v1);
            assert_eq!(current.id, v2);
            assert_eq!(current.recorded_by, "alice");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(v2 > v1);
    let history = store
        .revisions_of(PLAN_ID, COUNT, Some(fy(2022)))
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![v1, v2]
    );
    // A version from a batch import is a version too.
    store
        .record_actuals(PLAN_ID, &[value(3.0)], "importer")
        .await
        .unwrap();
    let after_import = store
        .record_actual_if_current(PLAN_ID, &value(4.0), Some(v2), "alice")
        .await;
    assert!(
        matches!(after_import, Err(StoreError::Conflict { .. })),
        "{after_import:?}"
    );
}

async fn concurrent_editors_cannot_both_win(db: TestDb) {
    saved(&db, 1).await;
    let value = |v: f64| number(COUNT, 2023, "amed", v);
    let v1 = db
        .store
        .record_actual_if_current(PLAN_ID, &value(1.0), None, "alice")
        .await
        .unwrap();

    let (two, three) = (value(2.0), value(3.0));

    let (alice, bob) = tokio::join!(
        db.store
            .record_actual_if_current(PLAN_ID, &two, Some(v1), "alice"),
        db.store
            .record_actual_if_current(PLAN_ID, &three, Some(v1), "bob"),
    );

    let wins = [&alice, &bob].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "alice: {alice:?}, bob: {bob:?}");
    let conflict = [alice, bob].into_iter().find_map(Result::err).unwrap();
    assert!(
        matches!(conflict, StoreError::Conflict { .. }),
        "{conflict:?}"
    );
    let history = db
        .store
        .revisions_of(PLAN_ID, COUNT, Some(fy(2023)))
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
}

async fn actuals_sum_the_current_values_of_bodies(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    store
        .record_actuals(
            PLAN_ID,
            &[
                number(COUNT, 2021, "amed", 3.0),
                number(COUNT, 2021, "mext", 2.0),
                number(COUNT, 2022, "amed", 7.0),
                ratio(2021, "amed", 3.0, 4.0),
                ratio(2021, "mext", 1.0, 4.0),
                narrative(2021, "amed", "臨床試験を開始"),
                narrative(2021, "mhlw", "承認申請の準備中"),
            ],
            "importer",
        )
        .await
        .unwrap();
    store
        .record_actuals(
            PLAN_ID,
            &[
                number(COUNT, 2021, "amed", 4.0),
                ratio(2021, "mext", 2.0, 4.0),
            ],
            "importer",
        )
        .await
        .unwrap();

    let actuals = store.actuals(PLAN_ID).await.unwrap();

    let count_2021 = actuals.year(COUNT, fy(2021)).unwrap();
    assert_eq!(count_2021.number, 6.0);
    assert_eq!(count_2021.by_body.len(), 2);
    assert_eq!(actuals.year(COUNT, fy(2022)).unwrap().number, 7.0);
    let ratio_2021 = actuals.year(RATIO, fy(2021)).unwrap();
    assert_eq!((ratio_2021.numerator, ratio_2021.denominator), (5.0, 8.0));
    let mut narratives = actuals.year(STATUS, fy(2021)).unwrap().narratives.clone();
    narratives.sort();
    assert_eq!(
        narratives,
        vec![
            ("amed".to_owned(), "臨床試験を開始".to_owned()),
            ("mhlw".to_owned(), "承認申請の準備中".to_owned())
        ]
    );
    // The same as indexing the current values by hand.
    let by_hand: Actuals = store
        .current_actuals(PLAN_ID)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.contribution)
        .collect();
    let sorted = |a: &Actuals| {
        let mut c = a.contributions();
        c.sort_by(|x, y| (&x.indicator, x.year, &x.body).cmp(&(&y.indicator, y.year, &y.body)));
        c
    };
    assert_eq!(sorted(&actuals), sorted(&by_hand));
    assert_eq!(sorted(&actuals).len(), 7);
}

async fn an_unknown_plan_is_not_found(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;

    assert_eq!(store.plan("nope").await.unwrap(), None);
    assert!(matches!(
        store.actuals("nope").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.current_actuals("nope").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.revisions_of("nope", COUNT, None).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .record_actuals("nope", &[number(COUNT, 2021, "amed", 1.0)], "x")
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .record_actual_if_current("nope", &number(COUNT, 2021, "amed", 1.0), None, "x")
            .await,
        Err(StoreError::NotFound(_))
    ));
    let message = store.actuals("nope").await.unwrap_err().to_string();
    assert!(message.contains("nope"), "{message}");
}
