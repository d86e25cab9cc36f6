//! Actuals: every recorded value is a new row that is never updated or deleted; the current value
//! of (plan, indicator, year, body) is its row with the highest id, which is also its version.
//! Each row carries an approval state, and a step of the approval flow adds a row as well.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use futures::TryStreamExt;
use pdca_core::access::ActualState;
use pdca_core::import::ImportedActual;
use pdca_core::{ActualValue, Actuals, Contribution, FiscalYear};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Executor, Row, SqlSafeStr, SqlStr};

use crate::audit::{self, Change};
use crate::plans::fiscal_year;
use crate::{Backend, Store, StoreError, WriteScope, now, nullable_real, rollback};

/// Which rows count as the current value of an indicator, year and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Visibility {
    /// The latest row whose state is approved or locked: what evaluations use and what every
    /// role may read.
    #[default]
    Approved,
    /// The latest row whatever its state, including drafts and values under review.
    All,
}

/// A value to record, with its remark, source and approval state.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActual {
    /// The indicator, year, body and value.
    pub contribution: Contribution,
    /// 備考
    pub note: Option<String>,
    /// 出典
    pub source: Option<String>,
    /// Where the value stands in the approval flow.
    pub state: ActualState,
}

impl NewActual {
    /// An approved value without remark or source.
    pub fn new(contribution: Contribution) -> Self {
        Self {
            contribution,
            note: None,
            source: None,
            state: ActualState::Approved,
        }
    }
}

