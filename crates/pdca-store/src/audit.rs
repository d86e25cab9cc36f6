//! The audit log: who changed a plan, a reporting assignment, a user, an API token or the
//! approval state of a value, when, from what to what.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::{Store, StoreError};

/// One entry of the audit log.
///
/// `action` is one of
/// - `plan.create`, `plan.revise` (subject: the plan id; old and new values: revision numbers);
/// - `assignment.set` and `assignment.remove` (subject: `plan/indicator/body`; values: the
///   assignment as JSON, `{"body":"amed","share":2.0}`, absent when there was or is none);
/// - `user.create` (subject: the user name; new value `{"body":"amed",
///   "must_change_password":false,"role":"body"}`), `user.disable` and `user.enable` (values
///   `{"disabled":false}` → `{"disabled":true}`), `user.password_reset` (values
///   `{"must_change_password":…}`; never the hash);
/// - `token.create` and `token.revoke` (subject: the owner's name; values
///   `{"id":3,"name":"集計","revoked_at":null}`; never the secret or its hash);
/// - `actual.state` (subject: `plan/indicator/year/body`; values `{"state":"submitted",
///   "version":12}` → `{"state":"approved","version":13}`; note: the review comment);
/// - `achievements.record` (subject: the plan id; new value `{"created":2,"revised":1,
///   "state":"approved","fiscal_years":[2024],"ids":[4,5,6]}`; the revisions themselves hold
///   every field with who and when), `achievements.state` (subject: the plan id; old value
///   `[{"id":4,"state":"submitted","version":2}]`, new value `{"state":"approved"}`; note: the
///   review comment);
/// - `duplicate.decide` (subject: `plan/a/b`; values `{"resolution":{"decision":"same",
///   "kept":4},"reason":"…"}`, the old one with who decided it and when, absent for the first).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Increasing with time.
    pub id: i64,
    /// When, RFC 3339 in UTC.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What kind of change.
    pub action: String,
    /// What was changed.
    pub subject: String,
    /// The value before, as JSON text.
    pub old_value: Option<String>,
    /// The value after, as JSON text.
    pub new_value: Option<String>,
    /// A remark, such as a plan revision's note.
    pub note: Option<String>,
}

/// An entry about to be written.
pub(crate) struct Change<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub note: Option<&'a str>,
}

/// Writes `change` inside the transaction that makes it.
pub(crate) async fn record(
    tx: &mut Transaction<'static, Any>,
    at: &str,
    change: Change<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, old_value, new_value, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(at)
    .bind(change.actor)
    .bind(change.action)
    .bind(change.subject)
    .bind(change.old_value)
    .bind(change.new_value)
    .bind(change.note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The latest `limit` entries of the audit log, newest first.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, old_value, new_value, note
             FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }

    /// At most `limit` entries older than the entry `before` (all entries when `None`), newest
    /// first: the pages of the log, read by keyset so that entries written meanwhile neither
    /// shift nor repeat a page.
    pub async fn audit_log_before(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, old_value, new_value, note
             FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }
}

fn entry(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.try_get(0)?,
        at: row.try_get(1)?,
        actor: row.try_get(2)?,
        action: row.try_get(3)?,
        subject: row.try_get(4)?,
        old_value: row.try_get(5)?,
        new_value: row.try_get(6)?,
        note: row.try_get(7)?,
    })
}
