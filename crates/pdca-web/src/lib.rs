//! The pdca web application: the dashboard, project and indicator pages for the people who run
//! the follow-up, sign-in with sessions kept in the database, and the JSON API under `/api/v1`.
//!
//! Startup is a value: [`Application::build`] binds the listener (port 0 picks a free port) and
//! [`Application::run_until_stopped`] serves until Ctrl-C or SIGTERM. [`app`] gives the router
//! alone, for tests that call it without a socket. Nothing that matters lives in the process:
//! sessions, sign-in failures and everything else are in the database, so several processes on
//! one PostgreSQL database behave as one application.
//!
//! Serving is hyper's HTTP/1 connection with limits that a slow or idle client cannot get
//! around: at most [`Config::max_connections`] connections at once (beyond that, new ones wait
//! in the listen queue until one ends), and a connection that has not sent a request's whole
//! header within [`Config::header_read_timeout`] — a first request, or the next one on a
//! kept-alive connection — is closed. Once the header is read, a 30-second timeout bounds the
//! rest.
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

mod accounts;
mod achievements;
mod actuals;
mod follow_up;
mod frame;
mod help;
mod open_data;
mod openapi;
mod plans;
mod progress;
mod tasks;

use frame::{auth, cache, middleware};

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use pdca_store::Store;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate as _, SizeAbove};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use auth::{AuthVia, CurrentUser};
pub use cache::{EvaluationCache, EvaluationCount};
pub use frame::error::WebError;
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
    /// A connection that has not sent a request's whole header this long after it opened, or
    /// after its previous response (keep-alive), is closed.
    pub header_read_timeout: Duration,
    /// The most connections served at once; further ones wait, unaccepted, until one closes.
    pub max_connections: usize,
}

impl Config {
    /// The defaults for `addr`: sessions end after 30 minutes idle or 12 hours, cookies without
    /// `Secure` (plain HTTP on a local address), 5 seconds to send a request's header, at most
    /// 512 connections at once.
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            secure_cookies: false,
            header_read_timeout: Duration::from_secs(5),
            max_connections: 512,
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
/// style sheet and script, with the security headers, error rendering, compression, tracing and
/// a request timeout.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/static/pdca.css", get(stylesheet))
        .route("/static/forms.js", get(forms_script))
        .merge(accounts::signin::router())
        .merge(progress::pages::router())
        .merge(actuals::entry::router())
        // Uploads are for the secretariat and the bodies, refused to others before their
        // multipart body is looked at (the handlers' `Multipart` would answer 400 first).
        .merge(actuals::upload::router().route_layer(
            axum::middleware::from_extractor_with_state::<auth::Permitted<auth::who::Reporters>, _>(
                state.clone(),
            ),
        ))
        .merge(actuals::approval::router())
        .merge(follow_up::router())
        .merge(tasks::router())
        .merge(open_data::router())
        .merge(help::router())
        .merge(accounts::admin::router())
        .merge(plans::setup::router())
        .merge(plans::draft::router())
        .merge(achievements::router())
        .merge(openapi::router())
        .fallback(not_found)
        .with_state(state);
    middleware::security_headers(
        routes
            .layer(axum::middleware::from_fn(middleware::render_errors))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                REQUEST_TIMEOUT,
            ))
            // Outside the error rendering, so error pages are compressed too; the entity tag of
            // a compressed body is made weak outside it.
            .layer(compression())
            .layer(axum::middleware::map_response(
                frame::etag::weaken_when_encoded,
            ))
            .layer(TraceLayer::new_for_http()),
    )
}

/// Bodies smaller than this are sent as they are: compressing them saves nothing.
const COMPRESS_ABOVE: u16 = 256;

/// gzip or brotli, as the client's `Accept-Encoding` prefers, for text (HTML, JSON, CSV, CSS,
/// JavaScript, Markdown) of at least [`COMPRESS_ABOVE`] bytes; never for files that are
/// compressed already (PDF, XLSX and other zips, images, opaque uploads) or event streams.
fn compression() -> CompressionLayer<impl tower_http::compression::Predicate> {
    let predicate = SizeAbove::new(COMPRESS_ABOVE.into())
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/gzip"))
        .and(NotForContentType::const_new("application/octet-stream"));
    CompressionLayer::new()
        .gzip(true)
        .br(true)
        .no_deflate()
        .no_zstd()
        .compress_when(predicate)
}