impl From<ImportedActual> for NewActual {
    /// An imported value is approved.
    fn from(a: ImportedActual) -> Self {
        Self {
            contribution: a.contribution,
            note: a.note,
            source: a.source,
            state: ActualState::Approved,
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
    /// Who recorded it (or took it to this state).
    pub recorded_by: String,
    /// When, RFC 3339 in UTC.
    pub recorded_at: String,
    /// Where the value stands in the approval flow.
    pub state: ActualState,
    /// The reviewer's comment given with this step (as when a value is returned).
    pub review_comment: Option<String>,
}

/// A value recorded after the caller read it, found by [`Store::record_actuals_if_current`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedValue {
    /// The indicator's id.
    pub indicator: String,
    /// The fiscal year.
    pub year: FiscalYear,
    /// The reporting body's id.
    pub body: String,
    /// The version the caller read; `None` when there was no value then.
    pub expected: Option<i64>,
    /// The value now current: what it is, who recorded it and when.
    pub current: Option<StoredActual>,
}

/// An indicator, fiscal year and body: the key whose latest row is the current value.
pub(crate) type Key = (String, i32, String);

/// The key of `actual`.
fn key_of(actual: &NewActual) -> Key {
    let c = &actual.contribution;
    (c.indicator.clone(), c.year.year(), c.body.clone())
}

/// The version each key must still have for a conditional write; `None`: no value yet.
pub(crate) type Expected = HashMap<Key, Option<i64>>;

/// The current version (id of the latest row, whatever its state) of every key of plan `$1`,
/// read inside the write transaction that depends on it.
pub(crate) const CURRENT_VERSIONS: &str = "SELECT indicator_id, fiscal_year, body_id, MAX(id)
     FROM actual_revisions
     WHERE batch_id IN (SELECT id FROM actual_batches WHERE plan_id = $1)
     GROUP BY indicator_id, fiscal_year, body_id";

/// The keys of `expected` whose version is not the one in `current` (the output of
/// [`CURRENT_VERSIONS`]), with the version expected, in key order.
pub(crate) fn stale_keys(
    expected: &Expected,
    current: impl IntoIterator<Item = (Key, i64)>,
) -> Vec<(Key, Option<i64>)> {
    let current: HashMap<Key, i64> = current.into_iter().collect();
    let mut stale: Vec<(Key, Option<i64>)> = expected
        .iter()
        .filter(|(key, version)| current.get(*key).copied() != **version)
        .map(|(key, version)| (key.clone(), *version))
        .collect();
    stale.sort();
    stale
}

/// What a write of actuals did: wrote its rows, or (when it was conditional) found values
/// changed since the caller read them and wrote nothing.
pub(crate) enum Written {
    /// This many rows were written.
    Rows(u64),
    /// These keys have another version than expected (with the one expected).
    Stale(Vec<(Key, Option<i64>)>),
}

/// The columns every query returning [`StoredActual`]s selects, in this order, from
/// [`stored_from!`] (a macro so that `concat!` can build fixed SQL strings with it).
macro_rules! stored_columns {
    () => {
        "r.id, r.indicator_id, r.fiscal_year, r.body_id, r.value, r.numerator, r.denominator, \
         r.narrative, r.note, r.source, b.recorded_by, b.recorded_at, b.state, b.review_comment"
    };
}

/// The rows with their batches, for [`stored_columns!`].
macro_rules! stored_from {
    () => {
        " FROM actual_revisions r JOIN actual_batches b ON b.id = r.batch_id"
    };
}

/// The ids of the current rows of every key of plan `$1`, whatever their state.
macro_rules! latest_ids {
    () => {
        "SELECT MAX(id) FROM actual_revisions
         WHERE batch_id IN (SELECT id FROM actual_batches WHERE plan_id = $1)
         GROUP BY indicator_id, fiscal_year, body_id"
    };
}

/// The ids of the latest approved (or locked) rows of every key of plan `$1`. The key index
/// holds the batch, so this reads the index and the plan's batches alone.
macro_rules! latest_approved_ids {
    () => {
        "SELECT MAX(id) FROM actual_revisions
         WHERE batch_id IN (SELECT id FROM actual_batches
                            WHERE plan_id = $1 AND state IN ('approved', 'locked'))
         GROUP BY indicator_id, fiscal_year, body_id"
    };
}

/// The ids of the current rows of every indicator and body of plan `$1` in fiscal year `$2`.
macro_rules! latest_ids_of_year {
    () => {
        "SELECT MAX(id) FROM actual_revisions
         WHERE fiscal_year = $2
           AND batch_id IN (SELECT id FROM actual_batches WHERE plan_id = $1)
         GROUP BY indicator_id, body_id"
    };
}

/// Rows per INSERT statement, largest first: a batch goes out as many statements of the largest
/// size as fit, then of the next size, and so on. Large statements make a million-row import
/// fast (one round trip per 500 rows); the fixed sizes keep the set of statements small so each
/// is prepared once per connection. 500 rows bind at most 5,000 parameters, well under the
/// limits of SQLite (32,766) and PostgreSQL (65,535).
const CHUNK_ROWS: [usize; 4] = [500, 50, 5, 1];

/// How an INSERT names its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    /// `$1` for the batch, bound once, then `$n` for each row's nine values. PostgreSQL, and
    /// single-row statements everywhere.
    Numbered,
    /// `?` throughout, each row binding its own batch. For SQLite's large statements: finding a
    /// named parameter (`$n`) is a linear search in SQLite, and sqlx looks every one up, so
    /// binding thousands of them costs time quadratic in their number.
    Positional,
}

/// The INSERTs of one placeholder style for each size of [`CHUNK_ROWS`], in that order.
struct Inserts(Vec<SqlStr>);

impl Inserts {
    fn new(style: Placeholders) -> Inserts {
        Inserts(
            CHUNK_ROWS
                .iter()
                .map(|&rows| fixed_sql(insert_sql(rows, style, "")))
                .collect(),
        )
    }

    /// The statement for `size` (an index into [`CHUNK_ROWS`]).
    fn get(&self, size: usize) -> &SqlStr {
        &self.0[size]
    }
}

/// The INSERTs with numbered placeholders.
static NUMBERED_INSERTS: LazyLock<Inserts> = LazyLock::new(|| Inserts::new(Placeholders::Numbered));

/// The INSERTs with positional placeholders.
static POSITIONAL_INSERTS: LazyLock<Inserts> =
    LazyLock::new(|| Inserts::new(Placeholders::Positional));

/// One row, returning its id.
static INSERT_RETURNING_ID: LazyLock<SqlStr> =
    LazyLock::new(|| fixed_sql(insert_sql(1, Placeholders::Numbered, " RETURNING id")));

