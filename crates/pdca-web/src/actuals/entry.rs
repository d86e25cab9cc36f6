//! Data entry by a reporting body: the page of one fiscal year's values for the indicators
//! assigned to the body, one table per project, with each indicator's target, last year's
//! value and what has been reported so far beside the field; the collection workbook and the
//! upload at the top, and a save bar at the bottom that saves (一時保存) or saves and submits
//! (保存して提出) every typed value in one form. The form's handling is in
//! [`super::entry_form`]; the rules shared with the upload and the API in [`super::rules`].

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use pdca_core::access::{ActualState, Role};
use pdca_core::plan::{Indicator, Measure};
use pdca_core::{ActualValue, FiscalYear, Plan};
use pdca_store::{StoredActual, Visibility};
use serde::Deserialize;

use super::rules::{TypedValue, acting_body, editable, entry_year, value_text};
use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppQuery, Chrome, Here, choose_plan};
use crate::{AppState, WebError};
use pdca_app::json::{format_number, target_text};

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/entry",
            get(entry_page).post(super::entry_form::post_entry),
        )
        .route("/entry/template", get(template))
        .route("/static/entry.js", get(script))
}

/// `GET /static/entry.js`: keeps the 「入力済み」 count up to date while typing (the warning before
/// leaving with unsaved changes is the frame's `/static/forms.js`).
async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("entry.js"),
    )
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EntryQuery {
    plan: Option<String>,
    fy: Option<String>,
    body: Option<String>,
    /// What was just done: saved, submitted, nothing, unchanged, imported.
    done: Option<String>,
    /// How many values an upload imported, or the form submitted.
    count: Option<String>,
    /// The first indicator the form saved.
    ind: Option<String>,
    /// How many values the form saved.
    n: Option<String>,
}

/// One indicator's line of the form.
pub(super) struct EntryRow {
    pub id: String,
    pub name: String,
    pub unit: String,
    /// The target as the plan writes it, with its unit, and the body's share of it if any.
    pub target: String,
    /// Last year's value of the body, with its state when not approved; empty when none.
    pub previous: String,
    /// The body's approved total (or ratio) of the years before; empty where it means nothing.
    pub cumulative: String,
    /// number, ratio or narrative.
    pub input: &'static str,
    pub editable: bool,
    /// 未入力, 一時保存, 提出済み, 差戻し, 承認済み, 確定済み.
    pub state: String,
    /// The CSS class of the state: none, draft, submitted, returned, approved, locked.
    pub state_class: &'static str,
    /// Whether a value is stored.
    pub stored: bool,
    /// The current value as text, or empty.
    pub current: String,
    /// The secretariat's reason, when the value was returned.
    pub reason: String,
    /// The current version, empty when nothing is recorded yet.
    pub version: String,
    pub value: String,
    pub numerator: String,
    pub denominator: String,
    pub note: String,
    pub source: String,
    pub errors: Vec<String>,
    /// Whether an error concerns the note or the source (their box is then open).
    pub note_error: bool,
    pub conflict: Option<ConflictNote>,
    pub saved: bool,
    /// The ids of what describes the field: its errors, the reason, the conflict.
    pub described_by: String,
}

impl EntryRow {
    /// Whether the row has errors.
    pub fn invalid(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Whether the note and source box starts open.
    pub fn details_open(&self) -> bool {
        self.note_error || !self.note.is_empty() || !self.source.is_empty()
    }
}

/// Someone else saved first: what is current now and who saved it.
pub(super) struct ConflictNote {
    pub current: String,
    pub by: String,
    pub at: String,
}

pub(super) struct ProjectRows {
    pub n: usize,
    pub name: String,
    pub rows: Vec<EntryRow>,
}

pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A line of the error summary: the field it links to and the message.
pub(super) struct SummaryLine {
    pub href: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "actuals/entry.html")]
pub(super) struct EntryPage {
    pub c: Chrome,
    pub title: &'static str,
    pub plan_id: String,
    pub fy: i32,
    pub fy_label: String,
    pub body: String,
    pub body_name: String,
    pub years: Vec<Choice>,
    pub bodies: Vec<Choice>,
    pub projects: Vec<ProjectRows>,
    pub summary: Vec<SummaryLine>,
    pub has_conflicts: bool,
    pub message: Option<String>,
    /// Whether any value can be changed (the save bar is shown).
    pub any_editable: bool,
    /// 「入力済み 7/53」: how many values are recorded, of how many.
    pub filled_done: usize,
    pub filled_total: usize,
}

/// What the page is about: the plan, year, body and the body's indicators with their values.
pub(super) struct EntryScope {
    pub plan: Plan,
    pub fy: FiscalYear,
    pub body: String,
    pub current: HashMap<String, StoredActual>,
    /// Last year's current values of the body, whatever their state.
    previous: HashMap<String, StoredActual>,
    /// The body's approved values of the period's years before `fy`.
    before: HashMap<String, Vec<ActualValue>>,
}

