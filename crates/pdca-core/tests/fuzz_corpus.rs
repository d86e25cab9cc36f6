//! Replays the saved corpora of the fuzz targets `plan_file` and `normalize`
//! (`fuzz/corpus/<target>/`) through the same bodies as the targets (`fuzz/bodies/<target>.rs`):
//! no input may panic or break the properties the bodies check.

#[path = "../../../fuzz/bodies/replay.rs"]
mod replay;

#[path = "../../../fuzz/bodies/plan_file.rs"]
mod plan_file_body;

#[path = "../../../fuzz/bodies/normalize.rs"]
mod normalize_body;

#[test]
fn plan_file_corpus_parses_without_panic() {
    replay::replay(env!("CARGO_MANIFEST_DIR"), "plan_file", plan_file_body::run);
}

#[test]
fn normalize_corpus_keeps_its_properties() {
    replay::replay(env!("CARGO_MANIFEST_DIR"), "normalize", normalize_body::run);
}
