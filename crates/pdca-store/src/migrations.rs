//! The schema, embedded in the binary: one migration folder per backend, applied at open.
//!
//! `sqlx::migrate!` needs sqlx's `macros` feature, which pdca leaves off (it builds a proc-macro
//! stack for nothing else), so the files are embedded with `include_str!` and listed here. Add a
//! migration by adding a file to both folders and a line to both lists; never edit one that has
//! been released (sqlx checks their checksums).

use std::borrow::Cow;

use sqlx::AnyPool;
use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::{Backend, StoreError};

/// (version, description, SQL) of each migration, oldest first.
type Source = (i64, &'static str, &'static str);

const SQLITE: &[Source] = &[
    (
        1,
        "initial schema",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "accounts and approval",
        include_str!("../migrations/sqlite/0002_accounts.sql"),
    ),
    (
        3,
        "actual batches",
        include_str!("../migrations/sqlite/0003_actual_batches.sql"),
    ),
    (
        4,
        "follow-up rounds and meetings",
        include_str!("../migrations/sqlite/0004_follow_up.sql"),
    ),
    (
        5,
        "change notifications",
        include_str!("../migrations/sqlite/0005_change_notifications.sql"),
    ),
    (
        6,
        "achievements and duplicate decisions",
        include_str!("../migrations/sqlite/0006_achievements.sql"),
    ),
];

const POSTGRES: &[Source] = &[
    (
        1,
        "initial schema",
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "accounts and approval",
        include_str!("../migrations/postgres/0002_accounts.sql"),
    ),
    (
        3,
        "actual batches",
        include_str!("../migrations/postgres/0003_actual_batches.sql"),
    ),
    (
        4,
        "follow-up rounds and meetings",
        include_str!("../migrations/postgres/0004_follow_up.sql"),
    ),
    (
        5,
        "change notifications",
        include_str!("../migrations/postgres/0005_change_notifications.sql"),
    ),
    (
        6,
        "achievements and duplicate decisions",
        include_str!("../migrations/postgres/0006_achievements.sql"),
    ),
];

/// Migrations that change no table a dump holds (triggers, indexes): a dump written before
/// one of them is still read by a build that has it.
const NO_TABLE_CHANGE: &[i64] = &[5];

/// Migrations that only add tables (and their indexes and triggers): a dump written before one
/// of them is still read by a build that has it, the added tables empty (`dump`).
const ONLY_NEW_TABLES: &[i64] = &[6];

/// Whether a dump of schema version `version` can be read by this build: every migration after
/// it changed no table or only added tables. (The tables each migration added are in `dump`.)
pub(crate) fn dump_readable_from(version: i64) -> bool {
    let latest = latest_version();
    version == latest
        || (version > 0
            && version < latest
            && SQLITE
                .iter()
                .map(|m| m.0)
                .filter(|v| *v > version)
                .all(|v| NO_TABLE_CHANGE.contains(&v) || ONLY_NEW_TABLES.contains(&v)))
}

/// The number of the latest migration this build knows (the same for both backends) that
/// changed a table: the schema version a database dump is written for (`dump`).
pub(crate) fn latest_version() -> i64 {
    SQLITE
        .iter()
        .chain(POSTGRES)
        .map(|m| m.0)
        .filter(|v| !NO_TABLE_CHANGE.contains(v))
        .max()
        .unwrap_or(0)
}

/// Applies the migrations `pool` has not seen yet; running it again is harmless.
pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let sources = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let migrations = sources
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations).run(pool).await?;
    Ok(())
}
