//! Failed sign-ins, counted by a key the caller chooses (a user name, an address), so that the
//! caller can slow down or refuse someone guessing passwords.

use sqlx::Row;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{Store, StoreError, rfc3339};

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
        let since = OffsetDateTime::parse(since_rfc3339, &Rfc3339).map_err(|e| {
            StoreError::Invalid(format!(
                "日時「{since_rfc3339}」が読めません（RFC 3339 の形で指定してください）: {e}"
            ))
        })?;
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

    /// Forgets the failed sign-ins of `key` (after a successful sign-in).
    pub async fn clear_sign_in_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
