//! What every page shares: the language of the request, the frame around the content (header,
//! user, language switch, sign-out form), and the reading of the common query parameters
//! (`plan`, `as_of`, `include_unapproved`) into a plan, a fiscal year and a visibility.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use pdca_core::builtin::BUILTIN_PLAN_ID;
use pdca_core::{Actuals, FiscalYear, Plan};
use pdca_store::{Store, Visibility};
use serde::Deserialize;

use crate::WebError;
use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang, Text};

/// The cookie that remembers the language chosen with the switch link.
pub(crate) const LANG_COOKIE: &str = "lang";

/// A form's page shown again with what was wrong with it: 422, nothing saved.
pub(crate) fn refused(html: String) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response()
}

/// A page showing a secret once (a one-time password, an API token): no cache keeps it. Every
/// page is `no-store` by default (see the security headers); these say so themselves.
pub(crate) fn showing_secret(html: String) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The language of a request: `?lang=` first, then the `lang` cookie, else Japanese.
pub(crate) fn request_lang(uri: &Uri, headers: &HeaderMap) -> Lang {
    let from_query = uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::from_code(&v))
    });
    from_query
        .or_else(|| request_cookie(headers, LANG_COOKIE).and_then(|v| Lang::from_code(&v)))
        .unwrap_or_default()
}

/// The value of the cookie `name` the request carries, read as axum-extra's
/// `CookieJar::from_headers` would (the last of the same name wins), without building a jar of
/// every cookie: this runs on every request.
pub(crate) fn request_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(axum_extra::extract::cookie::Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .filter(|cookie| cookie.name() == name)
        .last()
        .map(|cookie| cookie.value().to_owned())
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // The error middleware has read it already.
        Ok(parts
            .extensions
            .get::<Lang>()
            .copied()
            .unwrap_or_else(|| request_lang(&parts.uri, &parts.headers)))
    }
}

/// `Query`, refusing a bad query string with the application's own error.
#[derive(Debug, Clone, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(WebError))]
pub(crate) struct AppQuery<T>(pub T);

/// `Path`, refusing a bad path segment with the application's own error.
#[derive(Debug, Clone, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(WebError))]
pub(crate) struct AppPath<T>(pub T);

/// `Form`, refusing a bad form with the application's own error, and a field whose name or
/// value is not UTF-8 once percent-decoded with 400 naming the field (`Form` would turn it into
/// U+FFFD silently).
#[derive(Debug, Clone)]
pub(crate) struct AppForm<T>(pub T);

impl<T, S> FromRequest<S> for AppForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WebError> {
        let (method, headers) = (req.method().clone(), req.headers().clone());
        let axum::extract::RawForm(bytes) = axum::extract::RawForm::from_request(req, state)
            .await
            .map_err(|rejection| WebError::BadRequest {
                param: "form".to_owned(),
                message: rejection.body_text(),
            })?;
        if let Some(field) = field_not_utf8(&bytes) {
            return Err(not_utf8(&field));
        }
        // `Form` reads the same bytes again, now known to decode without loss.
        let mut checked = axum::extract::Request::new(axum::body::Body::from(bytes));
        *checked.method_mut() = method;
        *checked.headers_mut() = headers;
        let axum::Form(value) = axum::Form::<T>::from_request(checked, state).await?;
        Ok(AppForm(value))
    }
}

/// The refusal of a form field (`field`, as sent) whose text is not UTF-8.
pub(crate) fn not_utf8(field: &str) -> WebError {
    WebError::BadRequest {
        param: field.to_owned(),
        message: format!(
            "項目「{field}」の内容が UTF-8 の文字として読めません。文字コードを UTF-8 にして送り直してください"
        ),
    }
}

/// The name of the first field of a `application/x-www-form-urlencoded` body whose name or
/// value is not UTF-8 once percent-decoded (the name itself decoded with U+FFFD if need be).
fn field_not_utf8(body: &[u8]) -> Option<String> {
    let decode = |text: &[u8]| -> Vec<u8> {
        let spaced: Vec<u8> = text
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        percent_encoding::percent_decode(&spaced).collect()
    };
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .find_map(|pair| {
            let (name, value) = match pair.iter().position(|b| *b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &pair[pair.len()..]),
            };
            let name = decode(name);
            let readable =
                std::str::from_utf8(&name).is_ok() && std::str::from_utf8(&decode(value)).is_ok();
            (!readable).then(|| String::from_utf8_lossy(&name).into_owned())
        })
}

/// The path and query of the request without `lang`, so the language switch can send the
/// user back to the same page.
#[derive(Debug, Clone)]
pub(crate) struct Here(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Here {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_owned();
        let query: Vec<(String, String)> = parts
            .uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k != "lang")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Here(if query.is_empty() {
            path
        } else {
            format!(
                "{path}?{}",
                encode_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            )
        }))
    }
}

