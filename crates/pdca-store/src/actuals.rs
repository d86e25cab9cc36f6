//! Actuals: every recorded value is a new row that is never updated or deleted; the current value
//! of (plan, indicator, year, body) is its row with the highest id, which is also its version.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use futures::TryStreamExt;
use pdca_core::import::ImportedActual;
use pdca_core::{ActualValue, Actuals, Contribution, FiscalYear};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Executor, Row, SqlSafeStr, SqlStr};

use crate::plans::fiscal_year;
use crate::{Backend, Store, StoreError, WriteScope, now, nullable_real, rollback};

/// A value to record, with its remark and source.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActual {
    /// The indicator, year, body and value.
    pub contribution: Contribution,
    /// 備考
    pub note: Option<String>,
    /// 出典
    pub source: Option<String>,
}

impl NewActual {
    /// A value without remark or source.
    pub fn new(contribution: Contribution) -> Self {
        Self {
            contribution,
            note: None,
            source: None,
        }
    }
}

impl From<ImportedActual> for NewActual {
    fn from(a: ImportedActual) -> Self {
        Self {
            contribution: a.contribution,
            note: a.note,
            source: a.source,
        }
    }
}

/// A recorded value: one row of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredActual {
    /// The row's id, increasing with time; the value's version for
    /// [`Store::record_actual_if_current`].
    pub id: i64,
    /// The indicator, year, body and value.
    pub contribution: Contribution,
    /// 備考
    pub note: Option<String>,
    /// 出典
    pub source: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When, RFC 3339 in UTC.
    pub recorded_at: String,
}

/// The columns every query returning [`StoredActual`]s selects, in this order (a macro so that
/// `concat!` can build fixed SQL strings with it).
macro_rules! stored_columns {
    () => {
        "id, indicator_id, fiscal_year, body_id, value, numerator, denominator, narrative, \
         note, source, recorded_by, recorded_at"
    };
}

/// Rows per INSERT statement, largest first: a batch goes out as many statements of the largest
/// size as fit, then of the next size, and so on. Large statements make a million-row import
/// fast (one round trip per 500 rows); the fixed sizes keep the set of statements small so each
/// is prepared once per connection. 500 rows bind at most 6,000 parameters, well under the
/// limits of SQLite (32,766) and PostgreSQL (65,535).
const CHUNK_ROWS: [usize; 4] = [500, 50, 5, 1];

/// How an INSERT names its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    /// `$1`–`$3` for the plan, recorder and time, bound once, then `$n` for each row's nine
    /// values. PostgreSQL, and single-row statements everywhere.
    Numbered,
    /// `?` throughout, each row binding its own plan, recorder and time. For SQLite's large
    /// statements: finding a named parameter (`$n`) is a linear search in SQLite, and sqlx looks
    /// every one up, so binding thousands of them costs time quadratic in their number.
    Positional,
}

/// The INSERTs for each size of [`CHUNK_ROWS`], with numbered placeholders.
static NUMBERED_INSERTS: LazyLock<Vec<(usize, SqlStr)>> =
    LazyLock::new(|| inserts(Placeholders::Numbered));

/// The INSERTs for each size of [`CHUNK_ROWS`], with positional placeholders.
static POSITIONAL_INSERTS: LazyLock<Vec<(usize, SqlStr)>> =
    LazyLock::new(|| inserts(Placeholders::Positional));

/// One row, returning its id.
static INSERT_RETURNING_ID: LazyLock<SqlStr> =
    LazyLock::new(|| fixed_sql(insert_sql(1, Placeholders::Numbered, " RETURNING id")));

fn inserts(style: Placeholders) -> Vec<(usize, SqlStr)> {
    CHUNK_ROWS
        .iter()
        .map(|&rows| (rows, fixed_sql(insert_sql(rows, style, ""))))
        .collect()
}

