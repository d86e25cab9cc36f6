//! Users: who may sign in, with which role and, for a reporting body's staff, for which body.
//! Passwords are hashed by the caller; the store keeps the hash and never sees a password.

use std::fmt;

use pdca_core::access::Role;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, Change};
use crate::{Store, StoreError, WriteScope, now, rollback};

/// A user about to be created.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The sign-in name; unique.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// The reporting body's id: required for [`Role::Body`], refused for every other role.
    pub body: Option<String>,
    /// The password's hash as the caller made it (a PHC string such as `$argon2id$…`).
    pub password_hash: String,
    /// Whether the user must choose a new password at the next sign-in.
    pub must_change_password: bool,
}

/// A stored user.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// The user's id, for sessions and tokens.
    pub id: i64,
    /// The sign-in name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// The reporting body a [`Role::Body`] user reports for.
    pub body: Option<String>,
    /// The password's hash, to verify a sign-in against.
    pub password_hash: String,
    /// Whether the user must choose a new password before doing anything else.
    pub must_change_password: bool,
    /// A disabled user cannot sign in; their sessions are gone and their tokens stop working.
    pub disabled: bool,
    /// When the user was created, RFC 3339 in UTC.
    pub created_at: String,
}

// The hashes stay out of logs.
impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("body", &self.body)
            .field("password_hash", &"***")
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("body", &self.body)
            .field("password_hash", &"***")
            .field("must_change_password", &self.must_change_password)
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// The columns of a [`User`] in the order [`user_at`] reads them, from the table aliased `u`.
macro_rules! user_columns {
    () => {
        "u.id, u.name, u.role, u.body_id, u.password_hash, u.must_change_password, u.disabled, \
         u.created_at"
    };
}
pub(crate) use user_columns;

/// The [`user_columns!`] starting at column `at`.
pub(crate) fn user_at(row: &AnyRow, at: usize) -> Result<User, StoreError> {
    let role: String = row.try_get(at + 2)?;
    Ok(User {
        id: row.try_get(at)?,
        name: row.try_get(at + 1)?,
        role: role
            .parse()
            .map_err(|e: pdca_core::access::UnknownRole| StoreError::Corrupt(e.to_string()))?,
        body: row.try_get(at + 3)?,
        password_hash: row.try_get(at + 4)?,
        must_change_password: row.try_get::<i64, _>(at + 5)? != 0,
        disabled: row.try_get::<i64, _>(at + 6)? != 0,
        created_at: row.try_get(at + 7)?,
    })
}

