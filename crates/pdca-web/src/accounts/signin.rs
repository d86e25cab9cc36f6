//! Signing in and out, the forced change of a one-time password, and the language switch.
//!
//! The sign-in form has no session to hold its CSRF token yet, so it uses a double-submit
//! cookie: the form's hidden `csrf` field must equal the `pdca_signin_csrf` cookie, which another
//! site can neither read nor set. Failed sign-ins are counted in the database per account and
//! per client address; after five within 15 minutes either is refused until the window passes.
//! Each guess is counted before its password is checked, in one transaction with the count
//! (`Store::reserve_sign_in_attempt`), so guesses sent in parallel, to one or several
//! processes, get no more than five checks per account and address; a successful sign-in takes
//! its attempt back.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use pdca_app::accounts::{PasswordProblem, check_password};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::frame::auth::{
    AnyUser, AuthVia, SESSION_COOKIE, random_secret, removal_cookie, same_secret, session_cookie,
    session_id,
};
use crate::frame::i18n::Lang;
use crate::frame::view::{AppForm, AppPath, AppQuery, Chrome, Here, LANG_COOKIE, is_local_path};
use crate::{AppState, WebError};

/// The cookie holding the sign-in form's CSRF token.
const SIGNIN_CSRF_COOKIE: &str = "pdca_signin_csrf";

/// Failures within [`FAILURE_WINDOW`] after which sign-in is refused.
const MAX_FAILURES: u32 = 5;

/// How far back failed sign-ins count.
const FAILURE_WINDOW: time::Duration = time::Duration::minutes(15);

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/signin", get(sign_in_page).post(sign_in))
        .route("/signout", post(sign_out))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/lang/{code}", get(switch_language))
}

#[derive(Template)]
#[template(path = "accounts/signin.html")]
struct SignInPage {
    c: Chrome,
    title: &'static str,
    csrf: String,
    next: String,
    name: String,
    error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
struct SignInQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    name: String,
    password: String,
    csrf: String,
    next: String,
}

/// The client's address, when the server was started with connection info.
struct PeerAddr(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        ))
    }
}

/// What the sign-in form shows besides its fields: the status, the name typed, where to go
/// after signing in, and why the last attempt failed.
struct SignInState {
    status: StatusCode,
    name: String,
    next: String,
    error: Option<&'static str>,
}

