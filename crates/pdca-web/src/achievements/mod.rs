//! Achievements (成果, issue 15) on the web: the lists behind each count, read by role; the API
//! for them; the secretariat's decisions on possible duplicates.

pub(crate) mod api;
pub(crate) mod duplicates;
pub(crate) mod entry;
pub(crate) mod list;

use axum::Router;

use crate::AppState;

/// The routes of this feature (pages; the API's handlers are mounted by `openapi::api_router`).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(list::router())
        .merge(duplicates::router())
        .merge(entry::router())
}
