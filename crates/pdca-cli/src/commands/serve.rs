//! `pdca serve`: the web application on the open database.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use pdca_core::access::Role;
use pdca_store::{NewUser, StoreError};

use super::Session;
use super::user::{hash_password, one_time_password};

/// The secretariat account created on an empty database.
const FIRST_ACCOUNT: &str = "admin";

/// How `pdca serve` was asked to serve.
pub struct ServeOptions {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Fill the database with the demo data set first.
    pub demo: bool,
    /// Session cookies with `Secure`.
    pub secure_cookies: bool,
    /// How long a connection may take to send a request's header.
    pub header_timeout: Duration,
    /// The most connections served at once.
    pub max_connections: usize,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in.
    pub session_absolute: Duration,
    /// How the log is written.
    pub log_format: crate::cli::LogFormat,
}

pub async fn serve(session: &Session, options: &ServeOptions) -> anyhow::Result<ExitCode> {
    init_logging(options.log_format);
    let addr = options.addr;
    if options.demo {
        super::demo::demo(session, None).await?;
    }
    ensure_first_account(session).await?;
    let mut config = pdca_web::Config::new(addr);
    config.secure_cookies = options.secure_cookies;
    config.header_read_timeout = options.header_timeout;
    config.max_connections = options.max_connections;
    config.session_idle = options.session_idle;
    config.session_absolute = options.session_absolute;
    let app = pdca_web::Application::build(session.store.clone(), config)
        .await
        .with_context(|| format!("{addr} で待ち受けられません"))?;
    println!(
        "pdca: http://{}:{}/ で待ち受けています（{}）。Ctrl-C で停止します",
        addr.ip(),
        app.port(),
        session.store.backend()
    );
    app.run_until_stopped().await?;
    println!("pdca: 停止しました");
    Ok(ExitCode::SUCCESS)
}

fn init_logging(format: crate::cli::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PDCA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (in tests) is harmless.
    let _ = match format {
        crate::cli::LogFormat::Text => log.try_init(),
        crate::cli::LogFormat::Json => log.json().try_init(),
    };
}

/// On a database without accounts, creates the secretariat account and prints its one-time
/// password once; it must be changed at the first sign-in.
async fn ensure_first_account(session: &Session) -> anyhow::Result<()> {
    if !session.store.list_users().await?.is_empty() {
        return Ok(());
    }
    let password = one_time_password()?;
    let created = session
        .store
        .create_user(
            &NewUser {
                name: FIRST_ACCOUNT.to_owned(),
                role: Role::Secretariat,
                body: None,
                password_hash: hash_password(password.clone()).await?,
                must_change_password: true,
            },
            "pdca",
        )
        .await;
    match created {
        Ok(_) => {
            println!("事務局アカウント「{FIRST_ACCOUNT}」を作成しました。");
            println!(
                "初回パスワード（一度だけ表示します。初回サインイン時に変更が必要です）: {password}"
            );
            Ok(())
        }
        // Another process starting on the same database created it first.
        Err(StoreError::Invalid(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
