//! Browser sessions: a random id in the cookie, its SHA-256 in the database, a CSRF token per
//! session, and expiry after a time idle or a time since sign-in.

use std::fmt;
use std::time::{Duration, SystemTime};

use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::changes::Lookup;
use crate::data_version::{DataVersion, data_version_at, data_version_columns};
use crate::secrets::{digest, random_hex};
use crate::users::{User, user_at, user_columns, user_from_sqlite};
use crate::{Store, StoreError, now, rfc3339, stored_time};

/// A session just created: what the caller hands to the browser.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The cookie value: 64 hex digits (256 random bits). Only its SHA-256 is stored.
    pub id: String,
    /// The token forms of this session carry.
    pub csrf_token: String,
}

/// A live session.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose session it is.
    pub user_id: i64,
    /// The token forms of this session carry.
    pub csrf_token: String,
    /// When the user signed in, RFC 3339 in UTC.
    pub created_at: String,
    /// When the session was last recorded as used (for a session just looked up: now, or less
    /// than a minute ago), RFC 3339 in UTC.
    pub last_seen_at: String,
}

// The secrets stay out of logs.
impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("id", &"***")
            .field("csrf_token", &"***")
            .finish()
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("csrf_token", &"***")
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish()
    }
}

impl Store {
    /// Starts a session for user `user_id`, signed in at `now` (the caller's clock, normally
    /// `SystemTime::now()`; both its start and its last use are set to it).
    /// [`StoreError::NotFound`] for an unknown user, [`StoreError::Invalid`] for a disabled one.
    pub async fn create_session(
        &self,
        user_id: i64,
        now: SystemTime,
    ) -> Result<NewSession, StoreError> {
        let row = sqlx::query("SELECT name, disabled FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("ユーザー（id {user_id}）")))?;
        if row.try_get::<i64, _>(1)? != 0 {
            let name: String = row.try_get(0)?;
            return Err(StoreError::Invalid(format!(
                "ユーザー「{name}」は無効にされています"
            )));
        }
        let session = NewSession {
            id: random_hex()?,
            csrf_token: random_hex()?,
        };
        let at = rfc3339(OffsetDateTime::from(now));
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(digest(&session.id))
        .bind(user_id)
        .bind(&session.csrf_token)
        .bind(at.as_str())
        .execute(&self.pool)
        .await?;
        Ok(session)
    }

    /// The session whose cookie value is `id`, with its user, and records that it was used
    /// now (unless that was recorded less than a minute ago, or a twentieth of `idle` for an
    /// idle limit under 20 minutes). `None` when there is no such session, when it was last used more than `idle` ago
    /// or started more than `absolute` ago (it is then deleted), or when its user is disabled.
    pub async fn session(
        &self,
        id: &str,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<(Session, User)>, StoreError> {
        Ok(self
            .session_with_data_version(id, idle, absolute)
            .await?
            .map(|(session, user, _)| (session, user)))
    }

    /// [`Store::session`], with the database's [`Store::data_version`] read in the same query
    /// (a request that needs both makes one round trip).
    pub async fn session_with_data_version(
        &self,
        id: &str,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<(Session, User, DataVersion)>, StoreError> {
        // The version's columns come first, then the session's, then the user's.
        const SQL: &str = concat!(
            "SELECT ",
            data_version_columns!(),
            ", s.csrf_token, s.created_at, s.last_seen_at, ",
            user_columns!(),
            " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"
        );
        // Hashed only when the database is asked.
        let id_hash = || digest(id);
        // The read every request makes, kept while nothing changes (by the cookie's value:
        // only this process's memory holds it).
        let found = self
            .memoised(
                &self.memos.sessions,
                id,
                Lookup {
                    sql: SQL,
                    param: &id_hash,
                    from_sqlite: SessionRow::from_sqlite,
                    from_any: SessionRow::from_any,
                },
            )
            .await?;
        let Some(SessionRow {
            version,
            csrf_token,
            created_at,
            last_seen_at,
            user,
        }) = found
        else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        let now_time = OffsetDateTime::now_utc();
        let expired = now_time - stored_time(&last_seen_at)? > idle
            || now_time - stored_time(&created_at)? > absolute;
        if expired {
            let _changing = self.changes.writing();
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash())
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        // Recording every use would make every request a write; the time of use is recorded
        // when the stored one is older than a minute (less for short idle limits), so a session
        // may end up to that much before `idle` has passed since its last use, never after.
        let seen = if now_time - stored_time(&last_seen_at)? > refresh_after(idle) {
            let seen = now();
            let _changing = self.changes.writing();
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
                .bind(id_hash())
                .bind(seen.as_str())
                .execute(&self.pool)
                .await?;
            seen
        } else {
            last_seen_at
        };
        Ok(Some((
            Session {
                user_id: user.id,
                csrf_token,
                created_at,
                last_seen_at: seen,
            },
            user,
            version,
        )))
    }

    /// Ends the session whose cookie value is `id` (signing out). Ending an unknown session is
    /// not an error.
    pub async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        let _changing = self.changes.writing();
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(digest(id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of user `user_id`.
    pub async fn delete_sessions_of(&self, user_id: i64) -> Result<(), StoreError> {
        let _changing = self.changes.writing();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A row of the session lookup.
#[derive(Clone)]
pub(crate) struct SessionRow {
    version: DataVersion,
    csrf_token: String,
    created_at: String,
    last_seen_at: String,
    user: User,
}

impl SessionRow {
    fn from_any(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(SessionRow {
            version: data_version_at(row, 0)?,
            csrf_token: row.try_get(3)?,
            created_at: row.try_get(4)?,
            last_seen_at: row.try_get(5)?,
            user: user_at(row, 6)?,
        })
    }

    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SessionRow {
            version: DataVersion::from_sqlite(row, 0)?,
            csrf_token: row.get(3)?,
            created_at: row.get(4)?,
            last_seen_at: row.get(5)?,
            user: user_from_sqlite(row, 6)?,
        })
    }
}

/// How old the recorded last use may get before a lookup records it again: a minute, or a
/// twentieth of the idle limit when that is shorter.
fn refresh_after(idle: Duration) -> Duration {
    (idle / 20).min(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_use_is_recorded_at_most_a_minute_late() {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        assert_eq!(refresh_after(minutes(30)), minutes(1));
        assert_eq!(refresh_after(minutes(20)), minutes(1));
        assert_eq!(refresh_after(minutes(10)), Duration::from_secs(30));
        assert_eq!(refresh_after(Duration::ZERO), Duration::ZERO);
    }
}
