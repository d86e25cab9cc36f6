//! The API's router and its OpenAPI 3.1 document, made together: each handler carries its own
//! `#[utoipa::path]` (parameters, request body, every status it answers with), and
//! [`api_router`] mounts the handlers with `utoipa_axum::routes!`, which adds each one's
//! operation to the document as it adds the route. The parameter, body and response schemas
//! are the handlers' own types (`IntoParams`, `ToSchema`), so what the document says is accepted
//! is what the handlers parse. What every list, every fiscal year and every error shares lives
//! here: [`PageQuery`] and its cursors, [`ApiFiscalYear`], [`ApiError`] and [`ErrorBody`].

use std::borrow::Cow;
use std::sync::LazyLock;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use pdca_core::FiscalYear;
use pdca_store::StoreError;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
#[cfg(test)]
use serde_json::json;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, OpenApi, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::{AppState, WebError};

/// The document's frame: title, security schemes, the schemas shared by every operation. The
/// operations are added by [`api_router`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "pdca API",
        description = "The follow-up of a plan's KPIs: plans, evaluations, actuals, follow-up rounds, meetings and the audit log. Machine clients send `Authorization: Bearer pdca_…` with a token made by `pdca token create`; browsers use their session, and send the CSRF token in `X-CSRF-Token` with every POST. Errors are `{\"error\":{\"code\",\"message\"}}` (schema `ErrorBody`). Lists are paginated: `limit` (1–1000, 100 by default) and the opaque `cursor` of the previous page's `next_cursor`, which is null on the last page."
    ),
    servers((url = "/")),
    security(("bearerToken" = []), ("sessionCookie" = [])),
    components(schemas(ErrorBody, ErrorCode)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

/// Bearer tokens and the session cookie, as the document names them.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token, pdca_… (`pdca token create`)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "sessionCookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "pdca_session",
                "A browser's session after signing in at /signin.",
            ))),
        );
    }
}

/// Every route of the API with its operation in the document: the features' routers merged.
pub(crate) fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::progress::api::router())
        .merge(crate::actuals::api::router())
        .merge(crate::follow_up::api::router())
        .merge(crate::achievements::api::router())
}

/// The API's routes, for the application's router.
pub(crate) fn router() -> axum::Router<AppState> {
    api_router().split_for_parts().0
}

/// The document, made once.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let openapi = api_router().into_openapi();
    serde_json::to_value(&openapi).unwrap_or_else(|e| {
        tracing::error!("the OpenAPI document cannot be written as JSON: {e}");
        Value::Null
    })
});

/// The OpenAPI 3.1 document of the API.
pub fn openapi_document() -> Value {
    DOCUMENT.clone()
}

/// `GET /api/openapi.json`: this document, readable without signing in.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    summary = "This document.",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object))
)]
pub(crate) async fn openapi_json() -> Json<Value> {
    Json(openapi_document())
}

/// One route of the API, as the document describes it.
#[derive(Debug, Clone)]
pub struct ApiRoute {
    /// The HTTP method, lower case as OpenAPI writes it.
    pub method: String,
    /// The path, with `{name}` parameters (the same syntax in axum 0.8 and OpenAPI).
    pub path: String,
    /// The operation's id.
    pub operation_id: String,
    /// What it does.
    pub summary: String,
    /// Whether it needs a session or a token.
    pub authenticated: bool,
}

/// Every route of the API, read from the document (which `routes!` made with the router).
pub static API_ROUTES: LazyLock<Vec<ApiRoute>> = LazyLock::new(|| {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    DOCUMENT["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .map(move |(method, operation)| ApiRoute {
                    method: method.clone(),
                    path: path.clone(),
                    operation_id: text(&operation["operationId"]),
                    summary: text(&operation["summary"]),
                    // `security: [{}]` lifts the document's requirement.
                    authenticated: operation["security"].as_array().is_none_or(|s| {
                        s.iter()
                            .all(|r| r.as_object().is_some_and(|o| !o.is_empty()))
                    }),
                })
        })
        .collect()
});

