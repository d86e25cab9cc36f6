//! API tokens: a secret `pdca_…` shown once to its owner, its SHA-256 in the database; revoked
//! tokens stay for the record.

use sqlx::Row;
use sqlx::any::AnyRow;

use std::time::Duration;

use time::OffsetDateTime;

use crate::audit::{self, Change};
use crate::changes::Lookup;
use crate::data_version::{DataVersion, data_version_at, data_version_columns};
use crate::secrets::{digest, random_hex};
use crate::users::{User, user_at, user_columns, user_from_sqlite};
use crate::{Store, StoreError, WriteScope, now, rfc3339, rollback, stored_time};

/// What every token secret starts with, so that a leaked one is easy to recognise.
const PREFIX: &str = "pdca_";

/// How old a token's recorded last use may get before a use records it again: its
/// [`ApiToken::last_used_at`] is accurate to this much.
pub const LAST_USE_PRECISION: Duration = Duration::from_secs(60);

/// An API token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The token's id, for listing and revoking.
    pub id: i64,
    /// Whose token it is; requests made with it act as this user.
    pub user_id: i64,
    /// What the owner called it (e.g. the script that uses it).
    pub name: String,
    /// When it was created, RFC 3339 in UTC.
    pub created_at: String,
    /// When it was revoked, RFC 3339 in UTC; a revoked token no longer works.
    pub revoked_at: Option<String>,
    /// When it was last used, RFC 3339 in UTC, accurate to [`LAST_USE_PRECISION`] (a use
    /// less than that after the recorded one is not recorded).
    pub last_used_at: Option<String>,
}

/// The columns of an [`ApiToken`] in the order [`token_at`] reads them, from the table aliased
/// `t`.
macro_rules! token_columns {
    () => {
        "t.id, t.user_id, t.name, t.created_at, t.revoked_at, t.last_used_at"
    };
}

fn token_at(row: &AnyRow) -> Result<ApiToken, StoreError> {
    token_from(row, 0)
}

/// The [`token_columns!`] starting at column `at`.
fn token_from(row: &AnyRow, at: usize) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: row.try_get(at)?,
        user_id: row.try_get(at + 1)?,
        name: row.try_get(at + 2)?,
        created_at: row.try_get(at + 3)?,
        revoked_at: row.try_get(at + 4)?,
        last_used_at: row.try_get(at + 5)?,
    })
}

/// A row of the token lookup: the data version, the token and its user.
#[derive(Clone)]
pub(crate) struct TokenRow {
    version: DataVersion,
    token: ApiToken,
    user: User,
}

impl TokenRow {
    fn from_any(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(TokenRow {
            version: data_version_at(row, 0)?,
            token: token_from(row, 3)?,
            user: user_at(row, 9)?,
        })
    }

    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(TokenRow {
            version: DataVersion::from_sqlite(row, 0)?,
            token: ApiToken {
                id: row.get(3)?,
                user_id: row.get(4)?,
                name: row.get(5)?,
                created_at: row.get(6)?,
                revoked_at: row.get(7)?,
                last_used_at: row.get(8)?,
            },
            user: user_from_sqlite(row, 9)?,
        })
    }
}

/// A token as the audit log shows it: never the secret or its hash.
fn token_json(id: i64, name: &str, revoked_at: Option<&str>) -> String {
    serde_json::json!({ "id": id, "name": name, "revoked_at": revoked_at }).to_string()
}

