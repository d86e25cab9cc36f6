//! 「計画の本文から作成」: the secretariat pastes the plan's KPI annex (or uploads it as .txt or
//! .docx), sees every source line beside what it became, corrects names and targets in place,
//! sees how the result differs from the revision in force, and saves it as a new plan or as a
//! revision. Nothing is kept between the steps but the form itself: each post drafts the text
//! again with the corrections typed over it (`pdca_app::plan_drafts`).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::multipart::Multipart;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use pdca_app::plan_drafts::{MAX_ANNEX_CHARS, Prepared, corrections, prepare};
use pdca_core::FiscalYear;
use pdca_core::access::Role;
use pdca_core::plan::Plan;
use pdca_core::plan_draft::{Draft, DraftMeta, DraftedIndicator, LineUse};
use pdca_interchange::{Limits, read_annex_text};
use pdca_store::StoreError;

use crate::actuals::upload::{FormProblem, read_form};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{Chrome, Here, encode_query, unreadable_fy};
use crate::plans::diff::{DiffRow, diff_rows};
use crate::{AppState, WebError};

/// The routes of this page.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/admin/plans/draft", get(draft_page).post(draft_post))
}

/// How the drafted plan is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mode {
    /// A plan not in pdca yet.
    #[default]
    New,
    /// The next revision (一部変更) of a plan in pdca.
    Revision,
}

/// The form's fields, as posted (kept as typed, so nothing typed is lost on a refusal).
#[derive(Debug, Default)]
struct Fields {
    mode: Mode,
    plan_id: String,
    plan_name: String,
    start_fy: String,
    end_fy: String,
    base_plan: String,
    effective_from: String,
    decided_on: String,
    revision_note: String,
    source: String,
    /// The corrections typed over the preview, `name.{id}` and `target.{id}` by drafted id, and
    /// `read.{id}`, what the preview showed as read for that id (see [`read_as`]).
    typed: HashMap<String, String>,
}

/// A problem with a field, shown in the error summary and beside the field.
struct FieldError {
    field: &'static str,
    message: String,
}

struct PlanChoice {
    id: String,
    label: String,
    selected: bool,
}

/// A source line and what it became.
struct LineRow {
    line: usize,
    text: String,
    became: String,
    review: bool,
}

/// A drafted indicator with its correctable fields.
struct IndicatorRow {
    line: usize,
    id: String,
    project: String,
    heading: String,
    name: String,
    target: String,
    /// What was read before corrections, posted back as `read.{id}`.
    read: String,
    review: bool,
}

/// A text field of the header, with its label, hint and problem.
struct TextField {
    field: &'static str,
    label: &'static str,
    value: String,
    hint: &'static str,
    error: Option<String>,
}

/// A point that needs a person, linked to its line.
struct ReviewRow {
    line: Option<usize>,
    text: String,
}

#[derive(Template)]
#[template(path = "plans/draft.html")]
struct DraftPage {
    c: Chrome,
    title: &'static str,
    f: Fields,
    plans: Vec<PlanChoice>,
    errors: Vec<FieldError>,
    /// Whether a preview is shown.
    previewed: bool,
    indicators: Vec<IndicatorRow>,
    lines: Vec<LineRow>,
    review: Vec<ReviewRow>,
    /// `pdca plan validate`'s messages for the drafted plan, one per line.
    plan_errors: String,
    /// For a revision: the changes from the revision in force.
    diff: Vec<DiffRow>,
    /// What saving does, stated before the button: 「…第3版として登録します…」.
    consequence: String,
    ready: bool,
    /// The ids whose corrections were dropped because the text changed under them.
    dropped: Vec<String>,
    /// The fields of a new plan and of a revision, filled by [`DraftPage::html`].
    new_fields: Vec<TextField>,
    revision_fields: Vec<TextField>,
}