/// `GET /healthz`: 200 "ok" without signing in, for load balancers and the load test.
async fn healthz() -> &'static str {
    "ok"
}

/// The one style sheet, served from the binary: the frame's styles (`static/pdca.css`, on the
/// Digital Agency design tokens) followed by each feature's own.
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        concat!(
            include_str!("../static/dads-tokens.css"),
            include_str!("../static/pdca.css"),
            include_str!("accounts/accounts.css"),
            include_str!("achievements/achievements.css"),
            include_str!("actuals/actuals.css"),
            include_str!("follow_up/follow_up.css"),
            include_str!("open_data/open_data.css"),
            include_str!("plans/plans.css"),
            include_str!("progress/progress.css"),
            include_str!("tasks/tasks.css"),
            include_str!("help/help.css"),
        ),
    )
}

/// `GET /static/forms.js`: the frame's script on every page, warning before leaving a page while
/// a form marked `data-warn-unsaved` holds unsaved changes (`frame/forms.js`).
async fn forms_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("frame/forms.js"),
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
    header_read_timeout: Duration,
    max_connections: usize,
}

impl Application {
    /// Binds `config.addr` and builds the application over `store`.
    pub async fn build(store: Store, config: Config) -> Result<Application, WebError> {
        let listener = TcpListener::bind(config.addr).await?;
        let port = listener.local_addr()?.port();
        // On PostgreSQL, the read every request makes is answered from memory while nothing
        // changes; without the database's notifications every request asks it (slower, never
        // stale).
        if let Err(e) = store.watch_changes().await {
            tracing::warn!(
                "PostgreSQL の変更通知（LISTEN）を受けられないため、要求ごとにデータベースを読みます: {e}"
            );
        }
        let (header_read_timeout, max_connections) =
            (config.header_read_timeout, config.max_connections.max(1));
        let state = AppState::new(store, config);
        let evaluations = state.cache.count();
        let router = app(state);
        Ok(Application {
            listener,
            port,
            router,
            evaluations,
            header_read_timeout,
            max_connections,
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
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` resolves, then stops accepting, closes idle connections, finishes
    /// the requests in flight and returns. Each connection is served by hyper's HTTP/1 with the
    /// header-read timeout, within the bound on connections (see the module documentation);
    /// requests carry the client's address as `ConnectInfo<SocketAddr>`.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> Result<(), WebError> {
        let Application {
            listener,
            router,
            header_read_timeout,
            max_connections,
            ..
        } = self;
        let permits = Arc::new(Semaphore::new(max_connections));
        let graceful = GracefulShutdown::new();
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .keep_alive(true);
        let mut stop = pin!(stop);
        loop {
            // A connection is accepted only with a permit: at the bound, new connections wait
            // in the listen queue until one ends.
            let permit = tokio::select! {
                () = &mut stop => break,
                permit = Arc::clone(&permits).acquire_owned() => permit
                    .map_err(|e| WebError::Internal(format!("connection permits: {e}")))?,
            };
            let (stream, peer) = tokio::select! {
                () = &mut stop => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        accept_failed(&e).await;
                        continue;
                    }
                },
            };
            // Small responses go out at once; a failure here only costs latency.
            let _ = stream.set_nodelay(true);
            let router = router.clone();
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request)
            });
            let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(address = %peer, "connection ended: {e}");
                }
                drop(permit);
            });
        }
        drop(listener);
        graceful.shutdown().await;
        Ok(())
    }
}

/// After a failed `accept`: a connection that went away before it was accepted costs nothing;
/// anything else (such as running out of file descriptors) is logged and waited out briefly,
/// rather than retried at once in a busy loop.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!("cannot accept a connection: {e}");
    tokio::time::sleep(Duration::from_millis(200)).await;
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
