//! Knowing, without asking the database, that nothing has changed: what lets a [`Memo`] answer
//! the read every request makes (the session or API token, its user and the data version).
//!
//! On a SQLite file the file itself says so (`sqlite_read`). On PostgreSQL the database tells:
//! a statement-level trigger on every table the memos depend on calls `pg_notify('pdca_changes')`
//! (migration 5), and PostgreSQL delivers the notification to every listening session when the
//! writing transaction commits — whichever process, or `psql`, wrote. [`Store::watch_changes`]
//! keeps one connection listening and counts the notifications; a memo's entries are kept under
//! the count they were read at and are not used once it has moved on. Writes through this
//! process also move it, before they begin and after they end ([`WriteGuard`]), so a request
//! never reads a memo older than a write this process has finished, even before the
//! notification of that write arrives.
//!
//! While the listening connection is not (yet, or no longer) listening, memos are not used and
//! every request asks the database, as without this module; reconnecting moves the count, since
//! notifications sent in between were lost. Another process's commit is therefore seen once its
//! notification has arrived: the time PostgreSQL takes to deliver it (under a millisecond on one
//! machine; `docs/reliability.md` states the bound and how it is tested).
//!
//! [`Memo`]: crate::sqlite_read::Memo

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::any::AnyRow;
use sqlx::postgres::PgListener;

use crate::sqlite_read::FileVersion;
use crate::{Backend, Store, StoreError};

/// The channel the triggers of migration 5 notify.
pub(crate) const CHANNEL: &str = "pdca_changes";

/// How long the watcher waits before connecting again after its connection failed.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// What a memo's entries were read at: equal when nothing was committed in between, greater
/// after. The two kinds never meet (a store has one backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum MemoVersion {
    /// A SQLite file's [`FileVersion`].
    File(FileVersion),
    /// The count of changes seen on PostgreSQL ([`Changes::version`]).
    Notified(u64),
}

/// The count of changes notified or made by this process, shared by a store's clones.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    count: AtomicU64,
    /// Whether the watcher's connection is listening: only then does the count say anything.
    listening: AtomicBool,
    /// How many memoised lookups asked the database ([`Store::lookups_read`]).
    read: AtomicU64,
}

impl Changes {
    /// The count, when it can be trusted (the watcher is listening).
    pub(crate) fn version(&self) -> Option<u64> {
        // The count is read after the flag: a flag set after the count moved on reconnection.
        if self.listening.load(Ordering::Acquire) {
            Some(self.count.load(Ordering::Acquire))
        } else {
            None
        }
    }

    fn bump(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    /// Marks a write by this process: the count moves now and again when the guard is dropped
    /// (after the commit), so that nothing read while the write was under way is kept under a
    /// count a later read would see.
    pub(crate) fn writing(self: &Arc<Self>) -> WriteGuard {
        self.bump();
        WriteGuard(Arc::clone(self))
    }
}

/// See [`Changes::writing`].
#[must_use = "the guard marks the write until it is dropped"]
pub(crate) struct WriteGuard(Arc<Changes>);

impl Drop for WriteGuard {
    fn drop(&mut self) {
        self.0.bump();
    }
}

/// The listening task, aborted when dropped: a store holds it (shared by its clones), and the
/// task holds only the [`Changes`], so the task ends when the last clone of the store goes.
#[derive(Debug)]
pub(crate) struct WatcherTask(tokio::task::AbortHandle);

impl WatcherTask {
    /// Ends the task (and with it its connection).
    pub(crate) fn stop(&self) {
        self.0.abort();
    }
}

impl Drop for WatcherTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A connection URL that is never printed (it may hold a password).
#[derive(Clone)]
pub(crate) struct SecretUrl(pub(crate) Arc<str>);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretUrl(***)")
    }
}