/// An INSERT of `rows` rows. Every row has twelve values: plan, recorder, time, then the nine of
/// [`bind_row`]; the three numbers are nullable (see `nullable_real`).
fn insert_sql(rows: usize, style: Placeholders, suffix: &str) -> String {
    let mut sql = String::from(match style {
        Placeholders::Numbered => "INSERT INTO",
        // On SQLite, a multi-row statement inside a transaction normally keeps a statement
        // journal (a copy of every page it touches) so that a failing row can undo the rows
        // before it; that copying was a quarter of an import's time. OR FAIL stops at the
        // failing row without undoing, which is all a batch needs: any error rolls the whole
        // transaction back.
        Placeholders::Positional => "INSERT OR FAIL INTO",
    });
    sql.push_str(
        " actual_revisions (plan_id, recorded_by, recorded_at, indicator_id, fiscal_year, \
         body_id, value, numerator, denominator, narrative, note, source) VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        // Writing to a String cannot fail.
        let _ = match style {
            // A bound NaN is stored as NULL by SQLite itself. A function call such as NULLIF
            // would also make SQLite keep a statement journal (see above).
            Placeholders::Positional => write!(sql, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            Placeholders::Numbered => {
                let p = 3 + row * 9;
                write!(
                    sql,
                    "($1, $2, $3, ${}, ${}, ${}, NULLIF(${}, 'NaN'), NULLIF(${}, 'NaN'), \
                     NULLIF(${}, 'NaN'), ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8,
                    p + 9
                )
            }
        };
    }
    sql.push_str(suffix);
    sql
}

/// SQL assembled at start-up from fixed text and placeholder numbers only, never from input.
fn fixed_sql(sql: String) -> SqlStr {
    AssertSqlSafe(Arc::<str>::from(sql)).into_sql_str()
}

/// The indicators and bodies of every revision of a plan: what an actual may refer to.
struct PlanRefs {
    plan_id: String,
    indicators: HashSet<String>,
    bodies: HashSet<String>,
}

impl PlanRefs {
    /// Checks what the schema cannot: that the indicator and body belong to the plan (they live
    /// in the plan document), and that numbers are finite (SQLite would store NaN as NULL).
    /// Ranges (a denominator ≥ 0, one kind of value per row) are the schema's CHECKs.
    fn check(&self, position: usize, actual: &NewActual) -> Result<(), StoreError> {
        let c = &actual.contribution;
        let problem = if !self.indicators.contains(&c.indicator) {
            format!(
                "指標「{}」は計画「{}」にありません",
                c.indicator, self.plan_id
            )
        } else if !self.bodies.contains(&c.body) {
            format!(
                "報告機関「{}」は計画「{}」にありません",
                c.body, self.plan_id
            )
        } else {
            let finite = match &c.value {
                ActualValue::Number(v) => v.is_finite(),
                ActualValue::Ratio {
                    numerator,
                    denominator,
                } => numerator.is_finite() && denominator.is_finite(),
                ActualValue::Narrative(_) => true,
            };
            if finite {
                return Ok(());
            }
            format!(
                "指標「{}」{} の値が有限の数ではありません",
                c.indicator, c.year
            )
        };
        Err(StoreError::Invalid(format!(
            "{}件目の実績: {problem}",
            position + 1
        )))
    }
}

impl Store {
    /// Records `actuals` for plan `plan_id`, all in one transaction: if any row is refused,
    /// nothing is written. Returns the number of rows written. Each row becomes the current
    /// value of its indicator, year and body (the last one, if the batch holds a key twice);
    /// earlier values stay in the history.
    ///
    /// Built for large imports: rows go out sorted by indicator, year and body in multi-row
    /// INSERTs of fixed sizes, with no per-row round trip. The ids of one batch therefore follow
    /// that order, not the order of `actuals`.
    pub async fn record_actuals(
        &self,
        plan_id: &str,
        actuals: &[NewActual],
        actor: &str,
    ) -> Result<u64, StoreError> {
        let refs = self.plan_refs(plan_id).await?;
        for (i, actual) in actuals.iter().enumerate() {
            refs.check(i, actual)?;
        }
        if actuals.is_empty() {
            return Ok(0);
        }
        let at = now();
        let mut tx = self.begin_write(WriteScope::Actuals).await?;
        let (style, inserts) = match self.backend {
            Backend::Sqlite => (Placeholders::Positional, &*POSITIONAL_INSERTS),
            Backend::Postgres => (Placeholders::Numbered, &*NUMBERED_INSERTS),
        };
        // Written in key order: inserting into the key index at one place after another instead
        // of all over it nearly halves the time of a large import. The sort is stable, so the
        // rows of one key keep their order and the last of them becomes the current value.
        let mut ordered: Vec<&NewActual> = actuals.iter().collect();
        ordered.sort_by(|a, b| {
            let (a, b) = (&a.contribution, &b.contribution);
            (&a.indicator, a.year, &a.body).cmp(&(&b.indicator, b.year, &b.body))
        });
        let build = |(sql, chunk): (&SqlStr, &[&NewActual])| {
            let shared = |query: Query<'static, Any, AnyArguments>| {
                query.bind(plan_id).bind(actor).bind(at.as_str())
            };
            let mut query = sqlx::query(sql.clone());
            if style == Placeholders::Numbered {
                query = shared(query);
            }
            for actual in chunk {
                if style == Placeholders::Positional {
                    query = shared(query);
                }
                query = bind_row(query, actual);
            }
            query
        };
        let mut chunks = chunks(&ordered, inserts);
        let mut written = 0;
        let mut next = chunks.next().map(build);
        while let Some(query) = next.take() {
            // Bind the next statement's values while the database runs this one.
            let (done, following) =
                futures::join!(query.execute(&mut *tx), async { chunks.next().map(build) });
            written += done?.rows_affected();
            next = following;
        }
        tx.commit().await?;
        Ok(written)
    }

    /// Records one value if its current version is still `expected_version` (`None`: no value
    /// recorded yet), and returns the new version. Otherwise nothing is written and the error is
    /// [`StoreError::Conflict`] with the value now current, so that an editor who read a value
    /// does not silently overwrite someone else's change.
    pub async fn record_actual_if_current(
        &self,
        plan_id: &str,
        actual: &NewActual,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<i64, StoreError> {
        self.plan_refs(plan_id).await?.check(0, actual)?;
        let at = now();
        let mut tx = self.begin_write(WriteScope::Actuals).await?;
        let c = &actual.contribution;
        let current = sqlx::query(concat!(
            "SELECT ",
            stored_columns!(),
            " FROM actual_revisions
             WHERE plan_id = $1 AND indicator_id = $2 AND fiscal_year = $3 AND body_id = $4
             ORDER BY id DESC LIMIT 1"
        ))
        .bind(plan_id)
        .bind(&c.indicator)
        .bind(c.year.year())
        .bind(&c.body)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(stored_actual)
        .transpose()?;
        if current.as_ref().map(|s| s.id) != expected_version {
            rollback(tx).await?;
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: current.map(Box::new),
            });
        }
        let query = sqlx::query(INSERT_RETURNING_ID.clone())
            .bind(plan_id)
            .bind(actor)
            .bind(at.as_str());
        let id: i64 = bind_row(query, actual)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        tx.commit().await?;
        Ok(id)
    }

    /// The current value of every indicator, year and body of plan `plan_id`, ordered by
    /// indicator id, year and body id.
    pub async fn current_actuals(&self, plan_id: &str) -> Result<Vec<StoredActual>, StoreError> {
        self.require_plan(plan_id).await?;
        let query = sqlx::query(concat!(
            "SELECT ",
            stored_columns!(),
            " FROM actual_revisions
             WHERE id IN (SELECT MAX(id) FROM actual_revisions WHERE plan_id = $1
                          GROUP BY indicator_id, fiscal_year, body_id)"
        ));
        let mut current = collect(&self.pool, query.bind(plan_id)).await?;
        // Sorted here rather than in SQL: PostgreSQL would order text by the database's
        // collation, SQLite by bytes.
        current.sort_unstable_by(|a, b| {
            let (a, b) = (&a.contribution, &b.contribution);
            (&a.indicator, a.year, &a.body).cmp(&(&b.indicator, b.year, &b.body))
        });
        Ok(current)
    }

    /// The current values of plan `plan_id`, indexed for evaluation.
    pub async fn actuals(&self, plan_id: &str) -> Result<Actuals, StoreError> {
        self.require_plan(plan_id).await?;
        let mut rows = sqlx::query(
            "SELECT indicator_id, fiscal_year, body_id, value, numerator, denominator, narrative
             FROM actual_revisions
             WHERE id IN (SELECT MAX(id) FROM actual_revisions WHERE plan_id = $1
                          GROUP BY indicator_id, fiscal_year, body_id)
             ORDER BY id",
        )
        .bind(plan_id)
        .fetch(&self.pool);
        let mut actuals = Actuals::new();
        while let Some(row) = rows.try_next().await? {
            actuals.insert(&contribution(&row, 0, None)?);
        }
        Ok(actuals)
    }

    /// Every recorded value of `indicator_id` in plan `plan_id` (of one year, or of all years),
    /// oldest first.
    pub async fn revisions_of(
        &self,
        plan_id: &str,
        indicator_id: &str,
        fiscal_year: Option<FiscalYear>,
    ) -> Result<Vec<StoredActual>, StoreError> {
        self.require_plan(plan_id).await?;
        let query = match fiscal_year {
            Some(fy) => sqlx::query(concat!(
                "SELECT ",
                stored_columns!(),
                " FROM actual_revisions
                 WHERE plan_id = $1 AND indicator_id = $2 AND fiscal_year = $3 ORDER BY id"
            ))
            .bind(plan_id)
            .bind(indicator_id)
            .bind(fy.year()),
            None => sqlx::query(concat!(
                "SELECT ",
                stored_columns!(),
                " FROM actual_revisions WHERE plan_id = $1 AND indicator_id = $2 ORDER BY id"
            ))
            .bind(plan_id)
            .bind(indicator_id),
        };
        collect(&self.pool, query).await
    }

    async fn plan_refs(&self, plan_id: &str) -> Result<PlanRefs, StoreError> {
        let versions = self.plan_documents(plan_id).await?;
        if versions.is_empty() {
            return Err(StoreError::NotFound(format!("計画「{plan_id}」")));
        }
        let mut refs = PlanRefs {
            plan_id: plan_id.to_owned(),
            indicators: HashSet::new(),
            bodies: HashSet::new(),
        };
        for plan in &versions {
            refs.indicators
                .extend(plan.indicators().map(|(_, i)| i.id.clone()));
            refs.bodies.extend(plan.bodies.iter().map(|b| b.id.clone()));
        }
        Ok(refs)
    }
}

