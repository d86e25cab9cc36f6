//! Persistence for pdca: plan revisions, the editable reporting assignments, the audit log and
//! the append-only history of actuals, on SQLite (the default) or PostgreSQL.
//!
//! One code path serves both databases: queries go through sqlx's `Any` driver with SQL both
//! dialects accept (`$1` placeholders, `RETURNING`, `ON CONFLICT`). What differs is the schema
//! (`migrations/sqlite`, `migrations/postgres`), the way a write transaction takes its lock,
//! the placeholders of the large INSERTs of an import (see `actuals`), and the one aggregate
//! that loads a plan's assignments. On a SQLite file, [`Store::record_actuals`] inserts its rows
//! through SQLite's C interface on a second pool of sqlx's SQLite driver (`bulk_sqlite`), in the
//! same all-or-nothing transaction as its batch and audit entry. Timestamps are RFC 3339 text in
//! UTC, numbers are `REAL` / `DOUBLE PRECISION`.
//!
//! Actuals are never updated or deleted: recording a value adds a row, and the current value of
//! an indicator, year and body is its latest row, whose id is the value's version. Every write
//! of actuals makes a batch (`actual_batches`) holding what its rows share: the plan, who, when,
//! the approval state and the review comment. A step of the approval flow is a new row in a new
//! batch too ([`Store::set_state`]), and evaluations read the latest approved row
//! ([`Visibility`]).
//!
//! Users, browser sessions and API tokens live here as well (`docs/design-accounts.md`): the
//! store keeps password hashes made by the caller, and only SHA-256 digests of session ids and
//! token secrets, never the secrets themselves.
//!
//! [`Store::export`] reads the whole database into a [`Dump`], which [`Dump::write_dir`] writes
//! as files and [`Store::import`] writes into another, empty database, on either backend.
//!
//! ```no_run
//! # async fn demo(plan: &pdca_core::Plan) -> Result<(), pdca_store::StoreError> {
//! let store = pdca_store::Store::open("pdca.sqlite3").await?;
//! store.save_plan(plan, None, "tanaka").await?;
//! let actuals = store.actuals(&plan.id).await?;
//! # let _ = actuals;
//! # Ok(())
//! # }
//! ```

mod achievements;
mod actuals;
mod api_tokens;
mod audit;
mod bulk_sqlite;
mod changes;
mod connect;
mod data_version;
mod dump;
mod error;
mod migrations;
mod plans;
mod rounds;
mod secrets;
mod sessions;
mod sign_in;
mod sqlite_read;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

pub use achievements::{
    AchievementChange, AchievementFilter, AchievementRevision, RecordedDecision,
};
pub use actuals::{ChangedValue, NewActual, StoredActual, Visibility};
pub use api_tokens::{ApiToken, LAST_USE_PRECISION};
pub use audit::AuditEntry;
pub use data_version::DataVersion;
pub use dump::{DUMP_FORMAT_VERSION, Dump};
pub use error::StoreError;
pub use plans::{PlanSummary, SaveOutcome};
pub use rounds::{NewMeeting, RoundContent};
pub use sessions::{NewSession, Session};
pub use sign_in::SignInAttempt;
pub use users::{NewUser, User};

use changes::{Changes, Memo, SecretUrl, WatcherTask, WriteGuard};
use sqlite_read::SqliteReader;

use std::sync::{Arc, OnceLock};

use sqlx::AnyPool;
use sqlx::Transaction;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// The pdca database: a connection pool and the backend it talks to. Cloning is cheap and
/// shares the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// A SQLite file's own driver, opened on first use, for large writes (see `bulk_sqlite`).
    /// `None` on PostgreSQL and for an in-memory database, whose data only its one connection
    /// sees.
    sqlite: Option<sqlx::SqlitePool>,
    /// Read-only connections to a SQLite file for the read every request makes (see
    /// `sqlite_read`); `None` where `sqlite` is.
    reader: Option<Arc<SqliteReader>>,
    /// What every request reads, kept while the database does not change (see `changes`).
    memos: Arc<Memos>,
    /// The changes notified by PostgreSQL or made by this process (see `changes`).
    changes: Arc<Changes>,
    /// The URL the change watcher connects to (PostgreSQL only).
    url: Option<SecretUrl>,
    /// The change watcher's task, once started (see `changes`).
    watcher: Arc<OnceLock<WatcherTask>>,
}

/// The [`Memo`]s of a store.
#[derive(Default)]
struct Memos {
    /// Sessions with their users and the data version, by cookie value.
    sessions: Memo<sessions::SessionRow>,
    /// API tokens with their users and the data version, by the secret's SHA-256.
    tokens: Memo<api_tokens::TokenRow>,
}

// Session and token rows hold secrets (CSRF tokens, password hashes).
impl std::fmt::Debug for Memos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memos")
    }
}

