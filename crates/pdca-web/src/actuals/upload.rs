//! Data entry by file: a CSV or XLSX file of actuals is read and checked with the same rules as
//! `pdca actuals import`, plus who may enter what; with any error every error is listed and
//! nothing is saved; otherwise a dry-run preview lists each row's old and new value. The
//! preview carries the file itself (base64) and the version of every value it showed as the
//! current one, with a SHA-256 over the file, its name, those versions and the session's CSRF
//! token, so the apply step re-reads and re-checks exactly what was previewed, on any server
//! process, and a forged edit is refused. Applying records every row as a draft in one
//! transaction, and only if every value still has the version the preview showed
//! (`Store::record_actuals_if_current`, checked inside the write transaction); otherwise nothing
//! is recorded and the page lists each value changed since the preview, by whom and when.

use std::collections::HashMap;
use std::sync::OnceLock;

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
use pdca_core::import::{Field, ImportedActual, RowError, validate_rows};
use pdca_interchange::{InterchangeError, Limits};
use pdca_store::{NewActual, StoreError, Visibility};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::actuals::rules::{editable, value_text};
use crate::frame::auth::{CurrentUser, same_secret};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{Chrome, Here, choose_plan, encode_query, refused};
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
    /// The version of the current value shown as `old`; `None` when there is none.
    version: Option<i64>,
}

#[derive(Template)]
#[template(path = "actuals/upload.html")]
struct UploadPage {
    c: Chrome,
    title: &'static str,
    file_name: String,
    plan_id: String,
    errors: Vec<ErrorLine>,
    /// When more errors were found than listed: how many in all.
    more_errors: String,
    rows: Vec<PreviewLine>,
    /// The file, base64, for the apply form.
    data: String,
    /// The versions the preview showed (see [`versions_field`]), for the apply form.
    versions: String,
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
    /// The text field named is not UTF-8.
    NotUtf8(String),
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
            let Ok(text) = String::from_utf8(bytes.to_vec()) else {
                return Err(FormProblem::NotUtf8(name));
            };
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}

/// The SHA-256 (hex) binding the file's name and bytes and the versions the preview showed to
/// the session's CSRF token.
fn seal(name: &str, bytes: &[u8], versions: &str, csrf: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [name.as_bytes(), bytes, versions.as_bytes()] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.update(csrf.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The outcome of reading and checking a file.
enum Checked {
    Errors(Listed),
    Rows(Vec<ImportedActual>, Vec<PreviewLine>),
}

/// The errors listed on the page: the first [`MAX_LISTED_ERRORS`] of `total`.
struct Listed {
    lines: Vec<ErrorLine>,
    total: usize,
}

impl Listed {
    fn new() -> Self {
        Self {
            lines: Vec::new(),
            total: 0,
        }
    }

    fn push(&mut self, line: impl FnOnce() -> ErrorLine) {
        self.total += 1;
        if self.lines.len() < MAX_LISTED_ERRORS {
            self.lines.push(line());
        }
    }
}

fn error_only(file: &str, message: String) -> Checked {
    let mut listed = Listed::new();
    listed.push(|| ErrorLine {
        file: file.to_owned(),
        row: String::new(),
        column: String::new(),
        text: String::new(),
        message,
    });
    Checked::Errors(listed)
}

/// At most this many errors are listed on the page, followed by how many more there are: a
/// file of a million wrong rows must not become a page of a hundred megabytes.
const MAX_LISTED_ERRORS: usize = 200;

/// At most this many uploads are read and checked at once (on blocking threads), and at most
/// one per two cores, so that a core is left for the async workers; others wait their turn, so
/// that a few large files neither starve `/healthz` nor add up in memory.
const CONCURRENT_CHECKS: usize = 2;

/// The semaphore bounding concurrent checks (see [`CONCURRENT_CHECKS`]).
fn checks() -> &'static Semaphore {
    static CHECKS: OnceLock<Semaphore> = OnceLock::new();
    CHECKS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Semaphore::new((cores / 2).clamp(1, CONCURRENT_CHECKS))
    })
}

