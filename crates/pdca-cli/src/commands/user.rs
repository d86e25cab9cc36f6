//! `pdca user …` and `pdca token create`: accounts and API tokens, managed by the secretariat
//! from the command line.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, bail};
use pdca_core::access::Role;
use pdca_store::NewUser;

use super::Session;

/// Reads the password of account `name` from standard input (the first line, without its line
/// end) and checks it with the rule the web form applies too
/// ([`pdca_app::accounts::check_password`]).
fn password_from_stdin(name: &str) -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("標準入力からパスワードを読めません")?;
    let password = input.lines().next().unwrap_or("").to_owned();
    if let Err(problem) = pdca_app::accounts::check_password(&password, name) {
        bail!("このパスワードは使えません: {problem}");
    }
    Ok(password)
}

/// A random one-time password, the same kind the web application issues.
pub fn one_time_password() -> anyhow::Result<String> {
    Ok(pdca_app::accounts::one_time_password()?)
}

/// Hashes a password with argon2 (slow on purpose; off the async threads).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    pdca_app::accounts::hash_password(password)
        .await
        .context("パスワードのハッシュ化に失敗しました")
}

pub async fn add(
    session: &Session,
    name: &str,
    role: Role,
    body: Option<&str>,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    pdca_app::accounts::check_account_body(&session.store, body).await?;
    let (password, one_time) = if password_stdin {
        (password_from_stdin(name)?, false)
    } else {
        (one_time_password()?, true)
    };
    let user = session
        .store
        .create_user(
            &NewUser {
                name: name.to_owned(),
                role,
                body: body.map(str::to_owned),
                password_hash: hash_password(password.clone()).await?,
                must_change_password: one_time,
            },
            &session.actor,
        )
        .await?;
    println!(
        "ユーザー「{}」（{}）を作成しました",
        user.name,
        user.role.label_ja()
    );
    if one_time {
        println!(
            "初回パスワード（一度だけ表示します。初回サインイン時に変更が必要です）: {password}"
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn list(session: &Session) -> anyhow::Result<ExitCode> {
    for u in session.store.list_users().await? {
        println!(
            "{}\t{}\t{}\t{}{}",
            u.name,
            u.role,
            u.body.as_deref().unwrap_or("-"),
            if u.disabled { "無効" } else { "有効" },
            if u.must_change_password {
                "\tパスワード変更待ち"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn disable(session: &Session, name: &str) -> anyhow::Result<ExitCode> {
    session
        .store
        .set_user_disabled(name, true, &session.actor)
        .await?;
    println!("ユーザー「{name}」を無効にしました（サインイン中のセッションも終了しました）");
    Ok(ExitCode::SUCCESS)
}

pub async fn reset_password(
    session: &Session,
    name: &str,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let (password, one_time) = if password_stdin {
        (password_from_stdin(name)?, false)
    } else {
        (one_time_password()?, true)
    };
    let hash = hash_password(password.clone()).await?;
    let reset =
        pdca_app::accounts::reset_password(&session.store, name, &hash, one_time, &session.actor)
            .await?;
    println!(
        "ユーザー「{name}」のサインイン中のセッションを終了し、API トークン{}件を失効させました",
        reset.revoked_tokens
    );
    if one_time {
        println!(
            "ユーザー「{name}」の初回パスワード（一度だけ表示します。サインイン時に変更が必要です）: {password}"
        );
    } else {
        println!("ユーザー「{name}」のパスワードを変更しました");
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a bearer token acting as user `name` — and nothing else, so scripts can capture it.
pub async fn create_token(
    session: &Session,
    name: &str,
    label: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let user = session.store.user_by_name(name).await?.with_context(|| {
        format!("ユーザー「{name}」はありません（pdca user list で確認できます）")
    })?;
    if user.disabled {
        bail!("ユーザー「{name}」は無効です");
    }
    let (_, secret) = session
        .store
        .create_api_token(user.id, label.unwrap_or("cli"), &session.actor)
        .await?;
    println!("{secret}");
    Ok(ExitCode::SUCCESS)
}
