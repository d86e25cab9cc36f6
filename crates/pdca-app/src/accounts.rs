//! Passwords: those issued to accounts (by the secretariat's users page, `pdca user add` and the
//! first start of `pdca serve`), and the one rule a password chosen by a person must meet,
//! [`check_password`], which the web form and the CLI both apply. Also what the two share about
//! accounts: the body a new account reports for must exist ([`check_account_body`]), and a
//! password reset revokes the user's API tokens ([`reset_password`]).

use pdca_core::access::MIN_PASSWORD_CHARS;

/// The lowest strength accepted, on the 0–4 scale of the `zxcvbn` estimator (3: about 10^10
/// guesses or more).
pub const MIN_PASSWORD_SCORE: u8 = 3;

/// Why a password chosen by a person is refused. The messages are for that person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Empty, or spaces only.
    #[error("パスワードが空です（空白だけのパスワードは使えません）")]
    Blank,
    /// One character repeated (`aaaaaaaaaaaa`).
    #[error("同じ文字を繰り返しただけのパスワードは使えません")]
    OneCharacter,
    /// The user's own name (ignoring case and surrounding spaces).
    #[error("ユーザー名と同じパスワードは使えません")]
    SameAsName,
    /// Shorter than [`MIN_PASSWORD_CHARS`].
    #[error("パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください")]
    TooShort,
    /// Easy to guess: a common word or name, a keyboard pattern, a sequence, a date, or the
    /// user name inside it ([`MIN_PASSWORD_SCORE`]).
    #[error(
        "推測されやすいパスワードです。よく使われる語や名前、キーボードの並び、連続した文字や数字、日付、ユーザー名を含めず、いくつかの語を組み合わせるなどして長くしてください"
    )]
    Weak,
}

/// The rule for a password a person chooses for account `user_name`: not blank, not one
/// character repeated, not the user name, at least [`MIN_PASSWORD_CHARS`] characters, and
/// scored at least [`MIN_PASSWORD_SCORE`] by the `zxcvbn` estimator (with the user name as a
/// word it knows). The first rule broken is the reason given.
pub fn check_password(password: &str, user_name: &str) -> Result<(), PasswordProblem> {
    let trimmed = password.trim();
    if trimmed.is_empty() {
        return Err(PasswordProblem::Blank);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(PasswordProblem::OneCharacter);
    }
    let name = user_name.trim();
    if !name.is_empty() && trimmed.to_lowercase() == name.to_lowercase() {
        return Err(PasswordProblem::SameAsName);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    let inputs: Vec<&str> = [name].into_iter().filter(|n| !n.is_empty()).collect();
    if u8::from(zxcvbn::zxcvbn(password, &inputs).score()) < MIN_PASSWORD_SCORE {
        return Err(PasswordProblem::Weak);
    }
    Ok(())
}

/// Why a password could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The operating system gave no random bytes.
    #[error("no randomness from the system: {0}")]
    NoRandomness(getrandom::Error),
    /// The thread hashing the password failed.
    #[error("hashing the password failed: {0}")]
    Hashing(#[from] tokio::task::JoinError),
}

/// A random one-time password that is easy to type (no look-alike characters). Bytes at or
/// above the largest multiple of the alphabet's size are drawn again, so every character is
/// equally likely.
pub fn one_time_password() -> Result<String, AccountError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const LENGTH: usize = 16;
    let limit = 256 - 256 % ALPHABET.len();
    let mut password = String::with_capacity(LENGTH);
    while password.len() < LENGTH {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(AccountError::NoRandomness)?;
        for b in bytes.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if password.len() < LENGTH {
                password.push(char::from(ALPHABET[b % ALPHABET.len()]));
            }
        }
    }
    Ok(password)
}

/// Hashes a password with argon2, off the async threads (it is slow on purpose).
pub async fn hash_password(password: String) -> Result<String, AccountError> {
    Ok(tokio::task::spawn_blocking(move || password_auth::generate_hash(password)).await?)
}

