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
//! Even that read is mostly not needed: a memo (`changes`) keeps what was read for as long as SQLite's
//! `PRAGMA data_version`, asked on a connection that never writes, stays the same. That number
//! changes with every commit to the file by any connection of any process, so a memo never
//! answers with something another process has since changed (a session ended, a user
//! disabled).
//!
//! Asking that number is itself a read transaction (two `fcntl` calls on the WAL-index locks),
//! so it is asked only when the file may have changed: when the header of SQLite's WAL index
//! (shared memory, `<db>-shm`, mapped through SQLite's own VFS method `xShmMap`) differs from
//! the one read before the last answer. Every commit writes a new header (its transaction
//! counter `iChange`, last frame and checksums change; a restarted WAL gets new salts), and
//! writes it before the commit returns, so a commit that ended before the check began is seen
//! by it. The format is SQLite's documented one (<https://sqlite.org/walformat.html>, section
//! 2.1): 48 bytes, of which this compares the first copy word by word.
//!
//! Anything that goes wrong here (the file cannot be opened read-only, the database is busy
//! recovering) is not an answer: the caller falls back to the pool.

use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::sync::atomic::{self, AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, ffi};

/// How many idle connections are kept; more may be open while the threads reading at once are
/// more than this.
const KEEP: usize = 8;

/// How long a read waits for a lock before giving up (and the caller falls back to the pool).
/// Readers of a WAL database wait only while a connection recovers the WAL.
const BUSY_TIMEOUT: Duration = Duration::from_millis(50);

/// Read-only connections to one SQLite file, opened on first use.
#[derive(Debug)]
pub(crate) struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// The connection that asks `PRAGMA data_version` and nothing else. Its number changes when
    /// any other connection commits, and every connection is another one.
    watcher: Mutex<Watcher>,
    /// The WAL index's header, once mapped.
    wal_index: OnceLock<WalIndex>,
    /// Set when the file has no WAL index to map (not in WAL mode, or a VFS without shared
    /// memory): every check then asks SQLite.
    no_wal_index: AtomicBool,
    /// The header read before the watcher's last answer, and that answer.
    seen: RwLock<Option<Seen>>,
    /// How many times the watcher was asked (the checks the header could not answer).
    asked: AtomicU64,
}

/// A WAL-index header and the file version asked after it was read.
#[derive(Debug, Clone, Copy)]
struct Seen {
    header: WalIndexHeader,
    version: FileVersion,
}

/// The first copy of a WAL-index header, as words.
type WalIndexHeader = [u64; 6];

/// SQLite's mapping of the first 32 KiB region of a file's WAL index, kept valid by a
/// connection of its own: SQLite unmaps the region when the last connection of this process
/// using it closes, and this one stays open as long as the value lives.
#[derive(Debug)]
struct WalIndex {
    /// Never used after the mapping was taken; only kept open.
    _connection: Mutex<Connection>,
    /// The start of region 0, where the header is.
    region: NonNull<u64>,
}

// SAFETY: `region` points into memory mapped for as long as `_connection` is open, which is as
// long as the value lives; it is only read (volatile, as SQLite reads it), from any thread.
unsafe impl Send for WalIndex {}
// SAFETY: as above; shared access only reads.
unsafe impl Sync for WalIndex {}

/// The size of a WAL-index region (SQLite's `WALINDEX_PGSZ`).
const WAL_INDEX_REGION: i32 = 32 * 1024;

/// The WAL-index format this reads (SQLite's `WALINDEX_MAX_VERSION`, unchanged since 3.7.0); a
/// header of another version is not compared, and every check asks SQLite.
const WAL_INDEX_VERSION: u32 = 3_007_000;

