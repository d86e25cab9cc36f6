//! Who is asking: the signed-in user from the session cookie or an API bearer token, the role
//! checks, and the CSRF token every state-changing form carries.
//!
//! Every write route names who may call it in its signature with [`Permitted`], an extractor
//! that runs before the body is read: a role that may not write there is refused (403) whatever
//! it sends, never told first that its body is malformed (400). What only a signed-in browser
//! may do (managing API tokens) takes [`SessionUser`], which refuses bearer tokens.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, SameSite};
use pdca_core::access::Role;
use pdca_store::{DataVersion, User};

use crate::{AppState, WebError};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "pdca_session";

/// The prefix of every API token.
const TOKEN_PREFIX: &str = "pdca_";

/// How the user was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    /// The session cookie of a signed-in browser.
    Session,
    /// An API bearer token (`Authorization: Bearer pdca_…`).
    Token,
}

/// The user making the request. As an extractor it refuses requests without a valid session
/// or token ([`WebError::Unauthorized`]: a redirect to the sign-in page for pages, 401 for the
/// API), and a browser whose user must still change the one-time password
/// ([`WebError::PasswordChangeRequired`]).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The account.
    pub user: User,
    /// The session's CSRF token, which forms must send back; none for API tokens.
    pub csrf_token: Option<String>,
    /// Session or token.
    pub via: AuthVia,
    /// The database's data version, read with the session or the token in the same query, for
    /// the evaluation cache's check.
    pub(crate) data_version: Option<DataVersion>,
}

impl CurrentUser {
    /// The user's role.
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// Refuses unless the user holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), WebError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// Refuses a form whose `csrf` field is not this session's token. Token-authenticated
    /// requests carry no cookie a third-party site could ride on, so they need none.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        match (&self.via, &self.csrf_token) {
            (AuthVia::Token, _) => Ok(()),
            (AuthVia::Session, Some(expected)) if same_secret(expected, submitted) => Ok(()),
            _ => Err(WebError::Csrf),
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let current = authenticate(parts, state).await?;
        if current.via == AuthVia::Session && current.user.must_change_password {
            return Err(WebError::PasswordChangeRequired);
        }
        Ok(current)
    }
}

/// A signed-in user who may still have to change the one-time password: for the password page
/// and signing out, the only things such a user can do.
#[derive(Debug, Clone)]
pub(crate) struct AnyUser(pub CurrentUser);

impl FromRequestParts<AppState> for AnyUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        authenticate(parts, state).await.map(AnyUser)
    }
}

/// A set of roles allowed to call a write route, named by a type so that a handler's signature
/// says who may call it (see [`Permitted`]).
pub(crate) trait Writers {
    /// The roles allowed.
    const ROLES: &'static [Role];
}

/// The sets of roles of the write routes.
pub(crate) mod who {
    use super::{Role, Writers};

    /// The secretariat only: accounts, approval, locking, plans, rounds, meetings, clauses.
    #[derive(Debug)]
    pub(crate) struct Secretariat;
    impl Writers for Secretariat {
        const ROLES: &'static [Role] = &[Role::Secretariat];
    }

    /// Who enters, uploads and submits actuals: the secretariat and the bodies.
    #[derive(Debug)]
    pub(crate) struct Reporters;
    impl Writers for Reporters {
        const ROLES: &'static [Role] = &[Role::Secretariat, Role::Body];
    }

    /// Who records the committee's ratings: the secretariat and committee members.
    #[derive(Debug)]
    pub(crate) struct Raters;
    impl Writers for Raters {
        const ROLES: &'static [Role] = &[Role::Secretariat, Role::Committee];
    }

    /// Who adds some kind of round item (which kinds is `rounds::may_add`): everyone but
    /// viewers.
    #[derive(Debug)]
    pub(crate) struct Contributors;
    impl Writers for Contributors {
        const ROLES: &'static [Role] = &[Role::Secretariat, Role::Committee, Role::Body];
    }
}

/// The signed-in user, refused with [`WebError::Forbidden`] unless the role is one of `W`'s.
/// Placed before the body extractor in a handler's arguments, it runs before the body is read.
#[derive(Debug, Clone)]
pub(crate) struct Permitted<W>(pub CurrentUser, pub PhantomData<W>);

impl<W: Writers> FromRequestParts<AppState> for Permitted<W> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        user.require(W::ROLES)?;
        Ok(Permitted(user, PhantomData))
    }
}

/// The user of a signed-in browser session: an API bearer token is refused
/// ([`WebError::Forbidden`]), so a token can neither mint nor revoke tokens, and every write
/// needs the session's CSRF token.
#[derive(Debug, Clone)]
pub(crate) struct SessionUser(pub CurrentUser);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.via != AuthVia::Session {
            return Err(WebError::Forbidden);
        }
        Ok(SessionUser(user))
    }
}

/// The user behind the bearer token if the request has an `Authorization` header (a bad one is
/// refused even when a session cookie is present), else behind the session cookie. The user is
/// kept in the request's extensions, so that a route layer and the handler look it up once.
async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<CurrentUser, WebError> {
    if let Some(known) = parts.extensions.get::<CurrentUser>() {
        return Ok(known.clone());
    }
    let current = lookup(parts, state).await?;
    parts.extensions.insert(current.clone());
    Ok(current)
}

/// [`authenticate`] without the memo.
async fn lookup(parts: &Parts, state: &AppState) -> Result<CurrentUser, WebError> {
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|s| s.starts_with(TOKEN_PREFIX))
            .ok_or(WebError::Unauthorized)?;
        // Through the same read path and memo as a session: no write while the token's last
        // use was recorded less than a minute ago.
        let (_, user, version) = state
            .store
            .api_token_user_with_data_version(secret)
            .await?
            .ok_or(WebError::Unauthorized)?;
        return Ok(CurrentUser {
            user,
            csrf_token: None,
            via: AuthVia::Token,
            data_version: Some(version),
        });
    }
    let id = session_id(&parts.headers).ok_or(WebError::Unauthorized)?;
    let (session, user, version) = state
        .store
        .session_with_data_version(
            &id,
            state.config.session_idle,
            state.config.session_absolute,
        )
        .await?
        .ok_or(WebError::Unauthorized)?;
    Ok(CurrentUser {
        user,
        csrf_token: Some(session.csrf_token),
        via: AuthVia::Session,
        data_version: Some(version),
    })
}

/// The session id in the request's cookie, if any.
pub(crate) fn session_id(headers: &HeaderMap) -> Option<String> {
    crate::frame::view::request_cookie(headers, SESSION_COOKIE).filter(|v| !v.is_empty())
}

/// The session cookie: HttpOnly, SameSite=Lax, Path=/, Secure when served over TLS, and no
/// expiry (the server ends sessions; the browser forgets the cookie when it closes).
pub(crate) fn session_cookie(id: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, id))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(secure)
        .build()
}

/// A cookie that makes the browser forget `name` at `path`.
pub(crate) fn removal_cookie(name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, "")).path(path).build();
    cookie.make_removal();
    cookie
}

/// Compares two secrets in time that does not depend on where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random 256-bit secret as 64 hex digits.
pub(crate) fn random_secret() -> Result<String, WebError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| WebError::Internal(format!("no randomness from the system: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn random_secrets_are_long_and_differ() {
        let (a, b) = (random_secret().ok(), random_secret().ok());
        assert_eq!(a.as_ref().map(String::len), Some(64));
        assert_ne!(a, b);
    }
}
