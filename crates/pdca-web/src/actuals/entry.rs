//! Data entry by a reporting body: the form of one fiscal year's values for the indicators
//! assigned to the body, checked with the same rules as `pdca actuals import`, saved as drafts
//! with optimistic versions, and submitted to the secretariat. The checks shared with the JSON
//! API (who may edit what, validation of typed values, saving) live here too.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use pdca_core::access::{ActualState, Role};
use pdca_core::import::{Field, ImportedActual, Layout, RawRow, validate_rows};
use pdca_core::plan::{Indicator, Measure};
use pdca_core::{ActualValue, FiscalYear, Plan};
use pdca_store::{NewActual, StoreError, StoredActual, Visibility};
use serde::Deserialize;

use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppForm, AppQuery, Chrome, Here, choose_plan, encode_query};
use crate::{AppState, WebError};
use pdca_app::json::format_number;

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/entry", get(entry_page).post(save_entry))
        .route("/entry/submit", post(submit_entry))
        .route("/entry/template", get(template))
}

// ---------------------------------------------------------------------------------------------
// Shared with the API

/// The values typed for one indicator.
#[derive(Debug, Clone, Default)]
pub(crate) struct TypedValue {
    pub indicator: String,
    pub value: String,
    pub numerator: String,
    pub denominator: String,
    pub note: String,
    pub source: String,
}

impl TypedValue {
    /// Whether no value was typed (note and source alone are not a value).
    pub fn is_blank(&self) -> bool {
        self.value.trim().is_empty()
            && self.numerator.trim().is_empty()
            && self.denominator.trim().is_empty()
    }
}

/// A problem with one typed value: its position in the batch, the field to blame
/// (`value`, `numerator`, `denominator`, `fiscal_year`, `body`, …) and the message.
#[derive(Debug, Clone)]
pub(crate) struct FieldError {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// Checks `typed` for `fy_text` and `body` with the import's rules (normalisation, negative
/// counts, numerator above denominator, a sub-target above its parent, years outside the
/// plan) against the current values of every state. Returns the validated values in the order
/// given, or every error.
pub(crate) async fn validate_typed(
    state: &AppState,
    plan: &Plan,
    fy_text: &str,
    body: &str,
    typed: &[TypedValue],
) -> Result<Result<Vec<ImportedActual>, Vec<FieldError>>, WebError> {
    let headers: Vec<String> = Field::ALL.iter().map(|f| f.name().to_owned()).collect();
    let layout = Layout::from_headers(&headers, 1)
        .map_err(|_| WebError::Internal("the entry layout is refused".to_owned()))?;
    let rows: Vec<RawRow> = typed
        .iter()
        .enumerate()
        .map(|(i, t)| {
            RawRow::new(
                i + 2,
                [
                    t.indicator.as_str(),
                    fy_text,
                    t.value.as_str(),
                    t.numerator.as_str(),
                    t.denominator.as_str(),
                    body,
                    t.note.as_str(),
                    t.source.as_str(),
                ],
            )
        })
        .collect();
    let current = state.store.actuals_as(&plan.id, Visibility::All).await?;
    Ok(
        validate_rows(plan, &layout, &rows, &current).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| FieldError {
                    index: e.row.saturating_sub(2),
                    field: e
                        .cell
                        .as_ref()
                        .and_then(|c| Field::from_header(&c.header))
                        .map_or("value", Field::name),
                    message: e.message,
                })
                .collect()
        }),
    )
}