impl Store {
    /// On PostgreSQL, starts listening for the database's change notifications, so that the
    /// read every request makes ([`Store::session_with_data_version`],
    /// [`Store::api_token_user_with_data_version`]) is answered from memory while nothing has
    /// changed, in this process or any other. Returns once the first connection listens (or
    /// failed to: the task keeps trying, and until it listens every request asks the
    /// database). Calling it again does nothing; on SQLite it does nothing. Needs a Tokio
    /// runtime; for a long-running process such as `pdca serve`.
    pub async fn watch_changes(&self) -> Result<(), StoreError> {
        let (Backend::Postgres, Some(url)) = (self.backend, &self.url) else {
            return Ok(());
        };
        if self.watcher.get().is_some() {
            return Ok(());
        }
        let (started, first) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(watch(url.clone(), Arc::clone(&self.changes), started));
        if self.watcher.set(WatcherTask(task.abort_handle())).is_err() {
            // Another call got there first.
            task.abort();
            return Ok(());
        }
        match first.await {
            Ok(Err(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// How many session and token lookups of this store (and its clones) asked the database;
    /// the others were answered from memory. For tests and diagnostics.
    pub fn lookups_read(&self) -> u64 {
        self.changes.read.load(Ordering::Relaxed)
    }

    /// What the memos' entries are read at now; `None` when nothing can say whether the
    /// database changed (PostgreSQL without a listening watcher, an in-memory SQLite database,
    /// a SQLite file the reader cannot open): then nothing is taken from a memo.
    pub(crate) fn memo_version(&self) -> Option<MemoVersion> {
        match &self.reader {
            Some(reader) => reader.file_version().ok().map(MemoVersion::File),
            None => self.changes.version().map(MemoVersion::Notified),
        }
    }
}

/// The watcher: listens, counts each notification, and after a lost connection stops vouching
/// for the count until it listens again. Reports the first attempt's outcome on `started`.
async fn watch(
    url: SecretUrl,
    changes: Arc<Changes>,
    started: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
) {
    let mut started = Some(started);
    loop {
        let listened = listen(&url).await;
        let mut listener = match listened {
            Ok(listener) => listener,
            Err(e) => {
                if let Some(started) = started.take() {
                    let _ = started.send(Err(e));
                }
                tokio::time::sleep(RECONNECT_AFTER).await;
                continue;
            }
        };
        // Whatever happened before this connection listened was not notified to it.
        changes.bump();
        changes.listening.store(true, Ordering::Release);
        if let Some(started) = started.take() {
            let _ = started.send(Ok(()));
        }
        // `Ok(None)`: the connection was lost (with eager reconnection off, nothing is
        // listening now); an error: the same, or a protocol error. Either way, start afresh.
        while let Ok(Some(_)) = listener.try_recv().await {
            changes.bump();
        }
        changes.listening.store(false, Ordering::Release);
        changes.bump();
        drop(listener);
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// A new connection listening on [`CHANNEL`].
async fn listen(url: &SecretUrl) -> Result<PgListener, StoreError> {
    let mut listener = PgListener::connect(&url.0).await?;
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// How many entries a [`Memo`] holds before it starts afresh.
const MEMO_ENTRIES: usize = 4096;

/// Values read from the database, kept while nothing is committed to it.
#[derive(Debug)]
pub(crate) struct Memo<V> {
    state: Mutex<MemoState<V>>,
}

#[derive(Debug)]
struct MemoState<V> {
    /// What the entries were read at.
    version: Option<MemoVersion>,
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
    /// The value kept for `key` if it was read at `version`.
    fn get(&self, version: MemoVersion, key: &str) -> Option<V> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.version == Some(version) {
            state.entries.get(key).cloned()
        } else {
            None
        }
    }

    /// Keeps `value` for `key`, read at `version` (taken before the read began).
    fn keep(&self, version: MemoVersion, key: &str, value: &V) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // Versions only grow; another thread may already keep newer entries, and then this
        // value is not kept.
        if state.version.is_none_or(|v| v < version) {
            state.version = Some(version);
            state.entries.clear();
        }
        if state.version == Some(version) {
            if state.entries.len() >= MEMO_ENTRIES {
                state.entries.clear();
            }
            state.entries.insert(key.to_owned(), value.clone());
        }
    }
}

/// One row looked up by a text parameter, for [`Store::memoised`].
pub(crate) struct Lookup<'a, V> {
    /// The query, with one parameter `$1` (which SQLite takes as a named parameter, bound by
    /// position all the same).
    pub sql: &'static str,
    /// The parameter, made only when the database is asked.
    pub param: &'a (dyn Fn() -> String + Sync),
    /// The row as read through the SQLite reader.
    pub from_sqlite: fn(&rusqlite::Row<'_>) -> rusqlite::Result<V>,
    /// The row as read through the pool.
    pub from_any: fn(&AnyRow) -> Result<V, StoreError>,
}

impl Store {
    /// The row `lookup` reads, kept in `memo` under `key` while nothing is committed to the
    /// database: on a SQLite file read on the caller's thread (falling back to the pool when
    /// that fails), otherwise through the pool. What is not there is read every time.
    pub(crate) async fn memoised<V: Clone>(
        &self,
        memo: &Memo<V>,
        key: &str,
        lookup: Lookup<'_, V>,
    ) -> Result<Option<V>, StoreError> {
        // The version is taken before the value is read: a commit in between makes the kept
        // value look older than it is, and it is read again next time.
        let version = self.memo_version();
        if let Some(version) = version
            && let Some(value) = memo.get(version, key)
        {
            return Ok(Some(value));
        }
        self.changes.read.fetch_add(1, Ordering::Relaxed);
        let param = (lookup.param)();
        let fast = self
            .reader
            .as_ref()
            .and_then(|reader| reader.row(lookup.sql, &param, lookup.from_sqlite).ok());
        let value = match fast {
            Some(value) => value,
            None => sqlx::query(lookup.sql)
                .bind(param)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| (lookup.from_any)(&row))
                .transpose()?,
        };
        if let (Some(version), Some(value)) = (version, &value) {
            memo.keep(version, key, value);
        }
        Ok(value)
    }
}
