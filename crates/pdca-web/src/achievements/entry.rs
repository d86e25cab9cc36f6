//! A body's achievements of one year (`/achievements/entry`): the form that adds one, each
//! achievement with its state, editable while a draft or returned (an edit names the version it
//! read: a stale one is refused with the current values shown), the submission of the year's
//! drafts after a confirmation, and the secretariat's approval or return of the submitted ones.
//! The fields are checked by the import's own rules ([`validate_achievement_rows`] on a
//! one-row file), so the page and the file accept and refuse the same things with the same words.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use pdca_core::access::{ActualState, Role};
use pdca_core::achievements::{
    Achievement, AchievementColumn, AchievementFields, AchievementId, validate_achievement_rows,
};
use pdca_core::import::RawRow;
use pdca_core::plan::{Indicator, Measure};
use pdca_core::{FiscalYear, Plan};
use pdca_store::{AchievementChange, AchievementFilter, StoreError};
use serde::Deserialize;

use crate::actuals::rules::{acting_body, entry_year};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::confirm::{Confirmation, is_confirmed};
use crate::frame::i18n::{self, Lang, Text};
use crate::frame::view::{AppForm, AppQuery, Chrome, Here, choose_plan, encode_query, refused};
use crate::{AppState, WebError};

/// The page's path.
const PATH: &str = "/achievements/entry";

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route(PATH, get(entry_page).post(post))
}

/// The entry page of `body` for `fy`, at `fragment`, with the query's `extra` pairs.
fn page_href(
    plan: &str,
    fy: FiscalYear,
    body: &str,
    extra: &[(&str, &str)],
    fragment: &str,
) -> String {
    let fy = fy.year().to_string();
    let mut pairs: Vec<(&str, &str)> = vec![("plan", plan), ("fy", &fy), ("body", body)];
    pairs.extend_from_slice(extra);
    let fragment = if fragment.is_empty() {
        String::new()
    } else {
        format!("#{fragment}")
    };
    format!("{PATH}?{}{fragment}", encode_query(pairs.into_iter()))
}

