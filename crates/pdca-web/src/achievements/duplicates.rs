//! The secretariat's decisions on possible duplicate achievements (`/achievements/duplicates`):
//! every pair that looks like one achievement reported twice, open pairs first, both reports
//! side by side with why they look alike, and a form that decides the pair the same (which
//! report stands) or distinct, with a reason. A same decision is confirmed first with what it
//! does to the counts. A decision is never deleted, only superseded: a decided pair shows its
//! history and the same form, filled in, to change it.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use pdca_core::access::Role;
use pdca_core::achievements::{
    Achievement, AchievementId, DuplicateDecision, DuplicatePair, DuplicateReason, Resolution,
    derive, find_duplicates, is_approved,
};
use pdca_core::plan::{Counting, Indicator};
use pdca_core::{Actuals, FiscalYear, Plan};
use pdca_store::{AchievementFilter, RecordedDecision, StoreError};
use serde::Deserialize;

use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::confirm::{Confirmation, is_confirmed};
use crate::frame::i18n::{self, Lang, Text};
use crate::frame::view::{AppForm, AppQuery, Chrome, Here, choose_plan, encode_query, refused};
use crate::{AppState, WebError};

/// The page's path.
const PATH: &str = "/achievements/duplicates";

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route(PATH, get(duplicates_page).post(decide))
}

/// The open pairs of `plan`: the secretariat's work (`/tasks`).
pub(crate) async fn open_pairs(state: &AppState, plan: &Plan) -> Result<usize, WebError> {
    let items = state
        .store
        .achievements(&plan.id, &AchievementFilter::default())
        .await?;
    if items.len() < 2 {
        return Ok(0);
    }
    let decisions = state.store.duplicate_decisions(&plan.id).await?;
    Ok(find_duplicates(&items, &decisions)
        .iter()
        .filter(|p| p.is_open())
        .count())
}

/// The page of `plan`, at the pair `a`–`b`.
pub(crate) fn pair_href(plan: &str, a: AchievementId, b: AchievementId) -> String {
    format!(
        "{PATH}?{}#pair-{}-{}",
        encode_query([("plan", plan)].into_iter()),
        a.0,
        b.0
    )
}

// ---------------------------------------------------------------------------------------------
// What the page shows

/// One report of a pair, as the table shows it.
struct Side {
    id: i64,
    body: String,
    year: String,
    project_code: String,
    title: String,
    institution: String,
    date: String,
    url: String,
    /// Whether the link may be followed (http or https); otherwise it is shown as text.
    url_is_link: bool,
    state: &'static str,
    /// The kept radio's label: 成果 12（AMED・令和4年度）.
    kept_label: String,
}

/// A recorded decision, in words.
struct DecisionView {
    text: String,
    reason: String,
    by: String,
    at: String,
}

/// What the pair's form holds: the stored decision, or what was typed, with its errors.
#[derive(Default)]
struct PairForm {
    resolution: String,
    kept: String,
    reason: String,
    resolution_error: Option<String>,
    kept_error: Option<String>,
    reason_error: Option<String>,
    /// A refusal of the pair as a whole (an achievement gone, another indicator).
    pair_error: Option<String>,
}

impl PairForm {
    fn has_errors(&self) -> bool {
        self.resolution_error.is_some()
            || self.kept_error.is_some()
            || self.reason_error.is_some()
            || self.pair_error.is_some()
    }
}

struct PairView {
    /// `12-15`: the fragment `#pair-12-15` and the prefix of the form's element ids.
    key: String,
    heading: String,
    caption: String,
    indicator: String,
    reasons: Vec<&'static str>,
    sides: [Side; 2],
    /// The current decision (none: open).
    decision: Option<DecisionView>,
    /// The earlier decisions, newest first.
    earlier: Vec<DecisionView>,
    form: PairForm,
    notice: Option<String>,
}

impl PairView {
    fn a(&self) -> i64 {
        self.sides[0].id
    }

    fn b(&self) -> i64 {
        self.sides[1].id
    }
}

struct Section {
    id: &'static str,
    heading: String,
    empty: &'static str,
    pairs: Vec<PairView>,
}

/// An entry of the error summary: the field's element id and the message.
struct SummaryError {
    href: String,
    message: String,
}

