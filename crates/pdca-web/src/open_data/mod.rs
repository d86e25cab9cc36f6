//! Open data on the web: `/open-data/…` serves, without signing in, the files
//! [`pdca_app::open_data`] makes and `pdca publish` writes — the plan catalogue, the locked
//! actuals of the years whose follow-up round has closed, and the committee's ratings of those
//! rounds (`docs/open-data.md`).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, Response};
use axum::routing::get;
use pdca_app::open_data::{OPEN_DATA_FILES, open_data_files};
use serde::Deserialize;

use crate::frame::etag::{self, Audience, Tagged};
use crate::frame::i18n::Lang;
use crate::frame::view::{AppPath, AppQuery, Chrome, Here, choose_plan};
use crate::{AppState, WebError};

/// The routes, readable without signing in.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/open-data", get(index))
        .route("/open-data/{file}", get(file))
}

#[derive(Debug, Default, Deserialize)]
struct PlanOnly {
    plan: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "open_data/open_data.html")]
struct IndexPage {
    c: Chrome,
    title: &'static str,
    plan_id: String,
    plan_name: String,
    version: u32,
    files: Vec<&'static str>,
}

/// `GET /open-data[?plan=]`: what is published and where the schema is described.
async fn index(
    State(state): State<AppState>,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Html<String>, WebError> {
    use askama::Template as _;
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let page = IndexPage {
        c: Chrome::new(lang, None, &here),
        title: lang.text().open_data_title,
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        version: pdca_interchange::OPEN_DATA_VERSION,
        files: OPEN_DATA_FILES.iter().map(|(name, _)| *name).collect(),
    };
    Ok(Html(page.render()?))
}

/// `GET /open-data/{file}[?plan=]`: one file of the open data set, with an `ETag` (304 when
/// unchanged) that any cache may keep and revalidate.
async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppPath(name): AppPath<String>,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Response, WebError> {
    let Some((_, media)) = OPEN_DATA_FILES.iter().find(|(n, _)| *n == name) else {
        return Err(WebError::NotFound(format!("公開ファイル「{name}」")));
    };
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let files = open_data_files(&state.store, &plan).await?;
    let bytes = files
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b)
        .unwrap_or_default();
    Ok(etag::respond(
        &headers,
        Audience::Public,
        Tagged::new(bytes),
        [(header::CONTENT_TYPE, *media)],
    ))
}
