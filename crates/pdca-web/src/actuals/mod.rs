//! Actuals: entering a year's values, uploading a collection workbook, approving or returning
//! values, and the write API that does the same in JSON. The access rules of the feature are
//! the `Permitted` sets of its routes and [`entry::check_may_edit`].

pub(crate) mod api;
pub(crate) mod approval;
pub(crate) mod entry;
pub(crate) mod upload;