/// Makes a batch: what the rows written with it share.
const INSERT_BATCH: &str = "INSERT INTO actual_batches
         (plan_id, recorded_by, recorded_at, state, review_comment)
     VALUES ($1, $2, $3, $4, $5) RETURNING id";

/// The same with positional placeholders, for the SQLite driver.
pub(crate) const INSERT_BATCH_POSITIONAL: &str = "INSERT INTO actual_batches
         (plan_id, recorded_by, recorded_at, state, review_comment)
     VALUES (?, ?, ?, ?, ?) RETURNING id";

/// An INSERT of `rows` rows. Every row has its batch, then the nine values of [`bind_row`]; the
/// three numbers are nullable (see `nullable_real`).
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
        " actual_revisions (batch_id, indicator_id, fiscal_year, body_id, value, numerator, \
         denominator, narrative, note, source) VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        // Writing to a String cannot fail.
        let _ = match style {
            // A bound NaN is stored as NULL by SQLite itself. A function call such as NULLIF
            // would also make SQLite keep a statement journal (see above).
            Placeholders::Positional => write!(sql, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            Placeholders::Numbered => {
                let p = 1 + row * 9;
                write!(
                    sql,
                    "($1, ${}, ${}, ${}, NULLIF(${}, 'NaN'), NULLIF(${}, 'NaN'), \
                     NULLIF(${}, 'NaN'), ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8,
                    p + 9,
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

/// Makes a batch in `tx` and returns its id.
async fn new_batch(
    tx: &mut sqlx::Transaction<'static, Any>,
    plan_id: &str,
    actor: &str,
    at: &str,
    state: ActualState,
    comment: Option<&str>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query(INSERT_BATCH)
        .bind(plan_id)
        .bind(actor)
        .bind(at)
        .bind(state.as_str())
        .bind(comment)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?)
}

/// The rows of a write cut where the state changes: each run goes into a batch of its own, in
/// order, so that the last row of a key stays its current value.
pub(crate) fn state_runs<'r, 'a>(
    ordered: &'r [&'a NewActual],
) -> impl Iterator<Item = &'r [&'a NewActual]> {
    ordered.chunk_by(|a, b| a.state == b.state)
}

/// The audit entry of a batch write: one for the whole write; the rows themselves are the
/// detailed history (who, when, each value, and the value before it in the same key).
pub(crate) fn batch_audit_value(ordered: &[&NewActual], written: u64) -> String {
    let years: std::collections::BTreeSet<i32> =
        ordered.iter().map(|a| a.contribution.year.year()).collect();
    serde_json::json!({ "rows": written, "fiscal_years": years }).to_string()
}

/// The indicators and bodies of every revision of a plan: what an actual may refer to.
struct PlanRefs {
    plan_id: String,
    indicators: HashSet<String>,
    bodies: HashSet<String>,
    /// The indicators the current revision counts from achievements (or whose parent it
    /// does), by id, with their names: their values cannot be typed.
    counted: HashMap<String, String>,
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
        } else if let Some(name) = self.counted.get(&c.indicator) {
            format!("指標「{name}」の実績は成果の一覧から集計するため、値を入力できません")
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
        match self
            .write_actuals(plan_id, actuals.iter().collect(), None, actor)
            .await?
        {
            Written::Rows(n) => Ok(n),
            // Only a conditional write finds stale keys.
            Written::Stale(stale) => Err(self.changed_values(plan_id, stale).await),
        }
    }

    /// Records `rows` for plan `plan_id` as [`Store::record_actuals`] does, but only if every
    /// row's indicator, year and body still has the version given with it (`None`: no value
    /// recorded yet), as when someone previewed the rows against the values of that moment.
    /// The versions are compared inside the write transaction, so no write can come between
    /// the check and the rows. If any differs, nothing is written and the error is
    /// [`StoreError::Changed`], listing every value changed since, with who changed it and
    /// when. A key given twice with different versions is [`StoreError::Invalid`].
    pub async fn record_actuals_if_current(
        &self,
        plan_id: &str,
        rows: &[(NewActual, Option<i64>)],
        actor: &str,
    ) -> Result<u64, StoreError> {
        let mut expected = Expected::with_capacity(rows.len());
        for (i, (actual, version)) in rows.iter().enumerate() {
            let previous = expected.insert(key_of(actual), *version);
            if previous.is_some_and(|p| p != *version) {
                let c = &actual.contribution;
                return Err(StoreError::Invalid(format!(
                    "{}件目の実績: 指標「{}」{}・{} に、前の行と異なる版が指定されています",
                    i + 1,
                    c.indicator,
                    c.year,
                    c.body
                )));
            }
        }
        let actuals = rows.iter().map(|(a, _)| a).collect();
        match self
            .write_actuals(plan_id, actuals, Some(&expected), actor)
            .await?
        {
            Written::Rows(n) => Ok(n),
            Written::Stale(stale) => Err(self.changed_values(plan_id, stale).await),
        }
    }

    /// The error for `stale` keys: each with the value now current (read after the write was
    /// refused; a read that fails leaves it out).
    async fn changed_values(&self, plan_id: &str, stale: Vec<(Key, Option<i64>)>) -> StoreError {
        let mut current: HashMap<Key, StoredActual> = self
            .current_actuals_as(plan_id, Visibility::All)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                let c = &a.contribution;
                ((c.indicator.clone(), c.year.year(), c.body.clone()), a)
            })
            .collect();
        let mut changed = Vec::with_capacity(stale.len());
        for (key, expected) in stale {
            let current = current.remove(&key);
            let year = match FiscalYear::new(key.1) {
                Ok(year) => year,
                Err(e) => return StoreError::Corrupt(format!("年度 {}: {e}", key.1)),
            };
            changed.push(ChangedValue {
                indicator: key.0,
                year,
                body: key.2,
                expected,
                current,
            });
        }
        StoreError::Changed(changed)
    }

    /// The write of [`Store::record_actuals`], conditional on `expected` when given.
    async fn write_actuals(
        &self,
        plan_id: &str,
        actuals: Vec<&NewActual>,
        expected: Option<&Expected>,
        actor: &str,
    ) -> Result<Written, StoreError> {
        let refs = self.plan_refs(plan_id).await?;
        for (i, actual) in actuals.iter().enumerate() {
            refs.check(i, actual)?;
        }
        if actuals.is_empty() {
            return Ok(Written::Rows(0));
        }
        let at = now();
        // Written in key order: inserting into the key index at one place after another instead
        // of all over it nearly halves the time of a large import. The sort is stable, so the
        // rows of one key keep their order and the last of them becomes the current value.
        let mut ordered = actuals;
        ordered.sort_by(|a, b| {
            let (a, b) = (&a.contribution, &b.contribution);
            (&a.indicator, a.year, &a.body).cmp(&(&b.indicator, b.year, &b.body))
        });
        if let Some(native) = &self.sqlite {
            return crate::bulk_sqlite::record(native, plan_id, &ordered, expected, actor, &at)
                .await;
        }
        let (mut tx, _changing) = self.begin_write(WriteScope::Actuals).await?;
        if let Some(expected) = expected {
            let rows = sqlx::query(CURRENT_VERSIONS)
                .bind(plan_id)
                .fetch_all(&mut *tx)
                .await?;
            let mut current: Vec<(Key, i64)> = Vec::with_capacity(rows.len());
            for row in &rows {
                let year: i64 = row.try_get(1)?;
                let key = (row.try_get(0)?, fiscal_year(year)?.year(), row.try_get(2)?);
                current.push((key, row.try_get(3)?));
            }
            let stale = stale_keys(expected, current);
            if !stale.is_empty() {
                rollback(tx).await?;
                return Ok(Written::Stale(stale));
            }
        }
        let (style, inserts) = match self.backend {
            Backend::Sqlite => (Placeholders::Positional, &*POSITIONAL_INSERTS),
            Backend::Postgres => (Placeholders::Numbered, &*NUMBERED_INSERTS),
        };
        let mut written = 0;
        for run in state_runs(&ordered) {
            let state = run.first().map_or(ActualState::Approved, |a| a.state);
            let batch = new_batch(&mut tx, plan_id, actor, &at, state, None).await?;
            let build = |(size, chunk): (usize, &[&NewActual])| {
                let mut query = sqlx::query(inserts.get(size).clone());
                if style == Placeholders::Numbered {
                    query = query.bind(batch);
                }
                for actual in chunk {
                    if style == Placeholders::Positional {
                        query = query.bind(batch);
                    }
                    query = bind_row(query, actual);
                }
                query
            };
            let mut chunks = chunks(run);
            let mut next = chunks.next().map(build);
            while let Some(query) = next.take() {
                // Bind the next statement's values while the database runs this one.
                let (done, following) =
                    futures::join!(query.execute(&mut *tx), async { chunks.next().map(build) });
                written += done?.rows_affected();
                next = following;
            }
        }
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "actuals.record",
                subject: plan_id,
                old_value: None,
                new_value: Some(batch_audit_value(&ordered, written)),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Written::Rows(written))
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
        let (mut tx, _changing) = self.begin_write(WriteScope::Actuals).await?;
        let c = &actual.contribution;
        let current = latest_row(&mut tx, plan_id, &c.indicator, c.year, &c.body).await?;
        if current.as_ref().map(|s| s.id) != expected_version {
            rollback(tx).await?;
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: current.map(Box::new),
            });
        }
        let batch = new_batch(&mut tx, plan_id, actor, &at, actual.state, None).await?;
        let query = sqlx::query(INSERT_RETURNING_ID.clone()).bind(batch);
        let id: i64 = bind_row(query, actual)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let subject = format!("{plan_id}/{}/{}/{}", c.indicator, c.year.year(), c.body);
        let describe = |value: &ActualValue, state: ActualState, version: i64| {
            serde_json::json!({ "value": value, "state": state, "version": version }).to_string()
        };
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "actual.record",
                subject: &subject,
                old_value: current
                    .as_ref()
                    .map(|s| describe(&s.contribution.value, s.state, s.id)),
                new_value: Some(describe(&c.value, actual.state, id)),
                note: actual.note.as_deref(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Locks fiscal year `fy` of plan `plan_id` when its follow-up closes: every value whose latest
    /// row is approved gets a copy in state `locked`, in one transaction with one audit entry.
    /// Refused ([`StoreError::Invalid`], naming them) while any value of the year is a draft,
    /// submitted or returned, so nothing awaiting the secretariat is left behind. Returns how
    /// many values were locked; values already locked are left as they are.
    pub async fn lock_year(
        &self,
        plan_id: &str,
        fy: FiscalYear,
        actor: &str,
    ) -> Result<u64, StoreError> {
        self.require_plan(plan_id).await?;
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Actuals).await?;
        let pending = sqlx::query(concat!(
            "SELECT r.indicator_id, r.body_id, b.state",
            stored_from!(),
            " WHERE r.id IN (",
            latest_ids_of_year!(),
            ") AND b.state IN ('draft', 'submitted', 'returned')
             ORDER BY r.indicator_id, r.body_id"
        ))
        .bind(plan_id)
        .bind(fy.year())
        .fetch_all(&mut *tx)
        .await?;
        if !pending.is_empty() {
            let mut names = Vec::with_capacity(pending.len());
            for row in &pending {
                let indicator: String = row.try_get(0)?;
                let body: String = row.try_get(1)?;
                let state: String = row.try_get(2)?;
                let label = state
                    .parse::<ActualState>()
                    .map_or(state.clone(), |s| s.label_ja().to_owned());
                names.push(format!("{indicator}（{body}、{label}）"));
            }
            rollback(tx).await?;
            return Err(StoreError::Invalid(format!(
                "{fy}には承認待ちの値が{}件あるため確定できません: {}",
                names.len(),
                names.join("、")
            )));
        }
        let batch = new_batch(&mut tx, plan_id, actor, &at, ActualState::Locked, None).await?;
        let locked = sqlx::query(concat!(
            "INSERT INTO actual_revisions
                 (batch_id, indicator_id, fiscal_year, body_id, value, numerator, denominator,
                  narrative, note, source)
             SELECT $3, r.indicator_id, r.fiscal_year, r.body_id, r.value, r.numerator,
                    r.denominator, r.narrative, r.note, r.source",
            stored_from!(),
            " WHERE r.id IN (",
            latest_ids_of_year!(),
            ") AND b.state = 'approved'"
        ))
        .bind(plan_id)
        .bind(fy.year())
        .bind(batch)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if locked == 0 {
            // Nothing to lock: the batch would stay empty.
            sqlx::query("DELETE FROM actual_batches WHERE id = $1")
                .bind(batch)
                .execute(&mut *tx)
                .await?;
        }
        let subject = format!("{plan_id}/{}", fy.year());
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "actuals.lock",
                subject: &subject,
                old_value: None,
                new_value: Some(serde_json::json!({ "locked": locked }).to_string()),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(locked)
    }

    /// The latest row of every indicator, year and body of plan `plan_id` whatever its state
    /// (as [`Visibility::All`]), ordered by indicator id, year and body id: what exports and
    /// history views show.
    pub async fn current_actuals(&self, plan_id: &str) -> Result<Vec<StoredActual>, StoreError> {
        self.current_actuals_as(plan_id, Visibility::All).await
    }

    /// The current value of every indicator, year and body of plan `plan_id` as `visibility`
    /// sees it, ordered by indicator id, year and body id. A key with no row visible is left
    /// out.
    pub async fn current_actuals_as(
        &self,
        plan_id: &str,
        visibility: Visibility,
    ) -> Result<Vec<StoredActual>, StoreError> {
        self.require_plan(plan_id).await?;
        let query = match visibility {
            Visibility::All => sqlx::query(concat!(
                "SELECT ",
                stored_columns!(),
                stored_from!(),
                " WHERE r.id IN (",
                latest_ids!(),
                ")"
            )),
            Visibility::Approved => sqlx::query(concat!(
                "SELECT ",
                stored_columns!(),
                stored_from!(),
                " WHERE r.id IN (",
                latest_approved_ids!(),
                ")"
            )),
        };
        let mut current = collect(&self.pool, query.bind(plan_id)).await?;
        // Sorted here rather than in SQL: PostgreSQL would order text by the database's
        // collation, SQLite by bytes.
        current.sort_unstable_by(|a, b| {
            let (a, b) = (&a.contribution, &b.contribution);
            (&a.indicator, a.year, &a.body).cmp(&(&b.indicator, b.year, &b.body))
        });
        Ok(current)
    }

    /// The approved values of plan `plan_id`, indexed for evaluation: the same as
    /// [`Store::actuals_as`] with [`Visibility::Approved`].
    pub async fn actuals(&self, plan_id: &str) -> Result<Actuals, StoreError> {
        self.actuals_as(plan_id, Visibility::Approved).await
    }

    /// The current values of plan `plan_id` as `visibility` sees them, indexed for evaluation.
    pub async fn actuals_as(
        &self,
        plan_id: &str,
        visibility: Visibility,
    ) -> Result<Actuals, StoreError> {
        // The plan's existence and whether it has achievements, in one query: a plan without
        // any achievement costs no more than before.
        let has_achievements = self.plan_has_achievements(plan_id).await?;
        let query = match visibility {
            Visibility::All => sqlx::query(concat!(
                "SELECT indicator_id, fiscal_year, body_id, value, numerator, denominator,
                        narrative
                 FROM actual_revisions WHERE id IN (",
                latest_ids!(),
                ") ORDER BY id"
            )),
            Visibility::Approved => sqlx::query(concat!(
                "SELECT indicator_id, fiscal_year, body_id, value, numerator, denominator,
                        narrative
                 FROM actual_revisions WHERE id IN (",
                latest_approved_ids!(),
                ") ORDER BY id"
            )),
        };
        let mut rows = query.bind(plan_id).fetch(&self.pool);
        let mut actuals = Actuals::new();
        while let Some(row) = rows.try_next().await? {
            actuals.insert(&contribution(&row, 0, None)?);
        }
        drop(rows);
        if has_achievements {
            self.fold_achievements(plan_id, visibility == Visibility::Approved, &mut actuals)
                .await?;
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
                stored_from!(),
                " WHERE b.plan_id = $1 AND r.indicator_id = $2 AND r.fiscal_year = $3
                 ORDER BY r.id"
            ))
            .bind(plan_id)
            .bind(indicator_id)
            .bind(fy.year()),
            None => sqlx::query(concat!(
                "SELECT ",
                stored_columns!(),
                stored_from!(),
                " WHERE b.plan_id = $1 AND r.indicator_id = $2 ORDER BY r.id"
            ))
            .bind(plan_id)
            .bind(indicator_id),
        };
        collect(&self.pool, query).await
    }

    /// Takes the current value of (`indicator_id`, `fy`, `body_id`) to state `to`: adds a copy of
    /// its latest row with the new state, `comment` as its review comment, `actor` and the time,
    /// and returns the new row's id (the value's new version). One transaction, with an
    /// `actual.state` entry in the audit log.
    ///
    /// `expected_version` is the version the caller showed the person acting; when another row
    /// has been added since, nothing is written and the error is [`StoreError::Conflict`].
    /// `None` skips that check. The steps allowed are those of [`ActualState::may_become`] and
    /// `locked → approved`, the secretariat's reopening of a closed value (the caller checks who
    /// may do that); any other is [`StoreError::Invalid`]. A key without any value is
    /// [`StoreError::NotFound`].
    #[allow(clippy::too_many_arguments)] // the contract's signature: a key, the step, and who
    pub async fn set_state(
        &self,
        plan_id: &str,
        indicator_id: &str,
        fy: FiscalYear,
        body_id: &str,
        to: ActualState,
        comment: Option<&str>,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<i64, StoreError> {
        pdca_core::normalize::check_controls(
            "コメント（comment）",
            comment.unwrap_or_default(),
            pdca_core::normalize::TextKind::MultiLine,
        )
        .map_err(pdca_core::follow_up::RoundError::from)?;
        self.require_plan(plan_id).await?;
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Actuals).await?;
        let current = latest_row(&mut tx, plan_id, indicator_id, fy, body_id).await?;
        if expected_version.is_some() && current.as_ref().map(|s| s.id) != expected_version {
            rollback(tx).await?;
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: current.map(Box::new),
            });
        }
        let Some(current) = current else {
            rollback(tx).await?;
            return Err(StoreError::NotFound(format!(
                "指標「{indicator_id}」{fy}・{body_id} の実績"
            )));
        };
        let from = current.state;
        let reopen = from == ActualState::Locked && to == ActualState::Approved;
        if !(from.may_become(to) || reopen) {
            rollback(tx).await?;
            return Err(StoreError::Invalid(format!(
                "指標「{indicator_id}」{fy}・{body_id} の実績は「{}」から「{}」にできません（{from} → {to}）",
                from.label_ja(),
                to.label_ja()
            )));
        }
        let batch = new_batch(&mut tx, plan_id, actor, &at, to, comment).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO actual_revisions
                 (batch_id, indicator_id, fiscal_year, body_id, value, numerator, denominator,
                  narrative, note, source)
             SELECT $2, indicator_id, fiscal_year, body_id, value, numerator, denominator,
                    narrative, note, source
             FROM actual_revisions WHERE id = $1
             RETURNING id",
        )
        .bind(current.id)
        .bind(batch)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let subject = format!("{plan_id}/{indicator_id}/{}/{body_id}", fy.year());
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "actual.state",
                subject: &subject,
                old_value: Some(
                    serde_json::json!({ "state": from, "version": current.id }).to_string(),
                ),
                new_value: Some(serde_json::json!({ "state": to, "version": id }).to_string()),
                note: comment,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
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
            counted: HashMap::new(),
        };
        for plan in &versions {
            refs.indicators
                .extend(plan.indicators().map(|(_, i)| i.id.clone()));
            refs.bodies.extend(plan.bodies.iter().map(|b| b.id.clone()));
        }
        if let Some(current) = versions.last() {
            let counted = |id: &str| {
                current
                    .indicator(id)
                    .is_some_and(pdca_core::plan::Indicator::counted_from_achievements)
            };
            refs.counted = current
                .indicators()
                .filter(|(_, i)| counted(&i.id) || i.parent.as_deref().is_some_and(counted))
                .map(|(_, i)| (i.id.clone(), i.name.clone()))
                .collect();
        }
        Ok(refs)
    }
}

