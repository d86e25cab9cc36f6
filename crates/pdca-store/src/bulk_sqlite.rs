//! Large writes of actuals on a SQLite file, straight through SQLite's C interface.
//!
//! Through sqlx, every bound value of a million-row import is wrapped, sent to the connection's
//! worker thread, copied into SQLite and freed again: most of the import's time beyond SQLite's
//! own work. Here the rows are inserted on the caller's thread with prepared multi-row INSERTs,
//! binding the texts where they lie (`SQLITE_STATIC`). The connection is sqlx's own, taken from the worker with
//! [`SqliteConnection::lock_handle`](sqlx::sqlite::SqliteConnection::lock_handle) inside a
//! `BEGIN IMMEDIATE` transaction that sqlx begins and commits with the batch rows and the audit
//! entry, so the write is all or nothing as on the `Any` pool. A conditional write
//! ([`crate::Store::record_actuals_if_current`]) compares the versions first, inside that same
//! transaction, whose write lock keeps every other writer out until it ends.
//!
//! The pool is a second one on the same file (`Store::sqlite`), opened on first use.

use std::borrow::Cow;
use std::ffi::{CStr, CString, c_int};
use std::fmt::Write as _;
use std::ptr;
use std::sync::LazyLock;

use libsqlite3_sys as ffi;
use pdca_core::ActualValue;
use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::sqlite::{LockedSqliteHandle, SqlitePool};
use sqlx::{Row, SqliteConnection};

use crate::StoreError;
use crate::actuals::{
    CURRENT_VERSIONS, Expected, INSERT_BATCH_POSITIONAL, NewActual, Written, batch_audit_value,
    stale_keys, state_runs,
};
use crate::plans::fiscal_year;

/// Rows per INSERT statement. Inserting many rows with one statement keeps SQLite's cursors open
/// and positioned from one row to the next; one statement per row made each row start its
/// search of the table and of the key index from the root again. 100 rows bind 1,000
/// parameters, well under SQLite's limit (32,766).
const ROWS_PER_STATEMENT: usize = 100;

/// An INSERT of `rows` rows: the batch (`?1`, shared), then each row's nine values.
///
/// On SQLite, a multi-row statement inside a transaction normally keeps a statement journal (a
/// copy of every page it touches) so that a failing row can undo the rows before it. OR FAIL
/// stops at the failing row without undoing, which is all a write needs: any error rolls the
/// whole transaction back.
fn insert_sql(rows: usize) -> CString {
    let mut sql = String::from(
        "INSERT OR FAIL INTO actual_revisions (batch_id, indicator_id, fiscal_year, body_id, \
         value, numerator, denominator, narrative, note, source) VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        let p = 1 + row * 9;
        sql.push_str("(?1");
        for n in p + 1..=p + 9 {
            // Writing to a String cannot fail.
            let _ = write!(sql, ", ?{n}");
        }
        sql.push(')');
    }
    // Made of ASCII text and digits only, so it holds no NUL.
    CString::new(sql).unwrap_or_default()
}

/// Rows inserted each time the connection is taken from sqlx's worker: between two such parts
/// the task yields, so a large import does not hold a thread of the async runtime for long.
const ROWS_PER_PART: usize = 20_000;

