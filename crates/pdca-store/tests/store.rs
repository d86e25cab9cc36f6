//! The store's behaviour, each test run on a fresh SQLite file and on a fresh PostgreSQL database
//! (named by `PDCA_TEST_POSTGRES_URL`, e.g. `postgres://postgres@127.0.0.1:5432/test`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

// The helpers the crate offers other crates' tests (feature `testing`); not all are used here.
#[allow(dead_code)]
#[path = "../src/testing.rs"]
mod testing;

use std::borrow::Cow;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, SystemTime};

use futures::FutureExt;
use pdca_core::access::{ActualState, Role};
use pdca_core::plan::{Assignment, Plan};
use pdca_core::plan_file::parse_plan;
use pdca_core::{ActualValue, Actuals, Contribution, FiscalYear};
use pdca_store::{
    AuditEntry, Backend, ChangedValue, NewActual, NewUser, SaveOutcome, Store, StoreError,
    StoredActual, User, Visibility,
};
use sha2::{Digest, Sha256};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, AssertSqlSafe, Connection, Executor, Row, SqlSafeStr};
use testing::{database_url, postgres_server, unique_database_name};

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
    a_batch_of_many_statements_keeps_every_value_or_none,
    a_stale_version_is_a_conflict,
    concurrent_editors_cannot_both_win,
    actuals_sum_the_current_values_of_bodies,
    an_unknown_plan_is_not_found,
    users_are_created_and_read_back,
    a_duplicate_user_name_is_refused,
    roles_and_bodies_must_agree,
    disabling_a_user_ends_their_sessions,
    another_process_ending_a_session_or_disabling_a_user_is_seen_at_the_next_lookup,
    a_watching_store_answers_from_memory_and_sees_every_change,
    a_password_reset_replaces_the_hash,
    sessions_are_found_by_their_cookie_value,
    sessions_expire_when_idle_or_too_old,
    a_session_expires_in_real_time,
    api_tokens_identify_their_user_until_revoked,
    a_token_used_twice_within_a_minute_is_recorded_once,
    a_value_counts_only_once_approved,
    a_returned_value_carries_the_comment_and_can_be_resubmitted,
    locked_values_count_and_can_be_reopened,
    illegal_steps_and_stale_versions_are_refused,
    batches_record_the_state_of_each_row,
    sign_in_failures_are_counted_since_a_time,
    account_changes_are_audited_without_secrets,
    recording_values_is_audited,
    a_year_locks_only_when_nothing_awaits_approval,
    a_round_moves_through_its_states_and_closes_when_complete,
    round_items_link_and_clause_statuses_answer_earlier_clauses,
    meetings_keep_their_materials_and_minutes,
    a_batch_is_written_only_if_every_version_is_still_current,
    a_batch_and_an_edit_of_the_same_value_cannot_both_win,
    sign_in_attempts_are_reserved_atomically,
);

/// Tests that start from a database without pdca's schema, run on both databases.
macro_rules! on_both_empty_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite_empty {
            $(
                #[tokio::test]
                async fn $name() {
                    crate::with_empty_sqlite(crate::$name).await;
                }
            )*
        }
        mod postgres_empty {
            $(
                #[tokio::test]
                async fn $name() {
                    crate::with_empty_postgres(crate::$name).await;
                }
            )*
        }
    };
}

on_both_empty_databases!(
    rows_recorded_before_approval_existed_are_approved,
    rows_recorded_before_batches_keep_their_history,
);

/// A database with nothing in it yet.
struct EmptyDb {
    /// What `Store::open` takes.
    url: String,
    /// The same database as a URL sqlx's `Any` driver takes.
    any_url: String,
    backend: Backend,
}

async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    with_empty_sqlite(|empty| with_store(empty, test)).await;
}

async fn with_postgres<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    with_empty_postgres(|empty| with_store(empty, test)).await;
}

/// Opens a store on `empty` for `test`, and closes it afterwards even if `test` panics.
async fn with_store<F, Fut>(empty: EmptyDb, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let store = Store::open(&empty.url)
        .await
        .expect("open the fresh database");
    assert_eq!(store.backend(), empty.backend);
    let outcome = AssertUnwindSafe(test(TestDb {
        store: store.clone(),
        url: empty.url,
    }))
    .catch_unwind()
    .await;
    store.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn with_empty_sqlite<F, Fut>(test: F)
where
    F: FnOnce(EmptyDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("pdca.sqlite3").display().to_string();
    test(EmptyDb {
        any_url: format!("sqlite:{path}?mode=rwc"),
        url: path,
        backend: Backend::Sqlite,
    })
    .await;
}

async fn with_empty_postgres<F, Fut>(test: F)
where
    F: FnOnce(EmptyDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let server = postgres_server();
    let name = unique_database_name("pdca_test");
    let mut admin = sqlx::postgres::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PDCA_TEST_POSTGRES_URL={server}: {e}"));
    // The name is made of letters, digits and underscores only.
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create the test database");
    let url = database_url(&server, &name);
    let outcome = AssertUnwindSafe(test(EmptyDb {
        any_url: url.clone(),
        url,
        backend: Backend::Postgres,
    }))
    .catch_unwind()
    .await;
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

/// More rows than SQLite's bulk path inserts in one go (20,000) and not a multiple of its
/// statement size (100), so that every statement shape and the step between two parts run;
/// then a batch failing in its very last row, which must leave nothing behind.
async fn a_batch_of_many_statements_keeps_every_value_or_none(db: TestDb) {
    saved(&db, 1).await;
    let bodies = ["amed", "mext", "mhlw"];
    let mut batch: Vec<NewActual> = (0..20_103_u32)
        .map(|i| {
            let key = i % 15;
            let mut a = number(
                COUNT,
                2020 + (key % 5) as i32,
                bodies[(key / 5) as usize],
                f64::from(i),
            );
            a.source = (i % 3 == 0).then(|| "統計".to_owned());
            a.note = (i % 7 == 0).then(String::new);
            a
        })
        .collect();
    batch.push(ratio(2021, "amed", 3.0, 4.0));
    let mut text = narrative(2022, "amed", "順調に進んでいる");
    text.note = Some("備考".into());
    batch.push(text);

    let written = db
        .store
        .record_actuals(PLAN_ID, &batch, "importer")
        .await
        .unwrap();

    assert_eq!(written, 20_105);
    let current = db.store.current_actuals(PLAN_ID).await.unwrap();
    assert_eq!(current.len(), 17);
    for stored in &current {
        let last = batch
            .iter()
            .rev()
            .find(|a| {
                a.contribution.indicator == stored.contribution.indicator
                    && a.contribution.year == stored.contribution.year
                    && a.contribution.body == stored.contribution.body
            })
            .unwrap();
        assert_eq!(stored.contribution, last.contribution);
        assert_eq!(
            (&stored.note, &stored.source, stored.state),
            (&last.note, &last.source, ActualState::Approved)
        );
        assert_eq!(stored.recorded_by, "importer");
    }
    let history = db.store.revisions_of(PLAN_ID, COUNT, None).await.unwrap();
    assert_eq!(history.len(), 20_103);
    assert!(history.windows(2).all(|w| w[0].id < w[1].id));

    // Sorted by indicator, the failing ratio comes last, after 20,100 rows in 100-row
    // statements and one single row.
    let mut failing: Vec<NewActual> = batch[..20_101].to_vec();
    failing.push(ratio(2023, "amed", 1.0, -1.0));
    let result = db.store.record_actuals(PLAN_ID, &failing, "importer").await;
    assert!(matches!(result, Err(StoreError::Database(_))), "{result:?}");
    assert_eq!(
        db.store
            .revisions_of(PLAN_ID, COUNT, None)
            .await
            .unwrap()
            .len(),
        20_103
    );
    assert_eq!(db.store.current_actuals(PLAN_ID).await.unwrap(), current);
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

// ---------------------------------------------------------------------------------------------
// Migrations

/// A database made by pdca before accounts and approval existed (migration 1 only), with one
/// value recorded, opened by this version.
async fn rows_recorded_before_approval_existed_are_approved(empty: EmptyDb) {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&empty.any_url).await.unwrap();
    let initial = match empty.backend {
        Backend::Sqlite => include_str!("../migrations/sqlite/0001_initial.sql"),
        Backend::Postgres => include_str!("../migrations/postgres/0001_initial.sql"),
    };
    Migrator::with_migrations(vec![Migration::new(
        1,
        Cow::Borrowed("initial schema"),
        MigrationType::Simple,
        initial.into_sql_str(),
        false,
    )])
    .run(&pool)
    .await
    .unwrap();
    pool.execute(
        "INSERT INTO actual_revisions
             (plan_id, indicator_id, fiscal_year, body_id, value, recorded_by, recorded_at)
         VALUES ('test-plan', 'p1-out-01', 2021, 'amed', 4, 'old', '2024-05-01T00:00:00Z')",
    )
    .await
    .unwrap();
    pool.close().await;

    let store = Store::open(&empty.url).await.unwrap();
    store.save_plan(&plan(1), None, "tester").await.unwrap();

    let current = store.current_actuals(PLAN_ID).await.unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(
        (current[0].state, current[0].review_comment.as_deref()),
        (ActualState::Approved, None)
    );
    assert_eq!(
        store
            .actuals(PLAN_ID)
            .await
            .unwrap()
            .year(COUNT, fy(2021))
            .unwrap()
            .number,
        4.0
    );
    store.close().await;
}

/// A database made by pdca before actuals were written in batches (migrations 1 and 2), opened by
/// this version: every row keeps its id, recorder, time, state and review comment, rows of
/// another plan stay apart, and new rows continue the ids.
async fn rows_recorded_before_batches_keep_their_history(empty: EmptyDb) {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&empty.any_url).await.unwrap();
    let (initial, accounts) = match empty.backend {
        Backend::Sqlite => (
            include_str!("../migrations/sqlite/0001_initial.sql"),
            include_str!("../migrations/sqlite/0002_accounts.sql"),
        ),
        Backend::Postgres => (
            include_str!("../migrations/postgres/0001_initial.sql"),
            include_str!("../migrations/postgres/0002_accounts.sql"),
        ),
    };
    let migration = |version, description, sql: &'static str| {
        Migration::new(
            version,
            Cow::Borrowed(description),
            MigrationType::Simple,
            sql.into_sql_str(),
            false,
        )
    };
    Migrator::with_migrations(vec![
        migration(1, "initial schema", initial),
        migration(2, "accounts and approval", accounts),
    ])
    .run(&pool)
    .await
    .unwrap();
    pool.execute(
        "INSERT INTO actual_revisions
             (plan_id, indicator_id, fiscal_year, body_id, value, recorded_by, recorded_at,
              state, review_comment)
         VALUES ('test-plan', 'p1-out-01', 2021, 'amed', 4, 'alice', '2024-05-01T00:00:00Z',
                 'submitted', NULL),
                ('test-plan', 'p1-out-01', 2021, 'amed', 4, 'bob', '2024-05-02T00:00:00Z',
                 'returned', '出典を確認してください'),
                ('other-plan', 'p1-out-01', 2021, 'amed', 9, 'alice', '2024-05-01T00:00:00Z',
                 'approved', NULL),
                ('test-plan', 'p1-out-01', 2022, 'amed', 5, 'alice', '2024-05-01T00:00:00Z',
                 'submitted', NULL)",
    )
    .await
    .unwrap();
    pool.close().await;

    let store = Store::open(&empty.url).await.unwrap();
    store.save_plan(&plan(1), None, "tester").await.unwrap();
    let history: Vec<_> = store
        .revisions_of(PLAN_ID, COUNT, None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.id,
                r.contribution.year.year(),
                r.recorded_by,
                r.recorded_at,
                r.state,
                r.review_comment,
            )
        })
        .collect();
    assert_eq!(
        history,
        vec![
            (
                1,
                2021,
                "alice".to_owned(),
                "2024-05-01T00:00:00Z".to_owned(),
                ActualState::Submitted,
                None
            ),
            (
                2,
                2021,
                "bob".to_owned(),
                "2024-05-02T00:00:00Z".to_owned(),
                ActualState::Returned,
                Some("出典を確認してください".to_owned())
            ),
            (
                4,
                2022,
                "alice".to_owned(),
                "2024-05-01T00:00:00Z".to_owned(),
                ActualState::Submitted,
                None
            ),
        ]
    );
    // The other plan's approved value is not this plan's.
    assert!(
        store
            .actuals(PLAN_ID)
            .await
            .unwrap()
            .year(COUNT, fy(2021))
            .is_none()
    );
    let version = store
        .record_actual_if_current(PLAN_ID, &number(COUNT, 2021, "amed", 6.0), Some(2), "carol")
        .await
        .unwrap();
    assert_eq!(version, 5);
    store
        .record_actuals(PLAN_ID, &[number(COUNT, 2023, "amed", 7.0)], "carol")
        .await
        .unwrap();
    let current = store.current_actuals(PLAN_ID).await.unwrap();
    let ids: Vec<i64> = current.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![5, 4, 6]);
    store.close().await;
}

