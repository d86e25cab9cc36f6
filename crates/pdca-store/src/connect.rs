//! From a database URL or file path to a connection pool with pdca's connection settings.

use std::str::FromStr;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::Executor;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use crate::sqlite_read::SqliteReader;
use crate::{Backend, StoreError};

/// Run on every new SQLite connection. WAL lets readers work while one writer writes;
/// `synchronous=NORMAL` is durable across application crashes in WAL mode and much faster than
/// FULL; a 64 MiB page cache keeps a large import from spilling pages to the WAL before it
/// commits (that spilling doubled the time of a million-row import), and `temp_store=MEMORY`
/// keeps sorts and statement journals off the disk. sqlx already sets the busy timeout and
/// foreign keys; they are repeated here so the settings are all in one place.
const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA busy_timeout = 5000;
PRAGMA foreign_keys = ON;
PRAGMA cache_size = -65536;
PRAGMA temp_store = MEMORY;";

/// Where a URL points.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    backend: Backend,
    /// The URL handed to sqlx.
    url: String,
    /// An in-memory SQLite database lives as long as its one connection.
    in_memory: bool,
}

/// What [`connect`] opens: the pool every query goes through, and for a SQLite file also a
/// second pool with SQLite's own driver (not connected yet) and the read-only connections of
/// [`SqliteReader`].
pub(crate) struct Connected {
    pub pool: AnyPool,
    pub backend: Backend,
    pub sqlite: Option<SqlitePool>,
    pub reader: Option<SqliteReader>,
}

/// Opens the connections to `url`.
pub(crate) async fn connect(url: &str) -> Result<Connected, StoreError> {
    let target = parse(url)?;
    sqlx::any::install_default_drivers();
    let options = AnyConnectOptions::from_str(&target.url).map_err(|e| StoreError::InvalidUrl {
        url: redact(url),
        reason: e.to_string(),
    })?;
    let mut pool = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
    if target.backend == Backend::Sqlite {
        pool = pool.after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_SETTINGS).await?;
                Ok(())
            })
        });
    }
    if target.in_memory {
        // Each connection to `:memory:` would be a database of its own.
        pool = pool
            .min_connections(1)
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    }
    let pool = pool.connect_with(options).await?;
    let (sqlite, reader) = if target.backend == Backend::Sqlite && !target.in_memory {
        let options =
            SqliteConnectOptions::from_str(&target.url).map_err(|e| StoreError::InvalidUrl {
                url: redact(url),
                reason: e.to_string(),
            })?;
        let reader = SqliteReader::new(options.get_filename());
        let sqlite = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(SQLITE_SETTINGS).await?;
                    Ok(())
                })
            })
            .connect_lazy_with(options);
        (Some(sqlite), Some(reader))
    } else {
        (None, None)
    };
    Ok(Connected {
        pool,
        backend: target.backend,
        sqlite,
        reader,
    })
}