/// Writes `ordered` (checked, sorted and not empty) for `plan_id` as [`crate::Store::record_actuals`]
/// does, and returns the number of rows written; with `expected`, only if every key still has
/// the version expected (otherwise nothing is written and the stale keys are returned).
pub(crate) async fn record(
    pool: &SqlitePool,
    plan_id: &str,
    ordered: &[&NewActual],
    expected: Option<&Expected>,
    actor: &str,
    at: &str,
) -> Result<Written, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    if let Some(expected) = expected {
        let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(CURRENT_VERSIONS)
            .bind(plan_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut current = Vec::with_capacity(rows.len());
        for (indicator, year, body, id) in rows {
            current.push(((indicator, fiscal_year(year)?.year(), body), id));
        }
        let stale = stale_keys(expected, current);
        if !stale.is_empty() {
            tx.rollback().await?;
            return Ok(Written::Stale(stale));
        }
    }
    let mut written = 0;
    for run in state_runs(ordered) {
        let Some(first) = run.first() else { continue };
        let batch: i64 = sqlx::query(INSERT_BATCH_POSITIONAL)
            .bind(plan_id)
            .bind(actor)
            .bind(at)
            .bind(first.state.as_str())
            .bind(None::<&str>)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        for part in run.chunks(ROWS_PER_PART) {
            let connection: &mut SqliteConnection = &mut tx;
            let mut handle = connection.lock_handle().await?;
            written += insert_rows(&mut handle, batch, part)?;
        }
    }
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, old_value, new_value, note)
         VALUES (?, ?, 'actuals.record', ?, NULL, ?, NULL)",
    )
    .bind(at)
    .bind(actor)
    .bind(plan_id)
    .bind(batch_audit_value(ordered, written))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Written::Rows(written))
}

/// A prepared statement, finalized when dropped.
struct Statement(*mut ffi::sqlite3_stmt);

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared on a connection that outlives it (the handle is
        // borrowed for longer than this value lives) and is finalized only here.
        unsafe {
            ffi::sqlite3_finalize(self.0);
        }
    }
}

/// Prepares `sql` on `db`.
fn prepare(db: *mut ffi::sqlite3, sql: &CStr) -> Result<Statement, StoreError> {
    let mut raw = ptr::null_mut();
    // SAFETY: `db` is an open connection that sqlx's worker does not use while the caller holds
    // its handle; the SQL is NUL-terminated.
    let rc = unsafe { ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut raw, ptr::null_mut()) };
    if rc != ffi::SQLITE_OK || raw.is_null() {
        return Err(failure(db));
    }
    Ok(Statement(raw))
}

/// Inserts `rows` in batch `batch` on the connection `handle` has taken from sqlx.
fn insert_rows(
    handle: &mut LockedSqliteHandle<'_>,
    batch: i64,
    rows: &[&NewActual],
) -> Result<u64, StoreError> {
    static MANY: LazyLock<CString> = LazyLock::new(|| insert_sql(ROWS_PER_STATEMENT));
    static ONE: LazyLock<CString> = LazyLock::new(|| insert_sql(1));
    let db = handle.as_raw_handle().as_ptr();
    let mut many: Option<Statement> = None;
    let mut one: Option<Statement> = None;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let slot = if chunk.len() == ROWS_PER_STATEMENT {
            (&mut many, &*MANY)
        } else {
            (&mut one, &*ONE)
        };
        let statement = match slot {
            (Some(statement), _) => statement,
            (empty, sql) => empty.insert(prepare(db, sql)?),
        };
        let stmt = statement.0;
        if chunk.len() == ROWS_PER_STATEMENT {
            execute(db, stmt, batch, chunk)?;
        } else {
            for row in chunk {
                execute(db, stmt, batch, std::slice::from_ref(row))?;
            }
        }
    }
    // The texts bound last belong to `rows`, which outlive both statements.
    drop(many);
    drop(one);
    Ok(rows.len() as u64)
}

