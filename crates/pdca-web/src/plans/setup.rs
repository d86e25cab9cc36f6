//! Setting up plans for the secretariat: the reporting bodies of a plan and which bodies report
//! each indicator (with their shares), and importing a plan (or a new revision) from a plan
//! file, checked with the same messages as `pdca plan validate`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::multipart::Multipart;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use pdca_core::access::Role;
use pdca_core::normalize::parse_quantity;
use pdca_core::plan_file::parse_plan;
use pdca_store::{SaveOutcome, StoreError, Visibility};
use serde::Deserialize;

use crate::actuals::upload::{FormProblem, read_form};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::confirm::{Confirmation, is_confirmed};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppForm, AppQuery, Chrome, Here, choose_plan, encode_query, refused};
use crate::{AppState, WebError};

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/bodies", get(bodies_page))
        .route("/admin/bodies/assign", post(assign))
        .route("/admin/bodies/unassign", post(unassign))
        .route("/admin/plans", get(plans_page).post(import_plan))
        .merge(super::diff::router())
}

// ---------------------------------------------------------------------------------------------
// Reporting bodies and assignments

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BodiesQuery {
    plan: String,
    done: String,
    /// The indicator and body the notice is about.
    indicator: String,
    body: String,
}

struct BodyRow {
    id: String,
    name: String,
    short_name: String,
}

struct AssignedBody {
    id: String,
    name: String,
    share: String,
}

struct IndicatorRow {
    id: String,
    name: String,
    bodies: Vec<AssignedBody>,
}

struct ProjectGroup {
    name: String,
    indicators: Vec<IndicatorRow>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "plans/bodies.html")]