/// Cuts `rows` into statements: as many of the largest size as fit, then the next size.
fn chunks<'a, T>(
    rows: &'a [T],
    inserts: &'a [(usize, SqlStr)],
) -> impl Iterator<Item = (&'a SqlStr, &'a [T])> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        // The smallest size is one row, so this finds one while any row is left.
        let (rows, sql) = inserts.iter().find(|(rows, _)| *rows <= rest.len())?;
        let (chunk, tail) = rest.split_at(*rows);
        rest = tail;
        Some((sql, chunk))
    })
}

/// Binds the nine row parameters of `actual`.
fn bind_row<'q>(
    query: Query<'q, Any, AnyArguments>,
    actual: &NewActual,
) -> Query<'q, Any, AnyArguments> {
    let c = &actual.contribution;
    let (value, numerator, denominator, narrative) = match &c.value {
        ActualValue::Number(v) => (Some(*v), None, None, None),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => (None, Some(*numerator), Some(*denominator), None),
        ActualValue::Narrative(text) => (None, None, None, Some(text.as_str())),
    };
    query
        .bind(c.indicator.as_str())
        .bind(c.year.year())
        .bind(c.body.as_str())
        .bind(nullable_real(value))
        .bind(nullable_real(numerator))
        .bind(nullable_real(denominator))
        .bind(narrative)
        .bind(actual.note.as_deref())
        .bind(actual.source.as_deref())
}

