//! Data entry by file: a CSV or XLSX file of actuals is read and checked with the same rules as
//! `pdca actuals import`, plus who may enter what; with any error every error is listed and
//! nothing is saved; otherwise a dry-run preview lists each row's old and new value. The
//! preview carries the file itself (base64) with a SHA-256 over the file, its name and the
//! session's CSRF token, so the apply step re-reads and re-checks exactly what was previewed,
//! on any server process, and a forged edit is refused. Applying records every row as a draft
//! in one transaction.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use pdca_core::Plan;
use pdca_core::access::Role;
use pdca_core::import::{Field, ImportedActual, validate_rows};
use pdca_store::{NewActual, Visibility};
use sha2::{Digest, Sha256};

use crate::auth::{CurrentUser, same_secret};
use crate::entry::{editable, value_text};
use crate::i18n::{self, Lang};
use crate::view::{Chrome, Here, choose_plan, encode_query, refused};
use crate::{AppState, WebError};

/// The largest file accepted.
pub(crate) const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The largest request body: the file base64-encoded in the preview's form, with room to spare.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/entry/upload", post(upload))
        .route("/entry/upload/apply", post(apply))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// One error to list: where and what.
struct ErrorLine {
    file: String,
    row: String,
    column: String,
    text: String,
    message: String,
}

/// One row of the preview.
struct PreviewLine {
    row: usize,
    indicator: String,
    name: String,
    year: String,
    body: String,
    old: String,
    new: String,
}

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    c: Chrome,
    title: &'static str,
    file_name: String,
    plan_id: String,
    errors: Vec<ErrorLine>,
    rows: Vec<PreviewLine>,
    /// The file, base64, for the apply form.
    data: String,
    hash: String,
}

/// The form as sent: its text fields and the file (name and bytes).
#[derive(Default)]
pub(crate) struct UploadForm {
    pub(crate) fields: HashMap<String, String>,
    pub(crate) file: Option<(String, Vec<u8>)>,
}

/// Why the form could not be read.
pub(crate) enum FormProblem {
    TooLarge,
    Unreadable,
}

pub(crate) async fn read_form(mut multipart: Multipart) -> Result<UploadForm, FormProblem> {
    let mut form = UploadForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(FormProblem::TooLarge);
            }
            Err(_) => return Err(FormProblem::Unreadable),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(FormProblem::TooLarge);
            }
            Err(_) => return Err(FormProblem::Unreadable),
        };
        if name == "file" {
            if bytes.len() > MAX_FILE_BYTES {
                return Err(FormProblem::TooLarge);
            }
            form.file = Some((file_name.unwrap_or_default(), bytes.to_vec()));
        } else {
            form.fields
                .insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(form)
}