/// `k=v&…`, percent-encoded.
pub(crate) fn encode_query<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Whether `next` is a path on this site (and not `//elsewhere` or `/\elsewhere`), so that
/// redirecting to it cannot send the user to another site.
pub(crate) fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control)
}

/// The frame around every page's content.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    /// The catalogue in the page's language.
    pub t: &'static Text,
    /// `ja` or `en`.
    pub lang: &'static str,
    /// Who is signed in, if anyone: "tanaka（事務局）".
    pub user: Option<String>,
    /// The session's CSRF token for the sign-out form (empty without a session).
    pub csrf: String,
    /// The link that switches the language and comes back here.
    pub switch_href: String,
    /// Whether the user enters values (a body or the secretariat): the data entry link.
    pub nav_entry: bool,
    /// Whether the user approves values (the secretariat): the approval link.
    pub nav_approval: bool,
    /// Whether the user administers accounts and reads the audit log (the secretariat).
    pub nav_admin: bool,
}

impl Chrome {
    /// The frame for `lang`, `user` (if signed in) and the page at `here`.
    pub fn new(lang: Lang, user: Option<&CurrentUser>, here: &Here) -> Self {
        let other = lang.other();
        let switch_href = format!(
            "/lang/{}?{}",
            other.code(),
            encode_query(std::iter::once(("next", here.0.as_str())))
        );
        Self {
            t: lang.text(),
            lang: lang.code(),
            user: user.map(|u| i18n::signed_in_as(lang, &u.user.name, u.role())),
            csrf: user.and_then(|u| u.csrf_token.clone()).unwrap_or_default(),
            switch_href,
            nav_entry: user.is_some_and(|u| {
                matches!(
                    u.role(),
                    pdca_core::access::Role::Body | pdca_core::access::Role::Secretariat
                )
            }),
            nav_approval: user.is_some_and(|u| u.role() == pdca_core::access::Role::Secretariat),
            nav_admin: user.is_some_and(|u| u.role() == pdca_core::access::Role::Secretariat),
        }
    }
}

/// The query parameters the plan pages and the evaluation API share.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PlanQuery {
    /// The plan's id; by default the built-in plan, or the only one.
    pub plan: Option<String>,
    /// The as-of fiscal year.
    pub as_of: Option<String>,
    /// `1`, `true`, `on` or `yes` to include values not yet approved.
    pub include_unapproved: Option<String>,
}

impl PlanQuery {
    /// Whether the unapproved values were asked for.
    pub fn wants_unapproved(&self) -> bool {
        self.include_unapproved
            .as_deref()
            .is_some_and(|v| matches!(v.trim(), "1" | "true" | "on" | "yes"))
    }