struct BodiesPage {
    c: Chrome,
    title: &'static str,
    plan_id: String,
    plan_name: String,
    bodies: Vec<BodyRow>,
    projects: Vec<ProjectGroup>,
    indicator_choices: Vec<Choice>,
    body_choices: Vec<Choice>,
    share: String,
    message: Option<String>,
    /// The indicator whose row shows the notice (none: the notice is at the top).
    done_row: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssignForm {
    csrf: String,
    plan: String,
    indicator: String,
    body: String,
    share: String,
    confirmed: Option<String>,
}

/// A share as written: whole or decimal, full-width digits allowed.
fn share_text(share: Option<f64>) -> String {
    share.map(|s| s.to_string()).unwrap_or_default()
}

async fn render_bodies(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    form: &AssignForm,
    message: Option<String>,
    error: Option<String>,
) -> Result<String, WebError> {
    let plan = choose_plan(&state.store, Some(&form.plan)).await?;
    let body_name = |id: &str| {
        plan.bodies
            .iter()
            .find(|b| b.id == id)
            .map_or_else(|| id.to_owned(), |b| b.name.clone())
    };
    let projects = plan
        .projects
        .iter()
        .map(|p| ProjectGroup {
            name: p.name.clone(),
            indicators: p
                .indicators
                .iter()
                .map(|i| IndicatorRow {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    bodies: i
                        .assignments
                        .iter()
                        .map(|a| AssignedBody {
                            id: a.body.clone(),
                            name: body_name(&a.body),
                            share: share_text(a.share),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let page = BodiesPage {
        c: Chrome::new(lang, Some(user), here),
        title: lang.text().bodies_title,
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        bodies: plan
            .bodies
            .iter()
            .map(|b| BodyRow {
                id: b.id.clone(),
                name: b.name.clone(),
                short_name: b.short_name.clone().unwrap_or_default(),
            })
            .collect(),
        projects,
        indicator_choices: plan
            .indicators()
            .map(|(_, i)| Choice {
                value: i.id.clone(),
                label: format!("{} {}", i.id, i.name),
                selected: i.id == form.indicator,
            })
            .collect(),
        body_choices: plan
            .bodies
            .iter()
            .map(|b| Choice {
                value: b.id.clone(),
                label: b.name.clone(),
                selected: b.id == form.body,
            })
            .collect(),
        share: form.share.clone(),
        done_row: if message.is_some() && plan.indicator(&form.indicator).is_some() {
            form.indicator.clone()
        } else {
            String::new()
        },
        message,
        error,
    };
    Ok(page.render()?)
}

/// `GET /admin/bodies[?plan=ID]`: the plan's reporting bodies and each indicator's bodies.
async fn bodies_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<BodiesQuery>,
) -> Result<Html<String>, WebError> {
    user.require(&[Role::Secretariat])?;
    let t = lang.text();
    let plan = choose_plan(&state.store, Some(&query.plan)).await?;
    let named = |template: &str, plain: &str| match plan.indicator(&query.indicator) {
        Some(indicator) if !query.body.is_empty() => template
            .replace("{indicator}", &indicator.name)
            .replace("{body}", &body_name(&plan, &query.body)),
        _ => plain.to_owned(),
    };
    let message = match query.done.as_str() {
        "assigned" => Some(named(t.bodies_done_assigned_named, t.bodies_done_assigned)),
        "unassigned" => Some(named(
            t.bodies_done_unassigned_named,
            t.bodies_done_unassigned,
        )),
        _ => None,
    };
    let form = AssignForm {
        plan: query.plan,
        indicator: query.indicator,
        ..AssignForm::default()
    };
    Ok(Html(
        render_bodies(&state, &user, lang, &here, &form, message, None).await?,
    ))
}

/// The page again with `error`, answered 422.
async fn refuse_assignment(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    form: &AssignForm,
    error: String,
) -> Result<Response, WebError> {
    let html = render_bodies(state, user, lang, here, form, None, Some(error)).await?;
    Ok(refused(html))
}

/// A body's name as the page shows it.
fn body_name(plan: &pdca_core::Plan, id: &str) -> String {
    plan.body(id)
        .map_or_else(|| id.to_owned(), |b| b.name.clone())
}

/// The page at the indicator's row, with the notice `done` about the indicator and the body.
fn done_location(plan: &str, done: &str, indicator: &str, body: &str) -> String {
    format!(
        "/admin/bodies?{}#assign-{indicator}",
        encode_query(
            [
                ("plan", plan),
                ("done", done),
                ("indicator", indicator),
                ("body", body)
            ]
            .into_iter()
        )
    )
}

/// `POST /admin/bodies/assign`: the body reports the indicator (with the share, if given).
async fn assign(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<AssignForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let plan = choose_plan(&state.store, Some(&form.plan)).await?;
    let share = match form.share.trim() {
        "" => None,
        text => match parse_quantity(text) {
            Ok(v) if v >= 0.0 && v.is_finite() => Some(v),
            _ => {
                let error = lang.text().bodies_bad_share.to_owned();
                return refuse_assignment(&state, &user, lang, &here, &form, error).await;
            }
        },
    };
    match state
        .store
        .set_assignment(
            &plan.id,
            form.indicator.trim(),
            form.body.trim(),
            share,
            &user.user.name,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&done_location(
            &plan.id,
            "assigned",
            form.indicator.trim(),
            form.body.trim(),
        ))
        .into_response()),
        Err(e @ (StoreError::NotFound(_) | StoreError::Invalid(_))) => {
            refuse_assignment(&state, &user, lang, &here, &form, e.to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/bodies/unassign`: the body no longer reports the indicator (never its last).
/// Without `confirmed=1`, the confirmation page first (a refusal, such as for the last body,
/// comes at once).
async fn unassign(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<AssignForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let plan = choose_plan(&state.store, Some(&form.plan)).await?;
    let (indicator_id, body_id) = (form.indicator.trim(), form.body.trim());
    if !is_confirmed(form.confirmed.as_deref())
        && let Some(indicator) = plan.indicator(indicator_id)
        && indicator.assignments.len() > 1
        && indicator.assignments.iter().any(|a| a.body == body_id)
    {
        let t = lang.text();
        let body = body_name(&plan, body_id);
        let values = state
            .store
            .current_actuals_as(&plan.id, Visibility::All)
            .await?
            .iter()
            .filter(|a| a.contribution.indicator == indicator_id && a.contribution.body == body_id)
            .count();
        let rest: Vec<String> = indicator
            .assignments
            .iter()
            .filter(|a| a.body != body_id)
            .map(|a| body_name(&plan, &a.body))
            .collect();
        let fill = |template: &str| {
            template
                .replace("{indicator}", &indicator.name)
                .replace("{body}", &body)
                .replace("{n}", &values.to_string())
                .replace("{rest}", &rest.join("、"))
        };
        let back = format!(
            "/admin/bodies?{}#assign-{indicator_id}",
            encode_query([("plan", plan.id.as_str())].into_iter())
        );
        let confirmation = Confirmation {
            c: Chrome::new(lang, Some(&user), &here),
            title: t.bodies_unassign_title.to_owned(),
            consequence: fill(t.bodies_unassign_consequence),
            details: if values > 0 {
                vec![fill(t.bodies_unassign_values), fill(t.bodies_unassign_rest)]
            } else {
                vec![fill(t.bodies_unassign_rest)]
            },
            action: "/admin/bodies/unassign".to_owned(),
            fields: vec![
                ("csrf".to_owned(), form.csrf.clone()),
                ("plan".to_owned(), plan.id.clone()),
                ("indicator".to_owned(), indicator_id.to_owned()),
                ("body".to_owned(), body_id.to_owned()),
            ],
            confirm_label: t.bodies_unassign_confirm.to_owned(),
            destructive: true,
            back_href: back,
        };
        return Ok(confirmation.into_page()?);
    }
    match state
        .store
        .remove_assignment(
            &plan.id,
            form.indicator.trim(),
            form.body.trim(),
            &user.user.name,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&done_location(
            &plan.id,
            "unassigned",
            indicator_id,
            body_id,
        ))
        .into_response()),
        Err(e @ (StoreError::NotFound(_) | StoreError::Invalid(_))) => {
            refuse_assignment(&state, &user, lang, &here, &form, e.to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Plans

struct PlanRow {
    id: String,
    name: String,
    revisions: Vec<RevisionRow>,
}

struct RevisionRow {
    revision: u32,
    name: String,
    effective_from: String,
}

#[derive(Template)]
#[template(path = "plans/plans.html")]
struct PlansPage {
    c: Chrome,
    title: &'static str,
    plans: Vec<PlanRow>,
    message: Option<String>,
    error: Option<String>,
    /// The plan file's errors, one per line as `pdca plan validate` prints them.
    file_errors: String,
}

#[derive(Default)]
struct PlansFeedback {
    message: Option<String>,
    error: Option<String>,
    file_errors: String,
}

async fn render_plans(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    feedback: PlansFeedback,
) -> Result<String, WebError> {
    let mut plans = Vec::new();
    for summary in state.store.list_plans().await? {
        let revisions = state
            .store
            .plan_history(&summary.id)
            .await?
            .map(|h| {
                h.versions()
                    .iter()
                    .map(|p| RevisionRow {
                        revision: p.revision,
                        name: p.name.clone(),
                        effective_from: i18n::fiscal_year(lang, p.effective_from),
                    })
                    .collect()
            })
            .unwrap_or_default();
        plans.push(PlanRow {
            id: summary.id,
            name: summary.name,
            revisions,
        });
    }
    let page = PlansPage {
        c: Chrome::new(lang, Some(user), here),
        title: lang.text().plans_title,
        plans,
        message: feedback.message,
        error: feedback.error,
        file_errors: feedback.file_errors,
    };
    Ok(page.render()?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlansQuery {
    /// The plan just saved from its text (`/admin/plans/draft`), and its revision.
    saved: String,
    revision: String,
}

/// `GET /admin/plans`: every plan with its revisions, the import form, and the way to the
/// page that creates a plan from its text; after that page saved one, which it saved.
async fn plans_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlansQuery>,
) -> Result<Html<String>, WebError> {
    user.require(&[Role::Secretariat])?;
    let saved = state.store.plan(&query.saved).await?;
    let message = saved
        .filter(|p| p.revision.to_string() == query.revision)
        .map(|p| match p.revision {
            1 => i18n::plan_created(lang, &p.id, p.revision),
            r => i18n::plan_new_revision(lang, &p.id, r),
        });
    let feedback = PlansFeedback {
        message,
        ..PlansFeedback::default()
    };
    Ok(Html(
        render_plans(&state, &user, lang, &here, feedback).await?,
    ))
}

/// `POST /admin/plans` (multipart: `csrf`, `file`): checks the plan file like `pdca plan
/// validate`; with any error lists every error and saves nothing, otherwise saves the plan
/// (or its new revision) with the file as its source.
async fn import_plan(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let t = lang.text();
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(problem) => {
            // Nothing is saved, so the page with the reason is safe to show without the token.
            let (status, error) = match problem {
                FormProblem::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, t.upload_too_large),
                FormProblem::Unreadable => (StatusCode::BAD_REQUEST, t.upload_unreadable),
                FormProblem::NotUtf8(field) => return Err(crate::frame::view::not_utf8(&field)),
            };
            let feedback = PlansFeedback {
                error: Some(error.to_owned()),
                ..PlansFeedback::default()
            };
            let html = render_plans(&state, &user, lang, &here, feedback).await?;
            return Ok((status, Html(html)).into_response());
        }
    };
    user.check_csrf(form.fields.get("csrf").map_or("", String::as_str))?;
    let refuse = |feedback: PlansFeedback| async {
        let html = render_plans(&state, &user, lang, &here, feedback).await?;
        Ok::<_, WebError>(refused(html))
    };
    let Some((file_name, bytes)) = form.file.filter(|(_, b)| !b.is_empty()) else {
        return refuse(PlansFeedback {
            error: Some(t.plans_no_file.to_owned()),
            ..PlansFeedback::default()
        })
        .await;
    };
    let file_name = if file_name.trim().is_empty() {
        "plan.toml".to_owned()
    } else {
        file_name
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return refuse(PlansFeedback {
            error: Some(t.plans_not_utf8.to_owned()),
            ..PlansFeedback::default()
        })
        .await;
    };
    let plan = match parse_plan(&file_name, &text) {
        Ok(plan) => plan,
        Err(errors) => {
            return refuse(PlansFeedback {
                error: Some(t.plans_file_errors.to_owned()),
                file_errors: errors.to_string(),
                ..PlansFeedback::default()
            })
            .await;
        }
    };
    match state
        .store
        .save_plan(&plan, Some(&text), &user.user.name)
        .await
    {
        Ok(outcome) => {
            let message = match outcome {
                SaveOutcome::Created => i18n::plan_created(lang, &plan.id, plan.revision),
                SaveOutcome::NewRevision => i18n::plan_new_revision(lang, &plan.id, plan.revision),
                SaveOutcome::Unchanged => i18n::plan_unchanged(lang, &plan.id, plan.revision),
            };
            let feedback = PlansFeedback {
                message: Some(message),
                ..PlansFeedback::default()
            };
            let html = render_plans(&state, &user, lang, &here, feedback).await?;
            Ok(Html(html).into_response())
        }
        Err(e @ (StoreError::PlanRevisionExists { .. } | StoreError::Invalid(_))) => {
            refuse(PlansFeedback {
                error: Some(e.to_string()),
                ..PlansFeedback::default()
            })
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_written_plainly() {
        assert_eq!(share_text(None), "");
        assert_eq!(share_text(Some(2.0)), "2");
        assert_eq!(share_text(Some(0.5)), "0.5");
    }
}