/// The SHA-256 (hex) binding the file's name and bytes to the session's CSRF token.
fn seal(name: &str, bytes: &[u8], csrf: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update((name.len() as u64).to_be_bytes());
    hasher.update(name.as_bytes());
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
    hasher.update(csrf.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The outcome of reading and checking a file.
enum Checked {
    Errors(Vec<ErrorLine>),
    Rows(Vec<ImportedActual>, Vec<PreviewLine>),
}

fn error_only(file: &str, message: String) -> Checked {
    Checked::Errors(vec![ErrorLine {
        file: file.to_owned(),
        row: String::new(),
        column: String::new(),
        text: String::new(),
        message,
    }])
}

/// Reads `bytes` as a table and checks every row: the import's rules, then that the user may
/// enter the row's indicator for the row's body and that its current value is still editable.
async fn check_file(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    plan: &Plan,
    file: &str,
    bytes: &[u8],
) -> Result<Checked, WebError> {
    let t = lang.text();
    let table = match pdca_interchange::read_table(file, bytes) {
        Ok(table) => table,
        Err(e) => return Ok(error_only(file, e.to_string())),
    };
    let shown_file = match &table.sheet {
        Some(sheet) => format!("{file} [{sheet}]"),
        None => file.to_owned(),
    };
    let current = state.store.actuals_as(&plan.id, Visibility::All).await?;
    let imported = match validate_rows(plan, &table.layout, &table.rows, &current) {
        Ok(rows) => rows,
        Err(errors) => {
            return Ok(Checked::Errors(
                errors
                    .into_iter()
                    .map(|e| ErrorLine {
                        file: shown_file.clone(),
                        row: e.row.to_string(),
                        column: e
                            .cell
                            .as_ref()
                            .map(|c| format!("{}「{}」", c.letter(), c.header))
                            .unwrap_or_default(),
                        text: e.text,
                        message: e.message,
                    })
                    .collect(),
            ));
        }
    };
    if imported.is_empty() {
        return Ok(error_only(&shown_file, t.upload_no_rows.to_owned()));
    }
    let latest: HashMap<(String, i32, String), _> = state
        .store
        .current_actuals_as(&plan.id, Visibility::All)
        .await?
        .into_iter()
        .map(|a| {
            (
                (
                    a.contribution.indicator.clone(),
                    a.contribution.year.year(),
                    a.contribution.body.clone(),
                ),
                a,
            )
        })
        .collect();
    let column_of = |field: Field| {
        table
            .layout
            .column(field)
            .or_else(|| table.layout.column(Field::IndicatorId))
            .map(|c| format!("{}「{}」", c.letter(), c.header))
            .unwrap_or_default()
    };
    let own_body = user.user.body.as_deref();
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for a in &imported {
        let c = &a.contribution;
        let indicator = plan
            .indicators()
            .map(|(_, i)| i)
            .find(|i| i.id == c.indicator);
        let assigned = indicator.is_some_and(|i| i.assignments.iter().any(|s| s.body == c.body));
        let mut refuse = |field: Field, text: &str, message: String| {
            errors.push(ErrorLine {
                file: shown_file.clone(),
                row: a.row.to_string(),
                column: column_of(field),
                text: text.to_owned(),
                message,
            });
        };
        let allowed = match user.role() {
            Role::Secretariat => assigned,
            Role::Body => own_body == Some(c.body.as_str()) && assigned,
            _ => false,
        };
        if user.role() == Role::Body && own_body != Some(c.body.as_str()) {
            refuse(Field::Body, &c.body, i18n::upload_other_body(lang, &c.body));
            continue;
        }
        if !allowed {
            refuse(
                Field::IndicatorId,
                &c.indicator,
                i18n::upload_not_assigned(lang, &c.indicator, &c.body),
            );
            continue;
        }
        let key = (c.indicator.clone(), c.year.year(), c.body.clone());
        let old = latest.get(&key);
        if !editable(user.role(), old.map(|o| o.state)) {
            refuse(
                Field::Value,
                &value_text(&c.value),
                t.upload_not_editable.to_owned(),
            );
            continue;
        }
        lines.push(PreviewLine {
            row: a.row,
            indicator: c.indicator.clone(),
            name: indicator.map(|i| i.name.clone()).unwrap_or_default(),
            year: i18n::fiscal_year(lang, c.year),
            body: plan
                .body(&c.body)
                .map_or_else(|| c.body.clone(), |b| b.name.clone()),
            old: old.map_or_else(
                || t.upload_none.to_owned(),
                |o| value_text(&o.contribution.value),
            ),
            new: value_text(&c.value),
        });
    }
    if errors.is_empty() {
        Ok(Checked::Rows(imported, lines))
    } else {
        Ok(Checked::Errors(errors))
    }
}

fn page(lang: Lang, user: &CurrentUser, here: &Here, plan_id: &str, file_name: &str) -> UploadPage {
    let t = lang.text();
    UploadPage {
        c: Chrome::new(lang, Some(user), here),
        title: t.upload_title,
        file_name: file_name.to_owned(),
        plan_id: plan_id.to_owned(),
        errors: Vec::new(),
        rows: Vec::new(),
        data: String::new(),
        hash: String::new(),
    }
}

fn problem_page(
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    problem: &FormProblem,
) -> Result<Response, WebError> {
    let t = lang.text();
    let (status, message) = match problem {
        FormProblem::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, t.upload_too_large),
        FormProblem::Unreadable => (StatusCode::BAD_REQUEST, t.upload_unreadable),
    };
    let mut p = page(lang, user, here, "", "");
    p.errors = vec![ErrorLine {
        file: String::new(),
        row: String::new(),
        column: String::new(),
        text: String::new(),
        message: message.to_owned(),
    }];
    Ok((status, Html(p.render()?)).into_response())
}

fn errors_page(
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    plan_id: &str,
    file_name: &str,
    errors: Vec<ErrorLine>,
) -> Result<Response, WebError> {
    let mut p = page(lang, user, here, plan_id, file_name);
    p.errors = errors;
    Ok(refused(p.render()?))
}

/// `POST /entry/upload` (multipart: `csrf`, optional `plan`, `file`): every error, or the
/// dry-run preview; nothing is saved.
async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    multipart: Multipart,
) -> Result<Response, WebError> {
    user.require(&[Role::Secretariat, Role::Body])?;
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(problem) => return problem_page(lang, &user, &here, &problem),
    };
    user.check_csrf(form.fields.get("csrf").map_or("", String::as_str))?;
    let plan = choose_plan(&state.store, form.fields.get("plan").map(String::as_str)).await?;
    let Some((name, bytes)) = form.file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        return problem_page(lang, &user, &here, &FormProblem::Unreadable);
    };
    match check_file(&state, lang, &user, &plan, &name, &bytes).await? {
        Checked::Errors(errors) => errors_page(lang, &user, &here, &plan.id, &name, errors),
        Checked::Rows(_, rows) => {
            let csrf = user.csrf_token.clone().unwrap_or_default();
            let mut p = page(lang, &user, &here, &plan.id, &name);
            p.hash = seal(&name, &bytes, &csrf);
            p.data = BASE64.encode(&bytes);
            p.rows = rows;
            Ok(Html(p.render()?).into_response())
        }
    }
}

