//! Fuzz target `plan_file`: the body is `bodies/plan_file.rs`, shared with its replay test.
#![no_main]

#[path = "../bodies/plan_file.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));
