//! Achievements (成果) and duplicate decisions in the store, each test run on a fresh SQLite
//! file and on a fresh PostgreSQL database (named by `PDCA_TEST_POSTGRES_URL`, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../src/testing.rs"]
mod testing;

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use pdca_core::access::ActualState;
use pdca_core::achievements::{AchievementFields, AchievementId, DuplicateDecision, Resolution};
use pdca_core::plan::{CountedFrom, Plan};
use pdca_core::{ActualValue, Contribution, FiscalYear};
use pdca_store::{
    AchievementChange, AchievementFilter, Backend, Dump, NewActual, Store, StoreError, Visibility,
};
use sqlx::{AssertSqlSafe, Connection, Executor};
use testing::{database_url, postgres_server, unique_database_name};

// ---------------------------------------------------------------------------------------------
// Harness: one test body, two databases.

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    crate::with_database(crate::Backend::Sqlite, crate::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    crate::with_database(crate::Backend::Postgres, crate::$name).await;
                }
            )*
        }
    };
}

on_both_databases!(
    achievements_are_recorded_and_edited_by_version,
    a_stale_version_is_refused_and_nothing_is_written,
    a_batch_with_one_bad_change_records_nothing,
    achievements_move_through_the_approval_flow,
    a_state_change_is_all_or_nothing,
    duplicate_decisions_are_recorded_and_superseded,
    bad_duplicate_decisions_are_refused,
    a_counted_indicator_gets_its_actual_from_the_achievements,
    a_typed_actual_for_a_counted_indicator_is_refused,
    a_dump_round_trip_keeps_achievements_and_decisions,
    a_dump_from_before_achievements_is_still_imported,
);