/// Who is checking a file, as the blocking check needs it.
struct Checker {
    lang: Lang,
    role: Role,
    body: Option<String>,
}

/// Reads `bytes` as a table and checks every row: the import's rules, then that the user may
/// enter the row's indicator for the row's body and that its current value is still editable.
/// Reading and checking run on a blocking thread, at most [`CONCURRENT_CHECKS`] at a time,
/// within [`Limits::UPLOAD`].
async fn check_file(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    plan: &Plan,
    file: &str,
    bytes: &[u8],
) -> Result<Checked, WebError> {
    let current = state.store.actuals_as(&plan.id, Visibility::All).await?;
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
    let permit = checks()
        .acquire()
        .await
        .map_err(|e| WebError::Internal(format!("the upload checks' semaphore is closed: {e}")))?;
    let checker = Checker {
        lang,
        role: user.role(),
        body: user.user.body.clone(),
    };
    let plan = plan.clone();
    let file = file.to_owned();
    let bytes = bytes.to_vec();
    // The permit goes with the blocking task: a client that hangs up does not free its place
    // while its file is still being read.
    let checked = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        checker.check(&plan, &file, &bytes, &current, &latest)
    })
    .await?;
    Ok(checked)
}

impl Checker {
    fn check(
        &self,
        plan: &Plan,
        file: &str,
        bytes: &[u8],
        current: &pdca_core::Actuals,
        latest: &HashMap<(String, i32, String), pdca_store::StoredActual>,
    ) -> Checked {
        let lang = self.lang;
        let t = lang.text();
        let table = match pdca_interchange::read_table_limited(file, bytes, &Limits::UPLOAD) {
            Ok(table) => table,
            Err(InterchangeError::Header { file, errors }) => {
                let mut listed = Listed::new();
                for e in errors {
                    listed.push(|| error_line(&file, e));
                }
                return Checked::Errors(listed);
            }
            Err(e) => return error_only(file, e.to_string()),
        };
        let shown_file = match &table.sheet {
            Some(sheet) => format!("{file} [{sheet}]"),
            None => file.to_owned(),
        };
        let imported = match validate_rows(plan, &table.layout, &table.rows, current) {
            Ok(rows) => rows,
            Err(errors) => {
                let mut listed = Listed::new();
                for e in errors {
                    listed.push(|| error_line(&shown_file, e));
                }
                return Checked::Errors(listed);
            }
        };
        if imported.is_empty() {
            return error_only(&shown_file, t.upload_no_rows.to_owned());
        }
        let column_of = |field: Field| {
            table
                .layout
                .column(field)
                .or_else(|| table.layout.column(Field::IndicatorId))
                .map(|c| format!("{}「{}」", c.letter(), c.header))
                .unwrap_or_default()
        };
        let role = self.role;
        let own_body = self.body.as_deref();
        let indicators: HashMap<&str, &pdca_core::plan::Indicator> =
            plan.indicators().map(|(_, i)| (i.id.as_str(), i)).collect();
        let mut errors = Listed::new();
        let mut lines = Vec::new();
        for a in &imported {
            let c = &a.contribution;
            let indicator = indicators.get(c.indicator.as_str()).copied();
            let assigned =
                indicator.is_some_and(|i| i.assignments.iter().any(|s| s.body == c.body));
            let mut refuse = |field: Field, text: &str, message: String| {
                errors.push(|| ErrorLine {
                    file: shown_file.clone(),
                    row: a.row.to_string(),
                    column: column_of(field),
                    text: text.to_owned(),
                    message,
                });
            };
            let allowed = match role {
                Role::Secretariat => assigned,
                Role::Body => own_body == Some(c.body.as_str()) && assigned,
                _ => false,
            };
            if role == Role::Body && own_body != Some(c.body.as_str()) {
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
            if !editable(role, old.map(|o| o.state)) {
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
                version: old.map(|o| o.id),
            });
        }
        if errors.total == 0 {
            Checked::Rows(imported, lines)
        } else {
            Checked::Errors(errors)
        }
    }
}