/// `template` with each `{key}` replaced by its value.
fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .fold(template.to_owned(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

// ---------------------------------------------------------------------------------------------
// What the page shows

/// An option of a select or a radio group.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One field of an achievement's form.
struct Field {
    /// The form field's name: the column's English name (`title`, `fiscal_year`, …).
    name: &'static str,
    /// The element's id.
    id: String,
    label: &'static str,
    /// text, textarea, select, radio or checkbox.
    kind: &'static str,
    value: String,
    hint: String,
    error: Option<String>,
    required: bool,
    options: Vec<Choice>,
    checked: bool,
}

impl Field {
    /// The ids that describe the field: its hint and its error.
    fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// A form adding or editing one achievement.
struct FormView {
    /// `new`, or `ach-12`: the prefix of the element ids.
    key: String,
    /// The achievement edited (empty for a new one).
    id: String,
    /// The version read (empty for a new one).
    version: String,
    fields: Vec<Field>,
    /// Someone saved first: what is current now.
    conflict: Option<String>,
    /// A refusal of the form as a whole.
    error: Option<String>,
    submit_label: &'static str,
}

impl FormView {
    fn has_errors(&self) -> bool {
        self.error.is_some()
            || self.conflict.is_some()
            || self.fields.iter().any(|f| f.error.is_some())
    }
}

/// One achievement of the body, as the page shows it.
struct ItemView {
    id: i64,
    version: i64,
    title: String,
    facts: Vec<(&'static str, String)>,
    url: String,
    state: &'static str,
    state_class: &'static str,
    /// The secretariat's comment, when it was returned.
    comment: String,
    notice: Option<String>,
    form: Option<FormView>,
    /// Whether the secretariat's approve and return forms are shown.
    review: bool,
    review_comment: String,
    review_error: Option<String>,
}

/// A line of the error summary.
struct SummaryLine {
    href: String,
    text: String,
}

#[derive(Template)]
#[template(path = "achievements/entry.html")]
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
    /// The add form (none when the body reports no count indicator).
    new_form: Option<FormView>,
    items: Vec<ItemView>,
    /// The drafts and returned achievements that 「提出する」 submits.
    to_submit: usize,
    submit_items: String,
    summary: Vec<SummaryLine>,
    message: Option<String>,
    /// A refusal of the submission or a review, shown at the top.
    page_error: Option<String>,
    actuals_href: String,
    /// The secretariat's queue: the submitted achievements of every body, by body and year.
    queue: Vec<QueueLine>,
}

/// A body and year with submitted achievements waiting for the secretariat.
struct QueueLine {
    href: String,
    label: String,
}

/// What was typed in an achievement's form.
#[derive(Debug, Default, Clone)]
struct Typed {
    indicator: String,
    year: String,
    project_code: String,
    title: String,
    institution: String,
    date: String,
    tags: String,
    public: bool,
    notable: bool,
    url: String,
    note: String,
}

impl Typed {
    fn of(f: &AchievementFields) -> Typed {
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        Typed {
            indicator: f.indicator.clone(),
            year: f.year.year().to_string(),
            project_code: text(&f.project_code),
            title: f.title.clone(),
            institution: text(&f.institution),
            date: text(&f.date),
            tags: f.tags.join("、"),
            public: f.public,
            notable: f.notable,
            url: text(&f.url),
            note: text(&f.note),
        }
    }

    fn of_form(form: &EntryForm) -> Typed {
        Typed {
            indicator: form.indicator_id.clone(),
            year: form.fiscal_year.clone(),
            project_code: form.project_code.clone(),
            title: form.title.clone(),
            institution: form.institution.clone(),
            date: form.date.clone(),
            tags: form.tags.clone(),
            public: form.public.trim() == "1",
            notable: form.notable.trim() == "1",
            url: form.url.clone(),
            note: form.note.clone(),
        }
    }
}

/// Which form a refusal belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    New,
    Item(i64),
}

/// A refused form, kept as typed.
#[derive(Default)]
struct Refusal {
    target: Option<Target>,
    typed: Option<Typed>,
    /// (field name, message); the field `form` is the form as a whole.
    errors: Vec<(&'static str, String)>,
    conflict: Option<String>,
    version: Option<i64>,
    review_comment: Option<String>,
    page_error: Option<String>,
}

/// The count indicators `body` reports that are not sub-targets, in plan order.
fn reportable<'p>(plan: &'p Plan, body: &str) -> Vec<&'p Indicator> {
    plan.indicators()
        .map(|(_, i)| i)
        .filter(|i| {
            i.measure == Measure::Count
                && i.parent.is_none()
                && i.assignments.iter().any(|a| a.body == body)
        })
        .collect()
}

/// The sub-target tags of `indicator`.
fn tags_of(plan: &Plan, indicator: &str) -> Vec<String> {
    plan.indicators()
        .map(|(_, i)| i)
        .filter(|i| i.parent.as_deref() == Some(indicator))
        .filter_map(Indicator::achievement_tag)
        .collect()
}

/// The hint of the 区分 field: each indicator's allowed tags.
fn tags_hint(t: &Text, plan: &Plan, indicators: &[&Indicator]) -> String {
    let lines: Vec<String> = indicators
        .iter()
        .filter_map(|i| {
            let tags = tags_of(plan, &i.id);
            (!tags.is_empty()).then(|| format!("{}: {}", i.name, tags.join("、")))
        })
        .collect();
    if lines.is_empty() {
        t.ae_tags_none.to_owned()
    } else {
        fill(t.ae_tags_hint, &[("tags", &lines.join("／"))])
    }
}

#[allow(clippy::too_many_arguments)] // one form's every part
fn form_view(
    t: &Text,
    lang: Lang,
    plan: &Plan,
    indicators: &[&Indicator],
    key: String,
    item: Option<&Achievement>,
    typed: &Typed,
    errors: &[(&'static str, String)],
) -> FormView {
    let error = |name: &str| {
        let messages: Vec<&str> = errors
            .iter()
            .filter(|(f, _)| *f == name)
            .map(|(_, m)| m.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    };
    let field = |name: &'static str, label: &'static str, kind: &'static str, value: &str| Field {
        name,
        id: format!("{key}-{name}"),
        label,
        kind,
        value: value.to_owned(),
        hint: String::new(),
        error: error(name),
        required: false,
        options: Vec::new(),
        checked: false,
    };
    let mut indicator = field(
        "indicator_id",
        t.ae_field_indicator,
        "select",
        &typed.indicator,
    );
    indicator.required = true;
    indicator.options = indicators
        .iter()
        .map(|i| Choice {
            value: i.id.clone(),
            label: format!("{}（{}）", i.name, i.id),
            selected: i.id == typed.indicator,
        })
        .collect();
    let mut year = field("fiscal_year", t.ae_field_year, "select", &typed.year);
    year.required = true;
    year.options = plan
        .period
        .years()
        .map(|fy| Choice {
            value: fy.year().to_string(),
            label: i18n::fiscal_year(lang, fy),
            selected: fy.year().to_string() == typed.year.trim(),
        })
        .collect();
    let mut title = field("title", t.ae_field_title, "text", &typed.title);
    title.required = true;
    let mut date = field("date", t.ae_field_date, "text", &typed.date);
    date.hint = t.ae_date_hint.to_owned();
    let mut tags = field("tags", t.ae_field_tags, "text", &typed.tags);
    tags.hint = tags_hint(t, plan, indicators);
    let mut public = field("public", t.ae_field_public, "radio", "");
    public.options = vec![
        Choice {
            value: "1".to_owned(),
            label: t.ae_public_yes.to_owned(),
            selected: typed.public,
        },
        Choice {
            value: "0".to_owned(),
            label: t.ae_public_no.to_owned(),
            selected: !typed.public,
        },
    ];
    let mut notable = field("notable", t.ae_field_notable, "checkbox", "1");
    notable.checked = typed.notable;
    let mut url = field("url", t.ae_field_url, "text", &typed.url);
    url.hint = t.ae_url_hint.to_owned();
    let fields = vec![
        indicator,
        year,
        field(
            "project_code",
            t.ae_field_project_code,
            "text",
            &typed.project_code,
        ),
        title,
        field(
            "institution",
            t.ae_field_institution,
            "text",
            &typed.institution,
        ),
        date,
        tags,
        public,
        notable,
        url,
        field("note", t.ae_field_note, "textarea", &typed.note),
    ];
    FormView {
        key,
        id: item.map(|a| a.id.0.to_string()).unwrap_or_default(),
        version: item.map(|a| a.version.to_string()).unwrap_or_default(),
        fields,
        conflict: None,
        error: error("form"),
        submit_label: if item.is_some() {
            t.ae_save_edit
        } else {
            t.ae_add
        },
    }
}

/// The label and CSS class of a state.
fn state_of(lang: Lang, state: ActualState) -> (&'static str, &'static str) {
    let class = match state {
        ActualState::Draft => "draft",
        ActualState::Submitted => "submitted",
        ActualState::Returned => "returned",
        ActualState::Approved => "approved",
        ActualState::Locked => "locked",
    };
    (i18n::state_label(lang, state), class)
}

/// Whether an achievement in `state` may be edited or submitted by its body.
fn open(state: ActualState) -> bool {
    matches!(state, ActualState::Draft | ActualState::Returned)
}

/// The achievement's values in one sentence, for a conflict notice.
fn summary_of(t: &Text, plan: &Plan, f: &AchievementFields) -> String {
    let none = || t.none_mark.to_owned();
    let indicator = plan
        .indicator(&f.indicator)
        .map_or_else(|| f.indicator.clone(), |i| i.name.clone());
    [
        (t.ae_field_indicator, indicator),
        (t.ae_field_year, f.year.wareki()),
        (
            t.ae_field_project_code,
            f.project_code.clone().unwrap_or_else(none),
        ),
        (t.ae_field_title, f.title.clone()),
        (
            t.ae_field_institution,
            f.institution.clone().unwrap_or_else(none),
        ),
        (
            t.ae_field_date,
            f.date
                .as_deref()
                .map_or_else(none, |d| i18n::date_label(Lang::Ja, d)),
        ),
        (
            t.ae_field_tags,
            if f.tags.is_empty() {
                none()
            } else {
                f.tags.join("、")
            },
        ),
        (
            t.ae_field_public,
            if f.public {
                t.ae_public_yes
            } else {
                t.ae_public_no
            }
            .to_owned(),
        ),
        (t.ae_field_url, f.url.clone().unwrap_or_else(none)),
        (t.ae_field_note, f.note.clone().unwrap_or_else(none)),
    ]
    .iter()
    .map(|(label, value)| format!("{label}「{value}」"))
    .collect::<Vec<_>>()
    .join("、")
}

/// What the page is about.
struct Scope {
    plan: Plan,
    fy: FiscalYear,
    body: String,
}

async fn scope(
    state: &AppState,
    user: &CurrentUser,
    plan: &str,
    fy: &str,
    body: &str,
) -> Result<Scope, WebError> {
    user.require(&[Role::Secretariat, Role::Body])?;
    let plan = choose_plan(&state.store, Some(plan).filter(|p| !p.trim().is_empty())).await?;
    let body = acting_body(user, &plan, Some(body))?;
    let fy = entry_year(Some(fy), &plan)?;
    Ok(Scope { plan, fy, body })
}

/// The body's achievements of the year, by id.
async fn achievements_of(state: &AppState, scope: &Scope) -> Result<Vec<Achievement>, WebError> {
    Ok(state
        .store
        .achievements(
            &scope.plan.id,
            &AchievementFilter {
                year: Some(scope.fy),
                body: Some(scope.body.clone()),
                ..AchievementFilter::default()
            },
        )
        .await?)
}

/// The error summary's lines of one form, linking to its fields.
fn summarize(t: &Text, form: &FormView, summary: &mut Vec<SummaryLine>) {
    if let Some(e) = &form.error {
        summary.push(SummaryLine {
            href: format!("{}-form", form.key),
            text: e.clone(),
        });
    }
    if form.conflict.is_some() {
        summary.push(SummaryLine {
            href: format!("{}-form", form.key),
            text: t.ae_conflict_short.to_owned(),
        });
    }
    for f in &form.fields {
        if let Some(e) = &f.error {
            summary.push(SummaryLine {
                href: f.id.clone(),
                text: format!("{}: {e}", f.label),
            });
        }
    }
}

#[allow(clippy::too_many_arguments)] // the request, what it is about, and what to show
async fn render(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    scope: &Scope,
    message: Option<String>,
    notice: Option<(i64, String)>,
    refusal: Refusal,
) -> Result<String, WebError> {
    let t = lang.text();
    let plan = &scope.plan;
    let items = achievements_of(state, scope).await?;
    let indicators = reportable(plan, &scope.body);
    let mut summary = Vec::new();
    let refused_here = |target: Target| refusal.target == Some(target);
    let new_form = (!indicators.is_empty()).then(|| {
        let (typed, errors) = if refused_here(Target::New) {
            (
                refusal.typed.clone().unwrap_or_default(),
                refusal.errors.as_slice(),
            )
        } else {
            let typed = Typed {
                indicator: indicators.first().map(|i| i.id.clone()).unwrap_or_default(),
                year: scope.fy.year().to_string(),
                ..Typed::default()
            };
            (typed, &[][..])
        };
        let form = form_view(
            t,
            lang,
            plan,
            &indicators,
            "new".to_owned(),
            None,
            &typed,
            errors,
        );
        summarize(t, &form, &mut summary);
        form
    });
    let mut views = Vec::new();
    let mut to_submit = Vec::new();
    for a in &items {
        let f = &a.fields;
        let (state_label, state_class) = state_of(lang, a.state);
        let here_refused = refused_here(Target::Item(a.id.0));
        let form = (open(a.state) && !indicators.is_empty()).then(|| {
            let (typed, errors) = match (&refusal.typed, here_refused) {
                (Some(typed), true) => (typed.clone(), refusal.errors.as_slice()),
                _ => (Typed::of(f), &[][..]),
            };
            let mut form = form_view(
                t,
                lang,
                plan,
                &indicators,
                format!("ach-{}", a.id.0),
                Some(a),
                &typed,
                errors,
            );
            if here_refused {
                form.conflict = refusal.conflict.clone();
                if let Some(v) = refusal.version {
                    form.version = v.to_string();
                }
            }
            summarize(t, &form, &mut summary);
            form
        });
        if open(a.state) {
            to_submit.push(format!("{}:{}", a.id.0, a.version));
        }
        let comment = if a.state == ActualState::Returned {
            state
                .store
                .achievement_history(&plan.id, a.id)
                .await?
                .last()
                .and_then(|r| r.comment.clone())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let none = || t.none_mark.to_owned();
        let review_error = here_refused
            .then(|| refusal.errors.iter().find(|(f, _)| *f == "comment"))
            .flatten()
            .map(|(_, m)| m.clone());
        if let Some(e) = &review_error {
            summary.push(SummaryLine {
                href: format!("ach-{}-comment", a.id.0),
                text: e.clone(),
            });
        }
        views.push(ItemView {
            id: a.id.0,
            version: a.version,
            title: f.title.clone(),
            facts: vec![
                (
                    t.ae_field_indicator,
                    plan.indicator(&f.indicator)
                        .map_or_else(|| f.indicator.clone(), |i| i.name.clone()),
                ),
                (t.ae_field_year, i18n::fiscal_year(lang, f.year)),
                (
                    t.ae_field_project_code,
                    f.project_code.clone().unwrap_or_else(none),
                ),
                (
                    t.ae_field_institution,
                    f.institution.clone().unwrap_or_else(none),
                ),
                (
                    t.ae_field_date,
                    f.date
                        .as_deref()
                        .map_or_else(none, |d| i18n::date_label(Lang::Ja, d)),
                ),
                (
                    t.ae_field_tags,
                    if f.tags.is_empty() {
                        none()
                    } else {
                        f.tags.join("、")
                    },
                ),
                (
                    t.ae_field_public,
                    if f.public {
                        t.ae_public_yes
                    } else {
                        t.ae_public_no
                    }
                    .to_owned(),
                ),
                (
                    t.ae_field_notable,
                    if f.notable {
                        t.ae_notable_yes
                    } else {
                        t.none_mark
                    }
                    .to_owned(),
                ),
                (t.ae_field_note, f.note.clone().unwrap_or_else(none)),
            ],
            url: f.url.clone().unwrap_or_default(),
            state: state_label,
            state_class,
            comment,
            notice: notice
                .as_ref()
                .filter(|(id, _)| *id == a.id.0)
                .map(|(_, m)| m.clone()),
            form,
            review: user.role() == Role::Secretariat && a.state == ActualState::Submitted,
            review_comment: if here_refused {
                refusal.review_comment.clone().unwrap_or_default()
            } else {
                String::new()
            },
            review_error,
        });
    }
    let page_error = refusal.page_error.clone();
    if let Some(e) = &page_error {
        summary.insert(
            0,
            SummaryLine {
                href: "submit".to_owned(),
                text: e.clone(),
            },
        );
    }
    let body_name = plan
        .body(&scope.body)
        .map_or_else(|| scope.body.clone(), |b| b.name.clone());
    let queue = if user.role() == Role::Secretariat {
        queue_of(state, lang, plan).await?
    } else {
        Vec::new()
    };
    let page = EntryPage {
        queue,
        c: Chrome::new(lang, Some(user), here),
        title: t.ae_title,
        plan_id: plan.id.clone(),
        fy: scope.fy.year(),
        fy_label: i18n::fiscal_year(lang, scope.fy),
        body: scope.body.clone(),
        body_name,
        years: plan
            .period
            .years()
            .map(|fy| Choice {
                value: fy.year().to_string(),
                label: i18n::fiscal_year(lang, fy),
                selected: fy == scope.fy,
            })
            .collect(),
        bodies: if user.role() == Role::Secretariat {
            plan.bodies
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
        new_form,
        items: views,
        to_submit: to_submit.len(),
        submit_items: to_submit.join(","),
        summary,
        message,
        page_error,
        actuals_href: format!(
            "/entry?{}",
            encode_query(
                [
                    ("plan", plan.id.as_str()),
                    ("fy", &scope.fy.year().to_string()),
                    ("body", scope.body.as_str()),
                ]
                .into_iter()
            )
        ),
    };
    Ok(page.render()?)
}

/// The submitted achievements of every body of `plan`, counted by body and year.
async fn queue_of(state: &AppState, lang: Lang, plan: &Plan) -> Result<Vec<QueueLine>, WebError> {
    let t = lang.text();
    let mut counts: std::collections::BTreeMap<(String, FiscalYear), usize> =
        std::collections::BTreeMap::new();
    for a in state
        .store
        .achievements(&plan.id, &AchievementFilter::default())
        .await?
        .into_iter()
        .filter(|a| a.state == ActualState::Submitted && plan.period.contains(a.fields.year))
    {
        *counts
            .entry((a.fields.body.clone(), a.fields.year))
            .or_default() += 1;
    }
    Ok(counts
        .into_iter()
        .map(|((body, fy), n)| {
            let name = plan
                .body(&body)
                .map_or_else(|| body.clone(), |b| b.name.clone());
            QueueLine {
                href: page_href(&plan.id, fy, &body, &[], "submit"),
                label: fill(
                    t.ae_queue_line,
                    &[
                        ("body", &name),
                        ("fy", &i18n::fiscal_year(lang, fy)),
                        ("n", &n.to_string()),
                    ],
                ),
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Handlers

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EntryQuery {
    plan: String,
    fy: String,
    body: String,
    /// saved, submitted, nothing, approved, returned.
    done: String,
    /// The achievement concerned.
    id: String,
    /// How many were submitted.
    n: String,
}

/// `GET /achievements/entry?plan=&fy=[&body=]`: the body's achievements of the year, the form
/// that adds one, and the secretariat's approval of the submitted ones.
async fn entry_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<EntryQuery>,
) -> Result<Html<String>, WebError> {
    let scope = scope(&state, &user, &query.plan, &query.fy, &query.body).await?;
    let t = lang.text();
    let id: Option<i64> = query.id.trim().parse().ok();
    let fy_label = i18n::fiscal_year(lang, scope.fy);
    let (message, notice) = match (query.done.as_str(), id) {
        ("saved", Some(id)) => (None, Some((id, t.ae_saved.to_owned()))),
        ("approved", Some(id)) => (None, Some((id, t.ae_approved.to_owned()))),
        ("returned", Some(id)) => (None, Some((id, t.ae_returned.to_owned()))),
        ("submitted", _) => (
            Some(fill(
                t.ae_submitted,
                &[("fy", &fy_label), ("n", query.n.trim())],
            )),
            None,
        ),
        ("nothing", _) => (Some(t.ae_nothing_to_submit.to_owned()), None),
        _ => (None, None),
    };
    Ok(Html(
        render(
            &state,
            &user,
            lang,
            &here,
            &scope,
            message,
            notice,
            Refusal::default(),
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EntryForm {
    csrf: String,
    plan: String,
    fy: String,
    body: String,
    /// save, submit, approve or return.
    action: String,
    /// The achievement edited or reviewed (empty: a new one).
    id: String,
    version: String,
    indicator_id: String,
    fiscal_year: String,
    project_code: String,
    title: String,
    institution: String,
    date: String,
    tags: String,
    public: String,
    notable: String,
    url: String,
    note: String,
    /// The secretariat's comment (required to return).
    comment: String,
    /// What 「提出する」 submits: `id:version,…`.
    items: String,
    confirmed: Option<String>,
}

/// The fields of `typed` for `body`, checked by the import's rules: the fields, or each error
/// with the name of its field.
fn validate(
    plan: &Plan,
    body: &str,
    typed: &Typed,
) -> Result<AchievementFields, Vec<(&'static str, String)>> {
    let headers: Vec<String> = AchievementColumn::ALL
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let cells = [
        typed.indicator.as_str(),
        typed.year.as_str(),
        body,
        typed.project_code.as_str(),
        typed.title.as_str(),
        typed.institution.as_str(),
        typed.date.as_str(),
        typed.tags.as_str(),
        if typed.public { "公開" } else { "非公開" },
        if typed.notable { "はい" } else { "いいえ" },
        typed.url.as_str(),
        typed.note.as_str(),
    ];
    match validate_achievement_rows(plan, &headers, 1, &[RawRow::new(2, cells)]) {
        Ok(mut rows) => rows
            .pop()
            .map(|row| row.fields)
            .ok_or_else(|| vec![("title", "成果名（title）が空です".to_owned())]),
        Err(errors) => Err(errors
            .into_iter()
            .map(|e| {
                let field = match e
                    .cell
                    .as_ref()
                    .and_then(|c| AchievementColumn::from_header(&c.header))
                {
                    // The body is the page's: an indicator it does not report is the choice's.
                    Some(AchievementColumn::Body) => "indicator_id",
                    Some(col) => col.name(),
                    None => "form",
                };
                (field, e.message)
            })
            .collect()),
    }
}

/// `POST /achievements/entry`: `action=save` adds (no `id`) or edits an achievement as a draft;
/// `submit` submits the year's drafts after a confirmation; `approve` and `return` (with a
/// comment) are the secretariat's. Success goes back to the row with a notice; a refusal shows
/// the page again with what was typed and the errors (422).
async fn post(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Reporters>,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<EntryForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let scope = scope(&state, &user, &form.plan, &form.fy, &form.body).await?;
    match form.action.as_str() {
        "save" => save(&state, &user, lang, &here, &scope, &form).await,
        "submit" => submit(&state, &user, lang, &here, &scope, &form).await,
        "approve" | "return" => review(&state, &user, lang, &here, &scope, &form).await,
        _ => Err(WebError::BadRequest {
            param: "action".to_owned(),
            message: "action は save, submit, approve, return のどれかです".to_owned(),
        }),
    }
}

/// The achievement `id` of the plan, refused unless it is the acting body's.
async fn own_achievement(
    state: &AppState,
    scope: &Scope,
    id: i64,
) -> Result<Achievement, WebError> {
    let all = state
        .store
        .achievements(&scope.plan.id, &AchievementFilter::default())
        .await?;
    let found = all
        .into_iter()
        .find(|a| a.id.0 == id)
        .ok_or_else(|| WebError::NotFound(format!("成果 {id}")))?;
    if found.fields.body != scope.body {
        return Err(WebError::Forbidden);
    }
    Ok(found)
}

async fn save(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    scope: &Scope,
    form: &EntryForm,
) -> Result<Response, WebError> {
    let t = lang.text();
    let typed = Typed::of_form(form);
    let id = match form.id.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| WebError::BadRequest {
            param: "id".to_owned(),
            message: format!("成果のID「{text}」は数ではありません"),
        })?),
    };
    let current = match id {
        Some(id) => Some(own_achievement(state, scope, id).await?),
        None => None,
    };
    let target = id.map_or(Target::New, Target::Item);
    let refuse = |refusal: Refusal| async move {
        let html = render(state, user, lang, here, scope, None, None, refusal).await?;
        Ok::<_, WebError>(refused(html))
    };
    if let Some(current) = &current
        && !open(current.state)
    {
        return refuse(Refusal {
            target: Some(target),
            typed: Some(typed),
            page_error: Some(fill(
                t.ae_not_editable,
                &[
                    ("title", &current.fields.title),
                    ("state", i18n::state_label(lang, current.state)),
                ],
            )),
            ..Refusal::default()
        })
        .await;
    }
    let fields = match validate(&scope.plan, &scope.body, &typed) {
        Ok(fields) => fields,
        Err(errors) => {
            return refuse(Refusal {
                target: Some(target),
                typed: Some(typed),
                errors,
                ..Refusal::default()
            })
            .await;
        }
    };
    let version = match (id, form.version.trim().parse::<i64>()) {
        (None, _) => None,
        (Some(_), Ok(v)) => Some(v),
        (Some(_), Err(_)) => {
            return Err(WebError::BadRequest {
                param: "version".to_owned(),
                message: "版（version）がありません".to_owned(),
            });
        }
    };
    let change = AchievementChange {
        id: id.map(AchievementId),
        expected_version: version,
        fields: fields.clone(),
    };
    match state
        .store
        .record_achievements(
            &scope.plan.id,
            &[change],
            ActualState::Draft,
            &user.user.name,
        )
        .await
    {
        Ok(ids) => {
            let saved = ids.first().map_or(0, |i| i.0).to_string();
            let location = page_href(
                &scope.plan.id,
                fields.year,
                &scope.body,
                &[("done", "saved"), ("id", &saved)],
                &format!("ach-{saved}"),
            );
            Ok(Redirect::to(&location).into_response())
        }
        Err(StoreError::AchievementChanged { .. }) => {
            let Some(id) = id else {
                return Err(WebError::Internal(
                    "conflict on a new achievement".to_owned(),
                ));
            };
            let now = own_achievement(state, scope, id).await?;
            let history = state
                .store
                .achievement_history(&scope.plan.id, now.id)
                .await?;
            let (by, at) = history.last().map_or_else(Default::default, |r| {
                (r.recorded_by.clone(), i18n::date_time(lang, &r.recorded_at))
            });
            refuse(Refusal {
                target: Some(Target::Item(id)),
                typed: Some(typed),
                conflict: Some(fill(
                    t.ae_conflict,
                    &[
                        ("by", &by),
                        ("at", &at),
                        ("current", &summary_of(t, &scope.plan, &now.fields)),
                    ],
                )),
                version: Some(now.version),
                ..Refusal::default()
            })
            .await
        }
        Err(e @ (StoreError::Invalid(_) | StoreError::NotFound(_))) => {
            refuse(Refusal {
                target: Some(target),
                typed: Some(typed),
                errors: vec![("form", e.to_string())],
                ..Refusal::default()
            })
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `id:version,…` as pairs; `None` if any is not.
fn parse_items(text: &str) -> Option<Vec<(AchievementId, i64)>> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (id, version) = s.split_once(':')?;
            Some((
                AchievementId(id.trim().parse().ok()?),
                version.trim().parse().ok()?,
            ))
        })
        .collect()
}

async fn submit(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    scope: &Scope,
    form: &EntryForm,
) -> Result<Response, WebError> {
    let t = lang.text();
    let items = achievements_of(state, scope).await?;
    let fy_label = i18n::fiscal_year(lang, scope.fy);
    let asked = parse_items(&form.items).ok_or_else(|| WebError::BadRequest {
        param: "items".to_owned(),
        message: "items は 成果ID:版 をカンマで区切ったものです".to_owned(),
    })?;
    // Only the body's own achievements of the year may be named.
    for (id, _) in &asked {
        if !items.iter().any(|a| a.id == *id) {
            own_achievement(state, scope, id.0).await?;
            return Err(WebError::BadRequest {
                param: "items".to_owned(),
                message: format!("成果 {} はこの年度の成果ではありません", id.0),
            });
        }
    }
    let back =
        |extra: &[(&str, &str)]| page_href(&scope.plan.id, scope.fy, &scope.body, extra, "submit");
    if asked.is_empty() {
        return Ok(Redirect::to(&back(&[("done", "nothing")])).into_response());
    }
    let n = asked.len().to_string();
    if !is_confirmed(form.confirmed.as_deref()) {
        let confirmation = Confirmation {
            c: Chrome::new(lang, Some(user), here),
            title: t.ae_confirm_title.to_owned(),
            consequence: fill(t.ae_confirm_submit, &[("fy", &fy_label), ("n", &n)]),
            details: asked
                .iter()
                .filter_map(|(id, _)| items.iter().find(|a| a.id == *id))
                .map(|a| {
                    fill(
                        t.ae_confirm_item,
                        &[("id", &a.id.0.to_string()), ("title", &a.fields.title)],
                    )
                })
                .collect(),
            action: PATH.to_owned(),
            fields: vec![
                ("csrf".to_owned(), form.csrf.clone()),
                ("plan".to_owned(), scope.plan.id.clone()),
                ("fy".to_owned(), scope.fy.year().to_string()),
                ("body".to_owned(), scope.body.clone()),
                ("action".to_owned(), "submit".to_owned()),
                ("items".to_owned(), form.items.clone()),
            ],
            confirm_label: t.ae_submit.to_owned(),
            destructive: false,
            back_href: back(&[]),
        };
        return Ok(confirmation.into_page()?);
    }
    match state
        .store
        .set_achievement_state(
            &scope.plan.id,
            &asked,
            ActualState::Submitted,
            None,
            &user.user.name,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&back(&[("done", "submitted"), ("n", &n)])).into_response()),
        Err(
            e @ (StoreError::AchievementChanged { .. }
            | StoreError::Invalid(_)
            | StoreError::NotFound(_)),
        ) => {
            let message = match e {
                StoreError::AchievementChanged { .. } => t.ae_submit_conflict.to_owned(),
                e => e.to_string(),
            };
            let html = render(
                state,
                user,
                lang,
                here,
                scope,
                None,
                None,
                Refusal {
                    page_error: Some(message),
                    ..Refusal::default()
                },
            )
            .await?;
            Ok(refused(html))
        }
        Err(e) => Err(e.into()),
    }
}

async fn review(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    scope: &Scope,
    form: &EntryForm,
) -> Result<Response, WebError> {
    user.require(&[Role::Secretariat])?;
    let t = lang.text();
    let bad = |param: &str| WebError::BadRequest {
        param: param.to_owned(),
        message: format!("{param} が数ではありません"),
    };
    let id: i64 = form.id.trim().parse().map_err(|_| bad("id"))?;
    let version: i64 = form.version.trim().parse().map_err(|_| bad("version"))?;
    own_achievement(state, scope, id).await?;
    let returning = form.action == "return";
    let comment = form.comment.trim();
    let refuse = |errors: Vec<(&'static str, String)>, page_error: Option<String>| async move {
        let html = render(
            state,
            user,
            lang,
            here,
            scope,
            None,
            None,
            Refusal {
                target: Some(Target::Item(id)),
                errors,
                review_comment: Some(form.comment.clone()),
                page_error,
                ..Refusal::default()
            },
        )
        .await?;
        Ok::<_, WebError>(refused(html))
    };
    if returning && comment.is_empty() {
        return refuse(vec![("comment", t.ae_comment_required.to_owned())], None).await;
    }
    let (to, done) = if returning {
        (ActualState::Returned, "returned")
    } else {
        (ActualState::Approved, "approved")
    };
    match state
        .store
        .set_achievement_state(
            &scope.plan.id,
            &[(AchievementId(id), version)],
            to,
            Some(comment).filter(|c| !c.is_empty()),
            &user.user.name,
        )
        .await
    {
        Ok(()) => {
            let id_text = id.to_string();
            let location = page_href(
                &scope.plan.id,
                scope.fy,
                &scope.body,
                &[("done", done), ("id", &id_text)],
                &format!("ach-{id}"),
            );
            Ok(Redirect::to(&location).into_response())
        }
        Err(StoreError::AchievementChanged { .. }) => {
            refuse(Vec::new(), Some(t.ae_review_conflict.to_owned())).await
        }
        Err(e @ StoreError::Invalid(_)) => {
            let message = e.to_string();
            if message.contains("コメント") {
                refuse(vec![("comment", message)], None).await
            } else {
                refuse(Vec::new(), Some(message)).await
            }
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn items_are_read_or_refused_whole() {
        assert_eq!(
            parse_items("12:1, 15:3"),
            Some(vec![(AchievementId(12), 1), (AchievementId(15), 3)])
        );
        assert_eq!(parse_items(""), Some(Vec::new()));
        assert_eq!(parse_items("12"), None);
        assert_eq!(parse_items("12:x"), None);
    }
}
