//! Large writes of actuals on a SQLite file through sqlx's own SQLite driver rather than `Any`.
//!
//! Through `Any`, every bound value becomes an `AnyValue` and is then converted again into the
//! SQLite driver's arguments, each text copied twice. Here the texts of a write are shared
//! (`Arc<str>`, one per distinct indicator, body, note and source), so binding a row allocates
//! nothing, and the statements are the same fixed multi-row INSERTs, prepared once per
//! connection. The pool is a second one on the same file, opened on first use; the write is one
//! `BEGIN IMMEDIATE` transaction on it, with the batch rows and the audit entry, so it is all or
//! nothing as on the `Any` pool.

use std::collections::HashMap;
use std::sync::Arc;

use pdca_core::ActualValue;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqlitePool};
use sqlx::{Row, Sqlite};

use crate::StoreError;
use crate::actuals::{
    CHUNK_ROWS, INSERT_BATCH_POSITIONAL, NewActual, POSITIONAL_INSERTS, batch_audit_value, chunks,
    state_runs,
};

/// One shared copy of each distinct text of a write.
#[derive(Default)]
struct Texts<'a>(HashMap<&'a str, Arc<str>>);

impl<'a> Texts<'a> {
    fn get(&mut self, text: &'a str) -> Arc<str> {
        Arc::clone(self.0.entry(text).or_insert_with(|| Arc::from(text)))
    }
}

/// Writes `ordered` (checked, sorted and not empty) for `plan_id` as [`crate::Store::record_actuals`]
/// does, and returns the number of rows written.
pub(crate) async fn record(
    pool: &SqlitePool,
    plan_id: &str,
    ordered: &[&NewActual],
    actor: &str,
    at: &str,
) -> Result<u64, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut texts = Texts::default();
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
        let mut parts = chunks(run);
        let mut next = parts
            .next()
            .map(|(size, chunk)| statement(size, chunk, batch, &mut texts));
        while let Some(query) = next.take() {
            // Bind the next statement's values while the database runs this one.
            let (done, following) = futures::join!(query.execute(&mut *tx), async {
                parts
                    .next()
                    .map(|(size, chunk)| statement(size, chunk, batch, &mut texts))
            });
            written += done?.rows_affected();
            next = following;
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
    Ok(written)
}

/// The INSERT of `chunk`, of size `size` (an index into [`CHUNK_ROWS`]), in batch `batch`.
fn statement<'a>(
    size: usize,
    chunk: &[&'a NewActual],
    batch: i64,
    texts: &mut Texts<'a>,
) -> Query<'static, Sqlite, SqliteArguments> {
    let mut query = sqlx::query(POSITIONAL_INSERTS.get(size).clone());
    for actual in chunk {
        query = bind_row(query, batch, actual, texts);
    }
    query
}

/// Binds a row's batch and nine values. A missing number is bound as NULL; the texts come from
/// `texts`.
fn bind_row<'a>(
    query: Query<'static, Sqlite, SqliteArguments>,
    batch: i64,
    actual: &'a NewActual,
    texts: &mut Texts<'a>,
) -> Query<'static, Sqlite, SqliteArguments> {
    let c = &actual.contribution;
    let (value, numerator, denominator, narrative) = match &c.value {
        ActualValue::Number(v) => (Some(*v), None, None, None),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => (None, Some(*numerator), Some(*denominator), None),
        ActualValue::Narrative(text) => (None, None, None, Some(Arc::<str>::from(text.as_str()))),
    };
    query
        .bind(batch)
        .bind(texts.get(&c.indicator))
        .bind(c.year.year())
        .bind(texts.get(&c.body))
        .bind(value)
        .bind(numerator)
        .bind(denominator)
        .bind(narrative)
        .bind(actual.note.as_deref().map(|t| texts.get(t)))
        .bind(actual.source.as_deref().map(|t| texts.get(t)))
}

/// The sizes of [`CHUNK_ROWS`] are what the fixed statements are built for.
const _: () = assert!(CHUNK_ROWS[CHUNK_ROWS.len() - 1] == 1);
