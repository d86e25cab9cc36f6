//! The follow-up cycle in the browser and the API: the rounds of a plan, one round's page (state,
//! the three viewpoints, the previous policy's follow-up, meetings), the traceability view of an
//! indicator and the iCalendar feed. Who may read what is decided once in [`rounds`]
//! ([`rounds::may_read`], [`rounds::readable_meetings`]) and who may add which item
//! ([`rounds::may_add`]), for the pages and the API alike; who may write at all is each write
//! route's `Permitted` set: the secretariat opens, moves and closes rounds and adds meetings,
//! minutes and materials; the secretariat and committee members record ratings.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;
use crate::actuals::upload::MAX_FILE_BYTES;

pub(crate) mod api;
pub(crate) mod meetings;
pub(crate) mod round_forms;
pub(crate) mod round_page;
pub(crate) mod round_parts;
pub(crate) mod rounds;
pub(crate) mod trace;

/// The routes of the follow-up pages.
pub(crate) fn router() -> Router<AppState> {
    use meetings::{add_meeting, attach_material, download_report, material_file, record_minutes};
    use round_forms::{add_item, change_state, mark_reflected, rate};
    Router::new()
        .route("/rounds", get(rounds::rounds_page).post(rounds::open_round))
        .route("/rounds/{fy}", get(round_page::round_page))
        .route("/rounds/{fy}/state", post(change_state))
        .route("/rounds/{fy}/ratings", post(rate))
        .route("/rounds/{fy}/items", post(add_item))
        .route("/rounds/{fy}/items/{id}/reflected", post(mark_reflected))
        .route("/rounds/{fy}/meetings", post(add_meeting))
        .route("/meetings/{id}/materials/{label}", get(material_file))
        .route("/rounds/{fy}/meetings/{id}/minutes", post(record_minutes))
        .route(
            "/rounds/{fy}/meetings/{id}/materials",
            post(attach_material).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route("/rounds/{fy}/report/{format}", get(download_report))
        .route("/trace/{indicator}", get(trace::trace_page))
        .route("/calendar.ics", get(trace::calendar))
}