/// Reads a database URL or plain file path.
fn parse(url: &str) -> Result<Target, StoreError> {
    let invalid = |reason: &str| StoreError::InvalidUrl {
        url: redact(url),
        reason: reason.to_owned(),
    };
    let trimmed = url.trim();
    if trimmed.is_empty() {
        return Err(invalid(
            "空です（SQLite のファイル名か postgres:// の URL を指定してください）",
        ));
    }
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        return Ok(Target {
            backend: Backend::Postgres,
            url: trimmed.to_owned(),
            in_memory: false,
        });
    }
    if let Some(rest) = trimmed.strip_prefix("sqlite:") {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (database, params) = match rest.split_once('?') {
            Some((d, p)) => (d, Some(p)),
            None => (rest, None),
        };
        let in_memory = database == ":memory:"
            || params.is_some_and(|p| p.split('&').any(|kv| kv == "mode=memory"));
        if database.is_empty() && !in_memory {
            return Err(invalid("ファイル名がありません"));
        }
        let mut url = format!("sqlite:{database}");
        match params {
            Some(p) if p.split('&').any(|kv| kv.starts_with("mode=")) => {
                url.push('?');
                url.push_str(p);
            }
            Some(p) if !in_memory => {
                url.push('?');
                url.push_str(p);
                url.push_str("&mode=rwc");
            }
            Some(p) => {
                url.push('?');
                url.push_str(p);
            }
            None if !in_memory => url.push_str("?mode=rwc"),
            None => {}
        }
        return Ok(Target {
            backend: Backend::Sqlite,
            url,
            in_memory,
        });
    }
    if let Some((scheme, _)) = trimmed.split_once("://") {
        return Err(invalid(&format!(
            "「{scheme}」は使えません（sqlite: か postgres:// を使ってください）"
        )));
    }
    // A plain path. sqlx percent-decodes the path part of a sqlite URL, so the characters that
    // would end it or start an escape are encoded; "//" at the start would read as a host.
    let mut path = trimmed.to_owned();
    while path.starts_with("//") {
        path.remove(0);
    }
    let encoded = path
        .replace('%', "%25")
        .replace('?', "%3F")
        .replace('#', "%23");
    Ok(Target {
        backend: Backend::Sqlite,
        url: format!("sqlite:{encoded}?mode=rwc"),
        in_memory: false,
    })
}

/// `url` with any password replaced by `***`, for error messages and logs.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info
                .split_once(':')
                .map_or(user_info, |(user, _)| user);
            if user.len() == user_info.len() {
                url.to_owned()
            } else {
                format!("{scheme}://{user}:***@{host}{tail}")
            }
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn target(url: &str) -> (Backend, String, bool) {
        let t = parse(url).unwrap();
        (t.backend, t.url, t.in_memory)
    }

    #[test]
    fn reads_paths_and_urls() {
        assert_eq!(
            target("pdca.sqlite3"),
            (
                Backend::Sqlite,
                "sqlite:pdca.sqlite3?mode=rwc".into(),
                false
            )
        );
        assert_eq!(
            target("/tmp/a b?#%.db"),
            (
                Backend::Sqlite,
                "sqlite:/tmp/a b%3F%23%25.db?mode=rwc".into(),
                false
            )
        );
        assert_eq!(
            target("sqlite://x.db"),
            (Backend::Sqlite, "sqlite:x.db?mode=rwc".into(), false)
        );
        assert_eq!(
            target("sqlite:x.db?mode=ro"),
            (Backend::Sqlite, "sqlite:x.db?mode=ro".into(), false)
        );
        assert_eq!(
            target("sqlite::memory:"),
            (Backend::Sqlite, "sqlite::memory:".into(), true)
        );
        assert_eq!(target("postgresql://u@h/db").0, Backend::Postgres);
        assert_eq!(target("postgres://u@h/db").0, Backend::Postgres);
    }

    #[test]
    fn hides_passwords() {
        assert_eq!(
            redact("postgres://pdca:s3cret@db:5432/pdca?sslmode=require"),
            "postgres://pdca:***@db:5432/pdca?sslmode=require"
        );
        assert_eq!(redact("postgres://pdca@db/pdca"), "postgres://pdca@db/pdca");
        assert_eq!(redact("pdca.sqlite3"), "pdca.sqlite3");
        let message = parse("mysql://u:pw@h/db").err().map(|e| e.to_string());
        assert!(message.is_some_and(|m| !m.contains("pw")));
    }

    #[test]
    fn refuses_other_schemes_and_empty() {
        assert!(matches!(
            parse("mysql://h/db"),
            Err(StoreError::InvalidUrl { .. })
        ));
        assert!(matches!(parse("  "), Err(StoreError::InvalidUrl { .. })));
        assert!(matches!(
            parse("sqlite://"),
            Err(StoreError::InvalidUrl { .. })
        ));
    }
}
