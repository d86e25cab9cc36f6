//! What wraps every response: the security headers, and the rendering of errors — JSON for the
//! API, a page or a redirect for a browser — with server errors logged here and hidden from the
//! client.

use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::frame::error::ErrorInfo;
use crate::frame::i18n::{Lang, Text};
use crate::frame::view::request_lang;

/// The Content Security Policy: nothing inline, nothing from elsewhere.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";

/// Adds the security headers to every response (overriding any a handler set), and
/// `Cache-Control: no-store` to those that say nothing about caching, since pages show data
/// only signed-in users may read.
pub(crate) fn security_headers(router: Router) -> Router {
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    let router = fixed.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::overriding(name, value))
    });
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

/// The page shown for an error.
#[derive(Template)]
#[template(path = "frame/error.html")]
struct ErrorPage {
    t: &'static Text,
    lang: &'static str,
    heading: &'static str,
    explanation: &'static str,
    detail: Option<String>,
}

/// Turns the error responses of handlers into what the client expects: the JSON error stays for
/// `/api/…`; a browser is sent to the sign-in page (keeping where it was going), to the
/// password page, or shown an error page in its language. Server errors are logged with their
/// cause, which the client never sees.
pub(crate) async fn render_errors(mut request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let lang = request_lang(request.uri(), request.headers());
    // Handlers take it from here instead of reading the query and the cookies again.
    request.extensions_mut().insert(lang);
    let is_get = request.method() == axum::http::Method::GET;
    let target = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    let mut response = next.run(request).await;
    let Some(info) = response.extensions_mut().remove::<ErrorInfo>() else {
        return response;
    };
    let status = response.status();
    match &info.internal {
        Some(cause) => tracing::error!(%status, target = %target, cause = %cause, "server error"),
        None => tracing::debug!(%status, target = %target, code = info.code, "request refused"),
    }
    if api {
        return response;
    }
    match info.code {
        "unauthorized" => {
            let next = if is_get { target.as_str() } else { "/" };
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("next", next)
                .finish();
            Redirect::to(&format!("/signin?{query}")).into_response()
        }
        "password_change_required" => Redirect::to("/account/password").into_response(),
        code => error_page(lang, status, code, &info.message),
    }
}

fn error_page(lang: Lang, status: StatusCode, code: &str, message: &str) -> Response {
    let t = lang.text();
    let explanation = match code {
        "not_found" => t.error_not_found,
        "forbidden" | "password_change_required" => t.error_forbidden,
        "bad_request" => t.error_bad_request,
        "csrf_mismatch" => t.error_csrf,
        "rate_limited" => t.error_rate_limited,
        "conflict" => t.error_conflict,
        _ => t.error_internal,
    };
    // The detail is the server's own message, written in Japanese; server errors have none.
    let detail = (lang == Lang::Ja && !status.is_server_error() && code == "bad_request")
        .then(|| message.to_owned());
    let page = ErrorPage {
        t,
        lang: lang.code(),
        heading: t.error_heading,
        explanation,
        detail,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(cause = %e, "the error page could not be rendered");
            (status, t.error_internal).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_forbids_inline_script_and_framing() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
    }
}
