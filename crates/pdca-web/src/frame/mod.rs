//! What every page shares: who is signed in and what they may do ([`auth`]), the page frame and
//! the extractors that answer bad input in the user's words ([`view`]), the words themselves
//! ([`i18n`]), errors and their pages ([`error`], [`middleware`]), charts ([`chart`]), the
//! evaluations computed for the current data ([`cache`]) and the entity tags of what clients
//! poll ([`etag`]).

pub(crate) mod auth;
pub(crate) mod cache;
pub(crate) mod chart;
pub(crate) mod confirm;
pub(crate) mod error;
pub(crate) mod etag;
pub mod i18n;
pub(crate) mod middleware;
pub(crate) mod view;
