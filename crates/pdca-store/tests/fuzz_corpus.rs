//! Replays the saved corpus of the fuzz target `dump` (`fuzz/corpus/dump/`) through the same
//! body as the target (`fuzz/bodies/dump.rs`): no table file may panic the dump reader, and
//! every error names the file and the line.

#[path = "../../../fuzz/bodies/replay.rs"]
mod replay;

#[path = "../../../fuzz/bodies/dump.rs"]
mod dump_body;

#[test]
fn dump_corpus_reads_without_panic() {
    replay::replay(env!("CARGO_MANIFEST_DIR"), "dump", dump_body::run);
}
