//! The forms of a round's page: moving the round, ratings, items, meetings, minutes, materials and the report.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use pdca_core::follow_up::{ItemKind, NewItem, NewRating, RoundError, RoundItem, parse_rating};
use pdca_core::{FiscalYear, Plan};
use pdca_store::StoreError;
use serde::Deserialize;

use super::round_page::{
    Done, Feedback, ItemEdit, RatingEdit, after_form, fill, refused_round, render_round, round_href,
};
use super::round_parts::{approved_values_of_year, rating_refusal};
use super::rounds::{checked_form, may_add, parse_links, refusal};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::confirm::{Confirmation, is_confirmed};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppForm, AppPath, Chrome, Here};
use crate::{AppState, WebError};
use pdca_app::follow_up::RoundView;

#[derive(Debug, Deserialize)]
pub(crate) struct StateForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    /// `1` once the confirmation page was accepted (close and reopen).
    confirmed: Option<String>,
}

/// `POST /rounds/{fy}/state`: `action=advance|close|reopen`, `reason` (reopen), `confirmed`.
/// Secretariat. Closing and reopening cannot be undone by a click: without `confirmed=1` they
/// answer with the confirmation stating the consequence (closing that cannot be done answers
/// with what is missing instead).
pub(crate) async fn change_state(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppForm(form): AppForm<StateForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let t = lang.text();
    let action = form.action.as_str();
    if matches!(action, "close" | "reopen") && !is_confirmed(form.confirmed.as_deref()) {
        let view = RoundView::load(&state.store, &plan.id, fy).await?;
        let round_open = view.content.round.state.is_open();
        let fy_label = i18n::fiscal_year(lang, fy);
        let (title, consequence, details, label, destructive) = match action {
            "close" if round_open && !view.missing.is_empty() => {
                let feedback = Feedback {
                    close_refused: true,
                    ..Feedback::default()
                };
                return refused_round(&state, &user, lang, &here, &plan.id, fy, feedback).await;
            }
            "close" if round_open => (
                t.round_close_title,
                fill(
                    t.round_close_consequence,
                    &[
                        ("fy", &fy_label),
                        ("n", &approved_values_of_year(&view, fy).to_string()),
                    ],
                ),
                vec![
                    t.round_close_detail_locked.to_owned(),
                    t.round_close_detail_public.to_owned(),
                ],
                t.round_close,
                true,
            ),
            "reopen" if !round_open && !form.reason.trim().is_empty() => (
                t.round_reopen_title,
                fill(
                    t.round_reopen_consequence,
                    &[
                        ("fy", &fy_label),
                        ("n", &view.content.ratings.len().to_string()),
                    ],
                ),
                vec![
                    fill(
                        t.round_reopen_detail_reason,
                        &[("reason", form.reason.trim())],
                    ),
                    t.round_reopen_detail_hidden.to_owned(),
                    t.round_reopen_detail_locked.to_owned(),
                ],
                t.round_reopen,
                false,
            ),
            // The rules refuse it below, with their own message.
            _ => ("", String::new(), Vec::new(), "", false),
        };
        if !title.is_empty() {
            let mut fields = vec![
                ("csrf".to_owned(), form.csrf.clone()),
                ("plan".to_owned(), plan.id.clone()),
                ("action".to_owned(), action.to_owned()),
            ];
            if action == "reopen" {
                fields.push(("reason".to_owned(), form.reason.clone()));
            }
            let confirmation = Confirmation {
                c: Chrome::new(lang, Some(&user), &here),
                title: title.to_owned(),
                consequence,
                details,
                action: format!("/rounds/{}/state", fy.year()),
                fields,
                confirm_label: label.to_owned(),
                destructive,
                back_href: format!("{}#close", round_href(&plan.id, fy, None)),
            };
            return Ok(confirmation.into_page()?);
        }
    }
    let outcome = apply_state(&state, &user, &plan, fy, action, &form.reason).await?;
    match outcome {
        Ok(()) => {
            let kind = match action {
                "advance" => "advanced",
                "close" => "closed",
                _ => "reopened",
            };
            after_form(
                &state,
                &user,
                lang,
                &here,
                &plan.id,
                fy,
                Ok(Done::new(kind, "")),
            )
            .await
        }
        Err(message) => {
            let feedback = Feedback {
                error: Some(message),
                close_refused: action == "close",
                ..Feedback::default()
            };
            refused_round(&state, &user, lang, &here, &plan.id, fy, feedback).await
        }
    }
}

