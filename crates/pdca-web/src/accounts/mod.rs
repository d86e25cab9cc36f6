//! Accounts: signing in and out, one's own password, and for the secretariat the users, the API
//! tokens and the audit log.

pub(crate) mod admin;
pub(crate) mod audit;
pub(crate) mod signin;