/// `POST /entry/upload/apply` (multipart: `csrf`, `plan`, `name`, `data`, `hash`): re-reads
/// and re-checks the previewed file and records every row as a draft in one transaction.
async fn apply(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    multipart: Multipart,
) -> Result<Response, WebError> {
    user.require(&[Role::Secretariat, Role::Body])?;
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(problem) => return problem_page(lang, &user, &here, &problem),
    };
    let field = |name: &str| form.fields.get(name).map_or("", String::as_str);
    user.check_csrf(field("csrf"))?;
    let plan = choose_plan(&state.store, Some(field("plan")).filter(|p| !p.is_empty())).await?;
    let name = field("name");
    let tampered = || WebError::BadRequest {
        param: "hash".to_owned(),
        message: lang.text().upload_tampered.to_owned(),
    };
    let bytes = BASE64
        .decode(field("data").trim())
        .map_err(|_| tampered())?;
    let csrf = user.csrf_token.clone().unwrap_or_default();
    if bytes.len() > MAX_FILE_BYTES || !same_secret(&seal(name, &bytes, &csrf), field("hash")) {
        return Err(tampered());
    }
    let imported = match check_file(&state, lang, &user, &plan, name, &bytes).await? {
        Checked::Errors(errors) => {
            return errors_page(lang, &user, &here, &plan.id, name, errors);
        }
        Checked::Rows(imported, _) => imported,
    };
    let first = imported.first().map(|a| a.contribution.clone());
    let rows: Vec<NewActual> = imported
        .into_iter()
        .map(|a| NewActual {
            contribution: a.contribution,
            note: a.note,
            source: a.source,
            state: pdca_core::access::ActualState::Draft,
        })
        .collect();
    let n = state
        .store
        .record_actuals(&plan.id, &rows, &user.user.name)
        .await?;
    let count = n.to_string();
    let (fy, body) = first.map_or_else(Default::default, |c| (c.year.year().to_string(), c.body));
    let query = encode_query(
        [
            ("plan", plan.id.as_str()),
            ("fy", fy.as_str()),
            ("body", body.as_str()),
            ("done", "imported"),
            ("count", count.as_str()),
        ]
        .into_iter(),
    );
    Ok(Redirect::to(&format!("/entry?{query}")).into_response())
}
