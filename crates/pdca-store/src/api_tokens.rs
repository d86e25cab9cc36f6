//! API tokens: a secret `pdca_…` shown once to its owner, its SHA-256 in the database; revoked
//! tokens stay for the record.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, Change};
use crate::secrets::{digest, random_hex};
use crate::users::{User, user_at, user_columns};
use crate::{Store, StoreError, WriteScope, now, rollback};

/// What every token secret starts with, so that a leaked one is easy to recognise.
const PREFIX: &str = "pdca_";

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
    /// When it was last used, RFC 3339 in UTC.
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
    Ok(ApiToken {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        name: row.try_get(2)?,
        created_at: row.try_get(3)?,
        revoked_at: row.try_get(4)?,
        last_used_at: row.try_get(5)?,
    })
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
        let mut tx = self.begin_write(WriteScope::Accounts).await?;
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

    /// The token whose secret is `secret`, with its user, and records that it was used now.
    /// `None` when there is no such token, it is revoked, or its user is disabled.
    pub async fn api_token_user(
        &self,
        secret: &str,
    ) -> Result<Option<(ApiToken, User)>, StoreError> {
        if !secret.starts_with(PREFIX) {
            return Ok(None);
        }
        let secret_hash = digest(secret);
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            ", ",
            user_columns!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = $1"
        ))
        .bind(secret_hash.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut token = token_at(&row)?;
        let user = user_at(&row, 6)?;
        if token.revoked_at.is_some() || user.disabled {
            return Ok(None);
        }
        let used = now();
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(token.id)
            .bind(used.as_str())
            .execute(&self.pool)
            .await?;
        token.last_used_at = Some(used);
        Ok(Some((token, user)))
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
        let mut tx = self.begin_write(WriteScope::Accounts).await?;
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