/// The database behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// A SQLite file (or an in-memory database).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The product name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a write transaction is about to change; on PostgreSQL it says which tables to lock.
#[derive(Debug, Clone, Copy)]
enum WriteScope {
    /// Plan revisions, assignments (and the audit log).
    Plans,
    /// Actual revisions (and the audit log).
    Actuals,
    /// Follow-up rounds, their ratings and items, meetings (and the audit log).
    Rounds,
    /// Users, sessions and API tokens (and the audit log). Their unique indexes are all the
    /// locking they need, so PostgreSQL takes no table lock.
    Accounts,
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date.
    ///
    /// `url` is a file path (`pdca.sqlite3`, `/var/lib/pdca/pdca.db`), a `sqlite:` URL
    /// (`sqlite://pdca.db`, `sqlite::memory:`), or a `postgres://` / `postgresql://` URL. A
    /// SQLite file is created if missing and opened in WAL mode with `synchronous=NORMAL`, a
    /// 5 second busy timeout and foreign keys on.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let connected = connect::connect(url).await?;
        migrations::run(&connected.pool, connected.backend).await?;
        Ok(Store {
            pool: connected.pool,
            backend: connected.backend,
            sqlite: connected.sqlite,
            reader: connected.reader.map(Arc::new),
            memos: Arc::default(),
            changes: Arc::default(),
            url: (connected.backend == Backend::Postgres).then(|| SecretUrl(url.trim().into())),
            watcher: Arc::default(),
        })
    }

    /// The database behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection, waiting for those in use to be returned, and stops the change
    /// watcher ([`Store::watch_changes`]).
    pub async fn close(&self) {
        if let Some(watcher) = self.watcher.get() {
            watcher.stop();
        }
        if let Some(sqlite) = &self.sqlite {
            sqlite.close().await;
        }
        self.pool.close().await;
    }

    /// Begins a transaction that will write. Writers take the lock up front so that two of them
    /// never both read and then both write: on SQLite `BEGIN IMMEDIATE` (a deferred transaction
    /// that reads first fails with SQLITE_BUSY when it tries to write after another writer
    /// committed), on PostgreSQL a table lock that only writers of the same tables wait for.
    /// The guard marks the write for the memos (`changes`); keep it until the transaction is
    /// committed or rolled back.
    async fn begin_write(
        &self,
        scope: WriteScope,
    ) -> Result<(Transaction<'static, sqlx::Any>, WriteGuard), StoreError> {
        let changing = self.changes.writing();
        let tx = self.begin_write_transaction(scope).await?;
        Ok((tx, changing))
    }

    /// [`Store::begin_write`] without the guard.
    async fn begin_write_transaction(
        &self,
        scope: WriteScope,
    ) -> Result<Transaction<'static, sqlx::Any>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                let lock = match scope {
                    WriteScope::Plans => {
                        Some("LOCK TABLE plan_versions, assignments IN SHARE ROW EXCLUSIVE MODE")
                    }
                    // Ids then follow commit order, so the highest id is the latest value.
                    WriteScope::Actuals => {
                        Some("LOCK TABLE actual_revisions IN SHARE ROW EXCLUSIVE MODE")
                    }
                    WriteScope::Rounds => {
                        Some("LOCK TABLE follow_up_rounds, meetings IN SHARE ROW EXCLUSIVE MODE")
                    }
                    WriteScope::Accounts => None,
                };
                if let Some(lock) = lock {
                    sqlx::query(lock).execute(&mut *tx).await?;
                }
                Ok(tx)
            }
        }
    }
}

/// Rolls back explicitly, for paths that return early without writing. (Dropping a transaction
/// also rolls it back, which is what happens on every `?`.)
async fn rollback(tx: Transaction<'static, sqlx::Any>) -> Result<(), StoreError> {
    tx.rollback().await?;
    Ok(())
}

/// A nullable float as a bind parameter: NaN stands for NULL, and the SQL turns it back with
/// `NULLIF($n, 'NaN')`. sqlx 0.9.0's `Any` driver sends a NULL `f64` to PostgreSQL typed as
/// `float4` (sqlx issue #4284: `AnyArguments::convert_into` swaps Real and Double), so a cached
/// statement first run with a NULL fails once the same parameter carries a number; a NaN is
/// always a `float8`. SQLite stores a bound NaN as NULL by itself, and there `NULLIF(x, 'NaN')`
/// leaves every number alone (a number never equals a text). Callers refuse NaN as a value, so
/// the stand-in is never ambiguous.
fn nullable_real(value: Option<f64>) -> f64 {
    value.unwrap_or(f64::NAN)
}

/// The current time as RFC 3339 in UTC, the form every timestamp column holds.
fn now() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// `at` as RFC 3339 in UTC.
fn rfc3339(at: OffsetDateTime) -> String {
    // Formatting a UTC date-time as RFC 3339 only fails for years outside 0..=9999.
    at.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

/// A timestamp column read back.
fn stored_time(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("日時「{text}」: {e}")))
}