/// A fresh database of `backend` with a store on it and the test plan saved; the database is
/// dropped afterwards, even if `test` panics.
async fn with_database<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let (url, postgres) = match backend {
        Backend::Sqlite => (dir.path().join("pdca.sqlite3").display().to_string(), None),
        Backend::Postgres => {
            let (url, name) = fresh_postgres().await;
            (url, Some(name))
        }
    };
    let store = Store::open(&url).await.expect("open the fresh database");
    store
        .save_plan(&plan(), None, "tester")
        .await
        .expect("save the plan");
    let outcome = AssertUnwindSafe(test(store.clone())).catch_unwind().await;
    store.close().await;
    if let Some(name) = postgres {
        drop_postgres(&name).await;
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A new, empty PostgreSQL database: its URL and name.
async fn fresh_postgres() -> (String, String) {
    let server = postgres_server();
    let name = unique_database_name("pdca_achievements_test");
    let mut admin = sqlx::postgres::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PDCA_TEST_POSTGRES_URL={server}: {e}"));
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create the test database");
    let _ = admin.close().await;
    (database_url(&server, &name), name)
}

async fn drop_postgres(name: &str) {
    let server = postgres_server();
    if let Ok(mut admin) = sqlx::postgres::PgConnection::connect(&server).await {
        let _ = admin
            .execute(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await;
        let _ = admin.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// The plan and the achievements used by the tests.

/// The built-in plan, whose 非臨床POCの取得件数 is counted from its achievements.
fn plan() -> Plan {
    let mut plan = pdca_core::builtin::builtin_plan().expect("the built-in plan parses");
    set_counted(&mut plan, COUNTED);
    plan
}

fn set_counted(plan: &mut Plan, id: &str) {
    let mut found = false;
    for project in &mut plan.projects {
        for indicator in &mut project.indicators {
            if indicator.id == id {
                indicator.counted_from = CountedFrom::Achievements;
                found = true;
            }
        }
    }
    assert!(found, "{id} is in the built-in plan");
}

fn plan_id() -> String {
    pdca_core::builtin::BUILTIN_PLAN_ID.to_owned()
}

/// 非臨床POCの取得件数: counted from achievements.
const COUNTED: &str = "p1-out-01";
/// 創薬支援ネットワークの活動による有望創薬シーズの企業導出件数: typed.
const TYPED: &str = "p1-out-02";

fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).unwrap()
}

fn fields(title: &str, year: i32) -> AchievementFields {
    AchievementFields {
        indicator: COUNTED.to_owned(),
        year: fy(year),
        body: "amed".to_owned(),
        project_code: Some(format!("JP21-{title}")),
        title: title.to_owned(),
        institution: Some("国立研究開発法人".to_owned()),
        date: Some(format!("{year}-10-01")),
        tags: vec!["遺伝子治療".to_owned()],
        public: true,
        notable: false,
        url: Some(format!("https://example.jp/{title}")),
        note: None,
    }
}

fn new(fields: AchievementFields) -> AchievementChange {
    AchievementChange {
        id: None,
        expected_version: None,
        fields,
    }
}

fn edit(id: AchievementId, version: i64, fields: AchievementFields) -> AchievementChange {
    AchievementChange {
        id: Some(id),
        expected_version: Some(version),
        fields,
    }
}

async fn all(store: &Store) -> Vec<pdca_core::achievements::Achievement> {
    store
        .achievements(&plan_id(), &AchievementFilter::default())
        .await
        .unwrap()
}

async fn actions(store: &Store) -> Vec<String> {
    store
        .audit_log(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Recording and editing.

async fn achievements_are_recorded_and_edited_by_version(store: Store) {
    let plan = plan_id();
    let ids = store
        .record_achievements(
            &plan,
            &[new(fields("a", 2021)), new(fields("b", 2022))],
            ActualState::Draft,
            "amed-user",
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] < ids[1]);

    let mut changed = fields("a2", 2021);
    changed.tags = vec![];
    changed.notable = true;
    let edited = store
        .record_achievements(
            &plan,
            &[edit(ids[0], 1, changed.clone())],
            ActualState::Draft,
            "amed-editor",
        )
        .await
        .unwrap();

    assert_eq!(edited, vec![ids[0]]);
    let current = all(&store).await;
    assert_eq!(current.len(), 2);
    assert_eq!(current[0].id, ids[0]);
    assert_eq!(current[0].version, 2);
    assert_eq!(current[0].fields, changed);
    assert_eq!(current[0].state, ActualState::Draft);
    assert_eq!(current[1].fields, fields("b", 2022));
    assert_eq!(current[1].version, 1);
    let history = store.achievement_history(&plan, ids[0]).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].version, 1);
    assert_eq!(history[0].fields, fields("a", 2021));
    assert_eq!(history[0].recorded_by, "amed-user");
    assert_eq!(history[1].version, 2);
    assert_eq!(history[1].fields, changed);
    assert_eq!(history[1].recorded_by, "amed-editor");
    assert!(history[1].recorded_at >= history[0].recorded_at);
    assert!(history[1].recorded_at.ends_with('Z'));
    // Filters.
    let of_2022 = store
        .achievements(
            &plan,
            &AchievementFilter {
                year: Some(fy(2022)),
                ..AchievementFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(of_2022.len(), 1);
    assert_eq!(of_2022[0].id, ids[1]);
    let other_body = store
        .achievements(
            &plan,
            &AchievementFilter {
                body: Some("cao".to_owned()),
                ..AchievementFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(other_body.is_empty());
    let approved = store
        .achievements(
            &plan,
            &AchievementFilter {
                approved_only: true,
                ..AchievementFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(approved.is_empty());
    assert_eq!(
        actions(&store).await,
        vec!["achievements.record", "achievements.record", "plan.create"]
    );
    // An unknown plan or achievement is not found.
    assert!(matches!(
        store.achievement_history(&plan, AchievementId(999)).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .achievements("no-such-plan", &AchievementFilter::default())
            .await,
        Err(StoreError::NotFound(_))
    ));
}

async fn a_stale_version_is_refused_and_nothing_is_written(store: Store) {
    let plan = plan_id();
    let ids = store
        .record_achievements(
            &plan,
            &[new(fields("a", 2021))],
            ActualState::Draft,
            "tester",
        )
        .await
        .unwrap();
    store
        .record_achievements(
            &plan,
            &[edit(ids[0], 1, fields("first editor", 2021))],
            ActualState::Draft,
            "first",
        )
        .await
        .unwrap();
    let audit_before = store.audit_log(100).await.unwrap().len();

    let late = store
        .record_achievements(
            &plan,
            &[edit(ids[0], 1, fields("second editor", 2021))],
            ActualState::Draft,
            "second",
        )
        .await;

    assert!(
        matches!(
            late,
            Err(StoreError::AchievementChanged {
                expected: Some(1),
                current: 2,
                ..
            })
        ),
        "{late:?}"
    );
    let message = late.unwrap_err().to_string();
    assert!(message.starts_with("成果 "), "{message}");
    assert!(message.contains("最新の版: 2"), "{message}");
    let current = all(&store).await;
    assert_eq!(current[0].fields.title, "first editor");
    assert_eq!(current[0].version, 2);
    assert_eq!(store.audit_log(100).await.unwrap().len(), audit_before);
    // An edit without the version read is refused too.
    let unversioned = store
        .record_achievements(
            &plan,
            &[AchievementChange {
                id: Some(ids[0]),
                expected_version: None,
                fields: fields("x", 2021),
            }],
            ActualState::Draft,
            "second",
        )
        .await;
    assert!(matches!(unversioned, Err(StoreError::Invalid(_))));
}

async fn a_batch_with_one_bad_change_records_nothing(store: Store) {
    let plan = plan_id();
    let existing = store
        .record_achievements(
            &plan,
            &[new(fields("a", 2021))],
            ActualState::Approved,
            "tester",
        )
        .await
        .unwrap();
    let mut unknown_indicator = fields("b", 2021);
    unknown_indicator.indicator = "no-such-indicator".to_owned();
    let mut unknown_body = fields("c", 2021);
    unknown_body.body = "no-such-body".to_owned();
    let mut blank_title = fields("d", 2021);
    blank_title.title = "  ".to_owned();
    let mut control = fields("e", 2021);
    control.title = "成果\u{7}".to_owned();
    let mut sub_target = fields("f", 2021);
    sub_target.indicator = "p3-out-01-1".to_owned();
    let mut ratio = fields("g", 2021);
    ratio.indicator = "p1-out-04".to_owned();

    let twice = format!(
        "2件目の成果: 成果 {} は1件目でも変更されています",
        existing[0].0
    );
    let cases = [
        (
            vec![new(fields("ok", 2021)), new(unknown_indicator)],
            "2件目の成果: 指標「no-such-indicator」は計画「medical-rd-2」にありません",
        ),
        (
            vec![new(fields("ok", 2021)), new(unknown_body)],
            "報告機関「no-such-body」",
        ),
        (vec![new(blank_title)], "成果名がありません"),
        (vec![new(control)], "成果名"),
        (
            vec![
                edit(existing[0], 1, fields("x", 2021)),
                edit(existing[0], 1, fields("y", 2021)),
            ],
            &twice,
        ),
        (vec![new(fields("locked", 2021))], "確定"),
        (
            vec![new(sub_target)],
            "内数（うち…）です。成果は親指標「p3-out-01」に記録し",
        ),
        (
            vec![new(ratio)],
            "指標「p1-out-04」は件数の指標ではないため",
        ),
    ];
    for (changes, expected) in cases {
        let state = if expected == "確定" {
            ActualState::Locked
        } else {
            ActualState::Approved
        };
        let result = store
            .record_achievements(&plan, &changes, state, "tester")
            .await;
        let error = result.expect_err("refused").to_string();
        assert!(error.contains(expected), "{error}");
    }
    // A stale edit after a good new achievement: the new one is not kept either.
    let stale = store
        .record_achievements(
            &plan,
            &[
                new(fields("ok", 2021)),
                edit(existing[0], 7, fields("z", 2021)),
            ],
            ActualState::Approved,
            "tester",
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::AchievementChanged { .. })),
        "{stale:?}"
    );
    // An unknown id.
    let unknown = store
        .record_achievements(
            &plan,
            &[
                new(fields("ok", 2021)),
                edit(AchievementId(999), 1, fields("z", 2021)),
            ],
            ActualState::Approved,
            "tester",
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );

    let current = all(&store).await;
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].fields, fields("a", 2021));
    assert_eq!(current[0].version, 1);
    assert_eq!(
        actions(&store).await,
        vec!["achievements.record", "plan.create"]
    );
    // The next new achievement still gets a fresh id.
    let next = store
        .record_achievements(&plan, &[new(fields("n", 2021))], ActualState::Draft, "t")
        .await
        .unwrap();
    assert!(next[0] > existing[0]);
}

// ---------------------------------------------------------------------------------------------
// The approval flow.

async fn achievements_move_through_the_approval_flow(store: Store) {
    let plan = plan_id();
    let ids = store
        .record_achievements(
            &plan,
            &[new(fields("a", 2021))],
            ActualState::Draft,
            "amed-user",
        )
        .await
        .unwrap();
    let id = ids[0];

    store
        .set_achievement_state(&plan, &[(id, 1)], ActualState::Submitted, None, "amed-user")
        .await
        .unwrap();
    store
        .set_achievement_state(
            &plan,
            &[(id, 2)],
            ActualState::Returned,
            Some("課題番号を確認してください"),
            "secretariat",
        )
        .await
        .unwrap();
    // A returned achievement cannot be approved without being submitted again.
    let skip = store
        .set_achievement_state(
            &plan,
            &[(id, 3)],
            ActualState::Approved,
            None,
            "secretariat",
        )
        .await;
    let error = skip.expect_err("refused").to_string();
    assert!(
        error.contains("「差戻し」から「承認済み」にできません"),
        "{error}"
    );
    let mut fixed = fields("a", 2021);
    fixed.project_code = Some("JP21-fixed".to_owned());
    store
        .record_achievements(
            &plan,
            &[edit(id, 3, fixed.clone())],
            ActualState::Submitted,
            "amed-user",
        )
        .await
        .unwrap();
    // A stale version is refused.
    let stale = store
        .set_achievement_state(
            &plan,
            &[(id, 3)],
            ActualState::Approved,
            None,
            "secretariat",
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::AchievementChanged { .. })),
        "{stale:?}"
    );
    store
        .set_achievement_state(
            &plan,
            &[(id, 4)],
            ActualState::Approved,
            None,
            "secretariat",
        )
        .await
        .unwrap();

    let history = store.achievement_history(&plan, id).await.unwrap();
    let steps: Vec<(i64, ActualState, &str, Option<&str>)> = history
        .iter()
        .map(|r| {
            (
                r.version,
                r.state,
                r.recorded_by.as_str(),
                r.comment.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (1, ActualState::Draft, "amed-user", None),
            (2, ActualState::Submitted, "amed-user", None),
            (
                3,
                ActualState::Returned,
                "secretariat",
                Some("課題番号を確認してください")
            ),
            (4, ActualState::Submitted, "amed-user", None),
            (5, ActualState::Approved, "secretariat", None),
        ]
    );
    assert_eq!(history[2].fields, fields("a", 2021));
    assert_eq!(history[4].fields, fixed);
    let approved = store
        .achievements(
            &plan,
            &AchievementFilter {
                approved_only: true,
                ..AchievementFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0].version, 5);
    // An approved achievement edited again stays counted as approved until the edit is.
    store
        .record_achievements(
            &plan,
            &[edit(id, 5, fields("draft edit", 2021))],
            ActualState::Draft,
            "amed-user",
        )
        .await
        .unwrap();
    let approved = store
        .achievements(
            &plan,
            &AchievementFilter {
                approved_only: true,
                ..AchievementFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(approved[0].version, 5);
    assert_eq!(approved[0].fields, fixed);
    assert_eq!(all(&store).await[0].version, 6);
    // The audit log has the steps with their comment.
    let log = store.audit_log(100).await.unwrap();
    let returned = log
        .iter()
        .find(|e| e.action == "achievements.state" && e.note.is_some())
        .expect("the return is audited");
    assert_eq!(returned.note.as_deref(), Some("課題番号を確認してください"));
    assert!(
        returned
            .old_value
            .as_deref()
            .unwrap()
            .contains("\"submitted\"")
    );
    assert!(
        returned
            .new_value
            .as_deref()
            .unwrap()
            .contains("\"returned\"")
    );
}

async fn a_state_change_is_all_or_nothing(store: Store) {
    let plan = plan_id();
    let ids = store
        .record_achievements(
            &plan,
            &[new(fields("a", 2021)), new(fields("b", 2021))],
            ActualState::Submitted,
            "amed-user",
        )
        .await
        .unwrap();
    store
        .set_achievement_state(&plan, &[(ids[1], 1)], ActualState::Approved, None, "sec")
        .await
        .unwrap();

    // The second cannot go from approved to returned: neither changes.
    let refused = store
        .set_achievement_state(
            &plan,
            &[(ids[0], 1), (ids[1], 2)],
            ActualState::Returned,
            Some("やり直し"),
            "sec",
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    let stale = store
        .set_achievement_state(
            &plan,
            &[(ids[0], 1), (ids[1], 1)],
            ActualState::Approved,
            None,
            "sec",
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::AchievementChanged { .. })),
        "{stale:?}"
    );
    let unknown = store
        .set_achievement_state(
            &plan,
            &[(ids[0], 1), (AchievementId(999), 1)],
            ActualState::Approved,
            None,
            "sec",
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
    let twice = store
        .set_achievement_state(
            &plan,
            &[(ids[0], 1), (ids[0], 1)],
            ActualState::Approved,
            None,
            "sec",
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Invalid(_))), "{twice:?}");

    let current = all(&store).await;
    assert_eq!(
        current
            .iter()
            .map(|a| (a.version, a.state))
            .collect::<Vec<_>>(),
        vec![(1, ActualState::Submitted), (2, ActualState::Approved)]
    );
    // Both together, when both may.
    store
        .record_achievements(
            &plan,
            &[new(fields("c", 2021))],
            ActualState::Submitted,
            "amed-user",
        )
        .await
        .unwrap();
    let c = all(&store).await[2].id;
    store
        .set_achievement_state(
            &plan,
            &[(ids[0], 1), (c, 1)],
            ActualState::Approved,
            None,
            "sec",
        )
        .await
        .unwrap();
    assert!(
        all(&store)
            .await
            .iter()
            .all(|a| a.state == ActualState::Approved)
    );
}

// ---------------------------------------------------------------------------------------------
// Duplicate decisions.

async fn duplicate_decisions_are_recorded_and_superseded(store: Store) {
    let plan = plan_id();
    let ids = store
        .record_achievements(
            &plan,
            &[
                new(fields("a", 2021)),
                new(fields("a", 2022)),
                new(fields("c", 2021)),
            ],
            ActualState::Approved,
            "tester",
        )
        .await
        .unwrap();
    let same = DuplicateDecision {
        a: ids[0],
        b: ids[1],
        resolution: Resolution::Same { kept: ids[1] },
        reason: "同じ成果を二年度で報告".to_owned(),
    };
    store
        .decide_duplicate(&plan, &same, "secretariat")
        .await
        .unwrap();
    assert_eq!(
        store.duplicate_decisions(&plan).await.unwrap(),
        vec![same.clone()]
    );

    let distinct = DuplicateDecision {
        a: ids[0],
        b: ids[1],
        resolution: Resolution::Distinct,
        reason: "  別の品目  ".to_owned(),
    };
    store
        .decide_duplicate(&plan, &distinct, "secretariat-2")
        .await
        .unwrap();
    let other = DuplicateDecision {
        a: ids[1],
        b: ids[2],
        resolution: Resolution::Distinct,
        reason: "課題が違う".to_owned(),
    };
    store
        .decide_duplicate(&plan, &other, "secretariat")
        .await
        .unwrap();

    let current = store.duplicate_decisions(&plan).await.unwrap();
    assert_eq!(current.len(), 2);
    assert_eq!(current[0].resolution, Resolution::Distinct);
    assert_eq!(current[0].reason, "別の品目");
    assert_eq!(current[1], other);
    let history = store
        .duplicate_decision_history(&plan, ids[1], ids[0])
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].decision, same);
    assert_eq!(history[0].decided_by, "secretariat");
    assert_eq!(history[1].decided_by, "secretariat-2");
    assert_eq!(history[1].decision.resolution, Resolution::Distinct);
    let log = store.audit_log(100).await.unwrap();
    let decided: Vec<_> = log
        .iter()
        .filter(|e| e.action == "duplicate.decide")
        .collect();
    assert_eq!(decided.len(), 3);
    // Newest first: the superseding decision names the one it replaced.
    let superseding = decided
        .iter()
        .find(|e| e.old_value.is_some())
        .expect("the second decision on the pair has an old value");
    assert!(superseding.old_value.as_deref().unwrap().contains("same"));
    assert!(
        superseding
            .new_value
            .as_deref()
            .unwrap()
            .contains("distinct")
    );
    assert_eq!(
        superseding.subject,
        format!("{plan}/{}/{}", ids[0].0, ids[1].0)
    );
}

