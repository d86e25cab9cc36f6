//! Fuzz target `normalize`: the body is `bodies/normalize.rs`, shared with its replay test.
#![no_main]

#[path = "../bodies/normalize.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