    /// Which values the user may and asked to see: approved ones, or all for the secretariat
    /// and the committee when asked (anyone else asking is refused).
    pub fn visibility(&self, user: &CurrentUser) -> Result<Visibility, WebError> {
        if !self.wants_unapproved() {
            Ok(Visibility::Approved)
        } else if user.role().reads_unapproved() {
            Ok(Visibility::All)
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// The plan asked for (its current revision).
    pub async fn plan(&self, store: &Store) -> Result<Plan, WebError> {
        choose_plan(store, self.plan.as_deref()).await
    }

    /// The as-of year asked for, if any, checked against the plan's period.
    pub fn as_of(&self, plan: &Plan) -> Result<Option<FiscalYear>, WebError> {
        self.as_of
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|text| parse_as_of(text, plan))
            .transpose()
    }
}

/// `text` as a fiscal year inside `plan`'s period, or an error naming the `as_of` parameter.
pub(crate) fn parse_as_of(text: &str, plan: &Plan) -> Result<FiscalYear, WebError> {
    let fy: FiscalYear = text.parse().map_err(|_| WebError::BadRequest {
        param: "as_of".to_owned(),
        message: format!(
            "「{text}」は年度として読めません。2023、FY2023、令和5年度 のように、計画期間 {}〜{} の年度を指定してください",
            plan.period.start, plan.period.end
        ),
    })?;
    if !plan.period.contains(fy) {
        return Err(WebError::BadRequest {
            param: "as_of".to_owned(),
            message: format!(
                "{fy} は計画「{}」の計画期間 {}〜{} の外です",
                plan.id, plan.period.start, plan.period.end
            ),
        });
    }
    Ok(fy)
}

/// The plan named, else the built-in plan, else the only plan.
pub(crate) async fn choose_plan(store: &Store, id: Option<&str>) -> Result<Plan, WebError> {
    if let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) {
        return store
            .plan(id)
            .await?
            .ok_or_else(|| WebError::NotFound(format!("計画「{id}」")));
    }
    if let Some(plan) = store.plan(BUILTIN_PLAN_ID).await? {
        return Ok(plan);
    }
    let plans = store.list_plans().await?;
    match plans.as_slice() {
        [] => Err(WebError::NotFound("計画".to_owned())),
        [only] => store
            .plan(&only.id)
            .await?
            .ok_or_else(|| WebError::NotFound(format!("計画「{}」", only.id))),
        _ => Err(WebError::BadRequest {
            param: "plan".to_owned(),
            message: format!(
                "計画が{}件あります。plan で指定してください（{}）",
                plans.len(),
                plans
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

/// The revision of `plan` in force in `as_of` (the CLI's rule).
pub(crate) async fn plan_in_force(
    store: &Store,
    plan: Plan,
    as_of: FiscalYear,
) -> Result<Plan, WebError> {
    Ok(match store.plan_history(&plan.id).await? {
        Some(history) => history.in_force(as_of).clone(),
        None => plan,
    })
}

/// The default as-of year: the latest year with an approved actual in `approved`, kept inside
/// the period; the plan's first year when nothing is approved yet.
pub(crate) fn default_as_of(approved: &Actuals, plan: &Plan) -> FiscalYear {
    let latest = approved.contributions().iter().map(|c| c.year).max();
    match latest {
        Some(fy) if fy > plan.period.end => plan.period.end,
        Some(fy) if fy >= plan.period.start => fy,
        _ => plan.period.start,
    }
}

/// A share as a whole percentage: 83%.
pub(crate) fn percent(share: Option<f64>) -> String {
    share
        .filter(|p| p.is_finite())
        .map(|p| format!("{:.0}%", p * 100.0))
        .unwrap_or_default()
}

/// The CSS class of a status badge.
pub(crate) fn status_class(status: pdca_core::Status) -> &'static str {
    match status {
        pdca_core::Status::Achieved => "s-achieved",
        pdca_core::Status::OnTrack => "s-on-track",
        pdca_core::Status::Insufficient => "s-insufficient",
        pdca_core::Status::NotEvaluable => "s-not-evaluable",
        pdca_core::Status::NotRated => "s-not-rated",
    }
}

/// What a fiscal year that does not parse is told, in forms and the API alike.
pub(crate) fn unreadable_fy(text: &str) -> String {
    format!("「{text}」は年度として読めません（例: 2023、令和5年度）")
}

/// The fiscal year of the `fy` parameter or field.
pub(crate) fn parse_fy(text: &str) -> Result<FiscalYear, WebError> {
    let text = text.trim();
    text.parse().map_err(|_| WebError::BadRequest {
        param: "fy".to_owned(),
        message: unreadable_fy(text),
    })
}

/// [`parse_fy`] of an optional `fy`, blank meaning none.
pub(crate) fn parse_optional_fy(text: Option<&str>) -> Result<Option<FiscalYear>, WebError> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(parse_fy)
        .transpose()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert!(is_local_path("/projects/p1?as_of=2023"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("/\\evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/a\nb"));
    }

    #[test]
    fn a_field_that_is_not_utf8_is_named() {
        assert_eq!(field_not_utf8(b"csrf=abc&name=%E5%A4%AA%E9%83%8E+x"), None);
        assert_eq!(field_not_utf8(b"&a&b=&=c"), None);
        assert_eq!(
            field_not_utf8(b"csrf=abc&name=%FF%FE").as_deref(),
            Some("name")
        );
        assert_eq!(field_not_utf8(b"%E5%A4=1").as_deref(), Some("\u{FFFD}"));
        match not_utf8("name") {
            WebError::BadRequest { param, message } => {
                assert_eq!(param, "name");
                assert!(message.contains("UTF-8"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unapproved_is_asked_for_with_a_true_word() {
        let q = |v: &str| PlanQuery {
            include_unapproved: Some(v.to_owned()),
            ..PlanQuery::default()
        };
        assert!(q("1").wants_unapproved() && q("true").wants_unapproved());
        assert!(!q("0").wants_unapproved() && !PlanQuery::default().wants_unapproved());
    }

    #[test]
    fn fiscal_years_parse_in_every_form_and_blank_is_none() {
        assert_eq!(parse_fy(" 令和5年度 ").unwrap().year(), 2023);
        assert_eq!(
            parse_optional_fy(Some("2023")).unwrap().unwrap().year(),
            2023
        );
        assert!(parse_optional_fy(Some("  ")).unwrap().is_none());
        assert!(parse_optional_fy(None).unwrap().is_none());
        match parse_fy(" 来年 ") {
            Err(WebError::BadRequest { param, message }) => {
                assert_eq!(param, "fy");
                assert_eq!(
                    message,
                    "「来年」は年度として読めません（例: 2023、令和5年度）"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
