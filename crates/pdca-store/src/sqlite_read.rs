//! Small reads of a SQLite file on the caller's thread, for the one query every request makes
//! (the session, its user and the data version).
//!
//! sqlx runs each SQLite connection on a thread of its own and hands it every query through a
//! channel: two cross-thread wake-ups per query, which cost more than the indexed read itself
//! and were a quarter of the server's CPU under load. These connections are SQLite's own (through
//! rusqlite, on the library sqlx links), opened read-only, and a read runs where it is called. In
//! WAL mode a reader neither waits for the writer nor holds it up, so such a read takes
//! microseconds and may run on an async worker thread. Each query is its own read transaction
//! and sees everything committed before it, by this process or any other.
//!
//! Even that read is mostly not needed: a [`Memo`] keeps what was read for as long as SQLite's
//! `PRAGMA data_version`, asked on a connection that never writes, stays the same. That number
//! changes with every commit to the file by any connection of any process, so a memo never
//! answers with something another process has since changed (a session ended, a user
//! disabled).
//!
//! Anything that goes wrong here (the file cannot be opened read-only, the database is busy
//! recovering) is not an answer: the caller falls back to the pool.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};

/// How many idle connections are kept; more may be open while the threads reading at once are
/// more than this.
const KEEP: usize = 8;

/// How long a read waits for a lock before giving up (and the caller falls back to the pool).
/// Readers of a WAL database wait only while a connection recovers the WAL.
const BUSY_TIMEOUT: Duration = Duration::from_millis(50);

/// How many entries a [`Memo`] holds before it starts afresh.
const MEMO_ENTRIES: usize = 4096;

/// Read-only connections to one SQLite file, opened on first use.
#[derive(Debug)]
pub(crate) struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// The connection that asks `PRAGMA data_version` and nothing else. Its number changes when
    /// any other connection commits, and every connection is another one.
    watcher: Mutex<Watcher>,
}

/// The watching connection and how many have been opened: the numbers of two connections
/// cannot be compared, so a new one starts a new generation.
#[derive(Debug, Default)]
struct Watcher {
    generation: u64,
    connection: Option<Connection>,
}

/// What [`SqliteReader::file_version`] returns: equal when nothing was committed in between,
/// greater after.
pub(crate) type FileVersion = (u64, i64);

impl SqliteReader {
    pub(crate) fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            watcher: Mutex::default(),
        }
    }

    /// A version that changes whenever anything is committed to the file. A failed query drops
    /// the watching connection; the next one starts a new generation.
    pub(crate) fn file_version(&self) -> rusqlite::Result<FileVersion> {
        let mut watcher = self.watcher.lock().unwrap_or_else(|e| e.into_inner());
        let connection = match watcher.connection.take() {
            Some(connection) => connection,
            None => {
                let connection = self.open()?;
                watcher.generation += 1;
                connection
            }
        };
        let version: i64 = connection
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))?;
        watcher.connection = Some(connection);
        Ok((watcher.generation, version))
    }

    /// Runs `read` on an idle connection (or a new one), which goes back to the idle ones
    /// afterwards unless the read failed.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.open()?,
        };
        let value = read(&connection)?;
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP {
            idle.push(connection);
        }
        Ok(value)
    }

    /// A single-row query through the connection's statement cache: the row `map` makes of it,
    /// or `None` when the query returns no row.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        param: &str,
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Option<T>> {
        self.read(|connection| {
            connection
                .prepare_cached(sql)?
                .query_row([param], map)
                .optional()
        })
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        Ok(connection)
    }
}

/// Values read from the file, kept while nothing is committed to it.
#[derive(Debug)]
pub(crate) struct Memo<V> {
    state: Mutex<MemoState<V>>,
}

#[derive(Debug)]
struct MemoState<V> {
    /// The [`SqliteReader::file_version`] the entries were read at.
    version: Option<FileVersion>,
    entries: HashMap<String, V>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Self {
            state: Mutex::new(MemoState {
                version: None,
                entries: HashMap::new(),
            }),
        }
    }
}

