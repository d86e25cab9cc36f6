//! Administration and the account's own API tokens: the audit log (read-only) and the
//! accounts for the secretariat, and every user's API tokens, each secret shown once. Tokens
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
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{
    AppForm, AppPath, AppQuery, Chrome, Here, choose_plan, refused, showing_secret,
};
use crate::{AppState, WebError};

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(audit_page))
        .route("/account/tokens", get(tokens_page).post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/{name}/disable", post(disable_user))
        .route("/admin/users/{name}/enable", post(enable_user))
        .route("/admin/users/{name}/reset-password", post(reset_password))
}

/// How many entries of the audit log the page filters.
const AUDIT_LIMIT: u32 = 1000;

/// The kinds of change the audit page filters by: the part of `action` before the dot.
const AUDIT_ACTIONS: [&str; 6] = ["plan", "assignment", "user", "token", "actual", "actuals"];

/// A form carrying only the CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

// ---------------------------------------------------------------------------------------------
// The audit log

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    action: String,
    actor: String,
    subject: String,
}

struct AuditRow {
    at: String,
    actor: String,
    action: String,
    subject: String,
    old: String,
    new: String,
    note: String,
}

struct ActionOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// The name of a kind of change in the audit page's filter.
fn action_label(lang: Lang, kind: &str) -> &'static str {
    let t = lang.text();
    match kind {
        "plan" => t.audit_kind_plan,
        "assignment" => t.audit_kind_assignment,
        "user" => t.audit_kind_user,
        "token" => t.audit_kind_token,
        "actual" => t.audit_kind_actual,
        _ => t.audit_kind_actuals,
    }
}

#[derive(Template)]
#[template(path = "accounts/audit.html")]
struct AuditPage {
    c: Chrome,
    title: &'static str,
    actions: Vec<ActionOption>,
    actor: String,
    subject: String,
    rows: Vec<AuditRow>,
}

/// `GET /admin/audit[?action=KIND][&actor=NAME][&subject=TEXT]`: the audit log, newest first.
async fn audit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<AuditQuery>,
) -> Result<Html<String>, WebError> {
    user.require(&[Role::Secretariat])?;
    let action = query.action.trim();
    if !action.is_empty() && !AUDIT_ACTIONS.contains(&action) {
        return Err(WebError::BadRequest {
            param: "action".to_owned(),
            message: format!(
                "action は {} のいずれかにしてください",
                AUDIT_ACTIONS.join("、")
            ),
        });
    }
    let (actor, subject) = (query.actor.trim(), query.subject.trim());
    let rows = state
        .store
        .audit_log(AUDIT_LIMIT)
        .await?
        .into_iter()
        .filter(|e| {
            action.is_empty()
                || e.action
                    .strip_prefix(action)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
        .filter(|e| actor.is_empty() || e.actor == actor)
        .filter(|e| subject.is_empty() || e.subject.contains(subject))
        .map(|e| AuditRow {
            at: i18n::date_time(lang, &e.at),
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            old: e.old_value.unwrap_or_default(),
            new: e.new_value.unwrap_or_default(),
            note: e.note.unwrap_or_default(),
        })
        .collect();
    let page = AuditPage {
        c: Chrome::new(lang, Some(&user), &here),
        title: lang.text().audit_title,
        actions: AUDIT_ACTIONS
            .iter()
            .map(|&value| ActionOption {
                value,
                label: action_label(lang, value),
                selected: value == action,
            })
            .collect(),
        actor: actor.to_owned(),
        subject: subject.to_owned(),
        rows,
    };
    Ok(Html(page.render()?))
}

// ---------------------------------------------------------------------------------------------
// API tokens

struct TokenRow {
    id: i64,
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
    message: Option<&'static str>,
    error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

async fn render_tokens(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    secret: Option<String>,
    message: Option<&'static str>,
    error: Option<&'static str>,
) -> Result<String, WebError> {
    let tokens = state
        .store
        .list_api_tokens(user.user.id)
        .await?
        .into_iter()
        .rev()
        .map(|t| TokenRow {
            id: t.id,
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
    let message = (query.done == "revoked").then_some(lang.text().token_done_revoked);
    Ok(Html(
        render_tokens(&state, &user, lang, &here, None, message, None).await?,
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
    Ok(Redirect::to("/account/tokens?done=revoked").into_response())
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
    let users = state
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
    let message = match query.done.as_str() {
        "disabled" => Some(t.user_done_disabled.to_owned()),
        "enabled" => Some(t.user_done_enabled.to_owned()),
        _ => None,
    };
    let feedback = UsersFeedback {
        message,
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

async fn set_disabled(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    name: &str,
    csrf: &str,
    disabled: bool,
) -> Result<Response, WebError> {
    user.check_csrf(csrf)?;
    if disabled && name == user.user.name {
        let feedback = UsersFeedback {
            error: Some(lang.text().user_not_self.to_owned()),
            ..UsersFeedback::default()
        };
        let html = render_users(state, user, lang, here, feedback).await?;
        return Ok(refused(html));
    }
    state
        .store
        .set_user_disabled(name, disabled, &user.user.name)
        .await?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/admin/users?done={done}")).into_response())
}

/// `POST /admin/users/{name}/disable`: the user can no longer sign in; their sessions end.
async fn disable_user(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(name): AppPath<String>,
    AppForm(form): AppForm<CsrfForm>,
) -> Result<Response, WebError> {
    set_disabled(&state, &user, lang, &here, &name, &form.csrf, true).await
}

/// `POST /admin/users/{name}/enable`: the user may sign in again.
async fn enable_user(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(name): AppPath<String>,
    AppForm(form): AppForm<CsrfForm>,
) -> Result<Response, WebError> {
    set_disabled(&state, &user, lang, &here, &name, &form.csrf, false).await
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
