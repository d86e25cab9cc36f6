//! Administration and the account's own API tokens: the accounts for the secretariat (the
//! audit log is in [`super::audit`]), and every user's API tokens, each secret shown once. Tokens
//! are managed from a signed-in browser session only (with its CSRF token), never with a
//! token; resetting a password revokes the user's tokens.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use pdca_core::access::Role;
use pdca_store::{NewUser, StoreError};
use serde::Deserialize;

use pdca_app::accounts::{NewAccountError, check_account_body, hash_password, one_time_password};

use crate::frame::auth::{CurrentUser, Permitted, SessionUser, who};
use crate::frame::confirm::{Confirmation, is_confirmed};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{
    AppForm, AppPath, AppQuery, Chrome, Here, choose_plan, encode_query, refused, showing_secret,
};
use crate::{AppState, WebError};

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(super::audit::router())
        .route("/account/tokens", get(tokens_page).post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/{name}/disable", post(disable_user))
        .route("/admin/users/{name}/enable", post(enable_user))
        .route("/admin/users/{name}/reset-password", post(reset_password))
}

/// A form carrying only the CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

/// A form carrying the CSRF token and, once confirmed, `confirmed=1`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConfirmedForm {
    csrf: String,
    confirmed: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// API tokens

struct TokenRow {
    id: i64,
    /// Whether the notice is about this token.
    done: bool,
    name: String,
    created: String,
    last_used: String,
    revoked: String,
}

#[derive(Template)]
#[template(path = "accounts/tokens.html")]
struct TokensPage {
    c: Chrome,
    title: &'static str,
    tokens: Vec<TokenRow>,
    secret: Option<String>,
    message: Option<String>,
    error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
    /// The account the notice is about.
    name: String,
    /// The token the notice is about.
    id: Option<i64>,
}

async fn render_tokens(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    secret: Option<String>,
    done: Option<i64>,
    error: Option<&'static str>,
) -> Result<String, WebError> {
    let tokens: Vec<TokenRow> = state
        .store
        .list_api_tokens(user.user.id)
        .await?
        .into_iter()
        .rev()
        .map(|t| TokenRow {
            id: t.id,
            done: Some(t.id) == done,
            name: t.name,
            created: i18n::date_time(lang, &t.created_at),
            last_used: t
                .last_used_at
                .map(|at| i18n::date_time(lang, &at))
                .unwrap_or_default(),
            revoked: t
                .revoked_at
                .map(|at| i18n::date_time(lang, &at))
                .unwrap_or_default(),
        })
        .collect();
    let message = done.map(|id| {
        let t = lang.text();
        match tokens.iter().find(|row: &&TokenRow| row.id == id) {
            Some(row) => t.token_done_revoked_named.replace("{token}", &row.name),
            None => t.token_done_revoked.to_owned(),
        }
    });
    let page = TokensPage {
        c: Chrome::new(lang, Some(user), here),
        title: lang.text().tokens_title,
        tokens,
        secret,
        message,
        error,
    };
    Ok(page.render()?)
}

