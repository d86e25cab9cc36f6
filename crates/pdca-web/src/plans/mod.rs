//! The plans and the reporting bodies: importing a plan, listing plans, managing bodies.

pub(crate) mod diff;
pub(crate) mod draft;
pub(crate) mod setup;