impl<V: Clone> Memo<V> {
    /// The value of `key`: kept from an earlier `read` if nothing was committed to the file since,
    /// else read now (and kept when it is `Some`).
    pub(crate) fn get_or_read(
        &self,
        reader: &SqliteReader,
        key: &str,
        read: impl FnOnce() -> rusqlite::Result<Option<V>>,
    ) -> rusqlite::Result<Option<V>> {
        // The version is read before the value: a commit in between makes the kept value look
        // older than it is, and it is read again next time.
        let version = reader.file_version()?;
        {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.version == Some(version)
                && let Some(value) = state.entries.get(key)
            {
                return Ok(Some(value.clone()));
            }
        }
        let value = read()?;
        if let Some(value) = &value {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            // Versions only grow; another thread may already keep newer entries.
            if state.version.is_none_or(|v| v < version) || state.entries.len() >= MEMO_ENTRIES {
                state.version = Some(version);
                state.entries.clear();
            }
            if state.version == Some(version) {
                state.entries.insert(key.to_owned(), value.clone());
            }
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A WAL database in a new directory with tables `t (k, v)` holding `('a', 1)` and `other`,
    /// a connection that writes to it, and a reader of it.
    fn database() -> (tempfile::TempDir, Connection, SqliteReader) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("read.sqlite3");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER);
                 CREATE TABLE other (x INTEGER);
                 INSERT INTO t VALUES ('a', 1);",
            )
            .unwrap();
        let reader = SqliteReader::new(&path);
        (dir, writer, reader)
    }

    #[test]
    fn reads_what_another_connection_committed_and_keeps_its_connections() {
        let (_dir, writer, reader) = database();
        let get = |k: &str| {
            reader
                .row("SELECT v FROM t WHERE k = ?1", k, |row| {
                    row.get::<_, i64>(0)
                })
                .unwrap()
        };
        assert_eq!(get("a"), Some(1));
        assert_eq!(get("b"), None);
        writer
            .execute("UPDATE t SET v = 2 WHERE k = 'a'", [])
            .unwrap();
        assert_eq!(get("a"), Some(2));
        assert_eq!(reader.idle.lock().unwrap().len(), 1);
        // Read-only: a write through it fails.
        assert!(reader.read(|c| c.execute("DELETE FROM t", [])).is_err());
    }

    #[test]
    fn a_memo_keeps_a_value_until_anything_is_committed() {
        let (_dir, writer, reader) = database();
        let memo = Memo::default();
        let reads = std::cell::Cell::new(0);
        let get = |k: &str| {
            memo.get_or_read(&reader, k, || {
                reads.set(reads.get() + 1);
                reader.row("SELECT v FROM t WHERE k = ?1", k, |row| {
                    row.get::<_, i64>(0)
                })
            })
            .unwrap()
        };
        assert_eq!(get("a"), Some(1));
        assert_eq!(get("a"), Some(1));
        assert_eq!(reads.get(), 1, "the second read came from the memo");
        // Any commit, to any table, by another connection (here: of this process).
        writer.execute("INSERT INTO other VALUES (1)", []).unwrap();
        assert_eq!(get("a"), Some(1));
        assert_eq!(reads.get(), 2);
        writer
            .execute("UPDATE t SET v = 2 WHERE k = 'a'", [])
            .unwrap();
        assert_eq!(get("a"), Some(2));
        // What is not there is read every time.
        assert_eq!(get("b"), None);
        assert_eq!(get("b"), None);
        assert_eq!(reads.get(), 5);
    }

    #[test]
    fn a_new_watching_connection_starts_a_new_generation() {
        let (_dir, writer, reader) = database();
        let first = reader.file_version().unwrap();
        assert_eq!(reader.file_version().unwrap(), first);
        writer.execute("INSERT INTO other VALUES (1)", []).unwrap();
        let second = reader.file_version().unwrap();
        assert!(second > first);
        // As after a failed query: the next connection's numbers start afresh, and its
        // versions are still greater than every earlier one.
        reader.watcher.lock().unwrap().connection = None;
        let third = reader.file_version().unwrap();
        assert!(third > second && third.0 == second.0 + 1);
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_new_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.sqlite3");
        let reader = SqliteReader::new(&path);
        assert!(
            reader
                .row("SELECT ?1", "x", |row| row.get::<_, String>(0))
                .is_err()
        );
        assert!(!path.exists());
    }
}