/// Binds `rows` (as many as `stmt` has rows) and runs `stmt` once.
fn execute(
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    batch: i64,
    rows: &[&NewActual],
) -> Result<(), StoreError> {
    // SAFETY: `stmt` is a valid statement whose first parameter is the batch.
    check(db, unsafe { ffi::sqlite3_bind_int64(stmt, 1, batch) })?;
    let mut p: c_int = 1;
    for actual in rows {
        let c = &actual.contribution;
        let (value, numerator, denominator, narrative) = match &c.value {
            ActualValue::Number(v) => (Some(*v), None, None, None),
            ActualValue::Ratio {
                numerator,
                denominator,
            } => (None, Some(*numerator), Some(*denominator), None),
            ActualValue::Narrative(text) => (None, None, None, Some(text.as_str())),
        };
        // The texts are bound where they lie, without a copy: they belong to the caller's rows,
        // which outlive the statement, and each parameter is bound again for every row.
        bind_text(db, stmt, p + 1, Some(&c.indicator))?;
        // SAFETY: as above, for an integer parameter of the statement.
        check(db, unsafe {
            ffi::sqlite3_bind_int(stmt, p + 2, c.year.year())
        })?;
        bind_text(db, stmt, p + 3, Some(&c.body))?;
        bind_real(db, stmt, p + 4, value)?;
        bind_real(db, stmt, p + 5, numerator)?;
        bind_real(db, stmt, p + 6, denominator)?;
        bind_text(db, stmt, p + 7, narrative)?;
        bind_text(db, stmt, p + 8, actual.note.as_deref())?;
        bind_text(db, stmt, p + 9, actual.source.as_deref())?;
        p += 9;
    }
    // SAFETY: every parameter is bound to a live value.
    let rc = unsafe { ffi::sqlite3_step(stmt) };
    let result = if rc == ffi::SQLITE_DONE {
        Ok(())
    } else {
        Err(failure(db))
    };
    // SAFETY: resetting a statement after it ran (or failed) makes it reusable; a failure has
    // been read already.
    unsafe {
        ffi::sqlite3_reset(stmt);
    }
    result
}

/// Binds `text` (NULL when `None`) to parameter `index` without copying it. The caller keeps the
/// text alive until the statement is finalized or the parameter bound again.
fn bind_text(
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    index: c_int,
    text: Option<&str>,
) -> Result<(), StoreError> {
    let rc = match text {
        None => {
            // SAFETY: `stmt` is a valid statement and `index` one of its parameters.
            unsafe { ffi::sqlite3_bind_null(stmt, index) }
        }
        Some(text) => {
            let length = c_int::try_from(text.len()).map_err(|_| {
                StoreError::Invalid(format!("{}バイトの文字列は長すぎます", text.len()))
            })?;
            // An empty string still gets a pointer to a byte that exists.
            let pointer = if text.is_empty() {
                c"".as_ptr()
            } else {
                text.as_ptr().cast()
            };
            // SAFETY: `pointer` points at `length` bytes that stay alive, unchanged, for as
            // long as the caller promises (see above), so SQLite may keep it (SQLITE_STATIC).
            unsafe { ffi::sqlite3_bind_text(stmt, index, pointer, length, ffi::SQLITE_STATIC()) }
        }
    };
    check(db, rc)
}

/// Binds a number, or NULL.
fn bind_real(
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
    index: c_int,
    value: Option<f64>,
) -> Result<(), StoreError> {
    // SAFETY: `stmt` is a valid statement and `index` one of its parameters.
    let rc = unsafe {
        match value {
            Some(v) => ffi::sqlite3_bind_double(stmt, index, v),
            None => ffi::sqlite3_bind_null(stmt, index),
        }
    };
    check(db, rc)
}

fn check(db: *mut ffi::sqlite3, rc: c_int) -> Result<(), StoreError> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(failure(db))
    }
}

/// The connection's latest error, as sqlx reports SQLite's errors.
fn failure(db: *mut ffi::sqlite3) -> StoreError {
    // SAFETY: `db` is an open connection; SQLite's message is a NUL-terminated string that is
    // copied before any other call on the connection.
    let (code, message) = unsafe {
        let code = ffi::sqlite3_extended_errcode(db);
        let message = ffi::sqlite3_errmsg(db);
        let message = if message.is_null() {
            String::from("unknown error")
        } else {
            CStr::from_ptr(message).to_string_lossy().into_owned()
        };
        (code, message)
    };
    StoreError::Database(sqlx::Error::Database(Box::new(SqliteFailure {
        code,
        message,
    })))
}

/// An error SQLite returned, with its extended result code.
#[derive(Debug, thiserror::Error)]
#[error("(code: {code}) {message}")]
struct SqliteFailure {
    code: c_int,
    message: String,
}

impl DatabaseError for SqliteFailure {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}