impl DraftPage {
    /// The page's HTML, with the header fields laid out from the form and its problems.
    fn html(mut self) -> Result<String, askama::Error> {
        let t = self.c.t;
        let field = |page: &Self, field, label, value: &str, hint| TextField {
            field,
            label,
            value: value.to_owned(),
            hint,
            error: page.error_for(field).map(str::to_owned),
        };
        self.new_fields = vec![
            field(
                &self,
                "plan_id",
                t.plans_id,
                &self.f.plan_id,
                t.draft_id_hint,
            ),
            field(&self, "plan_name", t.plans_name, &self.f.plan_name, ""),
            field(
                &self,
                "start_fy",
                t.draft_start_fy,
                &self.f.start_fy,
                t.draft_year_hint,
            ),
            field(
                &self,
                "end_fy",
                t.draft_end_fy,
                &self.f.end_fy,
                t.draft_year_hint,
            ),
        ];
        self.revision_fields = vec![
            field(
                &self,
                "effective_from",
                t.draft_effective_from,
                &self.f.effective_from,
                t.draft_effective_hint,
            ),
            field(
                &self,
                "decided_on",
                t.draft_decided_on,
                &self.f.decided_on,
                t.draft_decided_on_hint,
            ),
            field(
                &self,
                "revision_note",
                t.draft_revision_note,
                &self.f.revision_note,
                "",
            ),
        ];
        self.render()
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn typed(&self, field: &str, id: &str, drafted: &str) -> String {
        self.f
            .typed
            .get(&format!("{field}.{id}"))
            .cloned()
            .unwrap_or_else(|| drafted.to_owned())
    }
}

/// `GET /admin/plans/draft`: the empty form.
async fn draft_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
) -> Result<Html<String>, WebError> {
    user.require(&[Role::Secretariat])?;
    let page = page(&state, &user, lang, &here, Fields::default()).await?;
    Ok(Html(page.html()?))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    f: Fields,
) -> Result<DraftPage, WebError> {
    let plans = state
        .store
        .list_plans()
        .await?
        .into_iter()
        .map(|p| PlanChoice {
            selected: p.id == f.base_plan,
            label: format!("{}（{}）第{}版", p.name, p.id, p.revision),
            id: p.id,
        })
        .collect();
    Ok(DraftPage {
        c: Chrome::new(lang, Some(user), here),
        title: lang.text().draft_title,
        f,
        plans,
        errors: Vec::new(),
        previewed: false,
        indicators: Vec::new(),
        lines: Vec::new(),
        review: Vec::new(),
        plan_errors: String::new(),
        diff: Vec::new(),
        consequence: String::new(),
        ready: false,
        dropped: Vec::new(),
        new_fields: Vec::new(),
        revision_fields: Vec::new(),
    })
}