impl WalIndex {
    /// Maps the WAL index of `connection`'s file; `None` when its VFS has no shared memory.
    /// The file must be in WAL mode and the connection must have read it once (which maps
    /// region 0).
    fn map(connection: Connection) -> Option<WalIndex> {
        let mut file: *mut ffi::sqlite3_file = ptr::null_mut();
        // SAFETY: the handle is an open connection used by this thread only (it is not shared
        // yet); SQLITE_FCNTL_FILE_POINTER writes one `sqlite3_file*` to the pointer given.
        let rc = unsafe {
            ffi::sqlite3_file_control(
                connection.handle(),
                c"main".as_ptr(),
                ffi::SQLITE_FCNTL_FILE_POINTER,
                (&raw mut file).cast::<c_void>(),
            )
        };
        if rc != ffi::SQLITE_OK || file.is_null() {
            return None;
        }
        // SAFETY: `file` is the connection's open database file; its methods table is SQLite's
        // (version 2 and later have the shared-memory methods).
        let map = unsafe {
            let methods = (*file).pMethods;
            if methods.is_null() || (*methods).iVersion < 2 {
                return None;
            }
            (*methods).xShmMap?
        };
        let mut region: *mut c_void = ptr::null_mut();
        // SAFETY: asks for region 0 without extending the file; SQLite maps it (or has already,
        // for the connection's first read) and keeps it mapped while the connection is open.
        // A read-only mapping is answered SQLITE_READONLY with the region set.
        let rc = unsafe { map(file, 0, WAL_INDEX_REGION, 0, &raw mut region) };
        if rc != ffi::SQLITE_OK && rc != ffi::SQLITE_READONLY {
            return None;
        }
        let region = NonNull::new(region.cast::<u64>())?;
        Some(WalIndex {
            _connection: Mutex::new(connection),
            region,
        })
    }