/// Why an account cannot be created as asked (the rules the store itself does not know).
#[derive(Debug, thiserror::Error)]
pub enum NewAccountError {
    /// The body named is a body of no plan.
    #[error(
        "報告機関「{0}」はどの計画にもありません。計画にある報告機関の ID を指定してください（pdca body list で確認できます）"
    )]
    UnknownBody(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] pdca_store::StoreError),
}

/// Refuses an account for a body that no plan in `store` has: an account of role body enters
/// that body's values, so the body must exist. The CLI's `pdca user add` and the web's account
/// form both ask here; `None` (no body) passes, the store checks which roles need one.
pub async fn check_account_body(
    store: &pdca_store::Store,
    body: Option<&str>,
) -> Result<(), NewAccountError> {
    let Some(body) = body else { return Ok(()) };
    for summary in store.list_plans().await? {
        if store
            .plan(&summary.id)
            .await?
            .is_some_and(|plan| plan.body(body).is_some())
        {
            return Ok(());
        }
    }
    Err(NewAccountError::UnknownBody(body.to_owned()))
}

/// What a password reset did besides replacing the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordReset {
    /// How many API tokens of the user were revoked (those still valid).
    pub revoked_tokens: usize,
}

/// A reset of user `name`'s password to `hash` by `actor` (the secretariat, on the users page
/// or with `pdca user reset-password`): the old password stops working, every session of the
/// user ends, and every API token of the user is revoked, each with a `token.revoke` entry in
/// the audit log after the `user.password_reset` one, so that nothing obtained with the old
/// password outlives it. A failure part-way is reported; running the reset again finishes it.
pub async fn reset_password(
    store: &pdca_store::Store,
    name: &str,
    hash: &str,
    must_change_password: bool,
    actor: &str,
) -> Result<PasswordReset, pdca_store::StoreError> {
    store
        .set_password_hash(name, hash, must_change_password, actor)
        .await?;
    let user = store
        .user_by_name(name)
        .await?
        .ok_or_else(|| pdca_store::StoreError::NotFound(format!("ユーザー「{name}」")))?;
    store.delete_sessions_of(user.id).await?;
    let mut revoked_tokens = 0;
    for token in store.list_api_tokens(user.id).await? {
        if token.revoked_at.is_none() {
            store.revoke_api_token(token.id, actor).await?;
            revoked_tokens += 1;
        }
    }
    Ok(PasswordReset { revoked_tokens })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_their_reason() {
        for (password, problem) in [
            ("", PasswordProblem::Blank),
            ("            ", PasswordProblem::Blank),
            ("aaaaaaaaaaaa", PasswordProblem::OneCharacter),
            ("ああああああああああああ", PasswordProblem::OneCharacter),
            ("Yamada-Taro-2024", PasswordProblem::SameAsName),
            (" yamada-taro-2024 ", PasswordProblem::SameAsName),
            ("short horse", PasswordProblem::TooShort),
            ("password1234", PasswordProblem::Weak),
            ("abcdefghijkl", PasswordProblem::Weak),
            ("qwertyuiopas", PasswordProblem::Weak),
            ("yamada-taro-2024!", PasswordProblem::Weak),
        ] {
            assert_eq!(
                check_password(password, "yamada-taro-2024"),
                Err(problem),
                "{password:?}"
            );
        }
    }

    #[test]
    fn strong_passwords_pass() {
        for password in [
            "correct horse battery staple",
            "kP7#vQ2!mZ9@xL4$",
            "桜の咲く頃に会議室で会いましょう",
        ] {
            assert_eq!(check_password(password, "yamada"), Ok(()), "{password:?}");
        }
        let issued = one_time_password().unwrap_or_default();
        assert_eq!(check_password(&issued, "yamada"), Ok(()), "{issued}");
    }

    #[test]
    fn one_time_passwords_are_long_and_differ() {
        let (a, b) = (one_time_password().ok(), one_time_password().ok());
        assert_eq!(a.as_ref().map(String::len), Some(16));
        assert!(
            a.iter()
                .flat_map(|p| p.chars())
                .all(|c| c.is_ascii_alphanumeric() && !"0O1lIi".contains(c))
        );
        assert_ne!(a, b);
    }
}
