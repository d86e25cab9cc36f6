//! Whole-database export and import (`Store::export`, `Store::import`, `Dump`), between SQLite
//! and PostgreSQL (named by `PDCA_TEST_POSTGRES_URL`, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`). Every test makes its own databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../src/testing.rs"]
mod testing;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use pdca_core::access::{ActualState, Role};
use pdca_core::follow_up::{ItemKind, Link, Material, MeetingKind, NewItem, NewRating};
use pdca_core::plan::Plan;
use pdca_core::plan_file::parse_plan;
use pdca_core::{ActualValue, Contribution, FiscalYear, Rating};
use pdca_store::{Backend, Dump, NewActual, NewMeeting, NewUser, Store, StoreError};
use sqlx::{AnyPool, AssertSqlSafe, Connection, Executor, Row};
use testing::{database_url, dir_files, postgres_server, unique_database_name};

// ---------------------------------------------------------------------------------------------
// Harness: fresh databases of either kind, dropped at the end.

/// The databases a test made; PostgreSQL ones are dropped by [`Databases::finish`].
struct Databases {
    dir: tempfile::TempDir,
    postgres: Mutex<Vec<String>>,
    counter: AtomicU32,
}

/// A fresh, migrated database.
struct Db {
    store: Store,
    /// A URL sqlx's `Any` driver takes, for looking at the tables directly.
    any_url: String,
}

impl Databases {
    fn new() -> Databases {
        Databases {
            dir: tempfile::tempdir().expect("temporary directory"),
            postgres: Mutex::new(Vec::new()),
            counter: AtomicU32::new(0),
        }
    }

    /// A fresh path under the test's temporary directory.
    fn path(&self, name: &str) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.dir.path().join(format!("{name}-{n}"))
    }

    async fn fresh(&self, backend: Backend) -> Db {
        let (url, any_url) = match backend {
            Backend::Sqlite => {
                let path = self.path("pdca.sqlite3").display().to_string();
                (path.clone(), format!("sqlite:{path}?mode=rw"))
            }
            Backend::Postgres => {
                let server = postgres_server();
                let name = unique_database_name("pdca_dump_test");
                let mut admin = sqlx::postgres::PgConnection::connect(&server)
                    .await
                    .unwrap_or_else(|e| panic!("cannot connect to {server}: {e}"));
                admin
                    .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create the test database");
                let _ = admin.close().await;
                self.postgres.lock().unwrap().push(name.clone());
                let url = database_url(&server, &name);
                (url.clone(), url)
            }
        };
        let store = Store::open(&url).await.expect("open the fresh database");
        assert_eq!(store.backend(), backend);
        Db { store, any_url }
    }

    /// Drops the PostgreSQL databases (best effort: one left behind only costs disk).
    async fn finish(self, stores: &[&Db]) {
        for db in stores {
            db.store.close().await;
        }
        let names = std::mem::take(&mut *self.postgres.lock().unwrap());
        if names.is_empty() {
            return;
        }
        let server = postgres_server();
        if let Ok(mut admin) = sqlx::postgres::PgConnection::connect(&server).await {
            for name in names {
                let _ = admin
                    .execute(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await;
            }
            let _ = admin.close().await;
        }
    }
}

fn assert_same_files(a: &Path, b: &Path) {
    let (a_files, b_files) = (dir_files(a).unwrap(), dir_files(b).unwrap());
    assert_eq!(
        a_files.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b_files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, a_bytes), (_, b_bytes)) in a_files.iter().zip(&b_files) {
        assert!(
            a_bytes == b_bytes,
            "{name} differs:\n{}\n---\n{}",
            String::from_utf8_lossy(a_bytes),
            String::from_utf8_lossy(b_bytes)
        );
    }
}

/// Exports `db` into a new directory.
async fn export_to(dbs: &Databases, db: &Db) -> PathBuf {
    let dir = dbs.path("dump");
    db.store.export().await.unwrap().write_dir(&dir).unwrap();
    dir
}

async fn max_id(db: &Db, table: &str) -> i64 {
    let pool = AnyPool::connect(&db.any_url).await.unwrap();
    let max: i64 = sqlx::query(AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"
    )))
    .fetch_one(&pool)
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    pool.close().await;
    max
}

// ---------------------------------------------------------------------------------------------
// A database with something of everything.

