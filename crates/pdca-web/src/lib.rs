//! The pdca web application: the dashboard, project and indicator pages for the people who run
//! the follow-up, sign-in with sessions kept in the database, and the JSON API under `/api/v1`.
//!
//! Startup is a value: [`Application::build`] binds the listener (port 0 picks a free port) and
//! [`Application::run_until_stopped`] serves until Ctrl-C or SIGTERM. [`app`] gives the router
//! alone, for tests that call it without a socket. Nothing that matters lives in the process:
//! sessions, sign-in failures and everything else are in the database, so several processes on
//! one PostgreSQL database behave as one application.
//!
//! ```no_run
//! # async fn serve() -> Result<(), pdca_web::WebError> {
//! let store = pdca_store::Store::open("pdca.sqlite3").await?;
//! let config = pdca_web::Config::new("127.0.0.1:8080".parse().expect("an address"));
//! let application = pdca_web::Application::build(store, config).await?;
//! println!("http://127.0.0.1:{}/", application.port());
//! application.run_until_stopped().await
//! # }
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod api;
mod api_rounds;
mod api_write;
mod approval;
mod auth;
mod cache;
mod chart;
mod entry;
mod error;
pub mod i18n;
mod middleware;
mod open_data;
mod openapi;
mod pages;
mod rounds;
mod setup;
mod signin;
mod upload;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use pdca_store::Store;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use auth::{AuthVia, CurrentUser};
pub use cache::{EvaluationCache, EvaluationCount};
pub use error::WebError;
pub use openapi::{API_ROUTES, ApiRoute, openapi_document};

/// How the application is served.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free port (see [`Application::port`]).
    pub addr: SocketAddr,
    /// A session unused for this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute: Duration,
    /// Whether cookies carry `Secure` (set when the application is served over TLS, usually by
    /// a reverse proxy in front of it).
    pub secure_cookies: bool,
}

impl Config {
    /// The defaults for `addr`: sessions end after 30 minutes idle or 12 hours, cookies without
    /// `Secure` (plain HTTP on a local address).
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            secure_cookies: false,
        }
    }
}

/// What every handler shares: the store, the configuration and the evaluations computed for
/// the current data (see [`EvaluationCache`]). Cloning is cheap.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The pdca database.
    pub store: Store,
    /// How the application is served.
    pub config: Arc<Config>,
    /// Evaluations of the data as it is now, checked against the database on every read.
    pub cache: Arc<EvaluationCache>,
}

impl AppState {
    /// The state for `store` and `config`.
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            cache: Arc::default(),
        }
    }
}

/// Requests taking longer than this are answered 408; no page should come near it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole application as a router: pages, sign-in, the API, the health check and the static
/// style sheet, with the security headers, error rendering, tracing and a request timeout.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/static/pdca.css", get(stylesheet))
        .merge(signin::router())
        .merge(pages::router())
        .merge(entry::router())
        .merge(upload::router())
        .merge(approval::router())
        .merge(rounds::router())
        .merge(open_data::router())
        .merge(admin::router())
        .merge(setup::router())
        .merge(api::router())
        .fallback(not_found)
        .with_state(state);
    middleware::security_headers(
        routes
            .layer(axum::middleware::from_fn(middleware::render_errors))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                REQUEST_TIMEOUT,
            ))
            .layer(TraceLayer::new_for_http()),
    )
}

/// `GET /healthz`: 200 "ok" without signing in, for load balancers and the load test.
async fn healthz() -> &'static str {
    "ok"
}

/// The one style sheet, served from the binary.
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/pdca.css"),
    )
}

async fn not_found() -> WebError {
    WebError::NotFound("ページ".to_owned())
}

/// A bound, ready-to-serve application.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    port: u16,
    router: Router,
    evaluations: EvaluationCount,
}

impl Application {
    /// Binds `config.addr` and builds the application over `store`.
    pub async fn build(store: Store, config: Config) -> Result<Application, WebError> {
        let listener = TcpListener::bind(config.addr).await?;
        let port = listener.local_addr()?.port();
        let state = AppState::new(store, config);
        let evaluations = state.cache.count();
        let router = app(state);
        Ok(Application {
            listener,
            port,
            router,
            evaluations,
        })
    }

    /// The port listened on (the one chosen when the configuration asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How many evaluations the application has computed (reads the cache could not answer).
    pub fn evaluations_computed(&self) -> EvaluationCount {
        self.evaluations.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight and returns.
    pub async fn run_until_stopped(self) -> Result<(), WebError> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await?;
        Ok(())
    }
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM. A signal handler that cannot be installed never
/// resolves, so the other still stops the server.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
