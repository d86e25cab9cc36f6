//! Fuzz body `dump`: any bytes as a table file of a `pdca export` directory (JSON Lines, read by
//! `pdca import DIR`), through the same parsing as `Dump::read_dir`, without a database. The
//! first byte chooses the table (its columns and their kinds), the rest is the file's text.

use pdca_store::{Dump, StoreError};

/// Runs the target on one input; panics only on a bug.
pub fn run(data: &[u8]) {
    let Some((&table, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match Dump::parse_table_text(usize::from(table), "fuzz.jsonl", &text) {
        Ok(_) => {}
        // An error names the file and the line it is about.
        Err(StoreError::Dump { file, line, .. }) => {
            assert_eq!(file, "fuzz.jsonl");
            assert!(line.is_some_and(|l| l >= 1), "no line number for {text:?}");
        }
        Err(e) => panic!("unexpected kind of error: {e}"),
    }
}
