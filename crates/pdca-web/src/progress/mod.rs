//! Progress against the plan: the dashboard, project and indicator pages, and the read API that
//! answers the same questions in JSON.

pub(crate) mod api;
pub(crate) mod pages;
