//! Fuzz target `dump`: the body is `bodies/dump.rs`, shared with its replay test.
#![no_main]

#[path = "../bodies/dump.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