impl Store {
    /// Creates an API token for user `user_id`, with a `token.create` entry in the audit log.
    /// Returns the token and its secret (`pdca_` and 64 hex digits), which is not stored and
    /// cannot be shown again. [`StoreError::NotFound`] for an unknown user,
    /// [`StoreError::Invalid`] for an empty name.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        actor: &str,
    ) -> Result<(ApiToken, String), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("API トークンの名前が空です".to_owned()));
        }
        pdca_core::normalize::check_controls(
            "API トークンの名前",
            name,
            pdca_core::normalize::TextKind::SingleLine,
        )
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let secret = format!("{PREFIX}{}", random_hex()?);
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Accounts).await?;
        let Some(owner) = sqlx::query("SELECT name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            rollback(tx).await?;
            return Err(StoreError::NotFound(format!("ユーザー（id {user_id}）")));
        };
        let owner: String = owner.try_get(0)?;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, secret_hash, created_at)
             VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(digest(&secret))
        .bind(at.as_str())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "token.create",
                subject: &owner,
                old_value: None,
                new_value: Some(token_json(id, name, None)),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        let token = ApiToken {
            id,
            user_id,
            name: name.to_owned(),
            created_at: at,
            revoked_at: None,
            last_used_at: None,
        };
        Ok((token, secret))
    }

    /// The token whose secret is `secret`, with its user, and records that it was used now
    /// (unless that was recorded less than [`LAST_USE_PRECISION`] ago: the time of last use
    /// is accurate to a minute). `None` when there is no such token, it is revoked, or its user
    /// is disabled.
    pub async fn api_token_user(
        &self,
        secret: &str,
    ) -> Result<Option<(ApiToken, User)>, StoreError> {
        Ok(self
            .api_token_user_with_data_version(secret)
            .await?
            .map(|(token, user, _)| (token, user)))
    }

    /// [`Store::api_token_user`], with the database's [`Store::data_version`] read in the same
    /// query (a request that needs both makes one round trip). The lookup goes through the same
    /// read path and memo as [`Store::session_with_data_version`]: while nothing is committed
    /// (and on PostgreSQL once [`Store::watch_changes`] listens), a request reads nothing and
    /// writes nothing.
    pub async fn api_token_user_with_data_version(
        &self,
        secret: &str,
    ) -> Result<Option<(ApiToken, User, DataVersion)>, StoreError> {
        // The version's columns come first, then the token's, then the user's.
        const SQL: &str = concat!(
            "SELECT ",
            data_version_columns!(),
            ", ",
            token_columns!(),
            ", ",
            user_columns!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = $1"
        );
        if !secret.starts_with(PREFIX) {
            return Ok(None);
        }
        let secret_hash = digest(secret);
        // Kept by the secret's hash, so that the memo holds no secret; a revocation, a disabled
        // user or any other commit empties it (see `changes`).
        let param = || secret_hash.clone();
        let found = self
            .memoised(
                &self.memos.tokens,
                &secret_hash,
                Lookup {
                    sql: SQL,
                    param: &param,
                    from_sqlite: TokenRow::from_sqlite,
                    from_any: TokenRow::from_any,
                },
            )
            .await?;
        let Some(TokenRow {
            version,
            mut token,
            user,
        }) = found
        else {
            return Ok(None);
        };
        if token.revoked_at.is_some() || user.disabled {
            return Ok(None);
        }
        // Recording every use would make every read a committed write (serialised with every
        // other write, and on SQLite a change of the file that empties every memo). The time
        // of use is recorded when the stored one is older than a minute, and only if no other
        // request recorded a newer one in between.
        let now_time = OffsetDateTime::now_utc();
        let stale = match &token.last_used_at {
            None => true,
            Some(at) => now_time - stored_time(at)? >= LAST_USE_PRECISION,
        };
        if stale {
            let used = rfc3339(now_time);
            let _changing = self.changes.writing();
            // Compared with the value read, so that of several requests that saw the same
            // stale time, one writes and the others change nothing.
            match &token.last_used_at {
                None => {
                    sqlx::query(
                        "UPDATE api_tokens SET last_used_at = $2
                         WHERE id = $1 AND last_used_at IS NULL",
                    )
                    .bind(token.id)
                    .bind(used.as_str())
                    .execute(&self.pool)
                    .await?
                }
                Some(at) => {
                    sqlx::query(
                        "UPDATE api_tokens SET last_used_at = $2
                         WHERE id = $1 AND last_used_at = $3",
                    )
                    .bind(token.id)
                    .bind(used.as_str())
                    .bind(at.as_str())
                    .execute(&self.pool)
                    .await?
                }
            };
            token.last_used_at = Some(used);
        }
        Ok(Some((token, user, version)))
    }

    /// Every token of user `user_id`, revoked ones included, oldest first.
    pub async fn list_api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_at).collect()
    }

    /// Revokes token `id`, with a `token.revoke` entry in the audit log. Revoking a revoked
    /// token changes nothing; [`StoreError::NotFound`] for an unknown id.
    pub async fn revoke_api_token(&self, id: i64, actor: &str) -> Result<(), StoreError> {
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Accounts).await?;
        let Some(row) = sqlx::query(
            "SELECT t.name, t.revoked_at, u.name
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            rollback(tx).await?;
            return Err(StoreError::NotFound(format!("API トークン（id {id}）")));
        };
        let name: String = row.try_get(0)?;
        let revoked_at: Option<String> = row.try_get(1)?;
        let owner: String = row.try_get(2)?;
        if revoked_at.is_some() {
            rollback(tx).await?;
            return Ok(());
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at.as_str())
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "token.revoke",
                subject: &owner,
                old_value: Some(token_json(id, &name, None)),
                new_value: Some(token_json(id, &name, Some(&at))),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