/// `POST /admin/plans/draft` (multipart): `action=preview` drafts and shows; `action=save`
/// drafts again and, when everything was read and the plan is valid, saves it.
async fn draft_post(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let t = lang.text();
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(FormProblem::NotUtf8(field)) => return Err(crate::frame::view::not_utf8(&field)),
        Err(problem) => {
            let status = match problem {
                FormProblem::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            let mut p = page(&state, &user, lang, &here, Fields::default()).await?;
            p.errors.push(FieldError {
                field: "source",
                message: match problem {
                    FormProblem::TooLarge => t.upload_too_large.to_owned(),
                    _ => t.upload_unreadable.to_owned(),
                },
            });
            return Ok((status, Html(p.html()?)).into_response());
        }
    };
    user.check_csrf(form.fields.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.fields.get(k).cloned().unwrap_or_default();
    let mut f = Fields {
        mode: if get("mode") == "revision" {
            Mode::Revision
        } else {
            Mode::New
        },
        plan_id: get("plan_id").trim().to_owned(),
        plan_name: get("plan_name").trim().to_owned(),
        start_fy: get("start_fy"),
        end_fy: get("end_fy"),
        base_plan: get("base_plan"),
        effective_from: get("effective_from"),
        decided_on: get("decided_on").trim().to_owned(),
        revision_note: get("revision_note").trim().to_owned(),
        source: get("source"),
        typed: form
            .fields
            .iter()
            .filter(|(k, _)| {
                k.starts_with("name.") || k.starts_with("target.") || k.starts_with("read.")
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let mut errors = Vec::new();
    if let Some((file_name, bytes)) = form.file.filter(|(_, b)| !b.is_empty()) {
        match read_annex_text(&file_name, &bytes, &Limits::UPLOAD) {
            // A new file replaces the text, and the corrections typed over the old one.
            Ok(text) => {
                f.source = text;
                f.typed.clear();
            }
            Err(e) => errors.push(FieldError {
                field: "file",
                message: e.to_string(),
            }),
        }
    }
    f.source = f.source.replace("\r\n", "\n");
    if f.source.trim().is_empty() && errors.is_empty() {
        errors.push(FieldError {
            field: "source",
            message: t.draft_no_text.to_owned(),
        });
    } else if f.source.chars().count() > MAX_ANNEX_CHARS {
        errors.push(FieldError {
            field: "source",
            message: i18n::draft_too_long(lang, MAX_ANNEX_CHARS),
        });
    }
    let previous = match f.mode {
        Mode::Revision => state.store.plan(&f.base_plan).await?,
        Mode::New => None,
    };
    let meta = meta(lang, &f, previous.as_ref(), &state, &mut errors).await?;
    let save = get("action") == "save";
    let mut p = page(&state, &user, lang, &here, f).await?;
    let Some(meta) = meta.filter(|_| errors.is_empty()) else {
        p.errors = errors;
        return refused(p);
    };
    // The draft as read, then the corrections typed over its fields, then the draft again.
    let uncorrected = pdca_core::plan_draft::draft_plan(&p.f.source, meta.clone());
    // Ids are given by position: after the text was edited, an id may name another indicator.
    // A correction is applied only to the indicator it was typed over; the others are dropped,
    // and the page says so (and does not save what the person has not seen).
    for i in &uncorrected.indicators {
        let shown = p.f.typed.get(&format!("read.{}", i.id));
        if shown.is_some_and(|shown| *shown != read_as(i)) {
            p.f.typed.remove(&format!("name.{}", i.id));
            p.f.typed.remove(&format!("target.{}", i.id));
            p.dropped.push(i.id.clone());
        }
    }
    let typed = &p.f.typed;
    let fixes = corrections(&uncorrected, |id| {
        (
            typed.get(&format!("name.{id}")).map(String::as_str),
            typed.get(&format!("target.{id}")).map(String::as_str),
        )
    });
    let meta = DraftMeta {
        corrections: fixes,
        ..meta
    };
    let prepared = prepare(&p.f.source, meta, previous.as_ref());
    show(&mut p, lang, &prepared, &uncorrected, previous.as_ref());
    if !save || !p.dropped.is_empty() {
        return Ok(Html(p.html()?).into_response());
    }
    let Ok((plan, text)) = prepared.plan.as_ref() else {
        return refused(p);
    };
    if !prepared.draft.is_complete() {
        return refused(p);
    }
    match state
        .store
        .save_plan(plan, Some(text), &user.user.name)
        .await
    {
        // Back to the list of plans, which says what was saved (a reload does not save again).
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/plans?{}",
            encode_query(
                [
                    ("saved", plan.id.as_str()),
                    ("revision", plan.revision.to_string().as_str()),
                ]
                .into_iter()
            )
        ))
        .into_response()),
        Err(e @ (StoreError::PlanRevisionExists { .. } | StoreError::Invalid(_))) => {
            p.errors.push(FieldError {
                field: "plan_id",
                message: e.to_string(),
            });
            p.ready = false;
            refused(p)
        }
        Err(e) => Err(e.into()),
    }
}

fn refused(p: DraftPage) -> Result<Response, WebError> {
    Ok(crate::frame::view::refused(p.html()?))
}

/// The draft's header from the form, or `None` with the problems added to `errors`.
async fn meta(
    lang: Lang,
    f: &Fields,
    previous: Option<&Plan>,
    state: &AppState,
    errors: &mut Vec<FieldError>,
) -> Result<Option<DraftMeta>, WebError> {
    let t = lang.text();
    let mut year = |field: &'static str, text: &str| -> Option<FiscalYear> {
        let text = text.trim();
        if text.is_empty() {
            errors.push(FieldError {
                field,
                message: t.draft_year_required.to_owned(),
            });
            return None;
        }
        match text.parse() {
            Ok(fy) => Some(fy),
            Err(_) => {
                errors.push(FieldError {
                    field,
                    message: unreadable_fy(text),
                });
                None
            }
        }
    };
    match f.mode {
        Mode::New => {
            let start = year("start_fy", &f.start_fy);
            let end = year("end_fy", &f.end_fy);
            if f.plan_id.is_empty() {
                errors.push(FieldError {
                    field: "plan_id",
                    message: t.draft_id_required.to_owned(),
                });
            } else if state.store.plan(&f.plan_id).await?.is_some() {
                errors.push(FieldError {
                    field: "plan_id",
                    message: i18n::draft_id_taken(lang, &f.plan_id),
                });
            }
            if f.plan_name.is_empty() {
                errors.push(FieldError {
                    field: "plan_name",
                    message: t.draft_name_required.to_owned(),
                });
            }
            let (Some(start), Some(end)) = (start, end) else {
                return Ok(None);
            };
            if end < start {
                errors.push(FieldError {
                    field: "end_fy",
                    message: t.draft_end_before_start.to_owned(),
                });
                return Ok(None);
            }
            Ok(Some(DraftMeta::new(
                f.plan_id.clone(),
                f.plan_name.clone(),
                start,
                end,
            )))
        }
        Mode::Revision => {
            let Some(previous) = previous else {
                errors.push(FieldError {
                    field: "base_plan",
                    message: t.draft_choose_plan.to_owned(),
                });
                return Ok(None);
            };
            let Some(effective) = year("effective_from", &f.effective_from) else {
                return Ok(None);
            };
            if !previous.period.contains(effective) || effective < previous.effective_from {
                errors.push(FieldError {
                    field: "effective_from",
                    message: i18n::draft_effective_outside(lang, previous),
                });
                return Ok(None);
            }
            let mut meta = DraftMeta::new(
                previous.id.clone(),
                previous.name.clone(),
                previous.period.start,
                previous.period.end,
            );
            meta.revision = previous.revision.saturating_add(1);
            meta.effective_from = Some(effective);
            meta.decided_on = Some(f.decided_on.clone()).filter(|d| !d.is_empty());
            meta.revision_note = Some(f.revision_note.clone()).filter(|d| !d.is_empty());
            Ok(Some(meta))
        }
    }
}