async fn bad_duplicate_decisions_are_refused(store: Store) {
    let plan = plan_id();
    let ids = store
        .record_achievements(
            &plan,
            &[
                new(fields("a", 2021)),
                new(fields("b", 2021)),
                new(fields("c", 2021)),
            ],
            ActualState::Approved,
            "tester",
        )
        .await
        .unwrap();
    let decision = |a: AchievementId, b: AchievementId, resolution: Resolution, reason: &str| {
        DuplicateDecision {
            a,
            b,
            resolution,
            reason: reason.to_owned(),
        }
    };
    let cases = [
        decision(ids[1], ids[0], Resolution::Distinct, "理由"),
        decision(ids[0], ids[0], Resolution::Distinct, "理由"),
        decision(ids[0], ids[1], Resolution::Same { kept: ids[2] }, "理由"),
        decision(ids[0], ids[1], Resolution::Distinct, "   "),
        decision(ids[0], AchievementId(999), Resolution::Distinct, "理由"),
    ];
    for case in &cases {
        let result = store.decide_duplicate(&plan, case, "secretariat").await;
        assert!(
            matches!(
                result,
                Err(StoreError::Invalid(_) | StoreError::NotFound(_))
            ),
            "{case:?}: {result:?}"
        );
    }
    assert!(matches!(
        store
            .decide_duplicate(
                "no-such-plan",
                &decision(ids[0], ids[1], Resolution::Distinct, "r"),
                "s"
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.duplicate_decisions(&plan).await.unwrap().is_empty());
    assert!(
        !actions(&store)
            .await
            .iter()
            .any(|a| a == "duplicate.decide")
    );
}

// ---------------------------------------------------------------------------------------------
// Counting.

async fn a_counted_indicator_gets_its_actual_from_the_achievements(store: Store) {
    let plan = plan_id();
    let before = store.data_version().await.unwrap();
    store
        .record_achievements(
            &plan,
            &[
                new(fields("a", 2021)),
                new(fields("b", 2021)),
                new(fields("c", 2022)),
            ],
            ActualState::Approved,
            "secretariat",
        )
        .await
        .unwrap();
    let after_record = store.data_version().await.unwrap();
    store
        .record_achievements(
            &plan,
            &[new(fields("d", 2021))],
            ActualState::Draft,
            "amed-user",
        )
        .await
        .unwrap();
    // A typed indicator is untouched.
    store
        .record_actuals(
            &plan,
            &[NewActual::new(Contribution {
                indicator: TYPED.to_owned(),
                year: fy(2021),
                body: "amed".to_owned(),
                value: ActualValue::Number(4.0),
            })],
            "amed-user",
        )
        .await
        .unwrap();

    let approved = store.actuals(&plan).await.unwrap();
    let all = store.actuals_as(&plan, Visibility::All).await.unwrap();

    assert_ne!(
        before, after_record,
        "recording achievements changes the data version"
    );
    assert_eq!(
        approved.year(COUNTED, fy(2021)).map(|y| y.number),
        Some(2.0)
    );
    assert_eq!(
        approved.year(COUNTED, fy(2022)).map(|y| y.number),
        Some(1.0)
    );
    assert_eq!(all.year(COUNTED, fy(2021)).map(|y| y.number), Some(3.0));
    assert_eq!(approved.year(TYPED, fy(2021)).map(|y| y.number), Some(4.0));

    // Two approved reports decided to be the same count once; a decision changes the version.
    let items = store
        .achievements(
            &plan,
            &AchievementFilter {
                year: Some(fy(2021)),
                approved_only: true,
                ..AchievementFilter::default()
            },
        )
        .await
        .unwrap();
    let version = store.data_version().await.unwrap();
    store
        .decide_duplicate(
            &plan,
            &DuplicateDecision {
                a: items[0].id,
                b: items[1].id,
                resolution: Resolution::Same { kept: items[0].id },
                reason: "同一の成果".to_owned(),
            },
            "secretariat",
        )
        .await
        .unwrap();
    assert_ne!(store.data_version().await.unwrap(), version);
    let approved = store.actuals(&plan).await.unwrap();
    assert_eq!(
        approved.year(COUNTED, fy(2021)).map(|y| y.number),
        Some(1.0)
    );
    assert!(approved.warnings(COUNTED).is_empty());

    // Another body reports the same achievement: an open pair, a warning, counted twice until
    // the secretariat decides.
    let mut again = fields("a", 2021);
    again.body = "cao".to_owned();
    let cao = store
        .record_achievements(&plan, &[new(again)], ActualState::Approved, "secretariat")
        .await
        .unwrap()[0];
    let approved = store.actuals(&plan).await.unwrap();
    assert_eq!(
        approved.year(COUNTED, fy(2021)).map(|y| y.number),
        Some(2.0)
    );
    assert_eq!(
        approved.warnings(COUNTED).len(),
        1,
        "{:?}",
        approved.warnings(COUNTED)
    );
    store
        .decide_duplicate(
            &plan,
            &DuplicateDecision {
                a: items[0].id,
                b: cao,
                resolution: Resolution::Same { kept: items[0].id },
                reason: "AMED の報告を採る".to_owned(),
            },
            "secretariat",
        )
        .await
        .unwrap();
    let approved = store.actuals(&plan).await.unwrap();
    let year = approved.year(COUNTED, fy(2021)).unwrap();
    assert_eq!(year.number, 1.0);
    assert!(
        year.by_body
            .iter()
            .any(|(b, v)| b == "cao" && *v == ActualValue::Number(0.0)),
        "{year:?}"
    );
    assert!(approved.warnings(COUNTED).is_empty());
}

async fn a_typed_actual_for_a_counted_indicator_is_refused(store: Store) {
    let plan = plan_id();
    let typed = NewActual::new(Contribution {
        indicator: COUNTED.to_owned(),
        year: fy(2021),
        body: "amed".to_owned(),
        value: ActualValue::Number(3.0),
    });

    let batch = store
        .record_actuals(&plan, std::slice::from_ref(&typed), "amed-user")
        .await;
    let one = store
        .record_actual_if_current(&plan, &typed, None, "amed-user")
        .await;
    let conditional = store
        .record_actuals_if_current(&plan, &[(typed, None)], "amed-user")
        .await;

    for result in [batch.map(|_| ()), one.map(|_| ()), conditional.map(|_| ())] {
        let error = result.expect_err("refused").to_string();
        assert!(
            error.contains(
                "指標「非臨床POCの取得件数」の実績は成果の一覧から集計するため、値を入力できません"
            ),
            "{error}"
        );
    }
    assert!(store.current_actuals(&plan).await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Dumps.

/// Achievements in several states, a superseded decision and a typed actual.
async fn fill(store: &Store) {
    let plan = plan_id();
    let ids = store
        .record_achievements(
            &plan,
            &[
                new(fields("a", 2021)),
                new(fields("b", 2022)),
                new(fields("c", 2021)),
            ],
            ActualState::Submitted,
            "amed-user",
        )
        .await
        .unwrap();
    store
        .set_achievement_state(
            &plan,
            &[(ids[0], 1), (ids[1], 1)],
            ActualState::Approved,
            None,
            "sec",
        )
        .await
        .unwrap();
    store
        .set_achievement_state(
            &plan,
            &[(ids[2], 1)],
            ActualState::Returned,
            Some("確認"),
            "sec",
        )
        .await
        .unwrap();
    let pair = |resolution, reason: &str| DuplicateDecision {
        a: ids[0],
        b: ids[1],
        resolution,
        reason: reason.to_owned(),
    };
    store
        .decide_duplicate(
            &plan,
            &pair(Resolution::Same { kept: ids[0] }, "同一"),
            "sec",
        )
        .await
        .unwrap();
    store
        .decide_duplicate(&plan, &pair(Resolution::Distinct, "別件"), "sec")
        .await
        .unwrap();
}

async fn a_dump_round_trip_keeps_achievements_and_decisions(store: Store) {
    fill(&store).await;
    let plan = plan_id();
    let dir = tempfile::tempdir().unwrap();
    let dump = store.export().await.unwrap();
    let counts: std::collections::HashMap<&str, usize> = dump.row_counts().into_iter().collect();
    assert_eq!(counts["achievements"], 3);
    assert_eq!(counts["achievement_revisions"], 6);
    assert_eq!(counts["duplicate_decisions"], 2);
    dump.write_dir(&dir.path().join("dump")).unwrap();
    let read = Dump::read_dir(&dir.path().join("dump")).unwrap();
    assert_eq!(read, dump);

    // Into the other kind of database, and back out.
    let other = match store.backend() {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    let (url, postgres) = match other {
        Backend::Sqlite => (dir.path().join("copy.sqlite3").display().to_string(), None),
        Backend::Postgres => {
            let (url, name) = fresh_postgres().await;
            (url, Some(name))
        }
    };
    let copy = Store::open(&url).await.unwrap();
    copy.import(&read).await.unwrap();
    assert_eq!(copy.export().await.unwrap(), dump);
    assert_eq!(all(&copy).await, all(&store).await);
    assert_eq!(
        copy.duplicate_decisions(&plan).await.unwrap(),
        store.duplicate_decisions(&plan).await.unwrap()
    );
    let id = all(&store).await[0].id;
    assert_eq!(
        copy.achievement_history(&plan, id).await.unwrap(),
        store.achievement_history(&plan, id).await.unwrap()
    );
    // New ids continue after the imported ones.
    let next = copy
        .record_achievements(&plan, &[new(fields("n", 2023))], ActualState::Draft, "t")
        .await
        .unwrap();
    assert!(next[0].0 > all(&store).await.iter().map(|a| a.id.0).max().unwrap());
    copy.close().await;
    if let Some(name) = postgres {
        drop_postgres(&name).await;
    }
}

async fn a_dump_from_before_achievements_is_still_imported(store: Store) {
    let plan = plan_id();
    store
        .record_actuals(
            &plan,
            &[NewActual::new(Contribution {
                indicator: TYPED.to_owned(),
                year: fy(2021),
                body: "amed".to_owned(),
                value: ActualValue::Number(4.0),
            })],
            "amed-user",
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump");
    store.export().await.unwrap().write_dir(&path).unwrap();
    // What a build of schema version 4 wrote: no achievement tables.
    let manifest_path = path.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["schema_version"] = serde_json::json!(4);
    let added = [
        "achievements",
        "achievement_revisions",
        "duplicate_decisions",
    ];
    manifest["tables"]
        .as_array_mut()
        .unwrap()
        .retain(|t| !added.contains(&t["name"].as_str().unwrap()));
    std::fs::write(
        &manifest_path,
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    for table in added {
        std::fs::remove_file(path.join(format!("{table}.jsonl"))).unwrap();
    }

    let read = Dump::read_dir(&path).unwrap();
    let copy = Store::open(&dir.path().join("copy.sqlite3").display().to_string())
        .await
        .unwrap();
    copy.import(&read).await.unwrap();

    assert_eq!(
        read.schema_version(),
        store.export().await.unwrap().schema_version()
    );
    assert_eq!(copy.export().await.unwrap(), store.export().await.unwrap());
    // A dump of version 3 is older than that and is refused.
    manifest["schema_version"] = serde_json::json!(3);
    std::fs::write(
        &manifest_path,
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    assert!(Dump::read_dir(&path).is_err());
    copy.close().await;
}