/// Cuts `rows` into statements: as many of the largest size as fit, then the next size. Each
/// chunk comes with its size's index in [`CHUNK_ROWS`].
fn chunks<T>(rows: &[T]) -> impl Iterator<Item = (usize, &[T])> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        // The smallest size is one row, so this finds one while any row is left.
        let (size, rows) = CHUNK_ROWS
            .iter()
            .enumerate()
            .find(|(_, rows)| **rows <= rest.len())?;
        let (chunk, tail) = rest.split_at(*rows);
        rest = tail;
        Some((size, chunk))
    })
}

/// The latest row of a key, whatever its state, read inside a write transaction.
async fn latest_row(
    tx: &mut sqlx::Transaction<'static, Any>,
    plan_id: &str,
    indicator_id: &str,
    fy: FiscalYear,
    body_id: &str,
) -> Result<Option<StoredActual>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        stored_columns!(),
        stored_from!(),
        " WHERE b.plan_id = $1 AND r.indicator_id = $2 AND r.fiscal_year = $3
           AND r.body_id = $4
         ORDER BY r.id DESC LIMIT 1"
    ))
    .bind(plan_id)
    .bind(indicator_id)
    .bind(fy.year())
    .bind(body_id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(stored_actual)
    .transpose()
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
        state: row
            .try_get::<String, _>(12)?
            .parse()
            .map_err(StoreError::Corrupt)?,
        review_comment: row.try_get(13)?,
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

    fn row(state: ActualState) -> NewActual {
        let mut row = NewActual::new(Contribution {
            indicator: "i".into(),
            year: FiscalYear::new(2020).unwrap_or_else(|e| panic!("{e}")),
            body: "b".into(),
            value: ActualValue::Number(1.0),
        });
        row.state = state;
        row
    }

    #[test]
    fn batches_are_cut_largest_statements_first() {
        let batch = vec![row(ActualState::Approved); 1_057];
        let sizes: Vec<(usize, usize)> = chunks(&batch)
            .map(|(size, c)| (CHUNK_ROWS[size], c.len()))
            .collect();
        assert_eq!(
            sizes,
            vec![(500, 500), (500, 500), (50, 50), (5, 5), (1, 1), (1, 1)]
        );
        assert_eq!(chunks::<NewActual>(&[]).count(), 0);
    }

    #[test]
    fn a_change_of_state_starts_a_new_batch() {
        let (approved, draft) = (row(ActualState::Approved), row(ActualState::Draft));
        let ordered = [&approved, &approved, &draft, &approved];
        let runs: Vec<usize> = state_runs(&ordered).map(<[_]>::len).collect();
        assert_eq!(runs, vec![2, 1, 1]);
    }

    #[test]
    fn insert_statements_number_their_parameters() {
        assert_eq!(
            insert_sql(2, Placeholders::Numbered, ""),
            "INSERT INTO actual_revisions (batch_id, indicator_id, fiscal_year, body_id, value, \
             numerator, denominator, narrative, note, source) VALUES ($1, $2, $3, $4, \
             NULLIF($5, 'NaN'), NULLIF($6, 'NaN'), NULLIF($7, 'NaN'), $8, $9, $10), \
             ($1, $11, $12, $13, NULLIF($14, 'NaN'), NULLIF($15, 'NaN'), NULLIF($16, 'NaN'), \
             $17, $18, $19)"
        );
        assert_eq!(
            insert_sql(1, Placeholders::Numbered, " RETURNING id"),
            "INSERT INTO actual_revisions (batch_id, indicator_id, fiscal_year, body_id, value, \
             numerator, denominator, narrative, note, source) VALUES ($1, $2, $3, $4, \
             NULLIF($5, 'NaN'), NULLIF($6, 'NaN'), NULLIF($7, 'NaN'), $8, $9, $10) RETURNING id"
        );
        assert_eq!(
            insert_sql(2, Placeholders::Positional, ""),
            "INSERT OR FAIL INTO actual_revisions (batch_id, indicator_id, fiscal_year, body_id, \
             value, numerator, denominator, narrative, note, source) VALUES \
             (?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        );
    }
}
