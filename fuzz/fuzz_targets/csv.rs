//! Fuzz target `csv`: the body is `bodies/table.rs`, shared with its replay test.
#![no_main]

#[path = "../bodies/table.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::read_and_validate("fuzz.csv", data));