/// Refuses unless `user` may enter values of `indicator` for `body`: the secretariat for any
/// assigned body, a body user only for its own body, nobody else.
pub(crate) fn check_may_edit(
    user: &CurrentUser,
    indicator: &Indicator,
    body: &str,
) -> Result<(), WebError> {
    let assigned = indicator.assignments.iter().any(|a| a.body == body);
    match user.role() {
        Role::Secretariat if assigned => Ok(()),
        Role::Body if assigned && user.user.body.as_deref() == Some(body) => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

/// Whether a value in `state` (None: not reported yet) may still be changed by `role`.
pub(crate) fn editable(role: Role, state: Option<ActualState>) -> bool {
    match role {
        Role::Secretariat => state != Some(ActualState::Locked),
        Role::Body => matches!(
            state,
            None | Some(ActualState::Draft | ActualState::Returned)
        ),
        _ => false,
    }
}

/// Saves `value` as a draft if the current version is still `expected`.
pub(crate) async fn save_draft(
    state: &AppState,
    plan_id: &str,
    value: ImportedActual,
    expected: Option<i64>,
    actor: &str,
) -> Result<i64, StoreError> {
    let actual = NewActual {
        contribution: value.contribution,
        note: value.note,
        source: value.source,
        state: ActualState::Draft,
    };
    state
        .store
        .record_actual_if_current(plan_id, &actual, expected, actor)
        .await
}

/// A value as text: 25, 3/4, or the narrative.
pub(crate) fn value_text(value: &ActualValue) -> String {
    match value {
        ActualValue::Number(v) => format_number(*v),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => format!(
            "{}/{}",
            format_number(*numerator),
            format_number(*denominator)
        ),
        ActualValue::Narrative(text) => text.clone(),
    }
}

/// The body a request acts for: a body user's own body (asking for another is refused), or
/// the one the secretariat names (else the plan's first body).
pub(crate) fn acting_body(
    user: &CurrentUser,
    plan: &Plan,
    asked: Option<&str>,
) -> Result<String, WebError> {
    let asked = asked.map(str::trim).filter(|b| !b.is_empty());
    match user.role() {
        Role::Body => {
            let own = user.user.body.clone().ok_or(WebError::Forbidden)?;
            match asked {
                Some(b) if b != own => Err(WebError::Forbidden),
                _ => Ok(own),
            }
        }
        Role::Secretariat => match asked {
            Some(b) => plan
                .body(b)
                .map(|b| b.id.clone())
                .ok_or_else(|| WebError::NotFound(format!("報告機関「{b}」"))),
            None => plan
                .bodies
                .first()
                .map(|b| b.id.clone())
                .ok_or_else(|| WebError::NotFound("報告機関".to_owned())),
        },
        _ => Err(WebError::Forbidden),
    }
}

/// `text` as a fiscal year inside the plan's period, or (when empty) the period's last year
/// up to the current one.
pub(crate) fn entry_year(text: Option<&str>, plan: &Plan) -> Result<FiscalYear, WebError> {
    let bad = |text: &str| WebError::BadRequest {
        param: "fy".to_owned(),
        message: format!(
            "「{text}」は計画期間 {}〜{} の年度として使えません（例: 2023、FY2023、令和5年度）",
            plan.period.start, plan.period.end
        ),
    };
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let fy: FiscalYear = text.parse().map_err(|_| bad(text))?;
            if plan.period.contains(fy) {
                Ok(fy)
            } else {
                Err(bad(text))
            }
        }
        None => {
            let this_year = time::OffsetDateTime::now_utc().year();
            Ok(plan
                .period
                .years()
                .filter(|fy| fy.year() < this_year)
                .last()
                .unwrap_or(plan.period.start))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The entry page

#[derive(Debug, Default, Deserialize)]
struct EntryQuery {
    plan: Option<String>,
    fy: Option<String>,
    body: Option<String>,
    done: Option<String>,
    count: Option<String>,
}

/// One indicator's line of the form.
struct EntryRow {
    /// Position in the form (for element ids).
    n: usize,
    id: String,
    name: String,
    unit: String,
    /// number, ratio or narrative.
    input: &'static str,
    editable: bool,
    state: String,
    /// The current value as text, or empty.
    current: String,
    review_comment: String,
    /// The current version, empty when nothing is recorded yet.
    version: String,
    value: String,
    numerator: String,
    denominator: String,
    note: String,
    source: String,
    errors: Vec<String>,
    conflict: Option<ConflictNote>,
    saved: bool,
}

/// Someone else saved first: what is current now and who saved it.
struct ConflictNote {
    current: String,
    by: String,
    at: String,
}

struct ProjectRows {
    name: String,
    rows: Vec<EntryRow>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "actuals/entry.html")]
struct EntryPage {
    c: Chrome,
    title: &'static str,
    plan_id: String,
    fy: i32,
    fy_label: String,
    body: String,
    body_name: String,
    years: Vec<Choice>,
    bodies: Vec<Choice>,
    projects: Vec<ProjectRows>,
    has_errors: bool,
    has_conflicts: bool,
    message: Option<String>,
    can_submit: bool,
}

/// What the page is about: the plan, year, body and the body's indicators with their values.
struct EntryScope {
    plan: Plan,
    fy: FiscalYear,
    body: String,
    current: HashMap<String, StoredActual>,
}

async fn scope(
    state: &AppState,
    user: &CurrentUser,
    plan: Option<&str>,
    fy: Option<&str>,
    body: Option<&str>,
) -> Result<EntryScope, WebError> {
    user.require(&[Role::Secretariat, Role::Body])?;
    let plan = choose_plan(&state.store, plan).await?;
    let body = acting_body(user, &plan, body)?;
    let fy = entry_year(fy, &plan)?;
    let current = state
        .store
        .current_actuals_as(&plan.id, Visibility::All)
        .await?
        .into_iter()
        .filter(|a| a.contribution.year == fy && a.contribution.body == body)
        .map(|a| (a.contribution.indicator.clone(), a))
        .collect();
    Ok(EntryScope {
        plan,
        fy,
        body,
        current,
    })
}

fn assigned<'p>(plan: &'p Plan, body: &str) -> impl Iterator<Item = (usize, &'p Indicator)> {
    plan.indicators()
        .map(|(_, i)| i)
        .filter(move |i| i.assignments.iter().any(|a| a.body == body))
        .enumerate()
}

/// What a save left to show: the typed values kept, errors and conflicts by indicator, the
/// indicators saved, and a message.
#[derive(Default)]
struct Outcome {
    typed: HashMap<String, TypedValue>,
    errors: HashMap<String, Vec<String>>,
    conflicts: HashMap<String, ConflictNote>,
    saved: Vec<String>,
    message: Option<&'static str>,
}

fn build_page(
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    scope: &EntryScope,
    outcome: Outcome,
) -> EntryPage {
    let Outcome {
        typed,
        errors,
        mut conflicts,
        saved,
        message,
    } = outcome;
    let has_conflicts = !conflicts.is_empty();
    let t = lang.text();
    let mut projects: Vec<ProjectRows> = Vec::new();
    let mut can_submit = false;
    for project in &scope.plan.projects {
        let mut rows = Vec::new();
        for (n, i) in assigned(&scope.plan, &scope.body) {
            if !project.indicators.iter().any(|p| p.id == i.id) {
                continue;
            }
            let current = scope.current.get(&i.id);
            let state = current.map(|c| c.state);
            if matches!(state, Some(ActualState::Draft | ActualState::Returned)) {
                can_submit = true;
            }
            let (value, numerator, denominator, note, source) = match (typed.get(&i.id), current) {
                (Some(t), _) => (
                    t.value.clone(),
                    t.numerator.clone(),
                    t.denominator.clone(),
                    t.note.clone(),
                    t.source.clone(),
                ),
                (None, Some(c)) => {
                    let (v, n, d) = match &c.contribution.value {
                        ActualValue::Number(v) => (format_number(*v), String::new(), String::new()),
                        ActualValue::Ratio {
                            numerator,
                            denominator,
                        } => (
                            String::new(),
                            format_number(*numerator),
                            format_number(*denominator),
                        ),
                        ActualValue::Narrative(text) => {
                            (text.clone(), String::new(), String::new())
                        }
                    };
                    (
                        v,
                        n,
                        d,
                        c.note.clone().unwrap_or_default(),
                        c.source.clone().unwrap_or_default(),
                    )
                }
                (None, None) => Default::default(),
            };
            rows.push(EntryRow {
                n,
                id: i.id.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
                input: match i.measure {
                    Measure::Ratio => "ratio",
                    Measure::Qualitative => "narrative",
                    _ => "number",
                },
                editable: editable(user.role(), state),
                state: state
                    .map_or(t.no_report, |s| i18n::state_label(lang, s))
                    .to_owned(),
                current: current
                    .map(|c| value_text(&c.contribution.value))
                    .unwrap_or_default(),
                review_comment: current
                    .filter(|c| c.state == ActualState::Returned)
                    .and_then(|c| c.review_comment.clone())
                    .unwrap_or_default(),
                version: current.map(|c| c.id.to_string()).unwrap_or_default(),
                value,
                numerator,
                denominator,
                note,
                source,
                errors: errors.get(&i.id).cloned().unwrap_or_default(),
                conflict: conflicts.remove(&i.id),
                saved: saved.contains(&i.id),
            });
        }
        if !rows.is_empty() {
            projects.push(ProjectRows {
                name: project.name.clone(),
                rows,
            });
        }
    }
    let body_name = scope
        .plan
        .body(&scope.body)
        .map_or_else(|| scope.body.clone(), |b| b.name.clone());
    EntryPage {
        c: Chrome::new(lang, Some(user), here),
        title: t.entry_title,
        plan_id: scope.plan.id.clone(),
        fy: scope.fy.year(),
        fy_label: i18n::fiscal_year(lang, scope.fy),
        body: scope.body.clone(),
        body_name,
        years: scope
            .plan
            .period
            .years()
            .map(|fy| Choice {
                value: fy.year().to_string(),
                label: i18n::fiscal_year(lang, fy),
                selected: fy == scope.fy,
            })
            .collect(),
        bodies: if user.role() == Role::Secretariat {
            scope
                .plan
                .bodies
                .iter()
                .map(|b| Choice {
                    value: b.id.clone(),
                    label: b.name.clone(),
                    selected: b.id == scope.body,
                })
                .collect()
        } else {
            Vec::new()
        },
        has_errors: !errors.is_empty(),
        has_conflicts,
        message: message.map(str::to_owned),
        can_submit,
        projects,
    }
}

/// `GET /entry?fy=FY[&body=BODY][&plan=ID]`: the form of the body's values for one year.
async fn entry_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<EntryQuery>,
) -> Result<Html<String>, WebError> {
    let scope = scope(
        &state,
        &user,
        query.plan.as_deref(),
        query.fy.as_deref(),
        query.body.as_deref(),
    )
    .await?;
    let t = lang.text();
    let message = match query.done.as_deref() {
        Some("saved") => Some(t.entry_saved),
        Some("submitted") => Some(t.entry_submitted),
        Some("nothing") => Some(t.entry_nothing_to_submit),
        _ => None,
    };
    let mut page = build_page(
        lang,
        &user,
        &here,
        &scope,
        Outcome {
            message,
            ..Outcome::default()
        },
    );
    if query.done.as_deref() == Some("imported") {
        let count: u64 = query
            .count
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or_default();
        page.message = Some(i18n::upload_imported(lang, &count.to_string()));
    }
    Ok(Html(page.render()?))
}

