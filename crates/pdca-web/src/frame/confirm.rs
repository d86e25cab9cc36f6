//! The confirmation page that comes before anything that cannot be undone (closing a round,
//! approving every value shown, submitting, disabling an account, removing an assignment,
//! reopening). A form posts without `confirmed=1`; the handler answers with a [`Confirmation`]
//! that states the consequence with its counts and posts the same fields again with
//! `confirmed=1`, or goes back to where the user was.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::frame::view::Chrome;

/// Whether a form carries the confirmation: `confirmed=1`.
pub(crate) fn is_confirmed(confirmed: Option<&str>) -> bool {
    confirmed == Some("1")
}

/// A confirmation page.
#[derive(Template)]
#[template(path = "frame/confirm.html")]
pub(crate) struct Confirmation {
    /// The frame.
    pub c: Chrome,
    /// The page's title and heading, a question: 「ラウンドを終了しますか」.
    pub title: String,
    /// The consequence, with its counts: 「令和4年度の承認済み実績 53件を確定し、ラウンドを終了します。」
    pub consequence: String,
    /// What follows from it, one line each (may be empty): 「終了後は値を変更できません。」
    pub details: Vec<String>,
    /// Where the form posts to.
    pub action: String,
    /// The fields to post again (name, value), the CSRF token among them.
    pub fields: Vec<(String, String)>,
    /// The label of the button that does it: 「ラウンドを終了する」.
    pub confirm_label: String,
    /// Whether the action destroys or locks something (the button is then the destructive style).
    pub destructive: bool,
    /// Where 「戻る」 goes: the page and row the user came from.
    pub back_href: String,
}

impl Confirmation {
    /// The page, as a response.
    pub fn into_page(self) -> Result<Response, askama::Error> {
        Ok(Html(self.render()?).into_response())
    }
}