/// Advances, closes or reopens; `Ok(Err(message))` when the rules refuse.
pub(crate) async fn apply_state(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    fy: FiscalYear,
    action: &str,
    reason: &str,
) -> Result<Result<(), String>, WebError> {
    let actor = user.user.name.as_str();
    let result = match action {
        "advance" => state
            .store
            .advance_round(&plan.id, fy, actor)
            .await
            .map(|_| ()),
        "close" => {
            let in_force = match state.store.plan_history(&plan.id).await? {
                Some(history) => history.in_force(fy).clone(),
                None => plan.clone(),
            };
            state
                .store
                .close_round(&in_force, fy, actor)
                .await
                .map(|_| ())
        }
        "reopen" => state.store.reopen_round(&plan.id, fy, reason, actor).await,
        other => {
            return Err(WebError::BadRequest {
                param: "action".to_owned(),
                message: format!("「{other}」: action は advance、close、reopen のいずれかです"),
            });
        }
    };
    Ok(match result {
        Ok(()) => Ok(()),
        Err(e) => Err(refusal(e)?),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct RateForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    rating: String,
    reason: Option<String>,
    issue: Option<String>,
    solution: Option<String>,
    /// The `recorded_at` of the rating the form showed, `none` when it showed none.
    version: Option<String>,
}

/// The optimistic check a form or a request asks for: its `version` field (`none`: no rating
/// was read); without one, no check.
pub(crate) fn expected_version(version: Option<&str>) -> Option<Option<&str>> {
    match version.map(str::trim) {
        None | Some("") => None,
        Some("none") => Some(None),
        Some(at) => Some(Some(at)),
    }
}

/// `POST /rounds/{fy}/ratings`: `indicator`, `rating`, `reason`, `issue`, `solution`.
pub(crate) async fn rate(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Raters>,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppForm(form): AppForm<RateForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let indicator = pdca_core::normalize::normalize_text(&form.indicator);
    let mut edit = RatingEdit {
        indicator: indicator.clone(),
        rating: pdca_core::normalize::normalize_text(&form.rating).to_uppercase(),
        reason: form.reason.clone().unwrap_or_default(),
        issue: form.issue.clone().unwrap_or_default(),
        solution: form.solution.clone().unwrap_or_default(),
        version: form.version.clone().unwrap_or_default(),
        field: "rating",
        message: String::new(),
    };
    if let Some(management) = plan.indicator(&indicator).filter(|i| i.management) {
        edit.message = fill(
            lang.text().round_management_refused,
            &[("name", &management.name)],
        );
        let feedback = Feedback {
            rating: Some(edit),
            ..Feedback::default()
        };
        return refused_round(&state, &user, lang, &here, &plan.id, fy, feedback).await;
    }
    let request = RatingRequest {
        indicator: form.indicator,
        rating: form.rating,
        reason: form.reason,
        issue: form.issue,
        solution: form.solution,
        version: form.version,
    };
    match rating_outcome(&state, &user, &plan, fy, request).await {
        Ok(Ok(())) => {
            let done = Done::new("rated", indicator);
            after_form(&state, &user, lang, &here, &plan.id, fy, Ok(done)).await
        }
        Ok(Err(refused)) => {
            let (field, message) = match refused {
                RatingRefused::Rule(e) => rating_refusal(lang, &e),
                RatingRefused::Message(m) => ("rating", m),
            };
            edit.field = field;
            edit.message = message;
            let feedback = Feedback {
                rating: Some(edit),
                ..Feedback::default()
            };
            refused_round(&state, &user, lang, &here, &plan.id, fy, feedback).await
        }
        Err(WebError::Store(e @ StoreError::Round(RoundError::RatingChanged { .. }))) => {
            edit.message = e.to_string();
            let feedback = Feedback {
                rating: Some(edit),
                ..Feedback::default()
            };
            let page =
                render_round(&state, &user, lang, &here, Some(&plan.id), fy, feedback).await?;
            Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Why the rules refused a rating: one of theirs (mapped to words for the page or the API),
/// or a message already in words.
pub(crate) enum RatingRefused {
    Rule(RoundError),
    Message(String),
}

/// Validates and records a rating; `Ok(Err(message))` when the rules refuse.
/// A rating as a form or a request sends it.
pub(crate) struct RatingRequest {
    pub indicator: String,
    pub rating: String,
    pub reason: Option<String>,
    pub issue: Option<String>,
    pub solution: Option<String>,
    /// The `recorded_at` of the rating read, `none` for none; no check without it.
    pub version: Option<String>,
}

pub(crate) async fn apply_rating(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    fy: FiscalYear,
    request: RatingRequest,
) -> Result<Result<(), String>, WebError> {
    Ok(rating_outcome(state, user, plan, fy, request)
        .await?
        .map_err(|refused| match refused {
            RatingRefused::Rule(e @ RoundError::ReasonRequired { .. }) => {
                let indicator = match &e {
                    RoundError::ReasonRequired { indicator_id, .. } => indicator_id.clone(),
                    _ => String::new(),
                };
                format!("{indicator}: {}", rating_refusal(Lang::Ja, &e).1)
            }
            RatingRefused::Rule(e) => e.to_string(),
            RatingRefused::Message(m) => m,
        }))
}

/// Validates and records a rating; `Ok(Err(why))` when the rules refuse.
pub(crate) async fn rating_outcome(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    fy: FiscalYear,
    request: RatingRequest,
) -> Result<Result<(), RatingRefused>, WebError> {
    let RatingRequest {
        indicator,
        rating,
        reason,
        issue,
        solution,
        version,
    } = request;
    let expected = expected_version(version.as_deref());
    let view = match RoundView::load(&state.store, &plan.id, fy).await {
        Ok(view) => view,
        Err(pdca_app::follow_up::ViewError::Store(e)) => {
            return Ok(Err(RatingRefused::Message(refusal(e)?)));
        }
        Err(e) => return Ok(Err(RatingRefused::Message(e.to_string()))),
    };
    let validated = parse_rating(&rating).and_then(|r| {
        NewRating {
            indicator_id: indicator,
            rating: r,
            reason,
            issue,
            solution,
        }
        .validate(&view.plan, &view.evaluation)
    });
    let rating = match validated {
        Ok(r) => r,
        Err(e) => return Ok(Err(RatingRefused::Rule(e))),
    };
    Ok(
        match state
            .store
            .rate(&plan.id, fy, &rating, expected, &user.user.name)
            .await
        {
            Ok(()) => Ok(()),
            // A conflict is not a rule refusing the input: callers answer 409.
            Err(e @ StoreError::Round(RoundError::RatingChanged { .. })) => return Err(e.into()),
            Err(StoreError::Round(e)) => Err(RatingRefused::Rule(e)),
            Err(e) => Err(RatingRefused::Message(refusal(e)?)),
        },
    )
}

/// The item form's fields. `links` comes once per item chosen from the lists (a project or
/// indicator id, `#` and an item number), or as one text of such ids separated by spaces.
#[derive(Debug, Default)]
pub(crate) struct ItemForm {
    csrf: String,
    plan: Option<String>,
    kind: String,
    text: String,
    title: Option<String>,
    points: Option<String>,
    body: Option<String>,
    links: Vec<String>,
    budget: Option<String>,
    meeting: String,
    plan_revision: String,
}

impl ItemForm {
    /// The form from its fields as posted, repeated `links` kept in order.
    fn from_pairs(pairs: Vec<(String, String)>) -> ItemForm {
        let mut form = ItemForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "plan" => form.plan = Some(value),
                "kind" => form.kind = value,
                "text" => form.text = value,
                "title" => form.title = Some(value),
                "points" => form.points = Some(value),
                "body" => form.body = Some(value),
                "links" => form.links.push(value),
                "budget" => form.budget = Some(value),
                "meeting" => form.meeting = value,
                "plan_revision" => form.plan_revision = value,
                _ => {}
            }
        }
        form
    }
}

/// `POST /rounds/{fy}/items`: `kind`, `text`, `title`, `points`, `body`, `links`, `budget`.
pub(crate) async fn add_item(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Contributors>,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppForm(pairs): AppForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = ItemForm::from_pairs(pairs);
    // Which kinds each role may add, and about what, is `may_add`'s (below).
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let kind: ItemKind = form
        .kind
        .parse()
        .map_err(|e: RoundError| WebError::BadRequest {
            param: "kind".to_owned(),
            message: e.to_string(),
        })?;
    let links = parse_links(&form.links.join(" "), &plan);
    let mut edit = ItemEdit {
        kind: kind.as_str().to_owned(),
        title: form.title.clone().unwrap_or_default(),
        text: form.text.clone(),
        points: form.points.clone().unwrap_or_default(),
        budget: form.budget.clone().unwrap_or_default(),
        links: form.links.iter().map(|l| l.trim().to_owned()).collect(),
        message: String::new(),
    };
    let number = |text: &str, what: &str| -> Result<Option<i64>, String> {
        let text = pdca_core::normalize::normalize_text(text);
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| format!("{what}「{text}」は数で書いてください"))
    };
    let meeting_id = number(&form.meeting, "会合");
    let plan_revision = number(&form.plan_revision, "計画の版");
    let outcome = match (links, meeting_id, plan_revision) {
        (Err(e), _, _) => Ok(Err(e.to_string())),
        (_, Err(e), _) | (_, _, Err(e)) => Ok(Err(e)),
        (Ok(links), Ok(meeting_id), Ok(plan_revision)) => {
            let item = NewItem {
                kind: Some(kind),
                title: form.title,
                text: form.text,
                points: form.points,
                body_id: form.body.filter(|b| !b.trim().is_empty()),
                links,
                budget: form.budget,
                meeting_id,
                plan_revision: plan_revision.and_then(|r| u32::try_from(r).ok()),
            };
            apply_item(&state, &user, &plan, fy, item)
                .await
                .map(|r| r.map(|stored| Done::new("item", stored.id.to_string())))
        }
    }?;
    match outcome {
        Ok(done) => after_form(&state, &user, lang, &here, &plan.id, fy, Ok(done)).await,
        Err(message) => {
            edit.message = message;
            let feedback = Feedback {
                item: Some(edit),
                ..Feedback::default()
            };
            refused_round(&state, &user, lang, &here, &plan.id, fy, feedback).await
        }
    }
}

/// Checks the role, validates and adds an item; `Ok(Err(message))` when the rules refuse.
pub(crate) async fn apply_item(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    fy: FiscalYear,
    mut item: NewItem,
) -> Result<Result<RoundItem, String>, WebError> {
    let kind = item.kind.ok_or_else(|| WebError::BadRequest {
        param: "kind".to_owned(),
        message: "項目の種類を指定してください".to_owned(),
    })?;
    may_add(user, plan, kind, &mut item)?;
    let (kind, item) = match item.validate(plan) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(
        match state
            .store
            .add_item(&plan.id, fy, kind, &item, &user.user.name)
            .await
        {
            Ok(stored) => Ok(stored),
            Err(e) => Err(refusal(e)?),
        },
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReflectedForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    reflected: String,
}

/// `POST /rounds/{fy}/items/{id}/reflected`: `reflected=1|0`. Secretariat.
pub(crate) async fn mark_reflected(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath((fy, id)): AppPath<(String, i64)>,
    AppForm(form): AppForm<ReflectedForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let outcome = match state
        .store
        .set_item_reflected(&plan.id, id, form.reflected != "0", &user.user.name)
        .await
    {
        Ok(()) => Ok(Done::new("reflected", id.to_string())),
        Err(e) => Err(refusal(e)?),
    };
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}
