//! `pdca serve --config pdca.toml`: the deployment's settings in a file, under the `PDCA_…`
//! environment variables, under the flags. A setting given as a flag or in the environment wins
//! over the file; the file wins over the built-in default. Unknown keys and values out of range
//! are refused with the file's name and the key; the database URL's password is never printed.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, bail};
use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::cli::{Cli, Command, LogFormat};

/// The largest configuration file read: a few settings, never megabytes.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// The settings a configuration file may hold (every one optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// The database: a SQLite file path or sqlite://…, or postgres://…
    database: Option<String>,
    /// Where to listen.
    addr: Option<SocketAddr>,
    /// Session cookies with `Secure` (behind TLS).
    secure_cookies: Option<bool>,
    /// Minutes a session may go unused (1–1440).
    session_idle_minutes: Option<u64>,
    /// Hours a session lasts after sign-in (1–168).
    session_hours: Option<u64>,
    /// Seconds to send a request's header (1–300).
    header_timeout: Option<u64>,
    /// Connections served at once (1–100000).
    max_connections: Option<u32>,
    /// `text` or `json`.
    log_format: Option<LogFormat>,
}

/// Reads the file `pdca serve --config` names, if any, and puts each of its settings into `cli`
/// where neither a flag nor an environment variable gave one.
pub fn apply_file(cli: &mut Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    let Command::Serve {
        config: Some(path), ..
    } = &cli.command
    else {
        return Ok(());
    };
    let path = path.clone();
    let file = read(&path)?;
    let serve = matches
        .subcommand_matches("serve")
        .context("the serve command's arguments")?;
    let unset = |m: &ArgMatches, id: &str| {
        matches!(m.value_source(id), None | Some(ValueSource::DefaultValue))
    };
    if let Some(database) = file.database
        && unset(matches, "db")
        && unset(serve, "db")
    {
        cli.db = database;
    }
    let Command::Serve {
        addr,
        secure_cookies,
        header_timeout,
        max_connections,
        session_idle_minutes,
        session_hours,
        log_format,
        ..
    } = &mut cli.command
    else {
        return Ok(());
    };
    let name = path.display();
    if let Some(v) = file.addr
        && unset(serve, "addr")
    {
        *addr = v;
    }
    if let Some(v) = file.secure_cookies
        && unset(serve, "secure_cookies")
    {
        *secure_cookies = v;
    }
    if let Some(v) = file.header_timeout
        && unset(serve, "header_timeout")
    {
        *header_timeout = within(&name, "header_timeout", v, 1, 300)?;
    }
    if let Some(v) = file.max_connections
        && unset(serve, "max_connections")
    {
        *max_connections = within(&name, "max_connections", v, 1, 100_000)?;
    }
    if let Some(v) = file.session_idle_minutes
        && unset(serve, "session_idle_minutes")
    {
        *session_idle_minutes = within(&name, "session_idle_minutes", v, 1, 1440)?;
    }
    if let Some(v) = file.session_hours
        && unset(serve, "session_hours")
    {
        *session_hours = within(&name, "session_hours", v, 1, 168)?;
    }
    if let Some(v) = file.log_format
        && unset(serve, "log_format")
    {
        *log_format = v;
    }
    Ok(())
}

/// The file, parsed; its errors name the file (and, from the TOML parser, the key and line).
fn read(path: &Path) -> anyhow::Result<ConfigFile> {
    let name = path.display();
    let size = std::fs::metadata(path)
        .with_context(|| format!("設定ファイル {name} を読めません"))?
        .len();
    if size > MAX_FILE_BYTES {
        bail!(
            "設定ファイル {name} が大きすぎます（{size} バイト）: {MAX_FILE_BYTES} バイトまでです"
        );
    }
    let text = std::fs::read_to_string(path).with_context(|| {
        format!("設定ファイル {name} を読めません（UTF-8 のテキストが必要です）")
    })?;
    toml::from_str(&text).with_context(|| format!("設定ファイル {name} の内容が正しくありません"))
}

/// `value` if it lies in `min..=max`, else an error naming the file and the key.
fn within<T: PartialOrd + std::fmt::Display>(
    file: &impl std::fmt::Display,
    key: &str,
    value: T,
    min: T,
    max: T,
) -> anyhow::Result<T> {
    if value < min || value > max {
        bail!("設定ファイル {file} の {key} = {value}: {min}〜{max} の整数で指定してください");
    }
    Ok(value)
}

/// The configuration in effect, as a configuration file would hold it, the database
/// password replaced by `***`.
pub fn effective(cli: &Cli) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "database = \"{}\"", redact(&cli.db));
    if let Command::Serve {
        addr,
        secure_cookies,
        header_timeout,
        max_connections,
        session_idle_minutes,
        session_hours,
        log_format,
        ..
    } = &cli.command
    {
        let format = match log_format {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        };
        let _ = write!(
            out,
            "addr = \"{addr}\"\nsecure_cookies = {secure_cookies}\nsession_idle_minutes = \
             {session_idle_minutes}\nsession_hours = {session_hours}\nheader_timeout = \
             {header_timeout}\nmax_connections = {max_connections}\nlog_format = \"{format}\"\n"
        );
    }
    out
}

/// A database URL without its password: `postgres://pdca:***@db/pdca`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_database_url_is_hidden() {
        assert_eq!(
            redact("postgres://pdca:s3cret@db.example:5432/pdca"),
            "postgres://pdca:***@db.example:5432/pdca"
        );
        assert_eq!(redact("postgres://pdca@db/pdca"), "postgres://pdca@db/pdca");
        assert_eq!(redact("pdca.sqlite3"), "pdca.sqlite3");
        assert_eq!(redact("postgres://a:b:c@h/d"), "postgres://a:***@h/d");
    }
}
