//! The reading pages: the plan dashboard ([`super::dashboard`]), a project's indicator tables
//! ([`super::project`]) and an indicator's figures, chart, yearly table and revision history
//! ([`super::indicator`]). Each page reads the plan, the as-of year and the visibility from the
//! query (`plan`, `as_of`, `include_unapproved`). This module holds what they share: the
//! routes, the evaluation they work from, and the frame around a kept main part.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::routing::get;

use crate::frame::auth::CurrentUser;
use crate::frame::cache::{self, Evaluated, PageKey, Reader};
use crate::frame::i18n::Lang;
use crate::frame::view::{Chrome, Here, PlanQuery};
use crate::{AppState, WebError};

/// The routes of the reading pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(super::dashboard::dashboard))
        .route("/projects/{id}", get(super::project::project_page))
        .route("/indicators/{id}", get(super::indicator::indicator_page))
}

/// What every page of a plan works from: the evaluation the query asks for, shared with every
/// other read of the same data (see [`crate::frame::cache`]).
pub(super) async fn load(
    state: &AppState,
    user: &CurrentUser,
    query: &PlanQuery,
) -> Result<Arc<Evaluated>, WebError> {
    let visibility = query.visibility(user)?;
    cache::evaluated(state, user, query, visibility).await
}

/// What a cached main part of the page at `here` depends on besides the evaluation.
pub(super) fn page_key(lang: Lang, user: &CurrentUser, here: &Here) -> PageKey {
    PageKey {
        here: here.0.clone(),
        lang,
        role: user.role(),
        today: crate::tasks::today(),
    }
}

/// Whose frame a page has.
pub(super) fn reader(user: &CurrentUser) -> Reader {
    (user.user.id, user.csrf_token.clone())
}

/// A page: the frame for `user` around a `main` part rendered before. `work`, the user's own
/// work (rendered for each request, never cached: it differs from body to body), goes where
/// `main` has the marker `<!--home-work-->`.
pub(super) fn framed(
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    title: &str,
    main: Arc<str>,
    work: &str,
) -> Result<String, WebError> {
    let (before, after) = main.split_once(WORK_MARKER).unwrap_or((&main, ""));
    let page = Framed {
        c: Chrome::new(lang, Some(user), here),
        title,
        before,
        work,
        after,
    };
    Ok(page.render()?)
}

/// Where a page's main part takes the user's work.
const WORK_MARKER: &str = "<!--home-work-->";

/// The frame of every page (`base.html`) around a main part rendered before.
#[derive(Template)]
#[template(path = "progress/framed.html")]
struct Framed<'a> {
    c: Chrome,
    title: &'a str,
    before: &'a str,
    work: &'a str,
    after: &'a str,
}
