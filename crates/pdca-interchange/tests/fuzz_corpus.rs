//! Replays the saved corpora of the fuzz targets `csv` and `xlsx` (`fuzz/corpus/<target>/`)
//! through the same body as the targets (`fuzz/bodies/table.rs`): no input may panic.

#[path = "../../../fuzz/bodies/replay.rs"]
mod replay;

#[path = "../../../fuzz/bodies/table.rs"]
mod table_body;

#[test]
fn csv_corpus_reads_without_panic() {
    replay::replay(env!("CARGO_MANIFEST_DIR"), "csv", |data| {
        table_body::read_and_validate("fuzz.csv", data);
    });
}

#[test]
fn xlsx_corpus_reads_without_panic() {
    replay::replay(env!("CARGO_MANIFEST_DIR"), "xlsx", |data| {
        table_body::read_and_validate("fuzz.xlsx", data);
    });
}