pub(super) async fn scope(
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
    let mut current = HashMap::new();
    let mut previous = HashMap::new();
    for a in state
        .store
        .current_actuals_as(&plan.id, Visibility::All)
        .await?
        .into_iter()
        .filter(|a| a.contribution.body == body)
    {
        if a.contribution.year == fy {
            current.insert(a.contribution.indicator.clone(), a);
        } else if a.contribution.year.year() == fy.year() - 1 {
            previous.insert(a.contribution.indicator.clone(), a);
        }
    }
    let mut before: HashMap<String, Vec<ActualValue>> = HashMap::new();
    for a in state
        .store
        .current_actuals_as(&plan.id, Visibility::Approved)
        .await?
        .into_iter()
        .filter(|a| {
            a.contribution.body == body
                && a.contribution.year < fy
                && plan.period.contains(a.contribution.year)
        })
    {
        before
            .entry(a.contribution.indicator.clone())
            .or_default()
            .push(a.contribution.value);
    }
    Ok(EntryScope {
        plan,
        fy,
        body,
        current,
        previous,
        before,
    })
}

/// The indicators assigned to `body`, in plan order.
pub(super) fn assigned<'p>(plan: &'p Plan, body: &str) -> impl Iterator<Item = &'p Indicator> {
    plan.indicators()
        .map(|(_, i)| i)
        .filter(move |i| i.assignments.iter().any(|a| a.body == body))
}

/// What a form left to show: the typed values kept, errors (field, message) and conflicts by
/// indicator, the indicators saved, and a message.
#[derive(Default)]
pub(super) struct Outcome {
    pub typed: HashMap<String, TypedValue>,
    pub errors: HashMap<String, Vec<(&'static str, String)>>,
    pub conflicts: HashMap<String, ConflictNote>,
    pub saved: Vec<String>,
    pub message: Option<String>,
}

/// The id of the element a field error of `field` (value, numerator, …) links to.
fn field_id(input: &str, field: &str, id: &str) -> String {
    match (input, field) {
        ("ratio", "denominator") => format!("den-{id}"),
        ("ratio", _) => format!("num-{id}"),
        (_, "note") => format!("note-{id}"),
        (_, "source") => format!("source-{id}"),
        _ => format!("value-{id}"),
    }
}

/// The body's total of the years before, as the measure cumulates: a count's sum, a ratio's
/// Σnumerator/Σdenominator; nothing for levels, milestones and narratives.
fn cumulative_text(indicator: &Indicator, values: Option<&Vec<ActualValue>>) -> String {
    let Some(values) = values.filter(|v| !v.is_empty()) else {
        return String::new();
    };
    let unit = &indicator.unit;
    match indicator.measure {
        Measure::Count => {
            let sum: f64 = values
                .iter()
                .filter_map(|v| match v {
                    ActualValue::Number(n) => Some(*n),
                    _ => None,
                })
                .sum();
            format!("{}{unit}", format_number(sum))
        }
        Measure::Ratio => {
            let (n, d) = values.iter().fold((0.0, 0.0), |(n, d), v| match v {
                ActualValue::Ratio {
                    numerator,
                    denominator,
                } => (n + numerator, d + denominator),
                _ => (n, d),
            });
            if d > 0.0 {
                format!(
                    "{}/{}（{}%）",
                    format_number(n),
                    format_number(d),
                    format_number((n / d * 1000.0).round() / 10.0)
                )
            } else {
                String::new()
            }
        }
        _ => String::new(),
    }
}

/// The label and CSS class of a value's state on this page.
fn state_of(lang: Lang, state: Option<ActualState>) -> (&'static str, &'static str) {
    let t = lang.text();
    match state {
        None => (t.entry_state_none, "none"),
        Some(ActualState::Draft) => (t.entry_state_draft, "draft"),
        Some(ActualState::Submitted) => (t.entry_state_submitted, "submitted"),
        Some(ActualState::Returned) => (t.entry_state_returned, "returned"),
        Some(ActualState::Approved) => (t.entry_state_approved, "approved"),
        Some(ActualState::Locked) => (t.entry_state_locked, "locked"),
    }
}

/// The stored value as the fields show it: (value, numerator, denominator, note, source).
fn stored_fields(c: &StoredActual) -> (String, String, String, String, String) {
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
        ActualValue::Narrative(text) => (text.clone(), String::new(), String::new()),
    };
    (
        v,
        n,
        d,
        c.note.clone().unwrap_or_default(),
        c.source.clone().unwrap_or_default(),
    )
}

