//! What every page shares: who is signed in and what they may do ([`auth`]), the page frame and
//! the extractors that answer bad input in the user's words ([`view`]), the words themselves
//! ([`i18n`]), errors and their pages ([`error`], [`middleware`]), charts ([`chart`]) and the
//! evaluations computed for the current data ([`cache`]).

pub(crate) mod auth;
pub(crate) mod cache;
pub(crate) mod chart;
pub(crate) mod confirm;
pub(crate) mod error;
pub mod i18n;
pub(crate) mod middleware;
pub(crate) mod view;