// ---------------------------------------------------------------------------------------------
// Errors

/// The codes of [`ErrorBody`]. Only the pagination's are made here; the others are
/// `WebError::code`'s, listed for the schema.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorCode {
    /// 401: no valid session or API token.
    Unauthorized,
    /// 403: a session whose one-time password must be changed first.
    PasswordChangeRequired,
    /// 403: the role does not allow this, or the value is read-only for it.
    Forbidden,
    /// 403: a session's POST without its CSRF token in `X-CSRF-Token`.
    CsrfMismatch,
    /// 404: the plan, round or page named does not exist.
    NotFound,
    /// 400: a parameter or the body cannot be read; the message names it.
    BadRequest,
    /// 400: `cursor` is not a cursor this API gave.
    InvalidCursor,
    /// 422: a field of an actual is invalid; `field` names it.
    Invalid,
    /// 409: the version sent is stale, or the state does not allow the change; `current`
    /// holds the value now current (actuals).
    Conflict,
    /// 422: well-formed, but the rules refuse it; the message says what is missing.
    Unprocessable,
    /// 429: too many failed sign-ins.
    RateLimited,
    /// 500: the server's fault; the message hides the cause.
    Internal,
}

/// Every refusal of the API: `{"error":{"code","message"}}`, with `field` when one field is to
/// blame and `current` with a conflict on an actual.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The error itself.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// What kind of refusal, for programs.
    pub code: ErrorCode,
    /// What went wrong, for a person (in Japanese).
    pub message: String,
    /// The parameter or request field to blame (`invalid`, `bad_request` from a list's
    /// `limit`, `invalid_cursor`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `conflict` from the actuals routes: the value now current, or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::actuals::api::Actual>)]
    pub current: Option<Value>,
}

/// A refusal of the API: the web layer's errors, and the pagination parameters' own.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// Anything the pages would refuse too.
    Web(WebError),
    /// A parameter of a list: 400 with its code and the field.
    Param {
        /// `bad_request` or `invalid_cursor`.
        code: ErrorCode,
        /// `limit` or `cursor`.
        field: &'static str,
        /// What is wrong and what was expected.
        message: String,
    },
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError::Web(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Web(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Web(e) => e.into_response(),
            ApiError::Param {
                code,
                field,
                message,
            } => (
                StatusCode::BAD_REQUEST,
                Json(ErrorBody {
                    error: ErrorDetail {
                        code,
                        message,
                        field: Some(field.to_owned()),
                        current: None,
                    },
                }),
            )
                .into_response(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Integers in JSON bodies

/// Integers of JSON bodies as JSON Schema reads them: `7` and `7.0` are the same integer
/// (serde's integers refuse the second).
pub(crate) mod json_int {
    use serde::{Deserialize, Deserializer};
    use serde_json::Number;

    /// The integer a JSON number holds, if it holds one.
    pub fn of_number(n: &Number) -> Option<i64> {
        n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                // Exact: a whole number below 2^53.
                .map(|f| f as i64)
        })
    }

    fn integer<'de, D: Deserializer<'de>, T: TryFrom<i64>>(n: &Number) -> Result<T, D::Error> {
        of_number(n)
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not an integer in range")))
    }

    /// A required integer field.
    pub fn required<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<T, D::Error> {
        integer::<D, T>(&Number::deserialize(d)?)
    }

    /// An optional integer field (absent or null: `None`).
    pub fn optional<'de, D: Deserializer<'de>, T: TryFrom<i64>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<Number>::deserialize(d)?
            .map(|n| integer::<D, T>(&n))
            .transpose()
    }
}

// ---------------------------------------------------------------------------------------------
// Fiscal years