pub(super) fn build_page(
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
    let mut summary = Vec::new();
    let (mut total, mut filled, mut any_editable) = (0, 0, false);
    for project in &scope.plan.projects {
        let mut rows = Vec::new();
        for i in assigned(&scope.plan, &scope.body) {
            if !project.indicators.iter().any(|p| p.id == i.id) {
                continue;
            }
            let current = scope.current.get(&i.id);
            let state = current.map(|c| c.state);
            let (value, numerator, denominator, note, source) = match (typed.get(&i.id), current) {
                (Some(t), _) => (
                    t.value.clone(),
                    t.numerator.clone(),
                    t.denominator.clone(),
                    t.note.clone(),
                    t.source.clone(),
                ),
                (None, Some(c)) => stored_fields(c),
                (None, None) => Default::default(),
            };
            let input = match i.measure {
                Measure::Ratio => "ratio",
                Measure::Qualitative => "narrative",
                _ => "number",
            };
            let row_errors = errors.get(&i.id).cloned().unwrap_or_default();
            for (field, message) in &row_errors {
                summary.push(SummaryLine {
                    href: field_id(input, field, &i.id),
                    text: format!("{}: {message}", i.name),
                });
            }
            let reason = current
                .filter(|c| c.state == ActualState::Returned)
                .and_then(|c| c.review_comment.clone())
                .unwrap_or_default();
            let conflict = conflicts.remove(&i.id);
            let mut described_by = Vec::new();
            if !row_errors.is_empty() {
                described_by.push(format!("error-{}", i.id));
            }
            if !reason.is_empty() {
                described_by.push(format!("reason-{}", i.id));
            }
            if conflict.is_some() {
                described_by.push(format!("conflict-{}", i.id));
            }
            let share = i
                .assignments
                .iter()
                .find(|a| a.body == scope.body)
                .and_then(|a| a.share)
                .filter(|_| i.assignments.len() > 1);
            let target = match share {
                Some(share) => i18n::entry_target_share(
                    lang,
                    &target_text(i),
                    &format!("{}{}", format_number(share), i.unit),
                ),
                None => target_text(i),
            };
            let previous = scope.previous.get(&i.id).map_or_else(String::new, |p| {
                let text = match &p.contribution.value {
                    ActualValue::Ratio {
                        numerator,
                        denominator,
                    } if *denominator > 0.0 => format!(
                        "{}（{}%）",
                        value_text(&p.contribution.value),
                        format_number((numerator / denominator * 1000.0).round() / 10.0)
                    ),
                    v => value_text(v),
                };
                let unit = if matches!(p.contribution.value, ActualValue::Number(_)) {
                    i.unit.as_str()
                } else {
                    ""
                };
                match p.state {
                    ActualState::Approved | ActualState::Locked => format!("{text}{unit}"),
                    s => format!("{text}{unit}（{}）", state_of(lang, Some(s)).0),
                }
            });
            let (state_label, state_class) = state_of(lang, state);
            let row_editable = editable(user.role(), state);
            any_editable |= row_editable;
            total += 1;
            if current.is_some() {
                filled += 1;
            }
            rows.push(EntryRow {
                id: i.id.clone(),
                name: i.name.clone(),
                unit: i.unit.clone(),
                target,
                previous,
                cumulative: cumulative_text(i, scope.before.get(&i.id)),
                input,
                editable: row_editable,
                state: state_label.to_owned(),
                state_class,
                stored: current.is_some(),
                current: current
                    .map(|c| value_text(&c.contribution.value))
                    .unwrap_or_default(),
                reason,
                version: current.map(|c| c.id.to_string()).unwrap_or_default(),
                value,
                numerator,
                denominator,
                note,
                source,
                note_error: row_errors
                    .iter()
                    .any(|(f, _)| *f == "note" || *f == "source"),
                errors: row_errors.into_iter().map(|(_, m)| m).collect(),
                conflict,
                saved: saved.contains(&i.id),
                described_by: described_by.join(" "),
            });
        }
        if !rows.is_empty() {
            projects.push(ProjectRows {
                n: projects.len(),
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
        summary,
        has_conflicts,
        message,
        any_editable,
        filled_done: filled,
        filled_total: total,
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
    let number = |text: Option<&str>| -> usize {
        text.and_then(|c| c.trim().parse().ok()).unwrap_or_default()
    };
    let saved_name = query
        .ind
        .as_deref()
        .and_then(|id| scope.plan.indicator(id))
        .map(|i| i.name.clone());
    let saved = saved_name
        .as_deref()
        .map(|name| i18n::entry_saved_notice(lang, name, number(query.n.as_deref()).max(1)));
    let fy_label = i18n::fiscal_year(lang, scope.fy);
    let message = match query.done.as_deref() {
        Some("saved") => saved.or_else(|| Some(t.entry_saved.to_owned())),
        Some("submitted") => Some(format!(
            "{}{}",
            saved.unwrap_or_default(),
            i18n::entry_submitted_notice(lang, &fy_label, number(query.count.as_deref()))
        )),
        Some("nothing") => Some(format!(
            "{}{}",
            saved.unwrap_or_default(),
            t.entry_nothing_to_submit
        )),
        Some("unchanged") => Some(t.entry_unchanged.to_owned()),
        Some("imported") => Some(i18n::upload_imported(
            lang,
            &number(query.count.as_deref()).to_string(),
        )),
        _ => None,
    };
    let page = build_page(
        lang,
        &user,
        &here,
        &scope,
        Outcome {
            message,
            ..Outcome::default()
        },
    );
    Ok(Html(page.render()?))
}

/// `GET /entry/template[?fy=][&body=][&plan=]`: the collection workbook (報告様式) of the body
/// and year the entry page shows: its indicators, previous years filled in and protected, the
/// input cells unlocked with Excel's data validation. Filled in, it uploads back at `/entry`.
async fn template(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<EntryQuery>,
) -> Result<axum::response::Response, WebError> {
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