/// `GET /account/tokens`: the signed-in user's API tokens (a browser session only).
async fn tokens_page(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<DoneQuery>,
) -> Result<Html<String>, WebError> {
    let done = (query.done == "revoked").then_some(query.id.unwrap_or(0));
    Ok(Html(
        render_tokens(&state, &user, lang, &here, None, done, None).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    csrf: String,
    name: String,
}

/// `POST /account/tokens`: a new token named `name`; its secret is on this response only.
/// A browser session only: a token cannot mint tokens that would outlive it.
async fn create_token(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<TokenForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let name = form.name.trim();
    if name.is_empty() {
        let error = Some(lang.text().token_name_required);
        let html = render_tokens(&state, &user, lang, &here, None, None, error).await?;
        return Ok(refused(html));
    }
    let (_, secret) = state
        .store
        .create_api_token(user.user.id, name, &user.user.name)
        .await?;
    let html = render_tokens(&state, &user, lang, &here, Some(secret), None, None).await?;
    Ok(showing_secret(html))
}

/// `POST /account/tokens/{id}/revoke`: revokes one of the user's own tokens; another user's
/// token is not found. A browser session only.
async fn revoke_token(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    AppPath(id): AppPath<i64>,
    AppForm(form): AppForm<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let own = state
        .store
        .list_api_tokens(user.user.id)
        .await?
        .iter()
        .any(|t| t.id == id);
    if !own {
        return Err(WebError::NotFound(format!("API トークン（id {id}）")));
    }
    state.store.revoke_api_token(id, &user.user.name).await?;
    Ok(Redirect::to(&format!("/account/tokens?done=revoked&id={id}#token-{id}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Accounts

struct UserRow {
    name: String,
    /// The name as a URL path segment.
    path: String,
    role: &'static str,
    body: String,
    disabled: bool,
    must_change: bool,
    is_self: bool,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A one-time password shown once, and for whom.
struct Issued {
    name: String,
    password: String,
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    c: Chrome,
    title: &'static str,
    users: Vec<UserRow>,
    roles: Vec<Choice>,
    bodies: Vec<Choice>,
    name: String,
    issued: Option<Issued>,
    message: Option<String>,
    /// The account whose row shows the message (none: the message is at the top).
    done_name: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserForm {
    csrf: String,
    name: String,
    role: String,
    body: String,
}

/// What the users page shows besides the list.
#[derive(Default)]
struct UsersFeedback {
    form: UserForm,
    issued: Option<Issued>,
    message: Option<String>,
    /// The account the message is about, when it goes in its row.
    done_name: String,
    error: Option<String>,
}

async fn render_users(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    feedback: UsersFeedback,
) -> Result<String, WebError> {
    let plan_bodies = choose_plan(&state.store, None)
        .await
        .map(|p| p.bodies)
        .unwrap_or_default();
    let body_name = |id: &str| {
        plan_bodies
            .iter()
            .find(|b| b.id == id)
            .map_or_else(|| id.to_owned(), |b| b.name.clone())
    };
    let users: Vec<UserRow> = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            is_self: u.id == user.user.id,
            role: i18n::role_label(lang, u.role),
            body: u.body.as_deref().map(body_name).unwrap_or_default(),
            disabled: u.disabled,
            must_change: u.must_change_password,
            path: path_segment(&u.name),
            name: u.name,
        })
        .collect();
    let form = feedback.form;
    let done_name = if users.iter().any(|u: &UserRow| u.name == feedback.done_name) {
        feedback.done_name
    } else {
        String::new()
    };
    let page = UsersPage {
        c: Chrome::new(lang, Some(user), here),
        title: lang.text().users_title,
        users,
        roles: Role::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().to_owned(),
                label: i18n::role_label(lang, *r).to_owned(),
                selected: r.as_str() == form.role,
            })
            .collect(),
        bodies: plan_bodies
            .iter()
            .map(|b| Choice {
                value: b.id.clone(),
                label: b.name.clone(),
                selected: b.id == form.body,
            })
            .collect(),
        name: form.name,
        issued: feedback.issued,
        done_name,
        message: feedback.message,
        error: feedback.error,
    };
    Ok(page.render()?)
}

/// `GET /admin/users`: every account with its role, body and state.
async fn users_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<DoneQuery>,
) -> Result<Html<String>, WebError> {
    user.require(&[Role::Secretariat])?;
    let t = lang.text();
    let named = |template: &str, plain: &str| {
        if query.name.is_empty() {
            plain.to_owned()
        } else {
            template.replace("{name}", &query.name)
        }
    };
    let message = match query.done.as_str() {
        "disabled" => Some(named(t.user_done_disabled_named, t.user_done_disabled)),
        "enabled" => Some(named(t.user_done_enabled_named, t.user_done_enabled)),
        _ => None,
    };
    let feedback = UsersFeedback {
        message,
        done_name: query.name,
        ..UsersFeedback::default()
    };
    Ok(Html(
        render_users(&state, &user, lang, &here, feedback).await?,
    ))
}

/// A one-time password and its hash.
async fn issue_password() -> Result<(String, String), WebError> {
    let password = one_time_password()?;
    let hash = hash_password(password.clone()).await?;
    Ok((password, hash))
}

/// `POST /admin/users`: creates an account with a one-time password, shown on this response
/// only.
async fn create_user(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<UserForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let refuse = |form: UserForm, error: String| UsersFeedback {
        form,
        error: Some(error),
        ..UsersFeedback::default()
    };
    let Ok(role) = form.role.parse::<Role>() else {
        let feedback = refuse(form, lang.text().user_bad_role.to_owned());
        let html = render_users(&state, &user, lang, &here, feedback).await?;
        return Ok(refused(html));
    };
    let body = Some(form.body.trim().to_owned()).filter(|b| !b.is_empty());
    match check_account_body(&state.store, body.as_deref()).await {
        Ok(()) => {}
        Err(e @ NewAccountError::UnknownBody(_)) => {
            let feedback = refuse(form, e.to_string());
            let html = render_users(&state, &user, lang, &here, feedback).await?;
            return Ok(refused(html));
        }
        Err(NewAccountError::Store(e)) => return Err(e.into()),
    }
    let (password, hash) = issue_password().await?;
    let new = NewUser {
        name: form.name.clone(),
        role,
        body,
        password_hash: hash,
        must_change_password: true,
    };
    match state.store.create_user(&new, &user.user.name).await {
        Ok(created) => {
            let feedback = UsersFeedback {
                issued: Some(Issued {
                    name: created.name,
                    password,
                }),
                ..UsersFeedback::default()
            };
            let html = render_users(&state, &user, lang, &here, feedback).await?;
            Ok(showing_secret(html))
        }
        Err(e @ StoreError::Invalid(_)) => {
            let feedback = refuse(form, e.to_string());
            let html = render_users(&state, &user, lang, &here, feedback).await?;
            Ok(refused(html))
        }
        Err(e) => Err(e.into()),
    }
}

/// Where the users page shows `name`'s row, with the notice `done`.
fn user_row_location(name: &str, done: &str) -> String {
    format!(
        "/admin/users?{}#user-{}",
        encode_query([("done", done), ("name", name)].into_iter()),
        path_segment(name)
    )
}

#[allow(clippy::too_many_arguments)] // who, where, which account, and whether confirmed
async fn set_disabled(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    name: &str,
    form: &ConfirmedForm,
    disabled: bool,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if disabled && name == user.user.name {
        let feedback = UsersFeedback {
            error: Some(lang.text().user_not_self.to_owned()),
            ..UsersFeedback::default()
        };
        let html = render_users(state, user, lang, here, feedback).await?;
        return Ok(refused(html));
    }
    if disabled && !is_confirmed(form.confirmed.as_deref()) {
        let Some(target) = state.store.user_by_name(name).await? else {
            return Err(WebError::NotFound(format!("ユーザー「{name}」")));
        };
        // Disabling ends the sessions and stops the tokens (they are not revoked: enabling
        // the account again makes them work again).
        let tokens = state
            .store
            .list_api_tokens(target.id)
            .await?
            .iter()
            .filter(|t| t.revoked_at.is_none())
            .count();
        let t = lang.text();
        let with_name = |template: &str| template.replace("{name}", &target.name);
        let confirmation = Confirmation {
            c: Chrome::new(lang, Some(user), here),
            title: with_name(t.user_disable_title),
            consequence: if tokens == 0 {
                with_name(t.user_disable_consequence_no_tokens)
            } else {
                with_name(t.user_disable_consequence).replace("{n}", &tokens.to_string())
            },
            details: vec![
                t.user_disable_sessions.to_owned(),
                t.user_disable_undo.to_owned(),
            ],
            action: format!("/admin/users/{}/disable", path_segment(&target.name)),
            fields: vec![("csrf".to_owned(), form.csrf.clone())],
            confirm_label: with_name(t.user_disable_confirm),
            destructive: true,
            back_href: format!("/admin/users#user-{}", path_segment(&target.name)),
        };
        return Ok(confirmation.into_page()?);
    }
    state
        .store
        .set_user_disabled(name, disabled, &user.user.name)
        .await?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&user_row_location(name, done)).into_response())
}

/// `POST /admin/users/{name}/disable`: the user can no longer sign in; their sessions end and
/// their API tokens stop working. Without `confirmed=1`, the confirmation page first.
async fn disable_user(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(name): AppPath<String>,
    AppForm(form): AppForm<ConfirmedForm>,
) -> Result<Response, WebError> {
    set_disabled(&state, &user, lang, &here, &name, &form, true).await
}

/// `POST /admin/users/{name}/enable`: the user may sign in again.
async fn enable_user(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(name): AppPath<String>,
    AppForm(form): AppForm<ConfirmedForm>,
) -> Result<Response, WebError> {
    set_disabled(&state, &user, lang, &here, &name, &form, false).await
}

/// `POST /admin/users/{name}/reset-password`: a new one-time password, shown on this response
/// only; every session of the user ends and every API token of the user is revoked, as the
/// page says.
async fn reset_password(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(name): AppPath<String>,
    AppForm(form): AppForm<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let Some(target) = state.store.user_by_name(&name).await? else {
        return Err(WebError::NotFound(format!("ユーザー「{name}」")));
    };
    let (password, hash) = issue_password().await?;
    let reset = pdca_app::accounts::reset_password(
        &state.store,
        &target.name,
        &hash,
        true,
        &user.user.name,
    )
    .await?;
    let feedback = UsersFeedback {
        message: Some(i18n::tokens_revoked(
            lang,
            &target.name,
            reset.revoked_tokens,
        )),
        issued: Some(Issued {
            name: target.name,
            password,
        }),
        ..UsersFeedback::default()
    };
    let html = render_users(&state, &user, lang, &here, feedback).await?;
    Ok(showing_secret(html))
}

/// `text` percent-encoded for one URL path segment (everything but the unreserved characters).
pub(crate) fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_segment("amed-tanto"), "amed-tanto");
        assert_eq!(path_segment("a/b c?"), "a%2Fb%20c%3F");
        assert_eq!(path_segment("事"), "%E4%BA%8B");
    }
}
