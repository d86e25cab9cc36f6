//! What the command line and the web application both answer with, so that `pdca … --format
//! json` and the API agree and a page shows what the CLI prints: a follow-up round's view and
//! its JSON ([`follow_up`]), the plan catalogue and evaluation JSON ([`json`]), the open data
//! set ([`open_data`]), the one-time passwords given to new accounts ([`accounts`]), two
//! revisions of a plan side by side ([`plans`]), and the achievements behind a count as
//! each role sees them ([`achievements`]).
//!
//! Built on the store and the core; knows nothing of HTTP or of the terminal.

pub mod accounts;
pub mod achievements;
pub mod follow_up;
pub mod json;
pub mod open_data;
pub mod plan_drafts;
pub mod plans;