#[derive(Template)]
#[template(path = "achievements/duplicates.html")]
struct DuplicatesPage {
    c: Chrome,
    title: &'static str,
    plan_id: String,
    plan_name: String,
    sections: Vec<Section>,
    errors: Vec<SummaryError>,
    /// A notice shown at the top (its pair is no longer listed).
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DuplicatesQuery {
    plan: String,
    /// `decided` after a decision on the pair `a`–`b`.
    done: String,
    a: String,
    b: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecideForm {
    csrf: String,
    plan: String,
    a: String,
    b: String,
    /// `same` or `distinct`.
    resolution: String,
    /// The id of the report that stands (with `same`).
    kept: String,
    reason: String,
    confirmed: Option<String>,
}

/// `template` with each `{key}` replaced by its value.
fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .fold(template.to_owned(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

/// A body's name as the page shows it (its short name when it has one).
fn body_name(plan: &Plan, id: &str) -> String {
    plan.body(id).map_or_else(
        || id.to_owned(),
        |b| b.short_name.clone().unwrap_or_else(|| b.name.clone()),
    )
}

/// 令和4年度, or 2022年 for an indicator counted by calendar year.
fn year_label(lang: Lang, indicator: Option<&Indicator>, year: FiscalYear) -> String {
    match indicator.map(|i| i.counting) {
        Some(Counting::CalendarYear) => match lang {
            Lang::Ja => format!("{}年", year.year()),
            Lang::En => year.year().to_string(),
        },
        _ => i18n::fiscal_year(lang, year),
    }
}

/// An indicator as the page names it: its name and id.
fn indicator_label(plan: &Plan, id: &str) -> String {
    match plan.indicator(id) {
        Some(i) => format!("{}（{id}）", i.name),
        None => id.to_owned(),
    }
}

fn side(lang: Lang, plan: &Plan, item: &Achievement) -> Side {
    let t = lang.text();
    let f = &item.fields;
    let none = || t.none_mark.to_owned();
    let body = body_name(plan, &f.body);
    let year = year_label(lang, plan.indicator(&f.indicator), f.year);
    let url = f.url.clone().unwrap_or_default();
    Side {
        id: item.id.0,
        kept_label: fill(
            t.dup_kept_option,
            &[
                ("id", &item.id.0.to_string()),
                ("body", &body),
                ("year", &year),
            ],
        ),
        body,
        year,
        project_code: f.project_code.clone().unwrap_or_else(none),
        title: f.title.clone(),
        institution: f.institution.clone().unwrap_or_else(none),
        date: f
            .date
            .as_deref()
            .map_or_else(none, |d| i18n::date_label(lang, d)),
        url_is_link: url.starts_with("https://") || url.starts_with("http://"),
        url,
        state: i18n::state_label(lang, item.state),
    }
}

/// A decision in words: 同じ成果（成果 12 の報告を残す）, 別の成果.
fn decision_text(t: &Text, resolution: &Resolution) -> String {
    match resolution {
        Resolution::Same { kept } => fill(t.dup_decision_same, &[("kept", &kept.0.to_string())]),
        Resolution::Distinct => t.dup_decision_distinct.to_owned(),
    }
}

fn decision_view(lang: Lang, recorded: &RecordedDecision) -> DecisionView {
    DecisionView {
        text: decision_text(lang.text(), &recorded.decision.resolution),
        reason: recorded.decision.reason.clone(),
        by: recorded.decided_by.clone(),
        at: i18n::date_time(lang, &recorded.decided_at),
    }
}

/// The form of a decided pair, filled in with its decision.
fn form_of(decision: &DuplicateDecision) -> PairForm {
    let (resolution, kept) = match decision.resolution {
        Resolution::Same { kept } => ("same", kept.0.to_string()),
        Resolution::Distinct => ("distinct", String::new()),
    };
    PairForm {
        resolution: resolution.to_owned(),
        kept,
        reason: decision.reason.clone(),
        ..PairForm::default()
    }
}

/// What the page needs to know about a refused form: the pair and what was typed.
struct Refusal {
    a: i64,
    b: i64,
    form: PairForm,
}

/// The page of `plan`: its pairs, the notice of the decision just recorded on `done` (a, b),
/// and a refused form kept as typed.
async fn render(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan: &Plan,
    done: Option<(i64, i64)>,
    refusal: Option<Refusal>,
) -> Result<String, WebError> {
    let t = lang.text();
    let items = state
        .store
        .achievements(&plan.id, &AchievementFilter::default())
        .await?;
    let decisions = state.store.duplicate_decisions(&plan.id).await?;
    let pairs = find_duplicates(&items, &decisions);
    let by_id: HashMap<AchievementId, &Achievement> = items.iter().map(|a| (a.id, a)).collect();
    let mut refusal = refusal;
    let mut notice = None;
    let mut open = Vec::new();
    let mut decided = Vec::new();
    for pair in &pairs {
        let (Some(a), Some(b)) = (by_id.get(&pair.a), by_id.get(&pair.b)) else {
            continue;
        };
        let mut view = pair_view(state, lang, plan, pair, a, b).await?;
        let ids = (pair.a.0, pair.b.0);
        if let Some(r) = refusal.take_if(|r| (r.a, r.b) == ids) {
            view.form = r.form;
        }
        if done == Some(ids) {
            view.notice = view.decision.as_ref().map(|d| done_notice(t, ids, d));
        }
        if pair.is_open() {
            open.push(view);
        } else {
            decided.push(view);
        }
    }
    // A notice or refusal whose pair is not listed (it no longer looks alike, or it was
    // named by hand) is shown at the top.
    if let Some((a, b)) = done
        && !pairs.iter().any(|p| (p.a.0, p.b.0) == (a, b))
        && let Some(d) = decisions.iter().find(|d| (d.a.0, d.b.0) == (a, b))
    {
        let view = DecisionView {
            text: decision_text(t, &d.resolution),
            reason: d.reason.clone(),
            by: String::new(),
            at: String::new(),
        };
        notice = Some(done_notice(t, (a, b), &view));
    }
    let mut errors = Vec::new();
    for view in open.iter().chain(&decided) {
        summarize(&view.key, &view.form, &mut errors);
    }
    if let Some(r) = refusal {
        summarize("form", &r.form, &mut errors);
    }
    let page = DuplicatesPage {
        c: Chrome::new(lang, Some(user), here),
        title: t.dup_title,
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        sections: vec![
            Section {
                id: "open-pairs",
                heading: fill(t.dup_open_heading, &[("n", &open.len().to_string())]),
                empty: t.dup_none_open,
                pairs: open,
            },
            Section {
                id: "decided-pairs",
                heading: fill(t.dup_decided_heading, &[("n", &decided.len().to_string())]),
                empty: t.dup_none_decided,
                pairs: decided,
            },
        ],
        errors,
        notice,
    };
    Ok(page.render()?)
}

/// The error summary's entries of one pair's form, linking to its fields.
fn summarize(key: &str, form: &PairForm, errors: &mut Vec<SummaryError>) {
    for (field, error) in [
        ("pair", &form.pair_error),
        ("resolution-same", &form.resolution_error),
        ("kept", &form.kept_error),
        ("reason", &form.reason_error),
    ] {
        if let Some(message) = error {
            let href = if key == "form" {
                String::new()
            } else if field == "pair" {
                format!("pair-{key}")
            } else if field == "kept" {
                // The first report's radio: the key is `a-b`.
                let a = key.split('-').next().unwrap_or_default();
                format!("pair-{key}-kept-{a}")
            } else {
                format!("pair-{key}-{field}")
            };
            errors.push(SummaryError {
                href,
                message: message.clone(),
            });
        }
    }
}

/// 成果 12 と 15 を同じ成果と記録しました（…）.
fn done_notice(t: &Text, (a, b): (i64, i64), decision: &DecisionView) -> String {
    fill(
        t.dup_done,
        &[
            ("a", &a.to_string()),
            ("b", &b.to_string()),
            ("decision", &decision.text),
        ],
    )
}

async fn pair_view(
    state: &AppState,
    lang: Lang,
    plan: &Plan,
    pair: &DuplicatePair,
    a: &Achievement,
    b: &Achievement,
) -> Result<PairView, WebError> {
    let t = lang.text();
    let (ia, ib) = (pair.a.0.to_string(), pair.b.0.to_string());
    let mut earlier = Vec::new();
    let mut decision = None;
    let mut form = PairForm::default();
    if let Some(current) = &pair.decision {
        let mut history = state
            .store
            .duplicate_decision_history(&plan.id, pair.a, pair.b)
            .await?;
        let last = history.pop();
        decision = Some(match &last {
            Some(recorded) => decision_view(lang, recorded),
            None => DecisionView {
                text: decision_text(t, &current.resolution),
                reason: current.reason.clone(),
                by: String::new(),
                at: String::new(),
            },
        });
        earlier = history
            .iter()
            .rev()
            .map(|r| decision_view(lang, r))
            .collect();
        form = form_of(current);
    }
    Ok(PairView {
        key: format!("{ia}-{ib}"),
        heading: fill(t.dup_pair_heading, &[("a", &ia), ("b", &ib)]),
        caption: fill(t.dup_caption, &[("a", &ia), ("b", &ib)]),
        indicator: indicator_label(plan, &a.fields.indicator),
        reasons: pair
            .reasons
            .iter()
            .map(|r| match r {
                DuplicateReason::SameProjectAndTitle => t.dup_reason_project_title,
                DuplicateReason::SameUrl => t.dup_reason_url,
            })
            .collect(),
        sides: [side(lang, plan, a), side(lang, plan, b)],
        decision,
        earlier,
        form,
        notice: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers

/// `GET /achievements/duplicates[?plan=ID]`: every possible duplicate pair of the plan, open
/// ones first (the secretariat only).
async fn duplicates_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<DuplicatesQuery>,
) -> Result<Html<String>, WebError> {
    user.require(&[Role::Secretariat])?;
    let plan = choose_plan(&state.store, Some(&query.plan)).await?;
    let done = match (query.done.as_str(), query.a.parse(), query.b.parse()) {
        ("decided", Ok(a), Ok(b)) => Some((a, b)),
        _ => None,
    };
    Ok(Html(
        render(&state, &user, lang, &here, &plan, done, None).await?,
    ))
}

/// What a posted form asks for, once checked.
struct Checked {
    a: AchievementId,
    b: AchievementId,
    indicator: String,
    resolution: Resolution,
    reason: String,
}

/// Checks `form` against the plan's achievements: both exist, they are two, of the same
/// indicator, a decision is chosen, the kept report is one of them, the reason is not blank.
/// A refusal keeps what was typed, with the pair's ids in order.
fn check(t: &Text, form: &DecideForm, items: &[Achievement]) -> Result<Checked, Box<Refusal>> {
    let parse = |text: &str| text.trim().parse::<i64>().ok();
    let (x, y) = (parse(&form.a), parse(&form.b));
    let (a, b) = match (x, y) {
        (Some(x), Some(y)) => (x.min(y), x.max(y)),
        _ => (0, 0),
    };
    let mut typed = PairForm {
        resolution: form.resolution.trim().to_owned(),
        kept: form.kept.trim().to_owned(),
        reason: form.reason.clone(),
        ..PairForm::default()
    };
    let find = |id: i64| items.iter().find(|i| i.id.0 == id);
    let pair = match (x, y) {
        (Some(x), Some(y)) if x != y => match (find(a), find(b)) {
            (Some(ia), Some(ib)) if ia.fields.indicator == ib.fields.indicator => Ok((ia, ib)),
            (Some(_), Some(_)) => Err(fill(
                t.dup_err_other_indicator,
                &[("a", &a.to_string()), ("b", &b.to_string())],
            )),
            (None, _) => Err(fill(t.dup_err_unknown, &[("id", &a.to_string())])),
            (_, None) => Err(fill(t.dup_err_unknown, &[("id", &b.to_string())])),
        },
        _ => Err(t.dup_err_pair.to_owned()),
    };
    let resolution = match typed.resolution.as_str() {
        "same" => match typed.kept.parse::<i64>() {
            Ok(kept) if kept == a || kept == b => Some(Resolution::Same {
                kept: AchievementId(kept),
            }),
            _ => {
                typed.kept_error = Some(t.dup_err_kept.to_owned());
                None
            }
        },
        "distinct" => Some(Resolution::Distinct),
        _ => {
            typed.resolution_error = Some(t.dup_err_resolution.to_owned());
            None
        }
    };
    let reason = form.reason.trim();
    if reason.is_empty() {
        typed.reason_error = Some(t.dup_err_reason.to_owned());
    }
    match (pair, resolution) {
        (Ok((ia, ib)), Some(resolution)) if !typed.has_errors() => Ok(Checked {
            a: ia.id,
            b: ib.id,
            indicator: ia.fields.indicator.clone(),
            resolution,
            reason: reason.to_owned(),
        }),
        (pair, _) => {
            typed.pair_error = pair.err();
            Err(Box::new(Refusal { a, b, form: typed }))
        }
    }
}

/// `POST /achievements/duplicates` (`csrf`, `plan`, `a`, `b`, `resolution`, `kept`, `reason`):
/// records the secretariat's decision on the pair, after a confirmation for a same decision,
/// and goes back to the pair with a notice. A refused form comes back with its errors and
/// what was typed (422).
async fn decide(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<DecideForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let t = lang.text();
    let plan = choose_plan(&state.store, Some(&form.plan)).await?;
    let items = state
        .store
        .achievements(&plan.id, &AchievementFilter::default())
        .await?;
    let refuse = |refusal: Refusal| async {
        let html = render(&state, &user, lang, &here, &plan, None, Some(refusal)).await?;
        Ok::<_, WebError>(refused(html))
    };
    let checked = match check(t, &form, &items) {
        Ok(checked) => checked,
        Err(refusal) => return refuse(*refusal).await,
    };
    if let Resolution::Same { kept } = checked.resolution
        && !is_confirmed(form.confirmed.as_deref())
    {
        let confirmation =
            confirmation(&state, &user, lang, &here, &plan, &form, &checked, kept).await?;
        return Ok(confirmation.into_page()?);
    }
    let decision = DuplicateDecision {
        a: checked.a,
        b: checked.b,
        resolution: checked.resolution.clone(),
        reason: checked.reason.clone(),
    };
    match state
        .store
        .decide_duplicate(&plan.id, &decision, &user.user.name)
        .await
    {
        Ok(()) => {
            let location = format!(
                "{PATH}?{}#pair-{}-{}",
                encode_query(
                    [
                        ("plan", plan.id.as_str()),
                        ("done", "decided"),
                        ("a", &checked.a.0.to_string()),
                        ("b", &checked.b.0.to_string()),
                    ]
                    .into_iter()
                ),
                checked.a.0,
                checked.b.0
            );
            Ok(Redirect::to(&location).into_response())
        }
        Err(e @ (StoreError::NotFound(_) | StoreError::Invalid(_))) => {
            let mut typed = PairForm {
                resolution: form.resolution.trim().to_owned(),
                kept: form.kept.trim().to_owned(),
                reason: form.reason.clone(),
                ..PairForm::default()
            };
            // The store refuses the reason's text (control characters); anything else is
            // about the pair.
            match &e {
                StoreError::Invalid(_) => typed.reason_error = Some(e.to_string()),
                _ => typed.pair_error = Some(e.to_string()),
            }
            refuse(Refusal {
                a: checked.a.0,
                b: checked.b.0,
                form: typed,
            })
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The confirmation of a same decision: what it does to the counts of the indicator (and its
/// sub-targets), year by year, as evaluations count them (approved achievements).
#[allow(clippy::too_many_arguments)] // the request, the plan, the form and what it asks
async fn confirmation(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan: &Plan,
    form: &DecideForm,
    checked: &Checked,
    kept: AchievementId,
) -> Result<Confirmation, WebError> {
    let t = lang.text();
    let approved = state
        .store
        .achievements(
            &plan.id,
            &AchievementFilter {
                approved_only: true,
                ..AchievementFilter::default()
            },
        )
        .await?;
    let decisions = state.store.duplicate_decisions(&plan.id).await?;
    let previous = decisions
        .iter()
        .find(|d| (d.a, d.b) == (checked.a, checked.b))
        .map(|d| decision_text(t, &d.resolution));
    let mut after: Vec<DuplicateDecision> = decisions
        .iter()
        .filter(|d| (d.a, d.b) != (checked.a, checked.b))
        .cloned()
        .collect();
    after.push(DuplicateDecision {
        a: checked.a,
        b: checked.b,
        resolution: checked.resolution.clone(),
        reason: checked.reason.clone(),
    });
    let counts =
        |decisions: &[DuplicateDecision]| counts_of(plan, &approved, decisions, &checked.indicator);
    let (before, after) = (counts(&decisions), counts(&after));
    let (ia, ib) = (checked.a.0.to_string(), checked.b.0.to_string());
    let other = if kept == checked.a { &ib } else { &ia };
    let kept_text = kept.0.to_string();
    let indicator = plan.indicator(&checked.indicator);
    let mut sentences = Vec::new();
    if indicator.is_some_and(Indicator::counted_from_achievements) {
        for (key, before_n) in &before {
            let after_n = after.get(key).copied().unwrap_or(0.0);
            if *before_n != after_n {
                let (id, year) = key;
                let counted = plan.indicator(id);
                let unit = counted.map_or("", |i| i.unit.as_str());
                sentences.push(fill(
                    t.dup_confirm_count,
                    &[
                        ("indicator", &counted.map_or(id.clone(), |i| i.name.clone())),
                        ("fy", &year_label(lang, counted, *year)),
                        ("before", &format!("{}{unit}", number(*before_n))),
                        ("after", &format!("{}{unit}", number(after_n))),
                    ],
                ));
            }
        }
        if sentences.is_empty() {
            sentences.push(fill(
                t.dup_confirm_unchanged,
                &[("indicator", &indicator_name(plan, &checked.indicator))],
            ));
        }
    } else {
        sentences.push(fill(
            t.dup_confirm_typed,
            &[("indicator", &indicator_name(plan, &checked.indicator))],
        ));
    }
    let mut sentences = sentences.into_iter();
    let consequence = format!(
        "{}{}",
        fill(
            t.dup_confirm_consequence,
            &[("a", &ia), ("b", &ib), ("kept", &kept_text)]
        ),
        sentences.next().unwrap_or_default()
    );
    let mut details: Vec<String> = sentences.collect();
    details.push(fill(t.dup_confirm_set_aside, &[("other", other)]));
    if let Some(previous) = previous {
        details.push(fill(t.dup_confirm_previous, &[("decision", &previous)]));
    }
    details.push(fill(t.dup_confirm_reason, &[("reason", &checked.reason)]));
    Ok(Confirmation {
        c: Chrome::new(lang, Some(user), here),
        title: t.dup_confirm_title.to_owned(),
        consequence,
        details,
        action: PATH.to_owned(),
        fields: vec![
            ("csrf".to_owned(), form.csrf.clone()),
            ("plan".to_owned(), plan.id.clone()),
            ("a".to_owned(), ia.clone()),
            ("b".to_owned(), ib.clone()),
            ("resolution".to_owned(), "same".to_owned()),
            ("kept".to_owned(), kept_text),
            ("reason".to_owned(), checked.reason.clone()),
        ],
        confirm_label: t.dup_confirm_button.to_owned(),
        destructive: false,
        back_href: pair_href(&plan.id, checked.a, checked.b),
    })
}

fn indicator_name(plan: &Plan, id: &str) -> String {
    plan.indicator(id)
        .map_or_else(|| id.to_owned(), |i| i.name.clone())
}

/// A count as written: 3, 2.5.
fn number(n: f64) -> String {
    pdca_core::wording::format_number(n)
}

/// The counts `decisions` give to `indicator` and its sub-targets, by (indicator, year),
/// summed over the bodies.
fn counts_of(
    plan: &Plan,
    items: &[Achievement],
    decisions: &[DuplicateDecision],
    indicator: &str,
) -> BTreeMap<(String, FiscalYear), f64> {
    let derived = derive(plan, items, decisions, &Actuals::default(), is_approved);
    let mut counts = BTreeMap::new();
    for c in derived.contributions {
        let ours = c.indicator == indicator
            || plan
                .indicator(&c.indicator)
                .and_then(|i| i.parent.as_deref())
                == Some(indicator);
        if ours && let pdca_core::ActualValue::Number(n) = c.value {
            *counts.entry((c.indicator.clone(), c.year)).or_insert(0.0) += n;
        }
    }
    counts
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_wareki_and_odd_text_stays() {
        assert_eq!(i18n::date_label(Lang::Ja, "2022-10-01"), "令和4年10月1日");
        assert_eq!(i18n::date_label(Lang::En, "2022-10-01"), "2022-10-01");
        assert_eq!(i18n::date_label(Lang::Ja, "2022-13-01"), "2022-13-01");
        assert_eq!(i18n::date_label(Lang::Ja, "昨年"), "昨年");
    }

    #[test]
    fn templates_are_filled_by_key() {
        assert_eq!(
            fill("成果 {a} と {b}", &[("a", "12"), ("b", "15")]),
            "成果 12 と 15"
        );
    }
}