/// The sign-in form with a fresh CSRF token in the form and in its cookie.
fn sign_in_form(
    state: &AppState,
    lang: Lang,
    here: &Here,
    jar: CookieJar,
    shown: SignInState,
) -> Result<Response, WebError> {
    let token = random_secret()?;
    let cookie = Cookie::build((SIGNIN_CSRF_COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/signin")
        .secure(state.config.secure_cookies)
        .build();
    let t = lang.text();
    let page = SignInPage {
        c: Chrome::new(lang, None, here),
        title: t.sign_in_title,
        csrf: token,
        next: if is_local_path(&shown.next) {
            shown.next
        } else {
            String::new()
        },
        name: shown.name,
        error: shown.error,
    };
    Ok((shown.status, jar.add(cookie), Html(page.render()?)).into_response())
}

async fn sign_in_page(
    State(state): State<AppState>,
    lang: Lang,
    here: Here,
    jar: CookieJar,
    AppQuery(query): AppQuery<SignInQuery>,
) -> Result<Response, WebError> {
    let next = query.next.unwrap_or_default();
    let shown = SignInState {
        status: StatusCode::OK,
        name: String::new(),
        next,
        error: None,
    };
    sign_in_form(&state, lang, &here, jar, shown)
}

async fn sign_in(
    State(state): State<AppState>,
    lang: Lang,
    here: Here,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    jar: CookieJar,
    AppForm(form): AppForm<SignInForm>,
) -> Result<Response, WebError> {
    let t = lang.text();
    let name = form.name.trim().to_owned();
    let refuse = |jar, status, error| {
        let shown = SignInState {
            status,
            name: name.clone(),
            next: form.next.clone(),
            error: Some(error),
        };
        sign_in_form(&state, lang, &here, jar, shown)
    };
    let cookie_token = jar.get(SIGNIN_CSRF_COOKIE).map(|c| c.value().to_owned());
    if !cookie_token.is_some_and(|c| !c.is_empty() && same_secret(&c, &form.csrf)) {
        return refuse(jar, StatusCode::FORBIDDEN, t.sign_in_form_expired);
    }
    let store = &state.store;
    let account_key = format!("account:{}", name.to_lowercase());
    let address_key = peer.map(|ip| format!("address:{ip}"));
    let since = (OffsetDateTime::now_utc() - FAILURE_WINDOW)
        .format(&Rfc3339)
        .map_err(|e| WebError::Internal(format!("cannot format a time: {e}")))?;
    let mut keys = vec![account_key.as_str()];
    keys.extend(address_key.as_deref());
    let Some(attempt) = store
        .reserve_sign_in_attempt(&keys, &since, MAX_FAILURES)
        .await?
    else {
        tracing::warn!(account = %name, address = ?peer, "sign-in refused: too many failures");
        return refuse(jar, StatusCode::TOO_MANY_REQUESTS, t.sign_in_rate_limited);
    };
    let user = store.user_by_name(&name).await?;
    let hash = match &user {
        Some(u) if !u.disabled => u.password_hash.clone(),
        // Verify against a hash all the same, so that an unknown name takes as long as a
        // wrong password and does not reveal which names exist.
        _ => dummy_hash().await?,
    };
    let password = form.password.clone();
    let verified = tokio::task::spawn_blocking(move || {
        password_auth::verify_password(password, &hash).is_ok()
    })
    .await?;
    let user = match user {
        Some(u) if verified && !u.disabled => u,
        _ => {
            // The attempt reserved above stays, counted as a failure for the account and the
            // address.
            tracing::info!(account = %name, address = ?peer, "sign-in failed");
            return refuse(jar, StatusCode::UNAUTHORIZED, t.sign_in_failed);
        }
    };
    store.clear_sign_in_failures(&account_key).await?;
    store.forget_sign_in_attempt(attempt).await?;
    // A new session id at every sign-in: an id planted before sign-in is worth nothing.
    if let Some(old) = session_id(&headers) {
        store.delete_session(&old).await?;
    }
    let session = store
        .create_session(user.id, std::time::SystemTime::now())
        .await?;
    let jar = jar
        .add(session_cookie(session.id, state.config.secure_cookies))
        .remove(removal_cookie(SIGNIN_CSRF_COOKIE, "/signin"));
    tracing::info!(user = %user.name, "signed in");
    let to = if user.must_change_password {
        "/account/password".to_owned()
    } else if is_local_path(&form.next) {
        form.next
    } else {
        "/".to_owned()
    };
    Ok((jar, Redirect::to(&to)).into_response())
}

/// A hash of a password nobody has, made once per process.
async fn dummy_hash() -> Result<String, WebError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash.clone());
    }
    let hash = tokio::task::spawn_blocking(|| {
        password_auth::generate_hash("no account has this password, it only takes time")
    })
    .await?;
    Ok(DUMMY.get_or_init(|| hash).clone())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    AnyUser(current): AnyUser,
    headers: HeaderMap,
    jar: CookieJar,
    AppForm(form): AppForm<CsrfForm>,
) -> Result<Response, WebError> {
    current.check_csrf(&form.csrf)?;
    if let Some(id) = session_id(&headers) {
        state.store.delete_session(&id).await?;
    }
    let jar = jar.remove(removal_cookie(SESSION_COOKIE, "/"));
    Ok((jar, Redirect::to("/signin")).into_response())
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct PasswordPage {
    c: Chrome,
    title: &'static str,
    must_change: bool,
    error: Option<&'static str>,
}

fn password_form(
    lang: Lang,
    here: &Here,
    current: &crate::CurrentUser,
    status: StatusCode,
    error: Option<&'static str>,
) -> Result<Response, WebError> {
    let page = PasswordPage {
        c: Chrome::new(lang, Some(current), here),
        title: lang.text().password_title,
        must_change: current.user.must_change_password,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn password_page(
    lang: Lang,
    here: Here,
    AnyUser(current): AnyUser,
) -> Result<Response, WebError> {
    if current.via != AuthVia::Session {
        return Err(WebError::Forbidden);
    }
    password_form(lang, &here, &current, StatusCode::OK, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    here: Here,
    AnyUser(current): AnyUser,
    jar: CookieJar,
    AppForm(form): AppForm<PasswordForm>,
) -> Result<Response, WebError> {
    if current.via != AuthVia::Session {
        return Err(WebError::Forbidden);
    }
    current.check_csrf(&form.csrf)?;
    let t = lang.text();
    let refuse = |error| password_form(lang, &here, &current, StatusCode::BAD_REQUEST, Some(error));
    let hash = current.user.password_hash.clone();
    let given = form.current.clone();
    let verified =
        tokio::task::spawn_blocking(move || password_auth::verify_password(given, &hash).is_ok())
            .await?;
    if !verified {
        return refuse(t.password_wrong_current);
    }
    if let Err(problem) = check_password(&form.new, &current.user.name) {
        return refuse(password_problem_text(lang, problem));
    }
    if form.new != form.confirm {
        return refuse(t.password_mismatch);
    }
    if form.new == form.current {
        return refuse(t.password_not_new);
    }
    let new = form.new;
    let hash = tokio::task::spawn_blocking(move || password_auth::generate_hash(new)).await?;
    let store = &state.store;
    let name = current.user.name.clone();
    store.set_password_hash(&name, &hash, false, &name).await?;
    // Every other session of the account ends; this browser gets a new one.
    store.delete_sessions_of(current.user.id).await?;
    let session = store
        .create_session(current.user.id, std::time::SystemTime::now())
        .await?;
    tracing::info!(user = %name, "password changed");
    let jar = jar.add(session_cookie(session.id, state.config.secure_cookies));
    Ok((jar, Redirect::to("/")).into_response())
}

/// Why a new password is refused (the rule is `pdca_app::accounts::check_password`, the same
/// as the CLI's), in the page's language.
fn password_problem_text(lang: Lang, problem: PasswordProblem) -> &'static str {
    let t = lang.text();
    match problem {
        PasswordProblem::Blank => t.password_blank,
        PasswordProblem::OneCharacter => t.password_one_character,
        PasswordProblem::SameAsName => t.password_same_as_name,
        PasswordProblem::TooShort => t.password_too_short,
        PasswordProblem::Weak => t.password_weak,
    }
}

#[derive(Debug, Default, Deserialize)]
struct SwitchQuery {
    next: Option<String>,
}

/// `GET /lang/{ja|en}?next=…`: remembers the language in a cookie and goes back.
async fn switch_language(
    AppPath(code): AppPath<String>,
    jar: CookieJar,
    AppQuery(query): AppQuery<SwitchQuery>,
) -> Result<Response, WebError> {
    let lang = Lang::from_code(&code).ok_or_else(|| WebError::NotFound("言語".to_owned()))?;
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365))
        .build();
    let next = query
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".to_owned());
    Ok((jar.add(cookie), Redirect::to(&next)).into_response())
}
