//! Replays a fuzz target's saved corpus in `cargo test`: the replay tests of the crates
//! (`crates/*/tests/fuzz_corpus.rs`) include this file and the target's body.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// Runs `run` on every file of `fuzz/corpus/<target>/` and fails naming each file that made it
/// panic. `manifest_dir` is the testing crate's `CARGO_MANIFEST_DIR` (a crate under `crates/`).
pub fn replay(manifest_dir: &str, target: &str, run: fn(&[u8])) {
    let dir: PathBuf = [manifest_dir, "..", "..", "fuzz", "corpus", target]
        .iter()
        .collect();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(e) => panic!("cannot read the corpus {}: {e}", dir.display()),
    };
    files.sort();
    assert!(!files.is_empty(), "the corpus {} is empty", dir.display());
    let mut failed = Vec::new();
    for file in &files {
        let data = match std::fs::read(file) {
            Ok(data) => data,
            // A fuzzer running on the corpus replaces inputs by smaller ones as it goes.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("cannot read {}: {e}", file.display()),
        };
        if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} inputs of fuzz/corpus/{target} panic (replay one with `cargo fuzz run -s none {target} FILE`):\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}