/// The fiscal years the API reads, as the document states them: 2023, FY2023, 2023年度,
/// 令和5年度, 令和元年度, R5, 平成30年度, H30 — from 1900 to 2200, 平成 from 元 to 31, ASCII digits.
pub(crate) const FISCAL_YEAR_PATTERN: &str = "^(?:(?:FY)?(?:19[0-9]{2}|2[01][0-9]{2}|2200)(?:年度)?|(?:令和|R)(?:元|[1-9]|[1-9][0-9]|1[0-7][0-9]|18[0-2])(?:年度)?|(?:平成|H)(?:元|[1-9]|[12][0-9]|3[01])(?:年度)?)$";

static FISCAL_YEAR_RE: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(FISCAL_YEAR_PATTERN)
        .inspect_err(|e| tracing::error!("the fiscal-year pattern: {e}"))
        .ok()
});

/// A fiscal year the API accepts: exactly the strings [`FISCAL_YEAR_PATTERN`] matches (every
/// one of them is a fiscal year), and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ApiFiscalYear(pub FiscalYear);

impl ApiFiscalYear {
    /// `text` as a fiscal year, or what to tell the client.
    pub fn parse(text: &str) -> Result<Self, String> {
        let matches = FISCAL_YEAR_RE.as_ref().is_some_and(|re| re.is_match(text));
        match text.parse::<FiscalYear>() {
            Ok(fy) if matches => Ok(ApiFiscalYear(fy)),
            _ => Err(format!(
                "「{text}」は年度として読めません（例: 2023、FY2023、令和5年度、R5。1900〜2200年度）"
            )),
        }
    }

    /// A JSON field holding a fiscal year: an integer 1900–2200 or a string of the pattern.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::String(text) => Self::parse(text),
            Value::Number(n) => json_int::of_number(n)
                .and_then(|n| i32::try_from(n).ok())
                .and_then(|n| FiscalYear::new(n).ok())
                .map(ApiFiscalYear)
                .ok_or_else(|| format!("{n} は年度として使えません（1900〜2200 の整数）")),
            other => Err(format!("{other} は年度として読めません")),
        }
    }

    /// The schema of a JSON field holding a fiscal year (see [`ApiFiscalYear::from_json`]).
    pub fn json_field_schema() -> Schema {
        Schema::OneOf(
            OneOfBuilder::new()
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(1900))
                        .maximum(Some(2200)),
                )
                .item(Self::schema())
                .description(Some(
                    "A fiscal year: 2023, or a string such as \"FY2023\", \"令和5年度\" or \"R5\".",
                ))
                .build(),
        )
    }
}

impl<'de> Deserialize<'de> for ApiFiscalYear {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        ApiFiscalYear::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for ApiFiscalYear {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(FISCAL_YEAR_PATTERN))
            .description(Some("A fiscal year (April–March) from 1900 to 2200: 2023, FY2023, 2023年度, 令和5年度, 令和元年度, R5, 平成30年度 or H30."))
            .examples(["2023", "令和5年度"])
            .into()
    }
}

impl ToSchema for ApiFiscalYear {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("FiscalYear")
    }
}

// ---------------------------------------------------------------------------------------------
// Pagination

/// The items of a page when `limit` is not given.
pub(crate) const DEFAULT_LIMIT: usize = 100;
/// The most items a page holds.
pub(crate) const MAX_LIMIT: usize = 1000;

/// A cursor: base64url without padding of the sort key of a page's last item (the pattern of
/// `cursor` in [`PageQuery`]).
#[cfg(test)]
const CURSOR_PATTERN: &str = "^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$";

/// base64url without padding, tolerating non-zero trailing bits: every string of
/// [`CURSOR_PATTERN`] decodes.
const CURSOR_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The pagination parameters of every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// How many items at most: 1–1000, 100 by default.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000, default = 100)]
    limit: Option<String>,
    /// Where to go on: the `next_cursor` of the previous page. Opaque; a page starts after the
    /// item the cursor was made from, so items added or removed meanwhile neither repeat nor
    /// shift the rest. Without it, the first page.
    #[param(value_type = Option<String>, pattern = "^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$")]
    cursor: Option<String>,
}