const PLAN_ID: &str = "test-plan";
const COUNT: &str = "p1-out-01";
const RATIO: &str = "p1-out-02";
const STATUS: &str = "p1-oth-01";

fn plan_text(revision: u32) -> String {
    let extra = if revision == 1 {
        ""
    } else {
        r#"
[[projects.indicators]]
id = "p1-out-03"
name = "新しい指標"
kind = "output"
group = "シーズ研究に関する指標"
measure = "count"
target = { value = 10 }
bodies = ["mhlw"]
"#
    };
    format!(
        r#"
[plan]
id = "{PLAN_ID}"
name = "テスト計画"
start_fy = 2020
end_fy = 2024
revision = {revision}
effective_from = 2020
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
bodies = [{{ body = "mext", share = 2.0 }}, "amed"]

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

fn actual(indicator: &str, year: i32, body: &str, value: ActualValue) -> NewActual {
    NewActual::new(Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        value,
    })
}

fn date(text: &str) -> time::Date {
    pdca_core::follow_up::parse_date(text).unwrap()
}

/// Fills `store` with plans, assignments, actuals in several states, a user and tokens, a
/// follow-up round with ratings and linked items, and a meeting with a material file. Returns
/// the plan.
async fn fill(store: &Store) -> Plan {
    store
        .save_plan(&plan(1), Some(&plan_text(1)), "tester")
        .await
        .unwrap();
    let plan = plan(2);
    store
        .save_plan(&plan, Some(&plan_text(2)), "tester")
        .await
        .unwrap();
    // Floats that a careless decimal round trip would change.
    store
        .set_assignment(PLAN_ID, COUNT, "mhlw", Some(1.0 / 3.0), "tester")
        .await
        .unwrap();
    store
        .set_assignment(PLAN_ID, STATUS, "mext", None, "tester")
        .await
        .unwrap();
    store
        .record_actuals(
            PLAN_ID,
            &[
                actual(COUNT, 2020, "amed", ActualValue::Number(0.1 + 0.2)),
                actual(COUNT, 2020, "mext", ActualValue::Number(1e-300)),
                actual(
                    COUNT,
                    2021,
                    "mext",
                    ActualValue::Number(123_456_789.123_456_79),
                ),
                actual(
                    RATIO,
                    2021,
                    "amed",
                    ActualValue::Ratio {
                        numerator: 2.0 / 3.0,
                        denominator: 7.0,
                    },
                ),
                actual(
                    STATUS,
                    2021,
                    "mhlw",
                    ActualValue::Narrative("\"引用\"と改行\nと\\と😀".into()),
                ),
            ],
            "importer",
        )
        .await
        .unwrap();
    // A draft, an approved value locked later, and a returned one with a comment.
    let mut draft = actual(COUNT, 2022, "amed", ActualValue::Number(4.0));
    draft.state = ActualState::Draft;
    draft.note = Some("下書き".into());
    store
        .record_actual_if_current(PLAN_ID, &draft, None, "amed-staff")
        .await
        .unwrap();
    let mut approved = actual(COUNT, 2021, "amed", ActualValue::Number(5.5));
    approved.state = ActualState::Approved;
    let version = store
        .record_actual_if_current(PLAN_ID, &approved, None, "amed-staff")
        .await
        .unwrap();
    store
        .set_state(
            PLAN_ID,
            COUNT,
            fy(2021),
            "amed",
            ActualState::Locked,
            None,
            Some(version),
            "secretariat",
        )
        .await
        .unwrap();
    let mut submitted = actual(COUNT, 2023, "amed", ActualValue::Number(9.0));
    submitted.state = ActualState::Submitted;
    let version = store
        .record_actual_if_current(PLAN_ID, &submitted, None, "amed-staff")
        .await
        .unwrap();
    store
        .set_state(
            PLAN_ID,
            COUNT,
            fy(2023),
            "amed",
            ActualState::Returned,
            Some("根拠を添えてください"),
            Some(version),
            "secretariat",
        )
        .await
        .unwrap();

    let user = store
        .create_user(
            &NewUser {
                name: "tanaka".into(),
                role: Role::Body,
                body: Some("amed".into()),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$hash".into(),
                must_change_password: true,
            },
            "admin",
        )
        .await
        .unwrap();
    let (token, _) = store
        .create_api_token(user.id, "集計スクリプト", "tanaka")
        .await
        .unwrap();
    store
        .create_api_token(user.id, "予備", "admin")
        .await
        .unwrap();
    store.revoke_api_token(token.id, "admin").await.unwrap();

    store
        .open_round(&plan, fy(2021), date("2022-04-30"), "admin")
        .await
        .unwrap();
    for (indicator, rating) in [(COUNT, Rating::A), (RATIO, Rating::B)] {
        store
            .rate(
                PLAN_ID,
                fy(2021),
                &NewRating {
                    indicator_id: indicator.into(),
                    rating,
                    reason: Some("理由".into()),
                    issue: None,
                    solution: Some("解決策".into()),
                },
                None,
                "committee",
            )
            .await
            .unwrap();
    }
    let item = |kind, text: &str, links: &[&str]| {
        NewItem {
            kind: Some(kind),
            text: text.into(),
            title: Some("題".into()),
            links: links
                .iter()
                .map(|l| Link::parse(l, &plan).unwrap())
                .collect(),
            ..NewItem::default()
        }
        .validate(&plan)
        .unwrap()
        .1
    };
    let priority = store
        .add_item(
            PLAN_ID,
            fy(2021),
            ItemKind::PriorityItem,
            &item(ItemKind::PriorityItem, "臨床研究の推進", &[RATIO, "p1"]),
            "admin",
        )
        .await
        .unwrap();
    store
        .add_item(
            PLAN_ID,
            fy(2021),
            ItemKind::Opinion,
            &item(
                ItemKind::Opinion,
                "意見",
                &[COUNT, &format!("#{}", priority.id)],
            ),
            "committee",
        )
        .await
        .unwrap();
    store
        .set_item_reflected(PLAN_ID, priority.id, true, "admin")
        .await
        .unwrap();

    let meeting = store
        .add_meeting(
            &NewMeeting {
                plan_id: PLAN_ID.into(),
                fiscal_year: Some(fy(2021)),
                committee: "健康・医療戦略推進専門調査会".into(),
                number: 35,
                kind: MeetingKind::First,
                date: date("2022-05-20"),
                agenda: vec!["実施状況の報告".into(), "進捗の評価".into()],
                materials: vec![
                    (Material::parse("資料1:議事次第").unwrap(), None),
                    (
                        Material {
                            file_name: Some("資料2-1.pdf".into()),
                            ..Material::parse("資料2-1:進捗状況").unwrap()
                        },
                        Some((0..=255u8).chain([0, 0xff, 0x25]).collect()),
                    ),
                ],
            },
            "admin",
        )
        .await
        .unwrap();
    store
        .set_minutes(PLAN_ID, meeting.id, "委員から意見があった。", "admin")
        .await
        .unwrap();
    plan
}

// ---------------------------------------------------------------------------------------------
// Round trips

/// Fills a database on `source`, exports it, imports that into a fresh SQLite and a fresh
/// PostgreSQL database, and from the one of the other kind back into a third of the first
/// kind: every export is the same, byte for byte.
async fn round_trip_from(source: Backend) {
    let dbs = Databases::new();
    let original = dbs.fresh(source).await;
    fill(&original.store).await;
    let dump_dir = export_to(&dbs, &original).await;
    let dump = Dump::read_dir(&dump_dir).unwrap();
    assert_eq!(dump, original.store.export().await.unwrap());
    let counts = dump.row_counts();
    for table in [
        "plan_versions",
        "assignments",
        "audit_log",
        "users",
        "api_tokens",
        "actual_batches",
        "actual_revisions",
        "follow_up_rounds",
        "round_ratings",
        "round_items",
        "round_item_links",
        "meetings",
        "meeting_materials",
    ] {
        let rows = counts.iter().find(|c| c.0 == table).map(|c| c.1);
        assert!(rows.is_some_and(|n| n > 0), "{table}: {rows:?}");
    }

    let sqlite = dbs.fresh(Backend::Sqlite).await;
    let postgres = dbs.fresh(Backend::Postgres).await;
    let mut copies = Vec::new();
    for target in [&sqlite, &postgres] {
        target.store.import(&dump).await.unwrap();
        let again = export_to(&dbs, target).await;
        assert_same_files(&dump_dir, &again);
        copies.push(again);
    }
    // The copy on the other database, back to the first kind.
    let other = if source == Backend::Sqlite {
        &copies[1]
    } else {
        &copies[0]
    };
    let back = dbs.fresh(source).await;
    back.store
        .import(&Dump::read_dir(other).unwrap())
        .await
        .unwrap();
    assert_same_files(&dump_dir, &export_to(&dbs, &back).await);
    // What the store reads back is the same too.
    assert_eq!(
        back.store.current_actuals(PLAN_ID).await.unwrap(),
        original.store.current_actuals(PLAN_ID).await.unwrap()
    );
    assert_eq!(
        back.store.meetings(PLAN_ID).await.unwrap(),
        original.store.meetings(PLAN_ID).await.unwrap()
    );
    dbs.finish(&[&original, &sqlite, &postgres, &back]).await;
}

#[tokio::test]
async fn sqlite_to_postgres_and_back_gives_the_same_files() {
    round_trip_from(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_to_sqlite_and_back_gives_the_same_files() {
    round_trip_from(Backend::Postgres).await;
}

#[tokio::test]
async fn an_empty_database_round_trips_too() {
    let dbs = Databases::new();
    let empty = dbs.fresh(Backend::Sqlite).await;
    let dir = export_to(&dbs, &empty).await;
    let dump = Dump::read_dir(&dir).unwrap();
    assert!(dump.row_counts().iter().all(|(_, n)| *n == 0));
    let postgres = dbs.fresh(Backend::Postgres).await;
    postgres.store.import(&dump).await.unwrap();
    assert_same_files(&dir, &export_to(&dbs, &postgres).await);
    dbs.finish(&[&empty, &postgres]).await;
}

// ---------------------------------------------------------------------------------------------
// Refusals

async fn a_non_empty_target_is_refused_and_unchanged(target: Backend) {
    let dbs = Databases::new();
    let source = dbs.fresh(Backend::Sqlite).await;
    fill(&source.store).await;
    let dump = source.store.export().await.unwrap();

    let occupied = dbs.fresh(target).await;
    occupied
        .store
        .save_plan(&plan(1), None, "someone")
        .await
        .unwrap();
    let before = occupied.store.export().await.unwrap();
    let refused = occupied.store.import(&dump).await;
    let Err(StoreError::NotEmpty { tables }) = &refused else {
        panic!("{refused:?}");
    };
    let names: Vec<&str> = tables.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(names, ["plan_versions", "assignments", "audit_log"]);
    let message = refused.unwrap_err().to_string();
    assert!(message.contains("plan_versions: 1行"), "{message}");
    assert_eq!(occupied.store.export().await.unwrap(), before);
    dbs.finish(&[&source, &occupied]).await;
}

#[tokio::test]
async fn a_non_empty_sqlite_database_is_refused() {
    a_non_empty_target_is_refused_and_unchanged(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_non_empty_postgres_database_is_refused() {
    a_non_empty_target_is_refused_and_unchanged(Backend::Postgres).await;
}

/// Replaces line `line` (from 1) of `file` in `dir` through `edit`.
fn edit_line(dir: &Path, file: &str, line: usize, edit: impl FnOnce(&str) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[line - 1] = edit(&lines[line - 1]);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// The JSON object `line` with `key` set to `value`, or removed.
fn with_key(line: &str, key: &str, value: Option<serde_json::Value>) -> String {
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(line).unwrap();
    match value {
        Some(value) => object.insert(key.to_owned(), value),
        None => object.remove(key),
    };
    serde_json::to_string(&object).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (name, bytes) in dir_files(from).unwrap() {
        std::fs::write(to.join(name), bytes).unwrap();
    }
}

/// A table file, a line of it, how to break that line, and the key the error names.
type BrokenLine = (
    &'static str,
    usize,
    Box<dyn Fn(&str) -> String>,
    Option<&'static str>,
);

async fn broken_files_are_refused_and_nothing_is_imported(target: Backend) {
    let dbs = Databases::new();
    let source = dbs.fresh(Backend::Sqlite).await;
    fill(&source.store).await;
    let good = export_to(&dbs, &source).await;
    let target_db = dbs.fresh(target).await;

    let cases: [BrokenLine; 5] = [
        // Cut short.
        (
            "actual_revisions.jsonl",
            2,
            Box::new(|l: &str| l[..l.len() / 2].to_owned()),
            None,
        ),
        // A number where text belongs.
        (
            "actual_revisions.jsonl",
            3,
            Box::new(|l: &str| with_key(l, "body_id", Some(serde_json::json!(5)))),
            Some("body_id"),
        ),
        // A column missing.
        (
            "users.jsonl",
            1,
            Box::new(|l: &str| with_key(l, "disabled", None)),
            Some("disabled"),
        ),
        // Not base64.
        (
            "meeting_materials.jsonl",
            2,
            Box::new(|l: &str| with_key(l, "content", Some(serde_json::json!("!!")))),
            Some("content"),
        ),
        // Out of key order.
        (
            "audit_log.jsonl",
            2,
            Box::new(|l: &str| l.replacen("{\"id\":2,", "{\"id\":1,", 1)),
            None,
        ),
    ];
    for (file, line, edit, key) in cases {
        let dir = dbs.path("broken");
        copy_dir(&good, &dir);
        edit_line(&dir, file, line, edit);
        let error = Dump::read_dir(&dir).unwrap_err();
        let StoreError::Dump {
            file: named,
            line: at,
            key: named_key,
            ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert!(named.ends_with(file), "{error}");
        assert_eq!(*at, Some(line), "{error}");
        assert_eq!(named_key.as_deref(), key, "{error}");
        let message = error.to_string();
        assert!(
            message.contains(file) && message.contains(&format!("{line} 行目")),
            "{message}"
        );
    }

    // A manifest that does not match its files.
    let dir = dbs.path("broken");
    copy_dir(&good, &dir);
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let users = std::fs::read_to_string(dir.join("users.jsonl")).unwrap();
    std::fs::write(dir.join("users.jsonl"), format!("{users}{users}")).unwrap();
    let error = Dump::read_dir(&dir).unwrap_err().to_string();
    assert!(error.contains("users.jsonl"), "{error}");
    std::fs::write(
        dir.join("manifest.json"),
        manifest.replace("\"schema_version\": ", "\"schema_version\": 9"),
    )
    .unwrap();
    std::fs::write(dir.join("users.jsonl"), users).unwrap();
    let dump = Dump::read_dir(&dir).unwrap();
    let error = target_db.store.import(&dump).await.unwrap_err().to_string();
    assert!(error.contains("schema_version"), "{error}");

    // Well-formed, but refused by the database half way: nothing stays.
    let dir = dbs.path("broken");
    copy_dir(&good, &dir);
    edit_line(&dir, "meetings.jsonl", 1, |l| {
        l.replace("\"kind\":1", "\"kind\":7")
    });
    let dump = Dump::read_dir(&dir).unwrap();
    assert!(target_db.store.import(&dump).await.is_err());
    let after = target_db.store.export().await.unwrap();
    assert!(
        after.row_counts().iter().all(|(_, n)| *n == 0),
        "{:?}",
        after.row_counts()
    );
    // The good dump still goes in afterwards.
    target_db
        .store
        .import(&Dump::read_dir(&good).unwrap())
        .await
        .unwrap();
    assert_same_files(&good, &export_to(&dbs, &target_db).await);
    dbs.finish(&[&source, &target_db]).await;
}

#[tokio::test]
async fn broken_files_are_refused_on_sqlite() {
    broken_files_are_refused_and_nothing_is_imported(Backend::Sqlite).await;
}

#[tokio::test]
async fn broken_files_are_refused_on_postgres() {
    broken_files_are_refused_and_nothing_is_imported(Backend::Postgres).await;
}

#[tokio::test]
async fn a_dump_is_written_only_into_an_empty_or_new_directory() {
    let dbs = Databases::new();
    let db = dbs.fresh(Backend::Sqlite).await;
    let dump = db.store.export().await.unwrap();
    let dir = dbs.path("nested").join("dump");
    dump.write_dir(&dir).unwrap();
    let error = dump.write_dir(&dir).unwrap_err().to_string();
    assert!(error.contains("空ではありません"), "{error}");
    let empty = dbs.path("empty");
    std::fs::create_dir(&empty).unwrap();
    dump.write_dir(&empty).unwrap();
    dbs.finish(&[&db]).await;
}

// ---------------------------------------------------------------------------------------------
// After an import

async fn new_ids_continue_after_the_imported_ones(target: Backend) {
    let dbs = Databases::new();
    let source = dbs.fresh(Backend::Sqlite).await;
    let plan = fill(&source.store).await;
    let dump = source.store.export().await.unwrap();
    let db = dbs.fresh(target).await;
    db.store.import(&dump).await.unwrap();

    let tables = [
        "audit_log",
        "users",
        "api_tokens",
        "actual_batches",
        "actual_revisions",
        "follow_up_rounds",
        "round_items",
        "meetings",
    ];
    let mut before = Vec::new();
    for table in tables {
        let max = max_id(&db, table).await;
        assert!(max > 0, "{table}");
        assert_eq!(max, max_id(&source, table).await, "{table}");
        before.push(max);
    }

    let store = &db.store;
    let id = store
        .record_actual_if_current(
            PLAN_ID,
            &actual(COUNT, 2024, "amed", ActualValue::Number(1.0)),
            None,
            "x",
        )
        .await
        .unwrap();
    assert_eq!(id, before[4] + 1);
    let user = store
        .create_user(
            &NewUser {
                name: "suzuki".into(),
                role: Role::Viewer,
                body: None,
                password_hash: "h".into(),
                must_change_password: false,
            },
            "admin",
        )
        .await
        .unwrap();
    assert_eq!(user.id, before[1] + 1);
    let (token, _) = store.create_api_token(user.id, "t", "admin").await.unwrap();
    assert_eq!(token.id, before[2] + 1);
    store
        .open_round(&plan, fy(2022), date("2023-04-30"), "admin")
        .await
        .unwrap();
    let item = store
        .add_item(
            PLAN_ID,
            fy(2022),
            ItemKind::Opinion,
            &NewItem {
                kind: Some(ItemKind::Opinion),
                text: "新しい意見".into(),
                links: vec![Link::parse(COUNT, &plan).unwrap()],
                ..NewItem::default()
            }
            .validate(&plan)
            .unwrap()
            .1,
            "admin",
        )
        .await
        .unwrap();
    assert_eq!(item.id, before[6] + 1);
    let mut after = Vec::new();
    for table in tables {
        after.push(max_id(&db, table).await);
    }
    assert!(after[0] > before[0], "audit_log");
    assert_eq!(after[3], before[3] + 1, "actual_batches");
    assert_eq!(after[4], before[4] + 1, "actual_revisions");
    assert_eq!(after[5], before[5] + 1, "follow_up_rounds");
    assert_eq!(after[7], before[7], "meetings");
    dbs.finish(&[&source, &db]).await;
}

#[tokio::test]
async fn new_ids_continue_after_an_import_into_sqlite() {
    new_ids_continue_after_the_imported_ones(Backend::Sqlite).await;
}

#[tokio::test]
async fn new_ids_continue_after_an_import_into_postgres() {
    new_ids_continue_after_the_imported_ones(Backend::Postgres).await;
}

// ---------------------------------------------------------------------------------------------
// The dump follows the schema

/// Every table and column of the schema (but sqlx's and SQLite's own) is in a dump, unless
/// left out on purpose: a migration that adds one must add it to the dump too.
async fn the_dump_covers_every_table_and_column(backend: Backend) {
    let dbs = Databases::new();
    let db = dbs.fresh(backend).await;
    let pool = AnyPool::connect(&db.any_url).await.unwrap();
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
        }
        Backend::Postgres => {
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'"
        }
    };
    let mut in_schema: Vec<(String, String)> = sqlx::query(sql)
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|row| (row.try_get(0).unwrap(), row.try_get(1).unwrap()))
        .filter(|(table, _): &(String, String)| !Dump::LEFT_OUT.contains(&table.as_str()))
        .collect();
    in_schema.sort();
    let mut in_dump: Vec<(String, String)> = Dump::table_columns()
        .into_iter()
        .flat_map(|(table, columns)| {
            columns
                .into_iter()
                .map(move |c| (table.to_owned(), c.to_owned()))
        })
        .collect();
    in_dump.sort();
    assert_eq!(in_dump, in_schema);
    pool.close().await;
    dbs.finish(&[&db]).await;
}

#[tokio::test]
async fn the_dump_covers_the_sqlite_schema() {
    the_dump_covers_every_table_and_column(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_dump_covers_the_postgres_schema() {
    the_dump_covers_every_table_and_column(Backend::Postgres).await;
}
