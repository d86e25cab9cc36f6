//! The web layer's one error type and its status codes. A handler's error becomes a JSON body
//! `{"error":{"code","message"}}` here; for pages, the `render_errors` middleware turns the same
//! error into a page, a redirect to the sign-in page, or the password page, and logs what a
//! server error hides from the client.

use axum::Json;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pdca_store::StoreError;
use serde_json::json;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid session or API token.
    #[error("サインインが必要です（セッションが無効か期限切れ、または API トークンが無効です）")]
    Unauthorized,
    /// The user must change the one-time password before doing anything else.
    #[error("パスワードを変更してから操作してください")]
    PasswordChangeRequired,
    /// Signed in, but the role does not allow this.
    #[error("この操作を行う権限がありません")]
    Forbidden,
    /// A form came without the right CSRF token.
    #[error(
        "フォームの確認用トークンが一致しません。ページを読み込み直してから、もう一度送信してください"
    )]
    Csrf,
    /// What the request names does not exist.
    #[error("{0}が見つかりません")]
    NotFound(String),
    /// A parameter cannot be used; the message names it and says what was expected.
    #[error("{param}: {message}")]
    BadRequest {
        /// The parameter's name.
        param: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The request is well-formed but the rules refuse it (a rating without its reason,
    /// closing a round with something missing, …); the message says what is needed.
    #[error("{0}")]
    Unprocessable(String),
    /// Too many failed sign-ins for the account or the address.
    #[error(
        "サインインの失敗が続いたため、しばらく受け付けません。15分ほど待ってからやり直してください"
    )]
    RateLimited,
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A page could not be rendered.
    #[error("ページを表示できません: {0}")]
    Template(#[from] askama::Error),
    /// The listener could not be bound or served.
    #[error("サーバーの入出力に失敗しました: {0}")]
    Io(#[from] std::io::Error),
    /// Anything else that is the server's fault.
    #[error("{0}")]
    Internal(String),
}

/// What the error middleware needs to know about an error response, carried as a response
/// extension.
#[derive(Debug, Clone)]
pub(crate) struct ErrorInfo {
    /// The machine-readable code.
    pub code: &'static str,
    /// The message for a person (the generic one for server errors).
    pub message: String,
    /// The real cause of a server error, for the log only.
    pub internal: Option<String>,
}

impl WebError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::PasswordChangeRequired | WebError::Forbidden | WebError::Csrf => {
                StatusCode::FORBIDDEN
            }
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            WebError::Store(e) => match e {
                StoreError::NotFound(_) => StatusCode::NOT_FOUND,
                StoreError::Invalid(_) => StatusCode::BAD_REQUEST,
                StoreError::Round(pdca_core::follow_up::RoundError::RatingChanged { .. }) => {
                    StatusCode::CONFLICT
                }
                StoreError::Round(_) => StatusCode::UNPROCESSABLE_ENTITY,
                StoreError::Conflict { .. }
                | StoreError::AchievementChanged { .. }
                | StoreError::Changed(_)
                | StoreError::PlanRevisionExists { .. } => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            WebError::Template(_) | WebError::Io(_) | WebError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The machine-readable code of the JSON error.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::Unauthorized => "unauthorized",
            WebError::PasswordChangeRequired => "password_change_required",
            WebError::Forbidden => "forbidden",
            WebError::Csrf => "csrf_mismatch",
            WebError::RateLimited => "rate_limited",
            _ => match self.status() {
                StatusCode::NOT_FOUND => "not_found",
                StatusCode::BAD_REQUEST => "bad_request",
                StatusCode::CONFLICT => "conflict",
                StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
                _ => "internal",
            },
        }
    }
}

/// The message of every server error: the cause goes to the log, never to the client.
const INTERNAL_MESSAGE: &str =
    "サーバーの内部でエラーが起きました。時間をおいてやり直し、続くときは事務局に連絡してください";

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (message, internal) = if status.is_server_error() {
            (INTERNAL_MESSAGE.to_owned(), Some(self.to_string()))
        } else {
            (self.to_string(), None)
        };
        let code = self.code();
        let mut response = (
            status,
            Json(json!({ "error": { "code": code, "message": message } })),
        )
            .into_response();
        if matches!(self, WebError::Unauthorized) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"pdca\""),
            );
        }
        response.extensions_mut().insert(ErrorInfo {
            code,
            message,
            internal,
        });
        response
    }
}

impl From<QueryRejection> for WebError {
    fn from(rejection: QueryRejection) -> Self {
        WebError::BadRequest {
            param: "query".to_owned(),
            message: rejection.body_text(),
        }
    }
}

impl From<FormRejection> for WebError {
    fn from(rejection: FormRejection) -> Self {
        WebError::BadRequest {
            param: "form".to_owned(),
            message: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for WebError {
    fn from(rejection: PathRejection) -> Self {
        WebError::BadRequest {
            param: "path".to_owned(),
            message: rejection.body_text(),
        }
    }
}

impl From<tokio::task::JoinError> for WebError {
    fn from(e: tokio::task::JoinError) -> Self {
        WebError::Internal(format!("a blocking task failed: {e}"))
    }
}

impl From<pdca_app::follow_up::ViewError> for WebError {
    fn from(e: pdca_app::follow_up::ViewError) -> Self {
        use pdca_app::follow_up::ViewError;
        match e {
            ViewError::Store(e) => WebError::Store(e),
            ViewError::Evaluation(e) => WebError::BadRequest {
                param: "fy".to_owned(),
                message: e.to_string(),
            },
        }
    }
}

impl From<pdca_app::open_data::OpenDataError> for WebError {
    fn from(e: pdca_app::open_data::OpenDataError) -> Self {
        match e {
            pdca_app::open_data::OpenDataError::Store(e) => WebError::Store(e),
            e => WebError::Internal(e.to_string()),
        }
    }
}

impl From<pdca_app::accounts::AccountError> for WebError {
    fn from(e: pdca_app::accounts::AccountError) -> Self {
        WebError::Internal(e.to_string())
    }
}