/// A list's page as asked for: how many, and the sort key to start after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageRequest {
    /// 1–[`MAX_LIMIT`].
    pub limit: usize,
    /// The page holds the items whose sort key is greater than this (empty: from the start).
    pub after: Vec<u8>,
}

impl PageQuery {
    /// Whether this is the first page with the default limit (what clients poll).
    pub fn is_first_default(&self) -> bool {
        self.limit.is_none() && self.cursor.is_none()
    }

    /// The page asked for, or 400 naming `limit` or `cursor`.
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(text) => text
                .strip_prefix(|c: char| ('1'..='9').contains(&c))
                .filter(|rest| rest.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|_| text.parse::<usize>().ok())
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| ApiError::Param {
                    code: ErrorCode::BadRequest,
                    field: "limit",
                    message: format!(
                        "limit: 「{text}」は件数として使えません。1〜{MAX_LIMIT} の整数を指定してください"
                    ),
                })?,
        };
        let after = match self.cursor.as_deref() {
            None => Vec::new(),
            Some(text) => decode_cursor(text).ok_or_else(|| ApiError::Param {
                code: ErrorCode::InvalidCursor,
                field: "cursor",
                message: "cursor: 前のページの next_cursor をそのまま指定してください".to_owned(),
            })?,
        };
        Ok(PageRequest { limit, after })
    }
}

fn decode_cursor(text: &str) -> Option<Vec<u8>> {
    // The alphabet and the length of the pattern; the engine checks the rest.
    if text.len() % 4 == 1
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    CURSOR_ENGINE.decode(text).ok()
}

/// The cursor of an item with sort key `key`.
pub(crate) fn encode_cursor(key: &[u8]) -> String {
    CURSOR_ENGINE.encode(key)
}

/// The page of `items` asked for, and the cursor of the next page (`None` on the last). `key`
/// gives an item's sort key; the items need not be sorted.
pub(crate) fn paginate<T>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> Vec<u8>,
    request: &PageRequest,
) -> (Vec<T>, Option<String>) {
    items.retain(|item| key(item) > request.after);
    items.sort_by_cached_key(|item| key(item));
    let more = items.len() > request.limit;
    items.truncate(request.limit);
    let next = more
        .then(|| items.last().map(|last| encode_cursor(&key(last))))
        .flatten();
    (items, next)
}

