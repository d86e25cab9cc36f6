//! For tests that make databases of their own (feature `testing`, and included by the store's
//! own test files): the PostgreSQL server they make them on, and the names and URLs of those
//! databases; and the files of a dump, to compare two.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

/// The server named by `PDCA_TEST_POSTGRES_URL`; a test that needs it fails without it.
#[allow(clippy::panic)]
pub fn postgres_server() -> String {
    std::env::var("PDCA_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "PDCA_TEST_POSTGRES_URL is not set: set it to a PostgreSQL server the tests may \
             create databases on, e.g. PDCA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test"
        )
    })
}

/// A database name no other test (of any process) uses: `{prefix}_{pid}_{nanos}_{n}`.
pub fn unique_database_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `server` with its database replaced by `name`.
pub fn database_url(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Every file of `dir` with its bytes, by name (a dump's files, to compare two dumps).
pub fn dir_files(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        files.push((name, std::fs::read(entry.path())?));
    }
    files.sort();
    Ok(files)
}
