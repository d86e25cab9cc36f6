//! A cheap fingerprint of everything an evaluation is computed from, for caches of derived
//! values that must notice a write by any process on the same database.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// The three columns of a [`DataVersion`], for a SELECT list. On PostgreSQL a write that took
/// its audit id before another writer's may commit after it; it then raises the count of the
/// latest 256 audit ids, so it still changes the version unless 256 audit entries were
/// committed while it was open. On SQLite writers are serialised and ids follow commit order.
macro_rules! data_version_columns {
    () => {
        "CAST((SELECT COALESCE(MAX(id), 0) FROM actual_revisions) AS BIGINT), \
         CAST((SELECT COALESCE(MAX(id), 0) FROM audit_log) AS BIGINT), \
         CAST((SELECT COUNT(*) FROM audit_log \
               WHERE id > (SELECT COALESCE(MAX(id), 0) FROM audit_log) - 256) AS BIGINT)"
    };
}
pub(crate) use data_version_columns;

/// The [`data_version_columns!`] starting at column `at`.
pub(crate) fn data_version_at(row: &AnyRow, at: usize) -> Result<DataVersion, StoreError> {
    Ok(DataVersion {
        latest_actual: row.try_get(at)?,
        latest_audit: row.try_get(at + 1)?,
        recent_audits: row.try_get(at + 2)?,
    })
}

/// What [`Store::data_version`] returns: equal versions mean no plan revision, assignment or
/// actual was written in between (by any process). Opaque; compare with `==`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataVersion {
    latest_actual: i64,
    latest_audit: i64,
    recent_audits: i64,
}

impl DataVersion {
    /// The [`data_version_columns!`] starting at column `at` of a row read by `sqlite_read`.
    pub(crate) fn from_sqlite(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Self> {
        Ok(DataVersion {
            latest_actual: row.get(at)?,
            latest_audit: row.get(at + 1)?,
            recent_audits: row.get(at + 2)?,
        })
    }
}

impl Store {
    /// The current [`DataVersion`]: one query over two primary keys. Actual revisions are
    /// append-only, and every plan revision and assignment change writes an audit entry in the
    /// same transaction, so a committed write always changes the version. Read it before the
    /// data it guards: a write in between only makes the cached value look older than it is.
    /// [`Store::session_with_data_version`] reads it with a session, in the same query.
    pub async fn data_version(&self) -> Result<DataVersion, StoreError> {
        let row = sqlx::query(concat!("SELECT ", data_version_columns!()))
            .fetch_one(&self.pool)
            .await?;
        data_version_at(&row, 0)
    }
}