// ---------------------------------------------------------------------------------------------
// Users

const HOUR: Duration = Duration::from_secs(3600);

fn new_user(name: &str, role: Role, body: Option<&str>) -> NewUser {
    NewUser {
        name: name.into(),
        role,
        body: body.map(Into::into),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${name}-hash"),
        must_change_password: false,
    }
}

async fn created(db: &TestDb, name: &str, role: Role, body: Option<&str>) -> User {
    db.store
        .create_user(&new_user(name, role, body), "admin")
        .await
        .unwrap()
}

/// The store's own view of its tables, for checking what it keeps.
async fn raw_pool(db: &TestDb) -> AnyPool {
    let url = match db.store.backend() {
        Backend::Sqlite => format!("sqlite:{}?mode=rw", db.url),
        Backend::Postgres => db.url.clone(),
    };
    AnyPool::connect(&url).await.unwrap()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A timestamp the store wrote.
fn at(text: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
}

fn is_hex_256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn users_are_created_and_read_back(db: TestDb) {
    let store = &db.store;
    let mut fresh = new_user("tanaka", Role::Body, Some("amed"));
    fresh.must_change_password = true;

    let tanaka = store.create_user(&fresh, "admin").await.unwrap();
    let suzuki = created(&db, "suzuki", Role::Secretariat, None).await;

    assert_eq!(
        (
            tanaka.name.as_str(),
            tanaka.role,
            tanaka.body.as_deref(),
            tanaka.must_change_password,
            tanaka.disabled
        ),
        ("tanaka", Role::Body, Some("amed"), true, false)
    );
    assert_eq!(tanaka.password_hash, fresh.password_hash);
    assert!(at(&tanaka.created_at) <= time::OffsetDateTime::now_utc());
    assert_ne!(tanaka.id, suzuki.id);
    assert_eq!(
        store.user_by_name("tanaka").await.unwrap(),
        Some(tanaka.clone())
    );
    assert_eq!(store.user(suzuki.id).await.unwrap(), Some(suzuki.clone()));
    assert_eq!(store.user_by_name("nobody").await.unwrap(), None);
    assert_eq!(store.user(-1).await.unwrap(), None);
    assert_eq!(
        store.list_users().await.unwrap(),
        vec![suzuki, tanaka.clone()]
    );
    // The hash stays out of logs.
    assert!(!format!("{tanaka:?}").contains("hash-"));
    assert!(!format!("{fresh:?}").contains("hash-"));
}

async fn a_duplicate_user_name_is_refused(db: TestDb) {
    created(&db, "tanaka", Role::Viewer, None).await;

    let again = db
        .store
        .create_user(&new_user("tanaka", Role::Committee, None), "admin")
        .await;

    match again {
        Err(StoreError::Invalid(message)) => {
            assert_eq!(message, "ユーザー「tanaka」は既にあります");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let users = db.store.list_users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].role, Role::Viewer);
}

async fn roles_and_bodies_must_agree(db: TestDb) {
    let store = &db.store;

    let body_without_body = store
        .create_user(&new_user("a", Role::Body, None), "admin")
        .await;
    let blank_body = store
        .create_user(&new_user("b", Role::Body, Some(" ")), "admin")
        .await;
    let viewer_with_body = store
        .create_user(&new_user("c", Role::Viewer, Some("amed")), "admin")
        .await;
    let secretariat_with_body = store
        .create_user(&new_user("d", Role::Secretariat, Some("amed")), "admin")
        .await;
    let empty_name = store
        .create_user(&new_user(" ", Role::Viewer, None), "admin")
        .await;
    let padded_name = store
        .create_user(&new_user(" e", Role::Viewer, None), "admin")
        .await;
    let mut no_hash = new_user("f", Role::Viewer, None);
    no_hash.password_hash.clear();
    let no_hash = store.create_user(&no_hash, "admin").await;

    for result in [
        &body_without_body,
        &blank_body,
        &viewer_with_body,
        &secretariat_with_body,
        &empty_name,
        &padded_name,
        &no_hash,
    ] {
        assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    }
    let message = viewer_with_body.unwrap_err().to_string();
    assert!(message.contains("amed"), "{message}");
    assert!(store.list_users().await.unwrap().is_empty());
    assert!(store.audit_log(10).await.unwrap().is_empty());
    // Each role with what it needs is accepted.
    created(&db, "a", Role::Body, Some("amed")).await;
    created(&db, "c", Role::Viewer, None).await;
    created(&db, "d", Role::Secretariat, None).await;
    created(&db, "g", Role::Committee, None).await;
    assert_eq!(store.list_users().await.unwrap().len(), 4);
}

/// A second store on the same database stands for another `pdca serve` or a CLI command: what it
/// changes must be seen by the first store's next lookup, though that store keeps what it read
/// (on SQLite) while the file does not change.
async fn another_process_ending_a_session_or_disabling_a_user_is_seen_at_the_next_lookup(
    db: TestDb,
) {
    let store = &db.store;
    let other = Store::open(&db.url).await.unwrap();
    let tanaka = created(&db, "tanaka", Role::Body, Some("amed")).await;
    let suzuki = created(&db, "suzuki", Role::Viewer, None).await;
    let ended = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    let kept = store
        .create_session(suzuki.id, SystemTime::now())
        .await
        .unwrap();
    let disabled = store
        .create_session(suzuki.id, SystemTime::now())
        .await
        .unwrap();
    // Read twice each, so that whatever the store keeps is in use.
    for _ in 0..2 {
        for id in [&ended.id, &kept.id, &disabled.id] {
            let found = store.session_with_data_version(id, HOUR, HOUR).await;
            assert!(found.unwrap().is_some());
        }
    }
    let version = store
        .session_with_data_version(&kept.id, HOUR, HOUR)
        .await
        .unwrap()
        .unwrap()
        .2;

    other.delete_session(&ended.id).await.unwrap();
    assert!(
        store
            .session(&ended.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_with_data_version(&ended.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.session(&kept.id, HOUR, HOUR).await.unwrap().is_some());

    // A user disabled elsewhere is refused at once (disabling ends the sessions too).
    other
        .set_user_disabled("suzuki", true, "admin")
        .await
        .unwrap();
    assert!(store.session(&kept.id, HOUR, HOUR).await.unwrap().is_none());
    assert!(
        store
            .session_with_data_version(&disabled.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    other
        .set_user_disabled("suzuki", false, "admin")
        .await
        .unwrap();
    let again = store
        .create_session(suzuki.id, SystemTime::now())
        .await
        .unwrap();
    let (_, user, now) = store
        .session_with_data_version(&again.id, HOUR, HOUR)
        .await
        .unwrap()
        .unwrap();
    assert!(!user.disabled);
    assert_ne!(
        now, version,
        "the audit entries of the other store changed it"
    );
    other.close().await;
}

async fn disabling_a_user_ends_their_sessions(db: TestDb) {
    let store = &db.store;
    let tanaka = created(&db, "tanaka", Role::Body, Some("amed")).await;
    let suzuki = created(&db, "suzuki", Role::Viewer, None).await;
    let first = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    let second = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    let other = store
        .create_session(suzuki.id, SystemTime::now())
        .await
        .unwrap();

    store
        .set_user_disabled("tanaka", true, "admin")
        .await
        .unwrap();

    assert!(
        store
            .session(&first.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session(&second.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session(&other.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.user(tanaka.id).await.unwrap().unwrap().disabled);
    let refused = store.create_session(tanaka.id, SystemTime::now()).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    // Enabling again does not bring the old sessions back; a new sign-in works.
    store
        .set_user_disabled("tanaka", false, "admin")
        .await
        .unwrap();
    assert!(
        store
            .session(&first.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    let third = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    assert!(
        store
            .session(&third.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_some()
    );
    // Disabling twice is one change; an unknown user is not found.
    store
        .set_user_disabled("suzuki", true, "admin")
        .await
        .unwrap();
    store
        .set_user_disabled("suzuki", true, "admin")
        .await
        .unwrap();
    let unknown = store.set_user_disabled("nobody", true, "admin").await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    let actions: Vec<(String, String)> = store
        .audit_log(3)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.subject))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("user.disable".to_owned(), "suzuki".to_owned()),
            ("user.enable".to_owned(), "tanaka".to_owned()),
            ("user.disable".to_owned(), "tanaka".to_owned()),
        ]
    );
}

async fn a_password_reset_replaces_the_hash(db: TestDb) {
    let store = &db.store;
    created(&db, "tanaka", Role::Viewer, None).await;

    store
        .set_password_hash("tanaka", "$argon2id$new", true, "admin")
        .await
        .unwrap();

    let tanaka = store.user_by_name("tanaka").await.unwrap().unwrap();
    assert_eq!(tanaka.password_hash, "$argon2id$new");
    assert!(tanaka.must_change_password);
    store
        .set_password_hash("tanaka", "$argon2id$own", false, "tanaka")
        .await
        .unwrap();
    let tanaka = store.user_by_name("tanaka").await.unwrap().unwrap();
    assert_eq!(
        (tanaka.password_hash.as_str(), tanaka.must_change_password),
        ("$argon2id$own", false)
    );
    let unknown = store
        .set_password_hash("nobody", "$argon2id$x", false, "admin")
        .await;
    let empty = store.set_password_hash("tanaka", "", false, "admin").await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    assert!(matches!(empty, Err(StoreError::Invalid(_))), "{empty:?}");
    let log = store.audit_log(2).await.unwrap();
    let summary: Vec<(&str, &str, Option<&str>, Option<&str>)> = log
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.actor.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "user.password_reset",
                "tanaka",
                Some(r#"{"must_change_password":true}"#),
                Some(r#"{"must_change_password":false}"#)
            ),
            (
                "user.password_reset",
                "admin",
                Some(r#"{"must_change_password":false}"#),
                Some(r#"{"must_change_password":true}"#)
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Sessions

async fn sessions_are_found_by_their_cookie_value(db: TestDb) {
    let store = &db.store;
    let tanaka = created(&db, "tanaka", Role::Body, Some("amed")).await;

    let new = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    let (session, user) = store.session(&new.id, HOUR, HOUR).await.unwrap().unwrap();

    assert!(is_hex_256(&new.id), "{}", new.id);
    assert!(is_hex_256(&new.csrf_token), "{}", new.csrf_token);
    assert_ne!(new.id, new.csrf_token);
    assert_eq!(session.user_id, tanaka.id);
    assert_eq!(session.csrf_token, new.csrf_token);
    assert_eq!(user, tanaka);
    assert!(at(&session.last_seen_at) >= at(&session.created_at));
    // Only the id's SHA-256 is kept.
    let pool = raw_pool(&db).await;
    let stored: Vec<String> = sqlx::query("SELECT id_hash FROM sessions")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get(0).unwrap())
        .collect();
    pool.close().await;
    assert_eq!(stored, vec![sha256_hex(&new.id)]);
    // Secrets stay out of logs.
    assert!(!format!("{new:?}{session:?}").contains(&new.csrf_token));
    assert!(!format!("{new:?}").contains(&new.id));
    // Each session is its own.
    let other = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    assert_ne!(other.id, new.id);
    assert_ne!(other.csrf_token, new.csrf_token);
    // Unknown ids, and sessions ended.
    assert!(store.session("", HOUR, HOUR).await.unwrap().is_none());
    assert!(
        store
            .session(&sha256_hex(&new.id), HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    store.delete_session(&new.id).await.unwrap();
    store.delete_session(&new.id).await.unwrap();
    assert!(store.session(&new.id, HOUR, HOUR).await.unwrap().is_none());
    assert!(
        store
            .session(&other.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_some()
    );
    store.delete_sessions_of(tanaka.id).await.unwrap();
    assert!(
        store
            .session(&other.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    let unknown_user = store.create_session(-1, SystemTime::now()).await;
    assert!(
        matches!(unknown_user, Err(StoreError::NotFound(_))),
        "{unknown_user:?}"
    );
}

async fn sessions_expire_when_idle_or_too_old(db: TestDb) {
    let store = &db.store;
    let tanaka = created(&db, "tanaka", Role::Viewer, None).await;
    let ago = |minutes: u64| SystemTime::now() - Duration::from_secs(minutes * 60);
    let idle_for_two_hours = store.create_session(tanaka.id, ago(120)).await.unwrap();
    let signed_in_long_ago = store.create_session(tanaka.id, ago(50)).await.unwrap();
    let recent = store.create_session(tanaka.id, ago(50)).await.unwrap();

    let idle = store
        .session(&idle_for_two_hours.id, HOUR, 24 * HOUR)
        .await
        .unwrap();
    let too_old = store
        .session(&signed_in_long_ago.id, HOUR, Duration::from_secs(30 * 60))
        .await
        .unwrap();
    let alive = store.session(&recent.id, HOUR, 24 * HOUR).await.unwrap();

    assert!(idle.is_none());
    assert!(too_old.is_none());
    let (session, _) = alive.unwrap();
    // The lookup counted as use: the session is no longer 50 minutes idle.
    assert!(at(&session.last_seen_at) > at(&session.created_at));
    let half_an_hour = Duration::from_secs(30 * 60);
    assert!(
        store
            .session(&recent.id, half_an_hour, 24 * HOUR)
            .await
            .unwrap()
            .is_some()
    );
    // An expired session is gone for good.
    for gone in [&idle_for_two_hours, &signed_in_long_ago] {
        assert!(
            store
                .session(&gone.id, 48 * HOUR, 48 * HOUR)
                .await
                .unwrap()
                .is_none()
        );
    }
}

async fn a_session_expires_in_real_time(db: TestDb) {
    let store = &db.store;
    let tanaka = created(&db, "tanaka", Role::Viewer, None).await;
    let second = Duration::from_secs(1);
    let idle = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    let absolute = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    assert!(
        store
            .session(&idle.id, second, HOUR)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session(&absolute.id, HOUR, second)
            .await
            .unwrap()
            .is_some()
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;

    assert!(
        store
            .session(&idle.id, second, HOUR)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session(&absolute.id, HOUR, second)
            .await
            .unwrap()
            .is_none()
    );
    let zero = store
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(
        store
            .session(&zero.id, Duration::ZERO, HOUR)
            .await
            .unwrap()
            .is_none()
    );
}

// ---------------------------------------------------------------------------------------------
// API tokens

async fn api_tokens_identify_their_user_until_revoked(db: TestDb) {
    let store = &db.store;
    let tanaka = created(&db, "tanaka", Role::Body, Some("amed")).await;

    let (token, secret) = store
        .create_api_token(tanaka.id, "集計スクリプト", "tanaka")
        .await
        .unwrap();
    let (other, other_secret) = store
        .create_api_token(tanaka.id, "予備", "admin")
        .await
        .unwrap();

    assert!(secret.starts_with("pdca_"), "{secret}");
    assert!(is_hex_256(&secret["pdca_".len()..]), "{secret}");
    assert_ne!(secret, other_secret);
    assert_eq!(
        (
            token.user_id,
            token.name.as_str(),
            &token.revoked_at,
            &token.last_used_at
        ),
        (tanaka.id, "集計スクリプト", &None, &None)
    );
    let (found, user) = store.api_token_user(&secret).await.unwrap().unwrap();
    assert_eq!((found.id, user.id), (token.id, tanaka.id));
    assert!(found.last_used_at.is_some());
    let listed = store.list_api_tokens(tanaka.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![token.id, other.id]
    );
    assert_eq!(listed[0].last_used_at, found.last_used_at);
    assert_eq!(listed[1].last_used_at, None);
    assert!(store.list_api_tokens(-1).await.unwrap().is_empty());
    // Only the secret's SHA-256 is kept.
    let pool = raw_pool(&db).await;
    let hashes: Vec<String> = sqlx::query("SELECT secret_hash FROM api_tokens ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get(0).unwrap())
        .collect();
    pool.close().await;
    assert_eq!(hashes, vec![sha256_hex(&secret), sha256_hex(&other_secret)]);
    // Wrong secrets.
    for wrong in ["", "pdca_", &secret[..secret.len() - 1], &hashes[0]] {
        assert!(
            store.api_token_user(wrong).await.unwrap().is_none(),
            "{wrong}"
        );
    }

    // A disabled user's tokens stop working, and work again once enabled.
    store
        .set_user_disabled("tanaka", true, "admin")
        .await
        .unwrap();
    assert!(store.api_token_user(&secret).await.unwrap().is_none());
    store
        .set_user_disabled("tanaka", false, "admin")
        .await
        .unwrap();
    assert!(store.api_token_user(&secret).await.unwrap().is_some());

    store.revoke_api_token(token.id, "admin").await.unwrap();
    store.revoke_api_token(token.id, "admin").await.unwrap();

    assert!(store.api_token_user(&secret).await.unwrap().is_none());
    assert!(store.api_token_user(&other_secret).await.unwrap().is_some());
    let listed = store.list_api_tokens(tanaka.id).await.unwrap();
    assert!(listed[0].revoked_at.is_some());
    assert!(listed[1].revoked_at.is_none());
    let unknown = store.revoke_api_token(-1, "admin").await;
    let nameless = store.create_api_token(tanaka.id, "  ", "admin").await;
    let ownerless = store.create_api_token(-1, "x", "admin").await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    assert!(
        matches!(nameless, Err(StoreError::Invalid(_))),
        "{nameless:?}"
    );
    assert!(
        matches!(ownerless, Err(StoreError::NotFound(_))),
        "{ownerless:?}"
    );
    let revocations = store
        .audit_log(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "token.revoke")
        .count();
    assert_eq!(revocations, 1);
}

/// The last use of a token is recorded at most once a minute: a second use within the minute
/// writes nothing (on SQLite the file does not change at all, so nothing kept by any process is
/// thrown away), a use after it records the time again, and another process revoking the token
/// or disabling its user is seen at the next use.
async fn a_token_used_twice_within_a_minute_is_recorded_once(db: TestDb) {
    let store = &db.store;
    let other = Store::open(&db.url).await.unwrap();
    let tanaka = created(&db, "tanaka", Role::Body, Some("amed")).await;
    let (token, secret) = store
        .create_api_token(tanaka.id, "集計スクリプト", "tanaka")
        .await
        .unwrap();
    let pool = raw_pool(&db).await;
    let stored = || async {
        let row = sqlx::query("SELECT last_used_at FROM api_tokens WHERE id = $1")
            .bind(token.id)
            .fetch_one(&pool)
            .await
            .unwrap();
        row.try_get::<Option<String>, _>(0).unwrap()
    };
    // On SQLite, a connection's `PRAGMA data_version` changes with every commit to the file by
    // another connection: what the store's memos key on.
    let mut watcher = pool.acquire().await.unwrap();
    let file_version =
        async |watcher: &mut sqlx::pool::PoolConnection<sqlx::Any>| match db.store.backend() {
            Backend::Sqlite => Some(
                sqlx::query("PRAGMA data_version")
                    .fetch_one(&mut **watcher)
                    .await
                    .unwrap()
                    .try_get::<i64, _>(0)
                    .unwrap(),
            ),
            Backend::Postgres => None,
        };

    let (first, user, version) = store
        .api_token_user_with_data_version(&secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.id, user.id), (token.id, tanaka.id));
    let recorded = stored().await;
    assert!(recorded.is_some(), "the first use is recorded");
    assert_eq!(first.last_used_at, recorded);
    let file_before = file_version(&mut watcher).await;
    for _ in 0..20 {
        let (again, _, again_version) = store
            .api_token_user_with_data_version(&secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            again.last_used_at, recorded,
            "within the minute: as recorded"
        );
        assert_eq!(again_version, version);
        // Another process's use within the minute writes nothing either.
        assert!(other.api_token_user(&secret).await.unwrap().is_some());
    }
    assert_eq!(stored().await, recorded, "the later uses wrote nothing");
    assert_eq!(
        file_version(&mut watcher).await,
        file_before,
        "nothing was committed"
    );
    assert_eq!(store.data_version().await.unwrap(), version);
    assert_eq!(
        store.list_api_tokens(tanaka.id).await.unwrap()[0].last_used_at,
        recorded
    );

    // A use more than a minute after the recorded one records it again.
    let old = "2020-04-01T00:00:00Z";
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
        .bind(token.id)
        .bind(old)
        .execute(&pool)
        .await
        .unwrap();
    let (used, _) = store.api_token_user(&secret).await.unwrap().unwrap();
    let renewed = stored().await;
    assert!(renewed.as_deref().is_some_and(|at| at > old), "{renewed:?}");
    assert_eq!(used.last_used_at, renewed);
    assert!(
        renewed
            .as_deref()
            .is_some_and(|at| Some(at) > recorded.as_deref()),
        "{renewed:?} after {recorded:?}"
    );

    // Revoked or disabled by another process: refused at the next use, memo or not.
    other
        .set_user_disabled("tanaka", true, "admin")
        .await
        .unwrap();
    assert!(store.api_token_user(&secret).await.unwrap().is_none());
    other
        .set_user_disabled("tanaka", false, "admin")
        .await
        .unwrap();
    assert!(store.api_token_user(&secret).await.unwrap().is_some());
    other.revoke_api_token(token.id, "admin").await.unwrap();
    assert!(store.api_token_user(&secret).await.unwrap().is_none());
    drop(watcher);
    pool.close().await;
    other.close().await;
}

// ---------------------------------------------------------------------------------------------
// Approval

/// A value of the count indicator for FY2021 reported by AMED, in `state`.
fn amed_2021(value: f64, state: ActualState) -> NewActual {
    let mut actual = number(COUNT, 2021, "amed", value);
    actual.state = state;
    actual
}

async fn step(
    db: &TestDb,
    to: ActualState,
    comment: Option<&str>,
    expected: i64,
    actor: &str,
) -> Result<i64, StoreError> {
    db.store
        .set_state(
            PLAN_ID,
            COUNT,
            fy(2021),
            "amed",
            to,
            comment,
            Some(expected),
            actor,
        )
        .await
}

/// The FY2021 count as `visibility` sees it.
async fn count_2021(db: &TestDb, visibility: Visibility) -> Option<f64> {
    db.store
        .actuals_as(PLAN_ID, visibility)
        .await
        .unwrap()
        .year(COUNT, fy(2021))
        .map(|y| y.number)
}

async fn current_2021(db: &TestDb, visibility: Visibility) -> Option<StoredActual> {
    db.store
        .current_actuals_as(PLAN_ID, visibility)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.contribution.indicator == COUNT && a.contribution.year == fy(2021))
}

async fn a_value_counts_only_once_approved(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;

    let draft = store
        .record_actual_if_current(PLAN_ID, &amed_2021(5.0, ActualState::Draft), None, "tanaka")
        .await
        .unwrap();
    assert_eq!(count_2021(&db, Visibility::Approved).await, None);
    assert_eq!(
        store.actuals(PLAN_ID).await.unwrap().year(COUNT, fy(2021)),
        None
    );
    assert_eq!(count_2021(&db, Visibility::All).await, Some(5.0));
    assert_eq!(current_2021(&db, Visibility::Approved).await, None);
    assert_eq!(
        current_2021(&db, Visibility::All).await.map(|a| a.state),
        Some(ActualState::Draft)
    );

    let submitted = step(&db, ActualState::Submitted, None, draft, "tanaka")
        .await
        .unwrap();
    assert_eq!(count_2021(&db, Visibility::Approved).await, None);
    let approved = step(&db, ActualState::Approved, None, submitted, "suzuki")
        .await
        .unwrap();

    assert!(draft < submitted && submitted < approved);
    assert_eq!(count_2021(&db, Visibility::Approved).await, Some(5.0));
    let current = current_2021(&db, Visibility::Approved).await.unwrap();
    assert_eq!(
        (current.id, current.state, current.recorded_by.as_str()),
        (approved, ActualState::Approved, "suzuki")
    );
    let history = store
        .revisions_of(PLAN_ID, COUNT, Some(fy(2021)))
        .await
        .unwrap();
    let steps: Vec<(ActualState, &str, &ActualValue)> = history
        .iter()
        .map(|h| (h.state, h.recorded_by.as_str(), &h.contribution.value))
        .collect();
    assert_eq!(
        steps,
        vec![
            (ActualState::Draft, "tanaka", &ActualValue::Number(5.0)),
            (ActualState::Submitted, "tanaka", &ActualValue::Number(5.0)),
            (ActualState::Approved, "suzuki", &ActualValue::Number(5.0)),
        ]
    );

    // A new draft does not hide the approved value from evaluations.
    let redraft = store
        .record_actual_if_current(
            PLAN_ID,
            &amed_2021(8.0, ActualState::Draft),
            Some(approved),
            "tanaka",
        )
        .await
        .unwrap();
    assert_eq!(count_2021(&db, Visibility::Approved).await, Some(5.0));
    assert_eq!(count_2021(&db, Visibility::All).await, Some(8.0));
    assert_eq!(
        store.current_actuals(PLAN_ID).await.unwrap()[0].id,
        redraft,
        "current_actuals shows the latest row whatever its state"
    );
    let evaluated: Actuals = store
        .current_actuals_as(PLAN_ID, Visibility::Approved)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.contribution)
        .collect();
    assert_eq!(evaluated.year(COUNT, fy(2021)).map(|y| y.number), Some(5.0));
}

async fn a_returned_value_carries_the_comment_and_can_be_resubmitted(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    let mut first = amed_2021(5.0, ActualState::Submitted);
    first.note = Some("速報値".into());
    first.source = Some("報告書A".into());
    let submitted = store
        .record_actual_if_current(PLAN_ID, &first, None, "tanaka")
        .await
        .unwrap();

    let returned = step(
        &db,
        ActualState::Returned,
        Some("根拠資料を添付してください"),
        submitted,
        "suzuki",
    )
    .await
    .unwrap();

    let current = current_2021(&db, Visibility::All).await.unwrap();
    assert_eq!(current.id, returned);
    assert_eq!(current.state, ActualState::Returned);
    assert_eq!(
        current.review_comment.as_deref(),
        Some("根拠資料を添付してください")
    );
    // The copy keeps the value, remark and source.
    assert_eq!(current.contribution, first.contribution);
    assert_eq!(
        (current.note.as_deref(), current.source.as_deref()),
        (Some("速報値"), Some("報告書A"))
    );
    assert_eq!(count_2021(&db, Visibility::Approved).await, None);
    // The body corrects the value and submits it again.
    let corrected = store
        .record_actual_if_current(
            PLAN_ID,
            &amed_2021(6.0, ActualState::Draft),
            Some(returned),
            "tanaka",
        )
        .await
        .unwrap();
    let resubmitted = step(&db, ActualState::Submitted, None, corrected, "tanaka")
        .await
        .unwrap();
    let current = current_2021(&db, Visibility::All).await.unwrap();
    assert_eq!((current.id, current.review_comment), (resubmitted, None));
    step(&db, ActualState::Approved, None, resubmitted, "suzuki")
        .await
        .unwrap();
    assert_eq!(count_2021(&db, Visibility::Approved).await, Some(6.0));
    // Every step is in the history, the comment on the step that returned the value.
    let history = store
        .revisions_of(PLAN_ID, COUNT, Some(fy(2021)))
        .await
        .unwrap();
    assert_eq!(history.len(), 5);
    assert_eq!(
        history[1].review_comment.as_deref(),
        Some("根拠資料を添付してください")
    );
}

async fn locked_values_count_and_can_be_reopened(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    let approved = store
        .record_actual_if_current(PLAN_ID, &amed_2021(5.0, ActualState::Approved), None, "x")
        .await
        .unwrap();

    let locked = step(&db, ActualState::Locked, None, approved, "suzuki")
        .await
        .unwrap();

    assert_eq!(count_2021(&db, Visibility::Approved).await, Some(5.0));
    assert_eq!(
        current_2021(&db, Visibility::Approved)
            .await
            .map(|a| a.state),
        Some(ActualState::Locked)
    );
    let reopened = step(
        &db,
        ActualState::Approved,
        Some("訂正のため"),
        locked,
        "suzuki",
    )
    .await
    .unwrap();
    assert_eq!(
        current_2021(&db, Visibility::All)
            .await
            .map(|a| (a.id, a.state)),
        Some((reopened, ActualState::Approved))
    );
}

async fn illegal_steps_and_stale_versions_are_refused(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    let draft = store
        .record_actual_if_current(PLAN_ID, &amed_2021(5.0, ActualState::Draft), None, "tanaka")
        .await
        .unwrap();

    let skip_review = step(&db, ActualState::Approved, None, draft, "suzuki").await;
    let lock_draft = step(&db, ActualState::Locked, None, draft, "suzuki").await;
    let submitted = step(&db, ActualState::Submitted, None, draft, "tanaka")
        .await
        .unwrap();
    let stale = step(&db, ActualState::Approved, None, draft, "suzuki").await;
    let unknown_key = store
        .set_state(
            PLAN_ID,
            COUNT,
            fy(2022),
            "amed",
            ActualState::Submitted,
            None,
            None,
            "tanaka",
        )
        .await;
    let unknown_plan = store
        .set_state(
            "nope",
            COUNT,
            fy(2021),
            "amed",
            ActualState::Submitted,
            None,
            None,
            "tanaka",
        )
        .await;
    let approved = step(&db, ActualState::Approved, None, submitted, "suzuki")
        .await
        .unwrap();
    let back_to_draft = step(&db, ActualState::Draft, None, approved, "tanaka").await;
    let locked = step(&db, ActualState::Locked, None, approved, "suzuki")
        .await
        .unwrap();
    let unlock_to_draft = step(&db, ActualState::Draft, None, locked, "tanaka").await;

    match skip_review {
        Err(StoreError::Invalid(message)) => {
            assert!(
                message.contains("一時保存") && message.contains("承認済み"),
                "{message}"
            );
            assert!(message.contains("draft → approved"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    for refused in [&lock_draft, &back_to_draft, &unlock_to_draft] {
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{refused:?}"
        );
    }
    match stale {
        Err(StoreError::Conflict {
            expected: Some(e),
            current: Some(current),
        }) => {
            assert_eq!(e, draft);
            assert_eq!(
                (current.id, current.state),
                (submitted, ActualState::Submitted)
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(
        matches!(unknown_key, Err(StoreError::NotFound(_))),
        "{unknown_key:?}"
    );
    assert!(
        matches!(unknown_plan, Err(StoreError::NotFound(_))),
        "{unknown_plan:?}"
    );
    // Refusals write nothing: draft, submitted, approved, locked.
    let states: Vec<ActualState> = store
        .revisions_of(PLAN_ID, COUNT, Some(fy(2021)))
        .await
        .unwrap()
        .iter()
        .map(|h| h.state)
        .collect();
    assert_eq!(
        states,
        vec![
            ActualState::Draft,
            ActualState::Submitted,
            ActualState::Approved,
            ActualState::Locked
        ]
    );
    // Without an expected version the step is taken from whatever is current.
    let reopened = store
        .set_state(
            PLAN_ID,
            COUNT,
            fy(2021),
            "amed",
            ActualState::Approved,
            None,
            None,
            "suzuki",
        )
        .await
        .unwrap();
    assert!(reopened > locked);
}

async fn batches_record_the_state_of_each_row(db: TestDb) {
    saved(&db, 1).await;
    // 503 rows: a 500-row statement and a 1-row one mixing states, then approved rows only.
    let mut batch: Vec<NewActual> = (0..503)
        .map(|i| {
            let mut a = number(COUNT, 2020 + (i % 5), "amed", f64::from(i));
            a.state = if i == 502 {
                ActualState::Submitted
            } else {
                ActualState::Approved
            };
            a
        })
        .collect();
    batch.push(ratio(2021, "amed", 1.0, 2.0));
    let mut draft = ratio(2022, "amed", 1.0, 2.0);
    draft.state = ActualState::Draft;
    batch.push(draft);

    let written = db
        .store
        .record_actuals(PLAN_ID, &batch, "importer")
        .await
        .unwrap();

    assert_eq!(written, 505);
    let all = db.store.current_actuals(PLAN_ID).await.unwrap();
    let states: Vec<(&str, i32, ActualState)> = all
        .iter()
        .map(|a| {
            (
                a.contribution.indicator.as_str(),
                a.contribution.year.year(),
                a.state,
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (COUNT, 2020, ActualState::Approved),
            (COUNT, 2021, ActualState::Approved),
            (COUNT, 2022, ActualState::Submitted),
            (COUNT, 2023, ActualState::Approved),
            (COUNT, 2024, ActualState::Approved),
            (RATIO, 2021, ActualState::Approved),
            (RATIO, 2022, ActualState::Draft),
        ]
    );
    let approved = db
        .store
        .current_actuals_as(PLAN_ID, Visibility::Approved)
        .await
        .unwrap();
    assert_eq!(approved.len(), 6);
    // FY2022's count falls back to its latest approved row (row 497).
    let count_2022 = approved
        .iter()
        .find(|a| a.contribution.indicator == COUNT && a.contribution.year == fy(2022))
        .unwrap();
    assert_eq!(count_2022.contribution.value, ActualValue::Number(497.0));
}

// ---------------------------------------------------------------------------------------------
// Sign-in failures

async fn sign_in_failures_are_counted_since_a_time(db: TestDb) {
    let store = &db.store;
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let a_minute_ago = rfc3339(time::OffsetDateTime::now_utc() - time::Duration::minutes(1));
    for _ in 0..3 {
        store.record_sign_in_failure("tanaka").await.unwrap();
    }
    store.record_sign_in_failure("127.0.0.1").await.unwrap();
    let in_a_minute = rfc3339(time::OffsetDateTime::now_utc() + time::Duration::minutes(1));

    assert_eq!(
        store
            .sign_in_failures_since("tanaka", &a_minute_ago)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .sign_in_failures_since("tanaka", &in_a_minute)
            .await
            .unwrap(),
        0
    );
    // Any offset and precision reads.
    assert_eq!(
        store
            .sign_in_failures_since("tanaka", "2000-01-01T09:00:00.5+09:00")
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store
            .sign_in_failures_since("127.0.0.1", &a_minute_ago)
            .await
            .unwrap(),
        1
    );
    store.clear_sign_in_failures("tanaka").await.unwrap();
    assert_eq!(
        store
            .sign_in_failures_since("tanaka", &a_minute_ago)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .sign_in_failures_since("127.0.0.1", &a_minute_ago)
            .await
            .unwrap(),
        1
    );
    let unreadable = store.sign_in_failures_since("tanaka", "yesterday").await;
    assert!(
        matches!(unreadable, Err(StoreError::Invalid(_))),
        "{unreadable:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Audit

async fn account_changes_are_audited_without_secrets(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    let tanaka = created(&db, "tanaka", Role::Body, Some("amed")).await;
    store
        .set_password_hash("tanaka", "$argon2id$second-hash", true, "admin")
        .await
        .unwrap();
    let (token, secret) = store
        .create_api_token(tanaka.id, "集計", "tanaka")
        .await
        .unwrap();
    store.revoke_api_token(token.id, "admin").await.unwrap();
    store
        .set_user_disabled("tanaka", true, "admin")
        .await
        .unwrap();
    store
        .set_user_disabled("tanaka", false, "admin")
        .await
        .unwrap();
    let draft = store
        .record_actual_if_current(PLAN_ID, &amed_2021(5.0, ActualState::Draft), None, "tanaka")
        .await
        .unwrap();
    let submitted = step(&db, ActualState::Submitted, None, draft, "tanaka")
        .await
        .unwrap();
    step(
        &db,
        ActualState::Returned,
        Some("要確認"),
        submitted,
        "admin",
    )
    .await
    .unwrap();

    let log: Vec<AuditEntry> = store.audit_log(100).await.unwrap();

    type Line<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
    let lines: Vec<Line> = log
        .iter()
        .rev()
        .skip(1) // plan.create
        .map(|e| {
            (
                e.action.as_str(),
                e.actor.as_str(),
                e.subject.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
            )
        })
        .collect();
    let token_json = |revoked: &str| {
        format!(
            r#"{{"id":{},"name":"集計","revoked_at":{revoked}}}"#,
            token.id
        )
    };
    let revoked_at = store.list_api_tokens(tanaka.id).await.unwrap()[0]
        .revoked_at
        .clone()
        .unwrap();
    assert_eq!(
        lines,
        vec![
            (
                "user.create",
                "admin",
                "tanaka",
                None,
                Some(r#"{"body":"amed","must_change_password":false,"role":"body"}"#)
            ),
            (
                "user.password_reset",
                "admin",
                "tanaka",
                Some(r#"{"must_change_password":false}"#),
                Some(r#"{"must_change_password":true}"#)
            ),
            (
                "token.create",
                "tanaka",
                "tanaka",
                None,
                Some(token_json("null").as_str())
            ),
            (
                "token.revoke",
                "admin",
                "tanaka",
                Some(token_json("null").as_str()),
                Some(token_json(&format!("\"{revoked_at}\"")).as_str())
            ),
            (
                "user.disable",
                "admin",
                "tanaka",
                Some(r#"{"disabled":false}"#),
                Some(r#"{"disabled":true}"#)
            ),
            (
                "user.enable",
                "admin",
                "tanaka",
                Some(r#"{"disabled":true}"#),
                Some(r#"{"disabled":false}"#)
            ),
            (
                "actual.record",
                "tanaka",
                "test-plan/p1-out-01/2021/amed",
                None,
                Some(
                    format!(r#"{{"state":"draft","value":{{"number":5.0}},"version":{draft}}}"#)
                        .as_str()
                )
            ),
            (
                "actual.state",
                "tanaka",
                "test-plan/p1-out-01/2021/amed",
                Some(format!(r#"{{"state":"draft","version":{draft}}}"#).as_str()),
                Some(format!(r#"{{"state":"submitted","version":{submitted}}}"#).as_str())
            ),
            (
                "actual.state",
                "admin",
                "test-plan/p1-out-01/2021/amed",
                Some(format!(r#"{{"state":"submitted","version":{submitted}}}"#).as_str()),
                Some(format!(r#"{{"state":"returned","version":{}}}"#, submitted + 1).as_str())
            ),
        ]
    );
    assert_eq!(log[0].note.as_deref(), Some("要確認"));
    let secrets = [
        tanaka.password_hash.as_str(),
        "second-hash",
        secret.as_str(),
        &secret["pdca_".len()..],
        &sha256_hex(&secret),
    ];
    for entry in &log {
        let text = format!("{entry:?}");
        for secret in secrets {
            assert!(!text.contains(secret), "{text} contains {secret}");
        }
    }
}

/// Every change to a value is in the audit log: single edits with old → new, batches summarised.
async fn recording_values_is_audited(db: TestDb) {
    let plan = saved(&db, 1).await;
    let store = &db.store;
    let v1 = store
        .record_actual_if_current(
            &plan.id,
            &number("p1-out-01", 2021, "amed", 3.0),
            None,
            "tanaka",
        )
        .await
        .unwrap();
    store
        .record_actual_if_current(
            &plan.id,
            &number("p1-out-01", 2021, "amed", 4.0),
            Some(v1),
            "suzuki",
        )
        .await
        .unwrap();
    store
        .record_actuals(
            &plan.id,
            &[number("p1-out-01", 2022, "amed", 1.0)],
            "importer",
        )
        .await
        .unwrap();
    let log = store.audit_log(10).await.unwrap();
    let batch = &log[0];
    assert_eq!(
        (batch.action.as_str(), batch.actor.as_str()),
        ("actuals.record", "importer")
    );
    assert!(
        batch.new_value.as_deref().unwrap().contains("\"rows\":1"),
        "{batch:?}"
    );
    let edit = &log[1];
    assert_eq!(
        (edit.action.as_str(), edit.actor.as_str()),
        ("actual.record", "suzuki")
    );
    assert!(
        edit.old_value.as_deref().unwrap().contains("3.0"),
        "{edit:?}"
    );
    assert!(
        edit.new_value.as_deref().unwrap().contains("4.0"),
        "{edit:?}"
    );
    assert_eq!(log[2].action, "actual.record");
    assert!(log[2].old_value.is_none());
}

/// Closing a year locks its approved values; anything awaiting approval blocks it.
async fn a_year_locks_only_when_nothing_awaits_approval(db: TestDb) {
    let plan = saved(&db, 1).await;
    let store = &db.store;
    store
        .record_actuals(
            &plan.id,
            &[
                number("p1-out-01", 2021, "amed", 3.0),
                number("p1-out-01", 2022, "amed", 9.0),
            ],
            "importer",
        )
        .await
        .unwrap();
    let mut draft = number("p1-out-01", 2021, "mext", 2.0);
    draft.state = ActualState::Draft;
    let v = store
        .record_actual_if_current(&plan.id, &draft, None, "mext-staff")
        .await
        .unwrap();
    let refused = store.lock_year(&plan.id, fy(2021), "admin").await;
    match refused {
        Err(StoreError::Invalid(message)) => {
            assert!(message.contains("p1-out-01（mext、一時保存）"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    store
        .set_state(
            &plan.id,
            "p1-out-01",
            fy(2021),
            "mext",
            ActualState::Submitted,
            None,
            Some(v),
            "mext-staff",
        )
        .await
        .unwrap();
    store
        .set_state(
            &plan.id,
            "p1-out-01",
            fy(2021),
            "mext",
            ActualState::Approved,
            None,
            None,
            "admin",
        )
        .await
        .unwrap();
    assert_eq!(
        store.lock_year(&plan.id, fy(2021), "admin").await.unwrap(),
        2
    );
    let current = store.current_actuals(&plan.id).await.unwrap();
    let states: Vec<(i32, ActualState)> = current
        .iter()
        .map(|a| (a.contribution.year.year(), a.state))
        .collect();
    assert_eq!(
        states,
        vec![
            (2021, ActualState::Locked),
            (2021, ActualState::Locked),
            (2022, ActualState::Approved)
        ]
    );
    // Locked values still count; locking again changes nothing.
    assert_eq!(
        store
            .actuals(&plan.id)
            .await
            .unwrap()
            .year("p1-out-01", fy(2021))
            .unwrap()
            .number,
        5.0
    );
    assert_eq!(
        store.lock_year(&plan.id, fy(2021), "admin").await.unwrap(),
        0
    );
    assert_eq!(store.audit_log(1).await.unwrap()[0].action, "actuals.lock");
}

// ---------------------------------------------------------------------------------------------
// Follow-up rounds

fn date(text: &str) -> time::Date {
    pdca_core::follow_up::parse_date(text).unwrap()
}

fn new_rating(
    indicator: &str,
    rating: pdca_core::Rating,
    issue: Option<&str>,
    solution: Option<&str>,
) -> pdca_core::follow_up::NewRating {
    pdca_core::follow_up::NewRating {
        indicator_id: indicator.into(),
        rating,
        reason: None,
        issue: issue.map(str::to_owned),
        solution: solution.map(str::to_owned),
    }
}

async fn a_round_moves_through_its_states_and_closes_when_complete(db: TestDb) {
    use pdca_core::Rating;
    use pdca_core::follow_up::{Missing, RoundError, RoundState};
    let plan = saved(&db, 1).await;
    let store = &db.store;
    store
        .record_actuals(&plan.id, &[number(COUNT, 2021, "amed", 4.0)], "importer")
        .await
        .unwrap();
    let mut draft = ratio(2021, "amed", 3.0, 4.0);
    draft.state = ActualState::Draft;
    let v = store
        .record_actual_if_current(&plan.id, &draft, None, "amed-staff")
        .await
        .unwrap();

    let round = store
        .open_round(&plan, fy(2021), date("2022-04-30"), "admin")
        .await
        .unwrap();
    assert_eq!(round.state, RoundState::Collecting);
    assert_eq!(store.round(&plan.id, fy(2021)).await.unwrap(), Some(round));
    let again = store
        .open_round(&plan, fy(2021), date("2022-04-30"), "admin")
        .await;
    assert!(matches!(again, Err(StoreError::Invalid(m)) if m.contains("既に")));
    let outside = store
        .open_round(&plan, fy(2030), date("2031-04-30"), "admin")
        .await;
    assert!(matches!(outside, Err(StoreError::Invalid(m)) if m.contains("期間")));

    for expected in [RoundState::Meeting1, RoundState::Meeting2] {
        assert_eq!(
            store
                .advance_round(&plan.id, fy(2021), "admin")
                .await
                .unwrap(),
            expected
        );
    }
    assert!(matches!(
        store.advance_round(&plan.id, fy(2021), "admin").await,
        Err(StoreError::Round(RoundError::AdvanceFromMeeting2))
    ));

    // Nothing rated, a draft pending: every gap is listed.
    let Err(StoreError::Round(RoundError::Incomplete(missing))) =
        store.close_round(&plan, fy(2021), "admin").await
    else {
        panic!("closing an incomplete round must be refused");
    };
    assert_eq!(
        missing,
        vec![
            Missing::Rating {
                indicator_id: COUNT.into()
            },
            Missing::Rating {
                indicator_id: RATIO.into()
            },
            Missing::PendingValue {
                indicator_id: RATIO.into(),
                body_id: "amed".into(),
                state: "一時保存".into()
            },
        ]
    );

    store
        .rate(
            &plan.id,
            fy(2021),
            &new_rating(COUNT, Rating::A, None, None),
            None,
            "admin",
        )
        .await
        .unwrap();
    store
        .rate(
            &plan.id,
            fy(2021),
            &new_rating(RATIO, Rating::B, Some("症例集積の遅れ"), None),
            Some(None),
            "admin",
        )
        .await
        .unwrap();
    for step in [ActualState::Submitted, ActualState::Approved] {
        store
            .set_state(&plan.id, RATIO, fy(2021), "amed", step, None, None, "admin")
            .await
            .unwrap();
    }
    let Err(StoreError::Round(RoundError::Incomplete(missing))) =
        store.close_round(&plan, fy(2021), "admin").await
    else {
        panic!("a B without a solution keeps the round open");
    };
    // Two people rating from what they read: the second is refused, not silently applied.
    let read = store.round_ratings(&plan.id, fy(2021)).await.unwrap()[1]
        .recorded_at
        .clone();
    let stale = store
        .rate(
            &plan.id,
            fy(2021),
            &new_rating(RATIO, Rating::N, None, None),
            Some(None),
            "member",
        )
        .await;
    assert!(matches!(
        stale,
        Err(StoreError::Round(RoundError::RatingChanged { ref by, .. })) if by == "admin"
    ));
    assert_eq!(
        missing,
        vec![Missing::IssueOrSolution {
            indicator_id: RATIO.into(),
            issue: false,
            solution: true
        }]
    );
    store
        .rate(
            &plan.id,
            fy(2021),
            &new_rating(
                RATIO,
                Rating::B,
                Some("症例集積の遅れ"),
                Some("拠点間の連携"),
            ),
            Some(Some(read.as_str())),
            "admin",
        )
        .await
        .unwrap();
    let _ = v;
    assert_eq!(
        store.close_round(&plan, fy(2021), "admin").await.unwrap(),
        2
    );
    let closed = store.round(&plan.id, fy(2021)).await.unwrap().unwrap();
    assert_eq!(closed.state, RoundState::Closed);
    assert!(
        store
            .current_actuals(&plan.id)
            .await
            .unwrap()
            .iter()
            .filter(|a| a.contribution.year == fy(2021))
            .all(|a| a.state == ActualState::Locked)
    );
    assert!(matches!(
        store
            .rate(
                &plan.id,
                fy(2021),
                &new_rating(COUNT, Rating::N, None, None),
                None,
                "admin"
            )
            .await,
        Err(StoreError::Round(RoundError::Closed))
    ));
    assert!(matches!(
        store.close_round(&plan, fy(2021), "admin").await,
        Err(StoreError::Round(RoundError::Closed))
    ));
    assert!(matches!(
        store.reopen_round(&plan.id, fy(2021), " ", "admin").await,
        Err(StoreError::Invalid(_))
    ));
    store
        .reopen_round(&plan.id, fy(2021), "評価の訂正", "admin")
        .await
        .unwrap();
    let reopened = store.round(&plan.id, fy(2021)).await.unwrap().unwrap();
    assert_eq!(reopened.state, RoundState::Meeting2);

    let ratings = store.round_ratings(&plan.id, fy(2021)).await.unwrap();
    assert_eq!(ratings.len(), 2);
    assert_eq!(ratings[1].solution.as_deref(), Some("拠点間の連携"));
    let log = store.audit_log(100).await.unwrap();
    let rerate = log
        .iter()
        .find(|e| e.action == "round.rate" && e.old_value.is_some())
        .expect("the second rating of RATIO keeps the first");
    assert!(
        rerate
            .old_value
            .as_deref()
            .unwrap()
            .contains("症例集積の遅れ")
    );
    assert!(
        rerate
            .new_value
            .as_deref()
            .unwrap()
            .contains("拠点間の連携")
    );
    let reopen = log
        .iter()
        .find(|e| e.action == "round.state" && e.note.is_some())
        .unwrap();
    assert_eq!(reopen.note.as_deref(), Some("評価の訂正"));
    assert!(log.iter().any(|e| e.action == "round.open"));
}

async fn round_items_link_and_clause_statuses_answer_earlier_clauses(db: TestDb) {
    use pdca_core::follow_up::{ItemKind, Link, NewItem};
    let plan = saved(&db, 1).await;
    let store = &db.store;
    store
        .open_round(&plan, fy(2021), date("2022-04-30"), "admin")
        .await
        .unwrap();
    let validated = |kind, text: &str, title: Option<&str>, links: &[&str], body: Option<&str>| {
        NewItem {
            kind: Some(kind),
            text: text.into(),
            title: title.map(str::to_owned),
            links: links
                .iter()
                .map(|l| Link::parse(l, &plan).unwrap())
                .collect(),
            body_id: body.map(str::to_owned),
            ..NewItem::default()
        }
        .validate(&plan)
        .unwrap()
        .1
    };
    let priority = store
        .add_item(
            &plan.id,
            fy(2021),
            ItemKind::PriorityItem,
            &validated(
                ItemKind::PriorityItem,
                "臨床研究の推進",
                Some("治験の加速"),
                &[RATIO],
                None,
            ),
            "admin",
        )
        .await
        .unwrap();
    let priority_link = format!("#{}", priority.id);
    let clause = store
        .add_item(
            &plan.id,
            fy(2021),
            ItemKind::PolicyClause,
            &validated(
                ItemKind::PolicyClause,
                "治験拠点への重点配分",
                Some("第1項"),
                &[priority_link.as_str(), RATIO],
                None,
            ),
            "admin",
        )
        .await
        .unwrap();
    let opinion = store
        .add_item(
            &plan.id,
            fy(2021),
            ItemKind::Opinion,
            &validated(
                ItemKind::Opinion,
                "症例集積を急ぐべき",
                None,
                &[RATIO],
                None,
            ),
            "member",
        )
        .await
        .unwrap();
    store
        .set_item_reflected(&plan.id, opinion.id, true, "admin")
        .await
        .unwrap();
    let items = store.round_items(&plan.id, Some(fy(2021))).await.unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1].links.len(), 2);
    assert!(items[2].reflected);
    assert_eq!(items[2].author, "member");

    // The next round: a clause status answers last year's clause, nothing else.
    store
        .open_round(&plan, fy(2022), date("2023-04-30"), "admin")
        .await
        .unwrap();
    let clause_link = format!("#{}", clause.id);
    let status = validated(
        ItemKind::ClauseStatus,
        "拠点を2か所追加した",
        None,
        &[clause_link.as_str()],
        Some("amed"),
    );
    store
        .add_item(
            &plan.id,
            fy(2022),
            ItemKind::ClauseStatus,
            &status,
            "amed-staff",
        )
        .await
        .unwrap();
    let wrong = validated(
        ItemKind::ClauseStatus,
        "x",
        None,
        &[priority_link.as_str()],
        Some("amed"),
    );
    assert!(matches!(
        store
            .add_item(
                &plan.id,
                fy(2022),
                ItemKind::ClauseStatus,
                &wrong,
                "amed-staff"
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let unknown = validated(ItemKind::Opinion, "x", None, &["#99999"], None);
    assert!(matches!(
        store
            .add_item(&plan.id, fy(2022), ItemKind::Opinion, &unknown, "member")
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.round_items(&plan.id, None).await.unwrap().len(), 4);
}

async fn meetings_keep_their_materials_and_minutes(db: TestDb) {
    use pdca_core::follow_up::{Material, MeetingKind};
    use pdca_store::NewMeeting;
    let plan = saved(&db, 1).await;
    let store = &db.store;
    let meeting = NewMeeting {
        plan_id: plan.id.clone(),
        fiscal_year: Some(fy(2021)),
        committee: "健康・医療戦略推進専門調査会".into(),
        number: 35,
        kind: MeetingKind::First,
        date: date("2022-05-20"),
        agenda: vec!["令和3年度の実施状況の報告".into(), "進捗の評価".into()],
        materials: vec![
            (Material::parse("資料1:議事次第").unwrap(), None),
            (
                Material {
                    file_name: Some("資料2-1.pdf".into()),
                    ..Material::parse("資料2-1:進捗状況").unwrap()
                },
                Some(vec![0x25, 0x50, 0x44, 0x46, 0x00, 0xff]),
            ),
        ],
    };
    let stored = store.add_meeting(&meeting, "admin").await.unwrap();
    assert_eq!(stored.title(), "第35回健康・医療戦略推進専門調査会");
    assert!(matches!(
        store.add_meeting(&meeting, "admin").await,
        Err(StoreError::Invalid(m)) if m.contains("第35回")
    ));
    let mut duplicate_labels = meeting.clone();
    duplicate_labels.number = 36;
    duplicate_labels.materials[1].0.label = "資料1".into();
    assert!(store.add_meeting(&duplicate_labels, "admin").await.is_err());
    store
        .set_minutes(&plan.id, stored.id, "委員から意見があった。", "admin")
        .await
        .unwrap();
    let meetings = store.meetings(&plan.id).await.unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(meetings[0].agenda.len(), 2);
    assert_eq!(meetings[0].materials[1].label, "資料2-1");
    assert_eq!(
        meetings[0].minutes.as_deref(),
        Some("委員から意見があった。")
    );
    assert_eq!(
        store
            .material_file(&plan.id, stored.id, "資料2-1")
            .await
            .unwrap(),
        Some((
            "資料2-1.pdf".to_owned(),
            vec![0x25, 0x50, 0x44, 0x46, 0x00, 0xff]
        ))
    );

    // A file for a listed material (資料1 had none), a new material after the others, and
    // a replaced file; each audited.
    let attachments: [(&str, Option<&str>, &str, &[u8]); 3] = [
        ("資料１", None, "次第.pdf", b"%PDF-1"),
        ("参考資料4", Some("関係府省の取組"), "参考4.xlsx", b"PK"),
        ("資料2-1", None, "v2.pdf", b"%PDF-2"),
    ];
    for (label, title, file_name, content) in attachments {
        store
            .attach_material(
                &plan.id, stored.id, label, title, file_name, content, "admin",
            )
            .await
            .unwrap();
    }
    let materials = &store.meetings(&plan.id).await.unwrap()[0].materials;
    let listed: Vec<(&str, &str, Option<&str>)> = materials
        .iter()
        .map(|m| (m.label.as_str(), m.title.as_str(), m.file_name.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            ("資料1", "議事次第", Some("次第.pdf")),
            ("資料2-1", "進捗状況", Some("v2.pdf")),
            ("参考資料4", "関係府省の取組", Some("参考4.xlsx")),
        ]
    );
    assert_eq!(
        store
            .material_file(&plan.id, stored.id, "資料2-1")
            .await
            .unwrap(),
        Some(("v2.pdf".to_owned(), b"%PDF-2".to_vec()))
    );
    let audit: Vec<_> = store
        .audit_log(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "meeting.material")
        .collect();
    assert_eq!(audit.len(), 3);
    assert!(audit.iter().any(|e| {
        e.old_value
            .as_deref()
            .is_some_and(|v| v.contains("資料2-1.pdf"))
    }));
    // The replaced file's size, and none for 資料1, which had no file.
    assert!(audit.iter().any(|e| {
        e.old_value
            .as_deref()
            .is_some_and(|v| v.contains("資料2-1.pdf") && v.contains(r#""bytes":6"#))
    }));
    assert!(audit.iter().any(|e| {
        e.old_value
            .as_deref()
            .is_some_and(|v| v.contains(r#""file_name":null"#) && v.contains(r#""bytes":0"#))
    }));

    // Refused, and nothing written: a new material without a title, a bad number, an empty
    // file, a meeting of no such plan.
    let attempts: [(&str, &str, Option<&str>, &[u8]); 4] = [
        (plan.id.as_str(), "資料3", None, b"x"),
        (plan.id.as_str(), "別紙1", Some("t"), b"x"),
        (plan.id.as_str(), "資料1", None, b""),
        ("no-such-plan", "資料1", None, b"x"),
    ];
    let mut refused = Vec::new();
    for (plan_id, label, title, content) in attempts {
        refused.push(
            store
                .attach_material(plan_id, stored.id, label, title, "a.pdf", content, "admin")
                .await,
        );
    }
    assert!(matches!(&refused[0], Err(StoreError::Invalid(m)) if m.contains("題名")));
    assert!(refused[1].is_err());
    assert!(matches!(&refused[2], Err(StoreError::Invalid(m)) if m.contains("ファイル")));
    assert!(matches!(&refused[3], Err(StoreError::NotFound(_))));
    assert_eq!(
        store.meetings(&plan.id).await.unwrap()[0].materials.len(),
        3
    );
}

// ---------------------------------------------------------------------------------------------
// Conditional batches and sign-in attempts under concurrency (issue 11, items 5 and 6)

/// An upload previewed (old 5 → new 7) while another editor saves 6: applying the preview with
/// the versions it showed writes nothing and names the value changed since, with who changed it
/// and when; applied with the current versions it writes every row.
async fn a_batch_is_written_only_if_every_version_is_still_current(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    let a = |v: f64| number(COUNT, 2022, "mext", v);
    let b = |v: f64| number(COUNT, 2023, "mext", v);
    let five = store
        .record_actual_if_current(PLAN_ID, &a(5.0), None, "alice")
        .await
        .unwrap();
    // The preview showed version `five` for A and no value for B; then bob saves 6.
    let six = store
        .record_actual_if_current(PLAN_ID, &a(6.0), Some(five), "bob")
        .await
        .unwrap();
    let stale = store
        .record_actuals_if_current(PLAN_ID, &[(a(7.0), Some(five)), (b(1.0), None)], "carol")
        .await;
    match stale {
        Err(StoreError::Changed(changed)) => {
            assert_eq!(changed.len(), 1, "{changed:?}");
            let ChangedValue {
                indicator,
                year,
                body,
                expected,
                current,
            } = &changed[0];
            assert_eq!(
                (indicator.as_str(), *year, body.as_str(), *expected),
                (COUNT, fy(2022), "mext", Some(five))
            );
            let current = current.as_ref().expect("the value now current");
            assert_eq!(current.id, six);
            assert_eq!(current.recorded_by, "bob");
            assert!(!current.recorded_at.is_empty());
            assert_eq!(current.contribution.value, ActualValue::Number(6.0));
            let message = StoreError::Changed(changed.clone()).to_string();
            assert!(
                message.contains("bob") && message.contains(COUNT),
                "{message}"
            );
        }
        other => panic!("expected the changed values, got {other:?}"),
    }
    // Nothing of the batch was written: A is still bob's 6, B has no value.
    let current = store.current_actuals(PLAN_ID).await.unwrap();
    let a_now: Vec<_> = current
        .iter()
        .filter(|c| c.contribution.indicator == COUNT && c.contribution.body == "mext")
        .map(|c| (c.contribution.year.year(), c.id))
        .collect();
    assert_eq!(a_now, vec![(2022, six)]);
    // A value added where the preview showed none is a change too.
    let b_first = store
        .record_actual_if_current(PLAN_ID, &b(2.0), None, "dave")
        .await
        .unwrap();
    let again = store
        .record_actuals_if_current(PLAN_ID, &[(a(7.0), Some(six)), (b(1.0), None)], "carol")
        .await;
    match again {
        Err(StoreError::Changed(changed)) => {
            assert_eq!(changed.len(), 1, "{changed:?}");
            assert_eq!(changed[0].year, fy(2023));
            assert_eq!(changed[0].expected, None);
            assert_eq!(changed[0].current.as_ref().map(|c| c.id), Some(b_first));
        }
        other => panic!("expected the changed values, got {other:?}"),
    }
    // With the versions now current, every row is written.
    let written = store
        .record_actuals_if_current(
            PLAN_ID,
            &[(a(7.0), Some(six)), (b(1.0), Some(b_first))],
            "carol",
        )
        .await
        .unwrap();
    assert_eq!(written, 2);
    let history = store
        .revisions_of(PLAN_ID, COUNT, Some(fy(2022)))
        .await
        .unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[2].contribution.value, ActualValue::Number(7.0));
    assert_eq!(history[2].recorded_by, "carol");
    // One key with two different versions is a mistake of the caller.
    let contradictory = store
        .record_actuals_if_current(PLAN_ID, &[(a(8.0), Some(six)), (a(9.0), None)], "carol")
        .await;
    assert!(
        matches!(contradictory, Err(StoreError::Invalid(_))),
        "{contradictory:?}"
    );
}

/// A conditional batch and a single edit of one of its values, sent at once, ten times: each
/// time exactly one of them wins, whichever it is, on both databases (the check is inside the
/// write transaction of the batch, also on SQLite's bulk path).
async fn a_batch_and_an_edit_of_the_same_value_cannot_both_win(db: TestDb) {
    saved(&db, 1).await;
    let store = &db.store;
    let a = |v: f64| number(COUNT, 2021, "amed", v);
    let b = |v: f64| number(COUNT, 2021, "mext", v);
    store
        .record_actuals(PLAN_ID, &[a(0.0), b(0.0)], "alice")
        .await
        .unwrap();
    let (mut batch_wins, mut edit_wins) = (0, 0);
    for round in 0..10 {
        let current = store.current_actuals(PLAN_ID).await.unwrap();
        let version_of = |body: &str| {
            current
                .iter()
                .find(|c| c.contribution.year == fy(2021) && c.contribution.body == body)
                .map(|c| c.id)
        };
        let (va, vb) = (version_of("amed"), version_of("mext"));
        let value = f64::from(round);
        let batch = [(a(value + 0.5), va), (b(value + 0.5), vb)];
        let edit = a(value + 0.25);
        let (batch_result, edit_result) = tokio::join!(
            store.record_actuals_if_current(PLAN_ID, &batch, "carol"),
            store.record_actual_if_current(PLAN_ID, &edit, va, "bob"),
        );
        let winner = match (&batch_result, &edit_result) {
            (Ok(2), Err(StoreError::Conflict { .. })) => {
                batch_wins += 1;
                "carol"
            }
            (Err(StoreError::Changed(changed)), Ok(_)) => {
                assert_eq!(changed.len(), 1, "{changed:?}");
                let by = changed[0].current.as_ref().map(|c| c.recorded_by.as_str());
                assert_eq!(by, Some("bob"));
                edit_wins += 1;
                "bob"
            }
            other => panic!("round {round}: not exactly one winner: {other:?}"),
        };
        let history = store
            .revisions_of(PLAN_ID, COUNT, Some(fy(2021)))
            .await
            .unwrap();
        let amed: Vec<_> = history
            .iter()
            .filter(|h| h.contribution.body == "amed")
            .collect();
        assert_eq!(amed.len(), round as usize + 2, "one row per round");
        assert_eq!(amed.last().map(|h| h.recorded_by.as_str()), Some(winner));
    }
    assert_eq!(batch_wins + edit_wins, 10);
}

/// 40 sign-in attempts on one account sent at once, half of them through a second store on the
/// same database (another process): exactly 5 are let through; a success taken back frees its
/// place, a failure keeps it.
async fn sign_in_attempts_are_reserved_atomically(db: TestDb) {
    let other = Store::open(&db.url).await.unwrap();
    let since = (time::OffsetDateTime::now_utc() - time::Duration::minutes(15))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let keys = ["account:tanaka", "address:192.0.2.1"];
    let attempts = (0..40).map(|i| {
        let store = if i % 2 == 0 { &db.store } else { &other };
        let since = since.clone();
        async move { store.reserve_sign_in_attempt(&keys, &since, 5).await }
    });
    let results = futures::future::join_all(attempts).await;
    let mut reserved = Vec::new();
    for result in results {
        if let Some(attempt) = result.unwrap() {
            reserved.push(attempt);
        }
    }
    assert_eq!(reserved.len(), 5, "attempts let through");
    for key in keys {
        assert_eq!(
            db.store.sign_in_failures_since(key, &since).await.unwrap(),
            5,
            "{key}"
        );
    }
    // A success takes its attempt back: one more may be tried, and no more.
    let success = reserved.pop().unwrap();
    db.store.forget_sign_in_attempt(success).await.unwrap();
    assert_eq!(
        db.store
            .sign_in_failures_since("address:192.0.2.1", &since)
            .await
            .unwrap(),
        4
    );
    let one_more = other
        .reserve_sign_in_attempt(&keys, &since, 5)
        .await
        .unwrap();
    assert!(one_more.is_some());
    let refused = db
        .store
        .reserve_sign_in_attempt(&keys, &since, 5)
        .await
        .unwrap();
    assert!(refused.is_none());
    // Another account from another address is not affected; an address alone counts too.
    let elsewhere = db
        .store
        .reserve_sign_in_attempt(&["account:suzuki", "address:192.0.2.2"], &since, 5)
        .await
        .unwrap();
    assert!(elsewhere.is_some());
    let same_address = db
        .store
        .reserve_sign_in_attempt(&["account:suzuki", "address:192.0.2.1"], &since, 5)
        .await
        .unwrap();
    assert!(same_address.is_none());
    // Attempts older than the window do not count.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::seconds(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert!(
        db.store
            .reserve_sign_in_attempt(&keys, &later, 5)
            .await
            .unwrap()
            .is_some()
    );
    other.close().await;
}

/// How long after another process's commit a watching store may still answer as before
/// (docs/reliability.md).
const COHERENCE_BOUND: Duration = Duration::from_millis(100);

/// Asks `gone` every millisecond until it holds; how long that took (panics after 5 s).
async fn time_until<F, Fut>(mut gone: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while !gone().await {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not seen after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    start.elapsed()
}

async fn a_watching_store_answers_from_memory_and_sees_every_change(db: TestDb) {
    let store = &db.store;
    store.watch_changes().await.unwrap();
    store.watch_changes().await.unwrap();
    let other = Store::open(&db.url).await.unwrap();
    let tanaka = created(&db, "tanaka", Role::Body, Some("amed")).await;
    let suzuki = created(&db, "suzuki", Role::Viewer, None).await;
    let mine = other
        .create_session(tanaka.id, SystemTime::now())
        .await
        .unwrap();
    let theirs = other
        .create_session(suzuki.id, SystemTime::now())
        .await
        .unwrap();
    let (_, secret) = other
        .create_api_token(suzuki.id, "script", "admin")
        .await
        .unwrap();

    // The token's first use is recorded (a write), so the lookups start after it and after
    // PostgreSQL's notifications of the writes so far have arrived.
    assert!(store.api_token_user(&secret).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Read once from the database, then from memory while nothing changes.
    let read = store.lookups_read();
    for _ in 0..5 {
        assert!(store.session(&mine.id, HOUR, HOUR).await.unwrap().is_some());
        assert!(
            store
                .session(&theirs.id, HOUR, HOUR)
                .await
                .unwrap()
                .is_some()
        );
        assert!(store.api_token_user(&secret).await.unwrap().is_some());
    }
    assert_eq!(store.lookups_read() - read, 3, "each read once");

    // A write through this store is seen by its next lookup, before any notification.
    store.delete_session(&mine.id).await.unwrap();
    assert!(store.session(&mine.id, HOUR, HOUR).await.unwrap().is_none());

    // Another process's writes are seen within the bound.
    let before = store.lookups_read();
    assert!(
        store
            .session(&theirs.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_some()
    );
    other.delete_session(&theirs.id).await.unwrap();
    let ended = time_until(|| async {
        store
            .session(&theirs.id, HOUR, HOUR)
            .await
            .unwrap()
            .is_none()
    })
    .await;
    assert!(store.lookups_read() > before);
    other
        .set_user_disabled("suzuki", true, "admin")
        .await
        .unwrap();
    let disabled =
        time_until(|| async { store.api_token_user(&secret).await.unwrap().is_none() }).await;
    assert!(
        ended <= COHERENCE_BOUND && disabled <= COHERENCE_BOUND,
        "seen after {ended:?} and {disabled:?}"
    );
    other.close().await;
}

/// The watcher's connection is ended by the server (a restart, an administrator): while it is
/// gone nothing is answered from memory, and after it is back what changed in between is seen.
#[tokio::test]
async fn a_lost_change_watcher_never_leaves_a_stale_memory() {
    with_postgres(|db| async move {
        let store = &db.store;
        store.watch_changes().await.unwrap();
        let other = Store::open(&db.url).await.unwrap();
        let suzuki = created(&db, "suzuki", Role::Viewer, None).await;
        let first = other
            .create_session(suzuki.id, SystemTime::now())
            .await
            .unwrap();
        let second = other
            .create_session(suzuki.id, SystemTime::now())
            .await
            .unwrap();
        for id in [&first.id, &second.id, &first.id, &second.id] {
            assert!(store.session(id, HOUR, HOUR).await.unwrap().is_some());
        }
        let pool = raw_pool(&db).await;
        let ended: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(pg_terminate_backend(pid)) AS BIGINT) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(ended, 1, "the watcher's connection");
        // Ended while the watcher is away or reconnecting: still seen.
        other.delete_session(&first.id).await.unwrap();
        time_until(|| async {
            store
                .session(&first.id, HOUR, HOUR)
                .await
                .unwrap()
                .is_none()
        })
        .await;
        // And once it listens again, the memory is used and kept right.
        time_until(|| async {
            let before = store.lookups_read();
            assert!(
                store
                    .session(&second.id, HOUR, HOUR)
                    .await
                    .unwrap()
                    .is_some()
            );
            assert!(
                store
                    .session(&second.id, HOUR, HOUR)
                    .await
                    .unwrap()
                    .is_some()
            );
            store.lookups_read() - before <= 1
        })
        .await;
        other.delete_session(&second.id).await.unwrap();
        let took = time_until(|| async {
            store
                .session(&second.id, HOUR, HOUR)
                .await
                .unwrap()
                .is_none()
        })
        .await;
        assert!(took <= COHERENCE_BOUND, "{took:?}");
        // Closing the store ends the watcher's connection too.
        store.close().await;
        time_until(|| async {
            let listening: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_stat_activity
                 WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            listening == 0
        })
        .await;
        pool.close().await;
        other.close().await;
    })
    .await;
}