/// Fills the preview from what was prepared.
/// What the preview shows as read for an indicator (its name and target before corrections),
/// posted back as `read.{id}` so that a correction is never applied to another indicator.
fn read_as(i: &DraftedIndicator) -> String {
    format!("{} / {}", i.name, i.target_text.as_deref().unwrap_or(""))
}

fn show(
    p: &mut DraftPage,
    lang: Lang,
    prepared: &Prepared,
    uncorrected: &Draft,
    previous: Option<&Plan>,
) {
    let read: HashMap<&str, String> = uncorrected
        .indicators
        .iter()
        .map(|i| (i.id.as_str(), read_as(i)))
        .collect();
    let draft = &prepared.draft;
    let review_lines: Vec<usize> = draft.review.iter().filter_map(|r| r.line).collect();
    p.previewed = true;
    p.lines = draft
        .lines
        .iter()
        .map(|l| LineRow {
            line: l.line,
            text: l.text.clone(),
            became: l.became.label_ja(),
            review: matches!(l.became, LineUse::NeedsReview { .. })
                || review_lines.contains(&l.line),
        })
        .collect();
    let project_names: HashMap<&str, &str> = prepared
        .plan
        .as_ref()
        .map(|(plan, _)| {
            plan.projects
                .iter()
                .map(|pr| (pr.id.as_str(), pr.name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    p.indicators = draft
        .indicators
        .iter()
        .map(|i| IndicatorRow {
            line: i.line,
            id: i.id.clone(),
            project: project_names
                .get(i.project_id.as_str())
                .map_or_else(|| i.project_id.clone(), |n| (*n).to_owned()),
            heading: format!(
                "{}{}・{}",
                lang.text().kind(i.kind),
                if i.management {
                    lang.text().draft_management_mark
                } else {
                    ""
                },
                i.group
            ),
            name: i.name.clone(),
            target: i.target_text.clone().unwrap_or_default(),
            read: read.get(i.id.as_str()).cloned().unwrap_or_default(),
            review: i.needs_review,
        })
        .collect();
    p.review = draft
        .review
        .iter()
        .map(|r| ReviewRow {
            line: r.line,
            text: match (&r.indicator, r.line) {
                (Some(id), _) => format!("{id}: {}", r.problem),
                (None, _) => r.problem.clone(),
            },
        })
        .collect();
    match &prepared.plan {
        Ok((plan, _)) => {
            if let (Some(previous), Some(diff)) = (previous, &prepared.diff) {
                p.diff = diff_rows(lang, previous, plan, diff);
            }
            p.consequence = i18n::draft_consequence(
                lang,
                plan,
                previous.is_some(),
                p.diff.len(),
                draft.indicators.len(),
            );
        }
        Err(errors) => p.plan_errors = errors.clone(),
    }
    p.ready = prepared.is_ready();
}