/// [`user_at`] for a row read by `sqlite_read`.
pub(crate) fn user_from_sqlite(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<User> {
    let role: String = row.get(at + 2)?;
    let role = role.parse().map_err(|e: pdca_core::access::UnknownRole| {
        rusqlite::Error::FromSqlConversionFailure(at + 2, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(User {
        id: row.get(at)?,
        name: row.get(at + 1)?,
        role,
        body: row.get(at + 3)?,
        password_hash: row.get(at + 4)?,
        must_change_password: row.get::<_, i64>(at + 5)? != 0,
        disabled: row.get::<_, i64>(at + 6)? != 0,
        created_at: row.get(at + 7)?,
    })
}

/// A flag as the schema stores it.
pub(crate) fn flag(value: bool) -> i32 {
    i32::from(value)
}

impl Store {
    /// Creates a user, with a `user.create` entry in the audit log.
    ///
    /// Refused with [`StoreError::Invalid`]: a name that is empty, has spaces around it or is
    /// taken; a `body` user without a body, or a body given for any other role; an empty
    /// password hash.
    pub async fn create_user(&self, user: &NewUser, actor: &str) -> Result<User, StoreError> {
        check_user(user)?;
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Accounts).await?;
        let taken = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(&user.name)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if taken {
            rollback(tx).await?;
            return Err(name_taken(&user.name));
        }
        let inserted = sqlx::query(
            "INSERT INTO users
                 (name, role, body_id, password_hash, must_change_password, disabled, created_at)
             VALUES ($1, $2, $3, $4, $5, 0, $6)
             RETURNING id",
        )
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(user.body.as_deref())
        .bind(&user.password_hash)
        .bind(flag(user.must_change_password))
        .bind(at.as_str())
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(row) => row.try_get(0)?,
            // Another writer took the name between the check and the insert (PostgreSQL takes
            // no table lock for accounts).
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(name_taken(&user.name));
            }
            Err(e) => return Err(e.into()),
        };
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "user.create",
                subject: &user.name,
                old_value: None,
                new_value: Some(
                    // Keys in alphabetical order: the same text whether or not serde_json
                    // preserves insertion order (a feature another crate may turn on).
                    serde_json::json!({
                        "body": user.body,
                        "must_change_password": user.must_change_password,
                        "role": user.role,
                    })
                    .to_string(),
                ),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(User {
            id,
            name: user.name.clone(),
            role: user.role,
            body: user.body.clone(),
            password_hash: user.password_hash.clone(),
            must_change_password: user.must_change_password,
            disabled: false,
            created_at: at,
        })
    }

    /// The user signing in as `name`, if there is one (disabled or not).
    pub async fn user_by_name(&self, name: &str) -> Result<Option<User>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.name = $1"
        ))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| user_at(&row, 0))
        .transpose()
    }

    /// The user with id `id`, if there is one (disabled or not).
    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| user_at(&row, 0))
        .transpose()
    }

    /// Every user, disabled ones included, ordered by name.
    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(concat!("SELECT ", user_columns!(), " FROM users u"))
            .fetch_all(&self.pool)
            .await?;
        let mut users = rows
            .iter()
            .map(|row| user_at(row, 0))
            .collect::<Result<Vec<_>, _>>()?;
        // By bytes on both databases (PostgreSQL's ORDER BY follows the database collation).
        users.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(users)
    }

    /// Disables or re-enables the user `name`, with a `user.disable` or `user.enable` entry in
    /// the audit log when it changes anything. Disabling also ends every session of the user
    /// (their API tokens stop working while they are disabled). [`StoreError::NotFound`] for an
    /// unknown name.
    pub async fn set_user_disabled(
        &self,
        name: &str,
        disabled: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Accounts).await?;
        let Some(row) = sqlx::query("SELECT id, disabled FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
        else {
            rollback(tx).await?;
            return Err(unknown_user(name));
        };
        let id: i64 = row.try_get(0)?;
        let was_disabled = row.try_get::<i64, _>(1)? != 0;
        if was_disabled != disabled {
            sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
                .bind(id)
                .bind(flag(disabled))
                .execute(&mut *tx)
                .await?;
            audit::record(
                &mut tx,
                &at,
                Change {
                    actor,
                    action: if disabled {
                        "user.disable"
                    } else {
                        "user.enable"
                    },
                    subject: name,
                    old_value: Some(serde_json::json!({ "disabled": was_disabled }).to_string()),
                    new_value: Some(serde_json::json!({ "disabled": disabled }).to_string()),
                    note: None,
                },
            )
            .await?;
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the password hash of user `name` (a reset by the secretariat, or the user's own
    /// change), with a `user.password_reset` entry in the audit log that records
    /// `must_change_password` but never the hash. Sessions are left alone: a caller resetting
    /// someone else's password ends theirs with [`Store::delete_sessions_of`].
    /// [`StoreError::NotFound`] for an unknown name, [`StoreError::Invalid`] for an empty hash.
    pub async fn set_password_hash(
        &self,
        name: &str,
        hash: &str,
        must_change_password: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        if hash.is_empty() {
            return Err(StoreError::Invalid(
                "パスワードのハッシュが空です".to_owned(),
            ));
        }
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Accounts).await?;
        let Some(row) = sqlx::query("SELECT id, must_change_password FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
        else {
            rollback(tx).await?;
            return Err(unknown_user(name));
        };
        let id: i64 = row.try_get(0)?;
        let was = row.try_get::<i64, _>(1)? != 0;
        sqlx::query("UPDATE users SET password_hash = $2, must_change_password = $3 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .bind(flag(must_change_password))
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "user.password_reset",
                subject: name,
                old_value: Some(serde_json::json!({ "must_change_password": was }).to_string()),
                new_value: Some(
                    serde_json::json!({ "must_change_password": must_change_password }).to_string(),
                ),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What the schema cannot check, or checks with a message nobody can act on.
fn check_user(user: &NewUser) -> Result<(), StoreError> {
    let invalid = |m: String| Err(StoreError::Invalid(m));
    if user.name.trim().is_empty() {
        return invalid("ユーザー名が空です".to_owned());
    }
    if user.name.trim() != user.name {
        return invalid(format!("ユーザー名「{}」の前後に空白があります", user.name));
    }
    for (field, text) in [
        ("ユーザー名", user.name.as_str()),
        ("報告機関", user.body.as_deref().unwrap_or_default()),
    ] {
        if let Err(e) = pdca_core::normalize::check_controls(
            field,
            text,
            pdca_core::normalize::TextKind::SingleLine,
        ) {
            return invalid(e.to_string());
        }
    }
    match (user.role, user.body.as_deref()) {
        (Role::Body, None) => {
            return invalid(format!(
                "ユーザー「{}」は{}（body）なので、報告機関を指定してください",
                user.name,
                Role::Body.label_ja()
            ));
        }
        (Role::Body, Some(body)) if body.trim().is_empty() => {
            return invalid(format!("ユーザー「{}」の報告機関が空です", user.name));
        }
        (Role::Body, Some(_)) | (_, None) => {}
        (role, Some(body)) => {
            return invalid(format!(
                "ユーザー「{}」は{}（{role}）なので、報告機関「{body}」は指定できません（報告機関を指定できるのは役割 body だけです）",
                user.name,
                role.label_ja()
            ));
        }
    }
    if user.password_hash.is_empty() {
        return invalid("パスワードのハッシュが空です".to_owned());
    }
    Ok(())
}

fn name_taken(name: &str) -> StoreError {
    StoreError::Invalid(format!("ユーザー「{name}」は既にあります"))
}

fn unknown_user(name: &str) -> StoreError {
    StoreError::NotFound(format!("ユーザー「{name}」"))
}
