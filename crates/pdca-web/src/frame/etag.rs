//! Conditional GETs for what clients poll — evaluations, plans, open data, reports: a strong
//! `ETag` made from the body's bytes (the SHA-256, base64url), and `304 Not Modified` without a
//! body when the request's `If-None-Match` already holds it (`*`, lists, `W/` tags: the weak
//! comparison of RFC 9110 §13.1.2). Both answers carry `Cache-Control: …, no-cache`, so clients
//! keep the body and ask again every time.
//!
//! A compressed response is another representation of the same body: [`weaken_when_encoded`]
//! turns its tag into the weak `W/"…"` (as nginx does), which still matches here.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, IntoResponseParts, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// A response body with its entity tag.
#[derive(Debug, Clone)]
pub(crate) struct Tagged {
    pub body: Bytes,
    /// `"…"`: the SHA-256 of `body`, base64url.
    pub etag: HeaderValue,
}

impl Tagged {
    /// `body` with the tag of its bytes.
    pub fn new(body: impl Into<Bytes>) -> Self {
        let body = body.into();
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(digest));
        Self {
            body,
            // Base64url and quotes are always a valid header value.
            etag: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\"")),
        }
    }
}

/// Who may keep the response: a private cache only (signed-in data) or any cache (open data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    Private,
    Public,
}

impl Audience {
    fn cache_control(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Audience::Private => "private, no-cache",
            Audience::Public => "public, no-cache",
        })
    }
}

/// The answer to a GET of `tagged`: `304 Not Modified` with the tag and no body when
/// `request`'s `If-None-Match` matches it, otherwise 200 with `parts` (the media type, a file
/// name) and the body; both with `ETag` and `Cache-Control`.
pub(crate) fn respond(
    request: &HeaderMap,
    audience: Audience,
    tagged: Tagged,
    parts: impl IntoResponseParts,
) -> Response {
    let validators = [
        (header::ETAG, tagged.etag.clone()),
        (header::CACHE_CONTROL, audience.cache_control()),
    ];
    if none_match_fails(request, &tagged.etag) {
        return (StatusCode::NOT_MODIFIED, validators).into_response();
    }
    (validators, parts, tagged.body).into_response()
}

/// Whether `If-None-Match` in `request` names `etag` (or is `*`): the condition is false and
/// the answer is 304. Tags are compared weakly, so `W/"x"` matches `"x"`.
fn none_match_fails(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = opaque(etag.as_bytes());
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .any(|value| listed_tags(value.as_bytes()).any(|tag| tag == b"*" || tag == ours))
}

/// A tag without its weakness indicator.
fn opaque(tag: &[u8]) -> &[u8] {
    tag.strip_prefix(b"W/").unwrap_or(tag)
}

/// The entity tags of one `If-None-Match` line, quotes kept and `W/` dropped; `*` as itself.
/// Commas inside quotes belong to the tag.
fn listed_tags(mut line: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        loop {
            let start = line
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b','))?;
            line = &line[start..];
            let rest = opaque(line);
            if let Some(inner) = rest.strip_prefix(b"\"") {
                let end = inner.iter().position(|b| *b == b'"')?;
                let tag = &rest[..end + 2];
                line = &inner[end + 1..];
                return Some(tag);
            }
            // `*`, or something that is not a tag: up to the next comma.
            let end = line.iter().position(|b| *b == b',').unwrap_or(line.len());
            let token = line[..end].trim_ascii_end();
            line = &line[end..];
            if !token.is_empty() {
                return Some(token);
            }
        }
    })
}

/// Marks the tag of a compressed response weak: the bytes sent are not those the tag was made
/// from. Runs outside the compression layer.
pub(crate) async fn weaken_when_encoded(mut response: Response) -> Response {
    if response.headers().contains_key(header::CONTENT_ENCODING)
        && let Some(tag) = response.headers().get(header::ETAG)
        && !tag.as_bytes().starts_with(b"W/")
    {
        let mut weak = b"W/".to_vec();
        weak.extend_from_slice(tag.as_bytes());
        if let Ok(weak) = HeaderValue::from_bytes(&weak) {
            response.headers_mut().insert(header::ETAG, weak);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn request(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(header::IF_NONE_MATCH, HeaderValue::from_str(line).unwrap());
        }
        headers
    }

    #[test]
    fn the_tag_is_the_quoted_digest_of_the_body() {
        let a = Tagged::new(&b"{\"a\":1}"[..]);
        let b = Tagged::new(&b"{\"a\":2}"[..]);
        assert_ne!(a.etag, b.etag);
        assert_eq!(a.etag, Tagged::new(&b"{\"a\":1}"[..]).etag);
        let text = a.etag.to_str().unwrap();
        assert!(text.starts_with('"') && text.ends_with('"') && text.len() == 45);
    }

    #[test]
    fn if_none_match_is_compared_weakly_in_lists_and_with_a_star() {
        let etag = Tagged::new(&b"x"[..]).etag;
        let tag = etag.to_str().unwrap().to_owned();
        assert!(none_match_fails(&request(&[&tag]), &etag));
        assert!(none_match_fails(&request(&[&format!("W/{tag}")]), &etag));
        assert!(none_match_fails(
            &request(&[&format!("\"a,b\", W/\"c\" ,{tag}")]),
            &etag
        ));
        assert!(none_match_fails(&request(&["\"other\"", &tag]), &etag));
        assert!(none_match_fails(&request(&["*"]), &etag));
        assert!(!none_match_fails(&request(&[]), &etag));
        assert!(!none_match_fails(&request(&["\"other\", W/\"x\""]), &etag));
        assert!(!none_match_fails(&request(&[&tag[..tag.len() - 1]]), &etag));
        assert!(!none_match_fails(&request(&["garbage"]), &etag));
    }

    #[test]
    fn a_match_answers_304_without_a_body() {
        let tagged = Tagged::new(&b"body"[..]);
        let headers = request(&[tagged.etag.to_str().unwrap()]);
        let response = respond(&headers, Audience::Public, tagged.clone(), ());
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[header::ETAG], tagged.etag);
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "public, no-cache"
        );
        let response = respond(&HeaderMap::new(), Audience::Private, tagged, ());
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "private, no-cache"
        );
    }
}