/// The form as sent: `csrf`, `plan`, `fy`, `body`, and per indicator `value:ID`,
/// `numerator:ID`, `denominator:ID`, `note:ID`, `source:ID`, `version:ID`.
struct EntryForm {
    fields: HashMap<String, String>,
}

impl EntryForm {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    fn of(&self, field: &str, id: &str) -> Option<&str> {
        self.get(&format!("{field}:{id}"))
    }
}

fn parse_version(text: Option<&str>) -> Result<Option<i64>, WebError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| WebError::BadRequest {
            param: "version".to_owned(),
            message: format!("「{t}」は版として読めません"),
        }),
    }
}

/// `POST /entry`: checks every changed value; with any error nothing is saved and the form
/// comes back with the errors beside the fields; otherwise each changed value is saved as a
/// draft unless someone saved it first (that field is reported and left alone).
async fn save_entry(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Reporters>,
    lang: Lang,
    here: Here,
    AppForm(pairs): AppForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = EntryForm {
        fields: pairs.into_iter().collect(),
    };
    user.check_csrf(form.get("csrf").unwrap_or_default())?;
    let scope = scope(
        &state,
        &user,
        form.get("plan"),
        form.get("fy"),
        form.get("body"),
    )
    .await?;
    let t = lang.text();
    let mut typed: HashMap<String, TypedValue> = HashMap::new();
    let mut changed: Vec<(TypedValue, Option<i64>)> = Vec::new();
    let mut errors: HashMap<String, Vec<String>> = HashMap::new();
    for (_, indicator) in assigned(&scope.plan, &scope.body) {
        let id = &indicator.id;
        if form.of("version", id).is_none()
            && form.of("value", id).is_none()
            && form.of("numerator", id).is_none()
        {
            continue;
        }
        let value = TypedValue {
            indicator: id.clone(),
            value: form.of("value", id).unwrap_or_default().to_owned(),
            numerator: form.of("numerator", id).unwrap_or_default().to_owned(),
            denominator: form.of("denominator", id).unwrap_or_default().to_owned(),
            note: form.of("note", id).unwrap_or_default().to_owned(),
            source: form.of("source", id).unwrap_or_default().to_owned(),
        };
        typed.insert(id.clone(), value.clone());
        let version = parse_version(form.of("version", id))?;
        let current = scope.current.get(id);
        // Untouched means equal to the revision the form was read at (which someone may have
        // replaced since: that is not a change of this user's, and no conflict).
        let read = match (version, current) {
            (Some(v), Some(c)) if v != c.id => state
                .store
                .revisions_of(&scope.plan.id, id, Some(scope.fy))
                .await?
                .into_iter()
                .find(|r| r.id == v),
            (Some(_), current) => current.cloned(),
            (None, _) => None,
        };
        if value.is_blank() || unchanged(&value, read.as_ref()) {
            continue;
        }
        check_may_edit(&user, indicator, &scope.body)?;
        if !editable(user.role(), current.map(|c| c.state)) {
            errors
                .entry(id.clone())
                .or_default()
                .push(t.entry_read_only.to_owned());
            continue;
        }
        changed.push((value, version));
    }
    let fy_text = scope.fy.year().to_string();
    let batch: Vec<TypedValue> = changed.iter().map(|(v, _)| v.clone()).collect();
    let validated = validate_typed(&state, &scope.plan, &fy_text, &scope.body, &batch).await?;
    let validated = match validated {
        Ok(v) if errors.is_empty() => v,
        Ok(_) => Vec::new(),
        Err(field_errors) => {
            for e in field_errors {
                if let Some(v) = batch.get(e.index) {
                    errors
                        .entry(v.indicator.clone())
                        .or_default()
                        .push(e.message);
                }
            }
            Vec::new()
        }
    };
    let mut conflicts = HashMap::new();
    let mut saved = Vec::new();
    if errors.is_empty() {
        for (value, (typed_value, version)) in validated.into_iter().zip(&changed) {
            match save_draft(&state, &scope.plan.id, value, *version, &user.user.name).await {
                Ok(_) => saved.push(typed_value.indicator.clone()),
                Err(StoreError::Conflict { current, .. }) => {
                    conflicts.insert(
                        typed_value.indicator.clone(),
                        ConflictNote {
                            current: current
                                .as_ref()
                                .map(|c| value_text(&c.contribution.value))
                                .unwrap_or_default(),
                            by: current
                                .as_ref()
                                .map(|c| c.recorded_by.clone())
                                .unwrap_or_default(),
                            at: current
                                .as_ref()
                                .map(|c| i18n::date_time(lang, &c.recorded_at))
                                .unwrap_or_default(),
                        },
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        if conflicts.is_empty() {
            let query = encode_query(
                [
                    ("plan", scope.plan.id.as_str()),
                    ("fy", fy_text.as_str()),
                    ("body", scope.body.as_str()),
                    ("done", "saved"),
                ]
                .into_iter(),
            );
            return Ok(Redirect::to(&format!("/entry?{query}")).into_response());
        }
    }
    // Show the form again: the typed values of fields with errors or conflicts, and the stored
    // ones (just saved, or unchanged) elsewhere.
    let scope = self::scope(
        &state,
        &user,
        Some(&scope.plan.id),
        Some(&fy_text),
        Some(&scope.body),
    )
    .await?;
    let keep: HashMap<String, TypedValue> = typed
        .into_iter()
        .filter(|(id, _)| {
            errors.contains_key(id) || conflicts.contains_key(id) || !errors.is_empty()
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = build_page(
        lang,
        &user,
        &here,
        &scope,
        Outcome {
            typed: keep,
            errors,
            conflicts,
            saved,
            message: None,
        },
    );
    Ok((status, Html(page.render()?)).into_response())
}

/// Whether the typed value is what is stored already.
fn unchanged(typed: &TypedValue, current: Option<&StoredActual>) -> bool {
    let Some(current) = current else {
        return false;
    };
    let same_text = |a: &str, b: Option<&String>| a.trim() == b.map_or("", |s| s.trim());
    let same_value = match &current.contribution.value {
        ActualValue::Number(v) => typed.value.trim() == format_number(*v),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => {
            typed.numerator.trim() == format_number(*numerator)
                && typed.denominator.trim() == format_number(*denominator)
        }
        ActualValue::Narrative(text) => typed.value.trim() == text.trim(),
    };
    same_value
        && same_text(&typed.note, current.note.as_ref())
        && same_text(&typed.source, current.source.as_ref())
}

/// `POST /entry/submit`: the body's drafts and returned values of the year go to the
/// secretariat.
async fn submit_entry(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Reporters>,
    AppForm(pairs): AppForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = EntryForm {
        fields: pairs.into_iter().collect(),
    };
    user.check_csrf(form.get("csrf").unwrap_or_default())?;
    let scope = scope(
        &state,
        &user,
        form.get("plan"),
        form.get("fy"),
        form.get("body"),
    )
    .await?;
    let mut submitted = 0;
    for (_, indicator) in assigned(&scope.plan, &scope.body) {
        let Some(current) = scope.current.get(&indicator.id) else {
            continue;
        };
        if !matches!(current.state, ActualState::Draft | ActualState::Returned) {
            continue;
        }
        check_may_edit(&user, indicator, &scope.body)?;
        state
            .store
            .set_state(
                &scope.plan.id,
                &indicator.id,
                scope.fy,
                &scope.body,
                ActualState::Submitted,
                None,
                Some(current.id),
                &user.user.name,
            )
            .await?;
        submitted += 1;
    }
    let fy_text = scope.fy.year().to_string();
    let query = encode_query(
        [
            ("plan", scope.plan.id.as_str()),
            ("fy", fy_text.as_str()),
            ("body", scope.body.as_str()),
            (
                "done",
                if submitted > 0 {
                    "submitted"
                } else {
                    "nothing"
                },
            ),
        ]
        .into_iter(),
    );
    Ok(Redirect::to(&format!("/entry?{query}")).into_response())
}

/// `GET /entry/template[?fy=][&body=][&plan=]`: the collection workbook (報告様式) of the body
/// and year the entry page shows: its indicators, previous years filled in and protected, the
/// input cells unlocked with Excel's data validation. Filled in, it uploads back at `/entry`.
async fn template(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<EntryQuery>,
) -> Result<axum::response::Response, WebError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let scope = scope(
        &state,
        &user,
        query.plan.as_deref(),
        query.fy.as_deref(),
        query.body.as_deref(),
    )
    .await?;
    let bytes = template_bytes(&state.store, &scope.plan, &scope.body, scope.fy).await?;
    let name = format!("template-{}-{}.xlsx", scope.body, scope.fy.year());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The collection workbook of `body` for `fy`: previous years from the approved values, the
/// year's own current values (whatever their state) prefilled.
pub(crate) async fn template_bytes(
    store: &pdca_store::Store,
    plan: &Plan,
    body: &str,
    fy: FiscalYear,
) -> Result<Vec<u8>, WebError> {
    let previous = store.actuals_as(&plan.id, Visibility::Approved).await?;
    let current = store.actuals_as(&plan.id, Visibility::All).await?;
    let template = pdca_interchange::Template::build(plan, body, fy, &previous, &current)
        .ok_or_else(|| WebError::NotFound(format!("報告機関「{body}」")))?;
    pdca_interchange::write_template(&template).map_err(|e| WebError::Internal(e.to_string()))
}
