//! The `pdca` binary: a shim that runs the command line and prints the error chain.

use std::process::ExitCode;

mod cli;
mod commands;
mod table;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("エラー: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  原因: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
