//! Progress against the plan: the dashboard, project and indicator pages, and the read API that
//! answers the same questions in JSON. The figures are named and formatted in one place,
//! [`figures`], so every page says the same thing in the same unit.

pub(crate) mod api;
mod dashboard;
pub(crate) mod figures;
mod indicator;
pub(crate) mod pages;
mod project;