/// An error of the import's rules as a line of the page.
fn error_line(file: &str, e: RowError) -> ErrorLine {
    ErrorLine {
        file: file.to_owned(),
        row: e.row.to_string(),
        column: e
            .cell
            .as_ref()
            .map(|c| format!("{}「{}」", c.letter(), c.header))
            .unwrap_or_default(),
        text: e.text,
        message: e.message,
    }
}

/// An indicator, fiscal year and body.
type Key = (String, i32, String);

fn key_of(a: &ImportedActual) -> Key {
    let c = &a.contribution;
    (c.indicator.clone(), c.year.year(), c.body.clone())
}

/// The preview's versions for the apply form: for each row previewed, its key and the version
/// of the value shown as current, as base64 of the JSON `[[indicator, year, body, version or
/// null], …]`. `lines` are the preview lines of `imported`, one for each, in the same order.
fn versions_field(imported: &[ImportedActual], lines: &[PreviewLine]) -> Result<String, WebError> {
    let versions: Vec<(String, i32, String, Option<i64>)> = imported
        .iter()
        .zip(lines)
        .map(|(a, line)| {
            let (indicator, year, body) = key_of(a);
            (indicator, year, body, line.version)
        })
        .collect();
    serde_json::to_vec(&versions)
        .map(|json| BASE64.encode(json))
        .map_err(|e| WebError::Internal(format!("cannot write the preview's versions: {e}")))
}

/// The values the preview showed for the values changed since, by version.
async fn previewed_values(
    state: &AppState,
    plan: &Plan,
    changed: &[pdca_store::ChangedValue],
) -> Result<HashMap<i64, String>, WebError> {
    let mut old = HashMap::new();
    for c in changed {
        let Some(version) = c.expected else {
            continue;
        };
        if let Some(r) = state
            .store
            .revisions_of(&plan.id, &c.indicator, Some(c.year))
            .await?
            .into_iter()
            .find(|r| r.id == version)
        {
            old.insert(version, value_text(&r.contribution.value));
        }
    }
    Ok(old)
}

/// The lines listing the values changed since the preview: a heading line, then for each value
/// its rows in the file, its current value, and who changed it when, from what to what.
fn changed_lines(
    lang: Lang,
    plan: &Plan,
    file: &str,
    changed: &[pdca_store::ChangedValue],
    rows_of: &HashMap<Key, Vec<usize>>,
    old_of: &HashMap<i64, String>,
) -> Vec<ErrorLine> {
    let t = lang.text();
    let mut lines = vec![ErrorLine {
        file: file.to_owned(),
        row: String::new(),
        column: String::new(),
        text: String::new(),
        message: t.upload_changed_since_preview.to_owned(),
    }];
    for c in changed {
        let key = (c.indicator.clone(), c.year.year(), c.body.clone());
        let rows = rows_of.get(&key).map_or_else(String::new, |rows| {
            rows.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        });
        let body = plan
            .body(&c.body)
            .map_or_else(|| c.body.clone(), |b| b.name.clone());
        let name = plan
            .indicator(&c.indicator)
            .map_or_else(|| c.indicator.clone(), |i| i.name.clone());
        let what = format!(
            "{name}（{}・{}・{}）",
            c.indicator,
            i18n::fiscal_year(lang, c.year),
            body
        );
        let (text, message) = match &c.current {
            Some(now) => {
                let new = value_text(&now.contribution.value);
                let old = c.expected.map(|v| {
                    old_of
                        .get(&v)
                        .map_or_else(|| t.upload_none.to_owned(), String::clone)
                });
                let message = format!(
                    "{what}: {}",
                    i18n::upload_changed(
                        lang,
                        &now.recorded_by,
                        &now.recorded_at,
                        old.as_deref(),
                        &new
                    )
                );
                (new, message)
            }
            None => (String::new(), what),
        };
        lines.push(ErrorLine {
            file: file.to_owned(),
            row: rows,
            column: String::new(),
            text,
            message,
        });
    }
    lines
}

