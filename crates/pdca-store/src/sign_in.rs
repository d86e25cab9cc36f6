//! Failed sign-ins, counted by a key the caller chooses (a user name, an address), so that the
//! caller can slow down or refuse someone guessing passwords.
//!
//! A guess is counted before it is checked: [`Store::reserve_sign_in_attempt`] counts and
//! records the attempt in one write transaction (SQLite's `BEGIN IMMEDIATE`, a table lock on
//! PostgreSQL), so that many guesses sent at once, to one process or to several on the same
//! database, cannot all pass the count before any of them is recorded. A successful sign-in
//! then takes its attempt back.

use sqlx::Row;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{Backend, Store, StoreError, WriteScope, rfc3339, rollback};

/// A sign-in attempt counted in advance by [`Store::reserve_sign_in_attempt`]: it stays as a
/// failure unless [`Store::forget_sign_in_attempt`] takes it back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a reserved attempt counts as a failure unless it is forgotten after a success"]
pub struct SignInAttempt {
    /// The rows recorded, one per key.
    ids: Vec<i64>,
}

/// Parses the start of a counting window.
fn window_start(since_rfc3339: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(since_rfc3339, &Rfc3339).map_err(|e| {
        StoreError::Invalid(format!(
            "日時「{since_rfc3339}」が読めません（RFC 3339 の形で指定してください）: {e}"
        ))
    })
}

/// Milliseconds since 1970-01-01 UTC, the form failures are compared in.
fn unix_ms(at: OffsetDateTime) -> i64 {
    at.unix_timestamp() * 1000 + i64::from(at.millisecond())
}

impl Store {
    /// Records a failed sign-in for `key`, now.
    pub async fn record_sign_in_failure(&self, key: &str) -> Result<(), StoreError> {
        let at = OffsetDateTime::now_utc();
        sqlx::query("INSERT INTO sign_in_failures (key, at, at_unix_ms) VALUES ($1, $2, $3)")
            .bind(key)
            .bind(rfc3339(at))
            .bind(unix_ms(at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many failed sign-ins have been recorded for `key` at or after `since_rfc3339` (an
    /// RFC 3339 time such as `2025-04-01T09:00:00Z`; [`StoreError::Invalid`] otherwise).
    pub async fn sign_in_failures_since(
        &self,
        key: &str,
        since_rfc3339: &str,
    ) -> Result<u32, StoreError> {
        let since = window_start(since_rfc3339)?;
        let count: i64 = sqlx::query(
            "SELECT COUNT(*) FROM sign_in_failures WHERE key = $1 AND at_unix_ms >= $2",
        )
        .bind(key)
        .bind(unix_ms(since))
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// Counts one sign-in attempt against every key of `keys` before the password is checked,
    /// atomically: if any key already has `max` or more failures (or attempts not taken back)
    /// at or after `since_rfc3339`, nothing is recorded and the answer is `None` (refuse the
    /// attempt without checking the password); otherwise an attempt is recorded for each key,
    /// counting as a failure until [`Store::forget_sign_in_attempt`] takes it back. Count and
    /// record happen in one write transaction that other reservations wait for, on both
    /// databases and across processes, so at most `max` attempts per key and window are ever
    /// let through, however many arrive at once.
    pub async fn reserve_sign_in_attempt(
        &self,
        keys: &[&str],
        since_rfc3339: &str,
        max: u32,
    ) -> Result<Option<SignInAttempt>, StoreError> {
        let since = unix_ms(window_start(since_rfc3339)?);
        let at = OffsetDateTime::now_utc();
        let (mut tx, _changing) = self.begin_write(WriteScope::Accounts).await?;
        if self.backend == Backend::Postgres {
            sqlx::query("LOCK TABLE sign_in_failures IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        for key in keys {
            let count: i64 = sqlx::query(
                "SELECT COUNT(*) FROM sign_in_failures WHERE key = $1 AND at_unix_ms >= $2",
            )
            .bind(*key)
            .bind(since)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            if count >= i64::from(max) {
                rollback(tx).await?;
                return Ok(None);
            }
        }
        let mut ids = Vec::with_capacity(keys.len());
        for key in keys {
            let id: i64 = sqlx::query(
                "INSERT INTO sign_in_failures (key, at, at_unix_ms) VALUES ($1, $2, $3)
                 RETURNING id",
            )
            .bind(*key)
            .bind(rfc3339(at))
            .bind(unix_ms(at))
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(Some(SignInAttempt { ids }))
    }

    /// Takes back an attempt reserved by [`Store::reserve_sign_in_attempt`] (after the password
    /// proved right), so that it does not count as a failure.
    pub async fn forget_sign_in_attempt(&self, attempt: SignInAttempt) -> Result<(), StoreError> {
        for id in attempt.ids {
            sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Forgets the failed sign-ins of `key` (after a successful sign-in).
    pub async fn clear_sign_in_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
