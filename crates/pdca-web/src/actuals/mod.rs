//! Actuals: entering a year's values, uploading a collection workbook, approving or returning
//! values, and the write API that does the same in JSON. The access rules of the feature are
//! the `Permitted` sets of its routes and [`rules::check_may_edit`].

pub(crate) mod api;
pub(crate) mod approval;
pub(crate) mod entry;
mod entry_form;
pub(crate) mod rules;
pub(crate) mod upload;