/// Runs a query selecting [`stored_columns!`], streaming the rows.
async fn collect<'e, E>(
    executor: E,
    query: Query<'_, Any, AnyArguments>,
) -> Result<Vec<StoredActual>, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let mut rows = query.fetch(executor);
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await? {
        out.push(stored_actual(&row)?);
    }
    Ok(out)
}

/// A row of [`stored_columns!`].
fn stored_actual(row: &AnyRow) -> Result<StoredActual, StoreError> {
    let id: i64 = row.try_get(0)?;
    Ok(StoredActual {
        id,
        contribution: contribution(row, 1, Some(id))?,
        note: row.try_get(8)?,
        source: row.try_get(9)?,
        recorded_by: row.try_get(10)?,
        recorded_at: row.try_get(11)?,
    })
}

/// The contribution in the seven columns from `at`: indicator, year, body, value, numerator,
/// denominator, narrative.
fn contribution(row: &AnyRow, at: usize, id: Option<i64>) -> Result<Contribution, StoreError> {
    let indicator: String = row.try_get(at)?;
    let year = fiscal_year(row.try_get(at + 1)?)?;
    let body: String = row.try_get(at + 2)?;
    let value: Option<f64> = row.try_get(at + 3)?;
    let numerator: Option<f64> = row.try_get(at + 4)?;
    let denominator: Option<f64> = row.try_get(at + 5)?;
    let narrative: Option<String> = row.try_get(at + 6)?;
    let value = match (value, numerator, denominator, narrative) {
        (Some(v), None, None, None) => ActualValue::Number(v),
        (None, Some(numerator), Some(denominator), None) => ActualValue::Ratio {
            numerator,
            denominator,
        },
        (None, None, None, Some(text)) => ActualValue::Narrative(text),
        _ => {
            let which = id.map_or_else(String::new, |id| format!("（id {id}）"));
            return Err(StoreError::Corrupt(format!(
                "指標「{indicator}」{year}・{body} の実績{which}の値"
            )));
        }
    };
    Ok(Contribution {
        indicator,
        year,
        body,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_cut_largest_statements_first() {
        let row = NewActual::new(Contribution {
            indicator: "i".into(),
            year: FiscalYear::new(2020).unwrap_or_else(|e| panic!("{e}")),
            body: "b".into(),
            value: ActualValue::Number(1.0),
        });
        let batch = vec![row; 1_057];
        let sizes: Vec<usize> = chunks(&batch, &POSITIONAL_INSERTS)
            .map(|(_, c)| c.len())
            .collect();
        assert_eq!(sizes, vec![500, 500, 50, 5, 1, 1]);
        assert_eq!(chunks::<NewActual>(&[], &POSITIONAL_INSERTS).count(), 0);
    }

    #[test]
    fn insert_statements_number_their_parameters() {
        assert_eq!(
            insert_sql(2, Placeholders::Numbered, ""),
            "INSERT INTO actual_revisions (plan_id, recorded_by, recorded_at, indicator_id, \
             fiscal_year, body_id, value, numerator, denominator, narrative, note, source) \
             VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 'NaN'), NULLIF($8, 'NaN'), \
             NULLIF($9, 'NaN'), $10, $11, $12), ($1, $2, $3, $13, $14, $15, NULLIF($16, 'NaN'), \
             NULLIF($17, 'NaN'), NULLIF($18, 'NaN'), $19, $20, $21)"
        );
        assert_eq!(
            insert_sql(1, Placeholders::Positional, " RETURNING id"),
            "INSERT OR FAIL INTO actual_revisions (plan_id, recorded_by, recorded_at, \
             indicator_id, fiscal_year, body_id, value, numerator, denominator, narrative, note, \
             source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
        );
    }
}
