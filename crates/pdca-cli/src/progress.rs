//! A spinner on standard error for the commands that take a while (imports, `export`, `import`,
//! `round publish`), naming the step they are at. It is drawn only on a terminal: in a pipe, a
//! file or a test the output is exactly as without it.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// The steps of a long command, shown one after another; cleared when dropped.
pub struct Steps(ProgressBar);

impl Steps {
    /// A spinner at the first step, `message`.
    pub fn start(message: &str) -> Self {
        // ProgressBar's default target is standard error, hidden when it is not a terminal.
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}（{elapsed}）") {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Steps(bar)
    }

    /// Moves on to the step `message`.
    pub fn step(&self, message: &str) {
        self.0.set_message(message.to_owned());
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