/// The sort key of a number, in its order.
pub(crate) fn number_key(n: u64) -> Vec<u8> {
    n.to_be_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_route() {
        let document = openapi_document();
        assert_eq!(document["openapi"], "3.1.0");
        let ids: BTreeSet<&str> = API_ROUTES.iter().map(|r| r.operation_id.as_str()).collect();
        assert_eq!(ids.len(), API_ROUTES.len(), "operation ids are unique");
        for id in [
            "openapi",
            "listPlans",
            "getPlan",
            "evaluate",
            "auditLog",
            "listActuals",
            "writeActual",
            "listRounds",
            "getRound",
            "ratingMatrix",
            "roundReport",
            "listAchievements",
        ] {
            assert!(ids.contains(id), "{id}");
        }
        assert!(
            API_ROUTES
                .iter()
                .all(|r| r.authenticated == (r.operation_id != "openapi"))
        );
    }

    #[test]
    fn fiscal_years_carry_the_pattern_and_every_operation_its_refusals() {
        let document = openapi_document();
        let mut years = 0;
        for route in API_ROUTES.iter() {
            let operation = &document["paths"][&route.path][&route.method];
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if matches!(parameter["name"].as_str(), Some("fy" | "as_of")) {
                    assert_eq!(
                        parameter["schema"]["pattern"], FISCAL_YEAR_PATTERN,
                        "{}",
                        route.path
                    );
                    years += 1;
                }
                if parameter["name"] == "cursor" {
                    assert_eq!(
                        parameter["schema"]["pattern"], CURSOR_PATTERN,
                        "{}",
                        route.path
                    );
                }
            }
            let responses = operation["responses"].as_object().unwrap();
            if route.authenticated {
                assert!(
                    responses.contains_key("401"),
                    "{} {}",
                    route.method,
                    route.path
                );
                assert_eq!(
                    responses["401"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody"
                );
            }
            if route.method == "post" {
                for status in ["400", "403", "404", "422"] {
                    assert!(responses.contains_key(status), "{status} {}", route.path);
                }
            }
        }
        assert_eq!(
            years, 8,
            "the five round paths, actuals, evaluations and achievements"
        );
    }

    #[test]
    fn conditional_routes_document_304_and_their_headers() {
        let document = openapi_document();
        for path in [
            "/api/v1/plans",
            "/api/v1/plans/{id}",
            "/api/v1/evaluations",
            "/api/v1/plans/{id}/rounds/{fy}/report",
        ] {
            let operation = &document["paths"][path]["get"];
            assert!(operation["responses"]["304"].is_object(), "{path}");
            assert!(
                operation["responses"]["200"]["headers"]["ETag"].is_object(),
                "{path}"
            );
            assert!(
                operation["parameters"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|p| p["name"] == "If-None-Match")),
                "{path}"
            );
        }
        assert!(document["paths"]["/api/v1/audit"]["get"]["responses"]["304"].is_null());
    }

    #[test]
    fn every_string_of_the_pattern_is_a_fiscal_year_and_nothing_else_is() {
        for ok in [
            "2023",
            "FY2023",
            "2023年度",
            "FY2023年度",
            "1900",
            "2200",
            "令和5年度",
            "令和元年度",
            "令和元",
            "R5",
            "R182",
            "R元",
            "平成30年度",
            "H31",
            "H元",
        ] {
            assert!(ApiFiscalYear::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "23",
            "1899",
            "2201",
            "fy2023",
            " 2023",
            "2023 ",
            "２０２３",
            "R0",
            "R183",
            "H32",
            "r5",
            "令和05年度",
            "2023\n",
            "FY",
        ] {
            assert!(ApiFiscalYear::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ApiFiscalYear::parse("R5").unwrap().0.year(), 2023);
        assert_eq!(
            ApiFiscalYear::from_json(&json!(2023)).unwrap().0.year(),
            2023
        );
        assert!(ApiFiscalYear::from_json(&json!(2023.5)).is_err());
        assert!(ApiFiscalYear::from_json(&json!(true)).is_err());
    }

    #[test]
    fn every_cursor_of_the_pattern_decodes_and_pages_follow_each_other() {
        let re = regex::Regex::new(CURSOR_PATTERN).unwrap();
        for text in ["", "AA", "AAA", "AAAA", "AB", "_-", "abcdE"] {
            assert_eq!(re.is_match(text), decode_cursor(text).is_some(), "{text}");
        }
        for bad in ["A", "AAAAA", "AA==", "a+b/", "é"] {
            assert!(decode_cursor(bad).is_none(), "{bad}");
            assert!(!re.is_match(bad), "{bad}");
        }
        let items: Vec<u64> = (1..=7).rev().collect();
        let mut request = PageRequest {
            limit: 3,
            after: Vec::new(),
        };
        let mut seen = Vec::new();
        loop {
            let (page, next) = paginate(items.clone(), |n| number_key(*n), &request);
            seen.extend(page);
            match next {
                Some(cursor) => request.after = decode_cursor(&cursor).unwrap(),
                None => break,
            }
        }
        assert_eq!(seen, (1..=7).collect::<Vec<_>>());
    }

    #[test]
    fn limits_are_canonical_integers_within_the_maximum() {
        let request = |limit: &str| {
            PageQuery {
                limit: Some(limit.to_owned()),
                cursor: None,
            }
            .request()
        };
        assert_eq!(request("1").unwrap().limit, 1);
        assert_eq!(request("1000").unwrap().limit, 1000);
        for bad in ["0", "1001", "01", "+5", "-1", "5.0", "abc", ""] {
            assert!(request(bad).is_err(), "{bad}");
        }
    }
}
