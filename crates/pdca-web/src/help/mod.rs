//! Help pages, readable without signing in: `/help/terms` (用語の説明) explains each figure and
//! rating the pages show, one definition per term, each under an anchor that the pages link to
//! (`/help/terms#pace`).

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{Html, Redirect};
use axum::routing::get;

use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{Lang, Text};
use crate::frame::view::{Chrome, Here};
use crate::{AppState, WebError};

/// The routes, readable without signing in.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/help", get(|| async { Redirect::to("/help/terms") }))
        .route("/help/terms", get(terms))
}

/// One term: its anchor, its name, what it means, and how it is computed if it is a figure.
#[derive(Debug)]
struct Term {
    id: &'static str,
    name: &'static str,
    text: &'static str,
    formula: Option<&'static str>,
    /// The meaning of each value it takes (the ratings).
    values: Vec<&'static str>,
}

/// The terms in the order a reader meets them on a page. The anchors are what the pages link
/// to; changing one breaks their links.
fn terms_of(t: &'static Text) -> Vec<Term> {
    let term = |id, name, text, formula| Term {
        id,
        name,
        text,
        formula,
        values: Vec::new(),
    };
    vec![
        term(
            "progress",
            t.help_progress_name,
            t.help_progress_text,
            Some(t.help_progress_formula),
        ),
        term(
            "cumulative",
            t.help_cumulative_name,
            t.help_cumulative_text,
            None,
        ),
        term(
            "expected",
            t.help_expected_name,
            t.help_expected_text,
            Some(t.help_expected_formula),
        ),
        term(
            "pace",
            t.help_pace_name,
            t.help_pace_text,
            Some(t.help_pace_formula),
        ),
        term(
            "projected-end",
            t.help_projected_end_name,
            t.help_projected_end_text,
            None,
        ),
        term(
            "outlook",
            t.help_outlook_name,
            t.help_outlook_text,
            Some(t.help_outlook_formula),
        ),
        term(
            "not-reported",
            t.help_not_reported_name,
            t.help_not_reported_text,
            None,
        ),
        term(
            "auto-judgement",
            t.help_auto_judgement_name,
            t.help_auto_judgement_text,
            None,
        ),
        Term {
            values: vec![t.help_rating_a, t.help_rating_b, t.help_rating_n],
            ..term("rating", t.help_rating_name, t.help_rating_text, None)
        },
        term(
            "sub-target",
            t.help_sub_target_name,
            t.help_sub_target_text,
            None,
        ),
        term(
            "management-indicator",
            t.help_management_indicator_name,
            t.help_management_indicator_text,
            None,
        ),
        term("locked", t.help_locked_name, t.help_locked_text, None),
    ]
}

#[derive(askama::Template)]
#[template(path = "help/terms.html")]
struct TermsPage {
    c: Chrome,
    title: &'static str,
    terms: Vec<Term>,
}

/// Whoever is signed in, if anyone: the help is for everyone, with the signed-in frame for
/// those who are (a session that cannot be used yet, or none, reads it signed out).
struct Reader(Option<CurrentUser>);

impl FromRequestParts<AppState> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Reader(
            CurrentUser::from_request_parts(parts, state).await.ok(),
        ))
    }
}

/// `GET /help/terms`: 用語の説明.
async fn terms(lang: Lang, here: Here, Reader(user): Reader) -> Result<Html<String>, WebError> {
    use askama::Template as _;
    let t = lang.text();
    let page = TermsPage {
        c: Chrome::new(lang, user.as_ref(), &here),
        title: t.help_terms_title,
        terms: terms_of(t),
    };
    Ok(Html(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::i18n::{EN, JA};

    #[test]
    fn every_term_has_an_anchor_a_name_and_a_text_in_both_languages() {
        for t in [&JA, &EN] {
            let terms = terms_of(t);
            let mut ids: Vec<_> = terms.iter().map(|term| term.id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), terms.len(), "anchors are unique");
            assert!(
                terms
                    .iter()
                    .all(|term| !term.name.is_empty() && !term.text.is_empty())
            );
        }
    }
}