fn page(lang: Lang, user: &CurrentUser, here: &Here, plan_id: &str, file_name: &str) -> UploadPage {
    let t = lang.text();
    UploadPage {
        c: Chrome::new(lang, Some(user), here),
        title: t.upload_title,
        file_name: file_name.to_owned(),
        plan_id: plan_id.to_owned(),
        errors: Vec::new(),
        more_errors: String::new(),
        rows: Vec::new(),
        data: String::new(),
        versions: String::new(),
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
        FormProblem::NotUtf8(field) => return Err(crate::frame::view::not_utf8(field)),
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
    errors: Listed,
) -> Result<Response, WebError> {
    let mut p = page(lang, user, here, plan_id, file_name);
    if errors.total > errors.lines.len() {
        p.more_errors = i18n::upload_more_errors(lang, errors.lines.len(), errors.total);
    }
    p.errors = errors.lines;
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
        Checked::Rows(imported, rows) => {
            let csrf = user.csrf_token.clone().unwrap_or_default();
            let mut p = page(lang, &user, &here, &plan.id, &name);
            p.versions = versions_field(&imported, &rows)?;
            p.hash = seal(&name, &bytes, &p.versions, &csrf);
            p.data = BASE64.encode(&bytes);
            p.rows = rows;
            Ok(Html(p.render()?).into_response())
        }
    }
}

/// `POST /entry/upload/apply` (multipart: `csrf`, `plan`, `name`, `data`, `versions`, `hash`):
/// re-reads and re-checks the previewed file and records every row as a draft in one
/// transaction, if every value still has the version the preview showed; otherwise 409 with
/// the values changed since, by whom and when, and nothing recorded.
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
    let versions = field("versions");
    if bytes.len() > MAX_FILE_BYTES
        || !same_secret(&seal(name, &bytes, versions, &csrf), field("hash"))
    {
        return Err(tampered());
    }
    let versions = BASE64.decode(versions.trim()).map_err(|_| tampered())?;
    let previewed: HashMap<Key, Option<i64>> =
        serde_json::from_slice::<Vec<(String, i32, String, Option<i64>)>>(&versions)
            .map_err(|_| tampered())?
            .into_iter()
            .map(|(indicator, year, body, version)| ((indicator, year, body), version))
            .collect();
    let imported = match check_file(&state, lang, &user, &plan, name, &bytes).await? {
        Checked::Errors(errors) => {
            return errors_page(lang, &user, &here, &plan.id, name, errors);
        }
        Checked::Rows(imported, _) => imported,
    };
    let first = imported.first().map(|a| a.contribution.clone());
    let mut rows_of: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut rows = Vec::with_capacity(imported.len());
    for a in imported {
        let key = key_of(&a);
        // The seal covers the file and the versions together: a row without its version was
        // not previewed.
        let version = *previewed.get(&key).ok_or_else(tampered)?;
        rows_of.entry(key).or_default().push(a.row);
        let actual = NewActual {
            contribution: a.contribution,
            note: a.note,
            source: a.source,
            state: pdca_core::access::ActualState::Draft,
        };
        rows.push((actual, version));
    }
    let n = match state
        .store
        .record_actuals_if_current(&plan.id, &rows, &user.user.name)
        .await
    {
        Ok(n) => n,
        Err(StoreError::Changed(changed)) => {
            let old_of = previewed_values(&state, &plan, &changed).await?;
            let mut p = page(lang, &user, &here, &plan.id, name);
            p.errors = changed_lines(lang, &plan, name, &changed, &rows_of, &old_of);
            return Ok((StatusCode::CONFLICT, Html(p.render()?)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
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
