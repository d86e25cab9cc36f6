//! The `pdca` binary: a shim that runs the command line and prints the error chain.

use std::process::ExitCode;

mod cli;
mod commands;
mod progress;
mod table;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    match cli::run() {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("エラー: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  原因: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// `pdca … | head -1`: once the reader has gone, writing to the pipe fails (EPIPE) and
/// `println!` panics. The output is simply no longer wanted, so the process ends quietly and
/// successfully, as Unix tools do, instead of printing a panic. Every other panic is reported as
/// before.
fn quiet_on_broken_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to std") && names_broken_pipe(message) {
            std::process::exit(0);
        }
        report(info);
    }));
}

/// Whether `text` (an I/O error as printed) is the broken-pipe error.
fn names_broken_pipe(text: &str) -> bool {
    let broken = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
    text.contains("os error 32")
        || text.contains("Broken pipe")
        || text.contains(&broken.to_string())
}

/// Whether a command failed only because its output's reader went away (a write to stdout
/// returned EPIPE and the command passed the error up).
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