    /// The header's first copy, or `None` while the index is not initialised.
    fn header(&self) -> Option<WalIndexHeader> {
        let mut header: WalIndexHeader = [0; 6];
        for (i, word) in header.iter_mut().enumerate() {
            // SAFETY: region 0 is 32 KiB, page-aligned and mapped while `self` lives (see
            // `WalIndex`); other processes write it concurrently, so it is read volatile.
            *word = unsafe { self.region.as_ptr().add(i).read_volatile() };
        }
        atomic::fence(Ordering::Acquire);
        // Bytes 0..8: iVersion (u32), unused; 8..16: iChange (u32), isInit (u8), bigEndCksum
        // (u8), szPage (u16). In the machine's byte order.
        let [v0, v1, v2, v3, ..] = header[0].to_ne_bytes();
        let known = u32::from_ne_bytes([v0, v1, v2, v3]) == WAL_INDEX_VERSION;
        let is_init = header[1].to_ne_bytes()[4] == 1;
        (known && is_init).then_some(header)
    }
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
            wal_index: OnceLock::new(),
            no_wal_index: AtomicBool::new(false),
            seen: RwLock::new(None),
            asked: AtomicU64::new(0),
        }
    }

    /// A version that changes whenever anything is committed to the file: the last one asked
    /// while the WAL index's header is the one read before it was asked, else asked now.
    pub(crate) fn file_version(&self) -> rusqlite::Result<FileVersion> {
        let header = self.wal_index.get().and_then(WalIndex::header);
        if let Some(header) = header {
            let seen = *self.seen.read().unwrap_or_else(|e| e.into_inner());
            if let Some(seen) = seen
                && seen.header == header
            {
                return Ok(seen.version);
            }
        }
        self.ask_file_version(header)
    }

    /// Asks the watching connection for `PRAGMA data_version`; `header` was read before. A
    /// failed query drops the watching connection; the next one starts a new generation.
    fn ask_file_version(&self, header: Option<WalIndexHeader>) -> rusqlite::Result<FileVersion> {
        self.asked.fetch_add(1, Ordering::Relaxed);
        let mut watcher = self.watcher.lock().unwrap_or_else(|e| e.into_inner());
        let connection = match watcher.connection.take() {
            Some(connection) => connection,
            None => {
                let connection = self.open()?;
                watcher.generation += 1;
                // Versions of the earlier connection are not comparable with the new one's.
                *self.seen.write().unwrap_or_else(|e| e.into_inner()) = None;
                connection
            }
        };
        let version: i64 = connection
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))?;
        watcher.connection = Some(connection);
        let version = (watcher.generation, version);
        // The header was read before the version was asked: a commit in between leaves the
        // header older than the version, and the next check asks again. Written while the
        // watcher is held, so no older answer overwrites it.
        if let Some(header) = header {
            *self.seen.write().unwrap_or_else(|e| e.into_inner()) = Some(Seen { header, version });
        } else if self.wal_index.get().is_none() && !self.no_wal_index.load(Ordering::Relaxed) {
            self.map_wal_index();
        }
        Ok(version)
    }

    /// Maps the file's WAL index on a connection of its own, or notes that there is none. A
    /// connection that cannot be opened or read now is tried again at the next check.
    fn map_wal_index(&self) {
        let Ok(connection) = self.open() else { return };
        let Ok(mode) =
            connection.query_row("PRAGMA journal_mode", [], |row| row.get::<_, String>(0))
        else {
            return;
        };
        if !mode.eq_ignore_ascii_case("wal") {
            self.no_wal_index.store(true, Ordering::Relaxed);
            return;
        }
        // A first read maps region 0.
        if connection
            .query_row("PRAGMA data_version", [], |row| row.get::<_, i64>(0))
            .is_err()
        {
            return;
        }
        match WalIndex::map(connection) {
            Some(wal_index) => {
                // Only the thread holding the watcher maps, so the cell is empty.
                let _ = self.wal_index.set(wal_index);
            }
            None => self.no_wal_index.store(true, Ordering::Relaxed),
        }
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
        writer.execute("INSERT INTO other VALUES (2)", []).unwrap();
        let third = reader.file_version().unwrap();
        assert!(third > second && third.0 == second.0 + 1);
        assert_eq!(reader.file_version().unwrap(), third);
    }

    #[test]
    fn the_wal_index_answers_until_a_commit_and_sees_every_commit() {
        let (_dir, writer, reader) = database();
        let first = reader.file_version().unwrap();
        // The first checks map the index and read the header once.
        let _ = reader.file_version().unwrap();
        assert!(
            reader.wal_index.get().is_some(),
            "a WAL file's index is mapped"
        );
        let asked = reader.asked.load(Ordering::Relaxed);
        for _ in 0..100 {
            assert_eq!(reader.file_version().unwrap(), first);
        }
        assert_eq!(
            reader.asked.load(Ordering::Relaxed),
            asked,
            "unchanged: answered from the header"
        );
        // Each commit is seen by the next check: plain ones, and those after a checkpoint that
        // empties the WAL (the next commit restarts it from its first frame, with new salts).
        let mut last = first;
        for sql in [
            "INSERT INTO other VALUES (1)",
            "PRAGMA wal_checkpoint(TRUNCATE); INSERT INTO other VALUES (2)",
            "PRAGMA wal_checkpoint(RESTART); UPDATE t SET v = v + 1",
            "DELETE FROM other",
            "PRAGMA wal_checkpoint(PASSIVE); DELETE FROM other",
        ] {
            writer.execute_batch(sql).unwrap();
            let now = reader.file_version().unwrap();
            assert!(now > last, "{sql}: {now:?} after {last:?}");
            assert_eq!(reader.file_version().unwrap(), now, "{sql}");
            last = now;
        }
        // A checkpoint alone changes no data; asking again is allowed, a change is not needed.
        writer
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        assert!(reader.file_version().unwrap() >= last);
    }

    #[test]
    fn a_file_not_in_wal_mode_is_asked_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rollback.sqlite3");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch("PRAGMA journal_mode = DELETE; CREATE TABLE other (x INTEGER);")
            .unwrap();
        let reader = SqliteReader::new(&path);
        let first = reader.file_version().unwrap();
        assert_eq!(reader.file_version().unwrap(), first);
        assert!(reader.wal_index.get().is_none());
        assert!(reader.no_wal_index.load(Ordering::Relaxed));
        writer.execute("INSERT INTO other VALUES (1)", []).unwrap();
        assert!(reader.file_version().unwrap() > first);
        assert!(!path.with_extension("sqlite3-shm").exists());
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
